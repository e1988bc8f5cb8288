"""PAR110 against the real client: which hooks get CLAUDE_PLUGIN_ROOT (``claude --init-only``)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, make_repo, run
from tests.oracle.client import AVAILABLE, SKIP_REASON, init_only

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

RULE_FIXTURES = FIXTURES / "rules" / "PAR110"
FINISHED = re.compile(
    r"Hooks: SessionStart:startup \[.*\] (\(plugin [^)]*\) )?finished with status (\d+)"
)
REFUSED = "references ${CLAUDE_PLUGIN_ROOT} but the hook is not associated with a plugin"


def _session_start(
    project: Path, tmp_path: Path, *, remote: bool
) -> tuple[list[str], list[str], str]:
    """Statuses of the settings-file and plugin SessionStart hooks, and the whole log."""
    extra = {"CLAUDE_CODE_REMOTE": "true"} if remote else {}
    plugin = project / "plugins" / "fmt"
    log = init_only(
        project, tmp_path / "home", tmp_path / "tmp", "--plugin-dir", str(plugin), env=extra
    )
    settings = [m.group(2) for m in FINISHED.finditer(log) if not m.group(1)]
    plugins = [m.group(2) for m in FINISHED.finditer(log) if m.group(1)]
    return settings, plugins, log


def _par110(project: Path) -> list[str]:
    out = run(["check", "--select", "PAR110", "--format", "json", "--exit-zero", str(project)]).out
    return [f"{f['path']}:{f['line']}" for f in json.loads(out)["findings"]]


@pytest.mark.parametrize("remote", [False, True], ids=["local", "cloud"])
def test_plugin_session_start_hooks_get_the_variable(remote: bool, tmp_path: Path) -> None:
    project = make_repo(tmp_path / "repo", RULE_FIXTURES / "pass")
    settings, plugins, log = _session_start(project, tmp_path, remote=remote)
    # The plugin's script is found through ${CLAUDE_PLUGIN_ROOT}, so the variable was set.
    assert plugins == ["0"], log[-3000:]
    assert settings == ["0", "0"], log[-3000:]
    assert _par110(project) == []


@pytest.mark.parametrize("remote", [False, True], ids=["local", "cloud"])
def test_settings_hooks_do_not_get_it(remote: bool, tmp_path: Path) -> None:
    project = make_repo(tmp_path / "repo", RULE_FIXTURES / "fail")
    settings, plugins, log = _session_start(project, tmp_path, remote=remote)
    assert plugins == ["0"], log[-3000:]
    # ${CLAUDE_PLUGIN_ROOT}: the hook is refused before it runs; $CLAUDE_PLUGIN_ROOT: empty, so
    # bash looks for /scripts/start.sh and fails.
    assert REFUSED in log
    assert settings == ["127"], log[-3000:]
    reported = _par110(project)
    assert reported[:2] == [".claude/settings.json:4", ".claude/settings.json:5"]
    assert not any(r.startswith("plugins/") for r in reported)
