"""Test isolation: every test runs with a fake home, and reaching the real one fails the test."""

from __future__ import annotations

import os
import pwd
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REAL_HOME = Path(pwd.getpwuid(os.getuid()).pw_dir).resolve()
_GUARDED = (REAL_HOME / ".claude", REAL_HOME / ".claude.json", REAL_HOME / ".config" / "claude")
_EVENTS = {"open", "os.listdir", "os.scandir", "os.remove", "os.rename", "os.mkdir", "os.chmod"}
_touched: list[str] = []
_armed = False


def _is_guarded(raw: object) -> bool:
    if isinstance(raw, int) or raw is None:
        return False
    try:
        path = Path(os.fsdecode(raw)).absolute()  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return any(path == g or g in path.parents for g in _GUARDED)


def _audit(event: str, args: tuple[object, ...]) -> None:
    if _armed and event in _EVENTS and args and _is_guarded(args[0]):
        _touched.append(f"{event} {args[0]!r}")


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def fake_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    """Point HOME and XDG dirs at a temp dir, drop CLAUDE_CONFIG_DIR; fail on real-home access."""
    global _armed  # noqa: PLW0603 - the audit hook is process-wide; this arms it per test
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    # With HOME fake, the client's default layout (~/.claude, ~/.claude.json) is inside the temp
    # dir; an inherited CLAUDE_CONFIG_DIR could point anywhere, so it is removed. Tests of
    # CLAUDE_CONFIG_DIR itself set it to a folder of their own.
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    for var, sub in (
        ("XDG_CONFIG_HOME", ".config"),
        ("XDG_DATA_HOME", ".local/share"),
        ("XDG_CACHE_HOME", ".cache"),
        ("XDG_STATE_HOME", ".local/state"),
    ):
        monkeypatch.setenv(var, str(home / sub))
    # git in tests: no user or system config, a fixed identity, no prompts.
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    for var in ("GIT_AUTHOR_NAME", "GIT_COMMITTER_NAME"):
        monkeypatch.setenv(var, "Parity Test")
    for var in ("GIT_AUTHOR_EMAIL", "GIT_COMMITTER_EMAIL"):
        monkeypatch.setenv(var, "test@example.invalid")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    # The results cache stays off, so that a test that swaps a rule or a clock in-process sees
    # it at once; tests/test_cache.py turns it on and proves cached reports equal fresh ones.
    monkeypatch.setenv("PARITY_NO_CACHE", "1")
    for var in (
        "NO_COLOR",
        "FORCE_COLOR",
        "PARITY_OUTPUT_FORMAT",
        "CLAUDE_CODE_REMOTE",
        "GITHUB_ACTIONS",
        # Set when the suite runs under a git command (a hook, `git rebase --exec`): tests' own
        # git calls would then act on this project's repository instead of their temp folders.
        "GIT_DIR",
        "GIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_COMMON_DIR",
        "GIT_OBJECT_DIRECTORY",
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_PREFIX",
    ):
        monkeypatch.delenv(var, raising=False)
    _touched.clear()
    _armed = True
    try:
        yield home
    finally:
        _armed = False
    if _touched:
        pytest.fail(f"test reached the real home: {_touched[:3]}")


@pytest.fixture(params=["c", "python"])
def yaml_loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run a YAML test once with PyYAML's libyaml parser and once with its pure-Python one.

    parity's answer must not depend on which PyYAML build a user has installed.
    """
    from parity import _yaml

    if request.param not in _yaml.LOADERS:
        pytest.skip("this PyYAML is built without libyaml")
    monkeypatch.setattr(_yaml, "loader", request.param)
    return str(request.param)
