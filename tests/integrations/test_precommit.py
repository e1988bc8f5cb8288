"""pre-commit for real: ``pre-commit try-repo`` of this repository on consumer repositories."""

from __future__ import annotations

import functools
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from parity.cli import COMMANDS
from tests.helpers import git
from tests.integrations.conftest import FAKE_KEY, ROOT

MANIFEST = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
HOOKS = {hook["id"]: hook for hook in MANIFEST}
# The subcommand each hook runs; a hook is tried for real once its command exists.
HOOK_COMMAND = {
    "parity-check": "check",
    "parity-cloud-init": "cloud-init",
    "parity-routines": "routines",
}


TryRepo = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def try_repo(
    tmp_path: Path, tool_cache: dict[str, str], wheelhouse: dict[str, str]
) -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run ``pre-commit try-repo`` of this repository inside a consumer."""
    return functools.partial(_try_repo, tmp_path=tmp_path, cache={**tool_cache, **wheelhouse})


def _try_repo(
    consumer: Path, *args: str, tmp_path: Path, cache: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``pre-commit try-repo ROOT ARGS`` inside ``consumer`` with a private pre-commit home."""
    if not (ROOT / ".git").exists():
        pytest.skip("this copy of the project is not a git repository (try-repo clones it)")
    return _pre_commit(consumer, "try-repo", str(ROOT), *args, tmp_path=tmp_path, cache=cache)


def _pre_commit(
    consumer: Path, *args: str, tmp_path: Path, cache: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """``pre-commit ARGS`` inside ``consumer`` with a private pre-commit home."""
    env = {**os.environ, **cache, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit")}
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args, "--color", "never"],
        cwd=consumer,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def needs(hook: str) -> None:
    if HOOK_COMMAND[hook] not in COMMANDS:
        pytest.skip(f"`parity {HOOK_COMMAND[hook]}` does not exist yet")


def test_manifest_is_valid() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "validate-manifest",
            str(ROOT / ".pre-commit-hooks.yaml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert [hook["id"] for hook in MANIFEST] == [
        "parity-check",
        "parity-cloud-init",
        "parity-routines",
    ]
    for hook in MANIFEST:
        assert hook["language"] == "python"
        assert hook["entry"].startswith("parity ")
        assert hook["entry"].split()[1] == HOOK_COMMAND[hook["id"]]


@pytest.mark.parametrize(
    ("hook", "path", "runs"),
    [
        ("parity-check", ".claude/settings.json", True),
        ("parity-check", ".claude/hooks/setup.sh", True),
        ("parity-check", ".mcp.json", True),
        ("parity-check", "CLAUDE.md", True),
        ("parity-check", "docs/CLAUDE.local.md", True),
        ("parity-check", "pyproject.toml", True),
        ("parity-check", "parity.toml", True),
        ("parity-check", "README.md", False),
        ("parity-check", "src/app.py", False),
        ("parity-check", "x.mcp.json.bak", False),
        ("parity-cloud-init", "package-lock.json", True),
        ("parity-cloud-init", "uv.lock", True),
        ("parity-cloud-init", "web/npm-shrinkwrap.json", True),
        ("parity-cloud-init", "setup.py", True),
        ("parity-cloud-init", "requirements-dev.txt", True),
        ("parity-cloud-init", ".claude/settings.json", True),
        ("parity-cloud-init", "src/app.py", False),
        ("parity-routines", ".claude/routines.yaml", True),
        ("parity-routines", ".claude/routines/nightly.yml", True),
        ("parity-routines", ".claude/scheduled_tasks.json", True),
        ("parity-routines", "parity.toml", True),
        ("parity-routines", ".claude/settings.json", False),
    ],
)
def test_hooks_run_only_when_relevant_files_change(hook: str, path: str, runs: bool) -> None:
    # pre-commit applies `files` with re.search to each repo-relative path.
    assert bool(re.search(HOOKS[hook]["files"], path)) is runs


@pytest.mark.slow
def test_check_hook_fails_on_the_broken_consumer(broken: Path, try_repo: TryRepo) -> None:
    proc = try_repo(broken, "parity-check", "--all-files")

    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert re.search(r"parity check \(Claude Code configuration\)\.+Failed", out), out
    assert "- exit code: 1" in out
    for code in ("PAR010", "PAR020", "PAR030"):
        assert code in out
    assert ".claude/settings.json" in out
    assert FAKE_KEY not in out
    assert FAKE_KEY[:24] not in out


@pytest.mark.slow
def test_check_hook_in_staged_file_mode(broken: Path, try_repo: TryRepo) -> None:
    # As on a commit that touches only .mcp.json: only its findings are reported.
    proc = try_repo(broken, "parity-check", "--files", ".mcp.json")

    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "PAR020" in out
    assert "PAR010" not in out
    assert ".claude/settings.json" not in out
    assert FAKE_KEY not in out


@pytest.mark.slow
def test_check_hook_passes_on_the_clean_consumer(clean: Path, try_repo: TryRepo) -> None:
    proc = try_repo(clean, "parity-check", "--all-files")

    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert re.search(r"parity check \(Claude Code configuration\)\.+Passed", out), out


@pytest.mark.slow
def test_cloud_init_hook(broken: Path, clean: Path, try_repo: TryRepo) -> None:
    needs("parity-cloud-init")
    stale = try_repo(broken, "parity-cloud-init", "--all-files")
    assert stale.returncode == 1, stale.stdout + stale.stderr
    assert "Failed" in stale.stdout

    # A consumer whose setup script was generated and committed passes.
    generated = subprocess.run(
        [sys.executable, "-m", "parity", "cloud-init", "--write"],
        cwd=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    assert generated.returncode == 0, generated.stderr
    git(clean, "add", "-A")
    git(clean, "commit", "-qm", "cloud setup", "--allow-empty")
    fresh = try_repo(clean, "parity-cloud-init", "--all-files")
    assert fresh.returncode == 0, fresh.stdout + fresh.stderr


@pytest.mark.slow
def test_routines_hook(broken: Path, clean: Path, try_repo: TryRepo) -> None:
    needs("parity-routines")
    bad = try_repo(broken, "parity-routines", "--all-files")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "Failed" in bad.stdout

    good = try_repo(clean, "parity-routines", "--all-files")
    assert good.returncode == 0, good.stdout + good.stderr


@pytest.mark.slow
def test_check_hook_with_fix_fails_when_it_changed_files(
    clean: Path, tmp_path: Path, tool_cache: dict[str, str], wheelhouse: dict[str, str]
) -> None:
    # As ruff's hook with `args: [--fix]`: the hook fixes, pre-commit sees changed files and
    # fails; the next run finds nothing to change and passes.
    if not (ROOT / ".git").exists():
        pytest.skip("this copy of the project is not a git repository (pre-commit clones it)")
    settings = clean / ".claude/settings.json"
    old = '{\n  "$schema": "https://example.com/settings.json",\n'
    settings.write_text(old + settings.read_text(encoding="utf-8")[2:], encoding="utf-8")
    rev = git(ROOT, "rev-parse", "HEAD").strip()
    config = {"repos": [{"repo": str(ROOT), "rev": rev}]}
    config["repos"][0]["hooks"] = [{"id": "parity-check", "args": ["--fix"]}]  # type: ignore[index]
    (clean / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    git(clean, "add", "-A")
    git(clean, "commit", "-qm", "pre-commit with parity --fix")
    cache = {**tool_cache, **wheelhouse}

    def pre_commit() -> subprocess.CompletedProcess[str]:
        return _pre_commit(clean, "run", "--all-files", tmp_path=tmp_path, cache=cache)

    first = pre_commit()
    out = first.stdout + first.stderr
    assert first.returncode == 1, out
    assert "- files were modified by this hook" in out
    assert "Fixed 1 problem (0 remaining)." in out
    assert '"$schema": "https://json.schemastore.org/claude-code-settings.json"' in (
        settings.read_text(encoding="utf-8")
    )
    git(clean, "commit", "-qam", "fixed")
    second = pre_commit()
    assert second.returncode == 0, second.stdout + second.stderr
    assert re.search(r"parity check \(Claude Code configuration\)\.+Passed", second.stdout)
