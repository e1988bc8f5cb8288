"""The real client runs the generated hook in a cloud-like start and it finishes with status 0."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cloudinit.stubs import Stubs, make_stubs
from tests.helpers import run
from tests.oracle.client import AVAILABLE, SKIP_REASON, client_env
from tests.oracle.client import init_only as client_init_only

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

FINISHED = re.compile(r"Hooks: SessionStart:startup \[(.*)\] finished with status (\d+)")


def init_only(project: Path, tmp_path: Path, stubs: Stubs, *, remote: bool) -> str:
    """Run ``claude --init-only`` (reference §2.5) and return its debug log."""
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    # Stub package managers first on PATH: the hook's installs are logged, nothing is downloaded.
    env = {"PATH": f"{stubs.bin}:{client_env(home, tmp)['PATH']}", "STUB_LOG": str(stubs.log)}
    if remote:
        env["CLAUDE_CODE_REMOTE"] = "true"
    return client_init_only(project, home, tmp, trust=False, env=env)


@pytest.mark.parametrize("remote", [True, False])
def test_client_runs_the_generated_hook(
    remote: bool, fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    project = fixture_repo("mixed")
    assert run(["cloud-init", "--write"], cwd=project).code == 0
    stubs = make_stubs(tmp_path / "stubs")
    log = init_only(project, tmp_path, stubs, remote=remote)
    statuses = [int(m.group(2)) for m in FINISHED.finditer(log)]
    assert statuses == [0], log[-3000:]
    calls = [c.split("|")[0] for c in stubs.calls()]
    if not remote:
        assert calls == []
        return
    assert calls == [
        "uv sync --frozen",
        "npm ci --no-audit --no-fund",
        "npm exec --yes --package=@modelcontextprotocol/server-github@2025.4.8 -- true",
    ]
    exported = sorted((tmp_path / "home" / ".claude" / "session-env").rglob("sessionstart-hook-*"))
    assert exported, "the hook wrote nothing to CLAUDE_ENV_FILE"
    text = exported[0].read_text(encoding="utf-8")
    assert f"export VIRTUAL_ENV={project}/.venv\n" in text
