"""Helpers for tests: fixture repositories as real folders, and running the CLI in-process."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
SHARED = Path(__file__).resolve().parents[1].parent / "shared"


# What the autouse fake_home fixture gives git, for fixtures made before it applies (module and
# session scope): without them git would read the real ~/.gitconfig, and on a machine with no
# identity there `git commit` fails.
_GIT_ISOLATION = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "Parity Test",
    "GIT_COMMITTER_NAME": "Parity Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_TERMINAL_PROMPT": "0",
}


# The first lines of a probe script run with ``python -c``: the process then runs on one
# processor, where a check imports nothing ahead while git lists the tree
# (parity.ahead.import_ahead), so what it imports is the same however long git takes.
ONE_PROCESSOR = (
    "import os\n"
    "if hasattr(os, 'sched_setaffinity'):\n"
    "    os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})\n"
)


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo`` and return its output; fail loudly on error."""
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        check=True,
        env=_GIT_ISOLATION | os.environ,  # a test's own settings win
    )
    return proc.stdout


def make_repo(dest: Path, source: Path | None = None, *, commit: bool = True) -> Path:
    """Copy fixture folder ``source`` (if any) to ``dest``, ``git init`` it, add and commit all.

    A fixture keeps its ignore file as ``_gitignore``: a real ``.gitignore`` inside this project
    would keep the very files it is about out of our own commits. It becomes ``.gitignore`` here.
    """
    if source is not None:
        shutil.copytree(source, dest, symlinks=True, dirs_exist_ok=True)
        for stand_in in dest.rglob("_gitignore"):
            stand_in.rename(stand_in.with_name(".gitignore"))
    dest.mkdir(parents=True, exist_ok=True)
    git(dest, "init", "-q", "-b", "main")
    if commit:
        git(dest, "add", "-A")
        git(dest, "commit", "-q", "--allow-empty", "-m", "fixture")
    return dest


def write(root: Path, rel: str, text: str, *, mode: int | None = None) -> Path:
    """Write ``text`` to ``root/rel`` (creating folders), optionally with a file mode."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mode is not None:
        path.chmod(mode)
    return path


@dataclass
class Result:
    """What a CLI run produced."""

    code: int
    out: str
    err: str


@contextlib.contextmanager
def chdir(path: Path) -> Iterator[None]:
    """Temporarily change the working directory."""
    old = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def run(args: Sequence[str], cwd: Path | None = None) -> Result:
    """Run ``parity ARGS`` in-process (fast) and capture its exit code and output."""
    from parity.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.ExitStack() as stack:
        if cwd is not None:
            stack.enter_context(chdir(cwd))
        stack.enter_context(contextlib.redirect_stdout(out))
        stack.enter_context(contextlib.redirect_stderr(err))
        code = main(list(args))
    return Result(code, out.getvalue(), err.getvalue())


REPO_PLACEHOLDER = "__REPO__"


def install_home(source: Path, home: Path, repo: Path | None = None) -> Path:
    """Copy fixture home ``source`` into ``home``; ``__REPO__`` in ~/.claude.json becomes ``repo``.

    The client keys per-project state in ``~/.claude.json`` by the repository's absolute path,
    which a fixture cannot know in advance.
    """
    shutil.copytree(source, home, symlinks=True, dirs_exist_ok=True)
    config = home / ".claude.json"
    if repo is not None and config.is_file():
        text = config.read_text(encoding="utf-8")
        key = json.dumps(str(repo.resolve()))[1:-1]
        config.write_text(text.replace(REPO_PLACEHOLDER, key), encoding="utf-8")
    return home


# One folder per case: a project holding one agent, skill or command, and `client.json`, what
# client 2.1.330 loaded from it (tests/oracle/test_frontmatter_loads.py keeps it true).
FRONTMATTER_CASES = FIXTURES / "frontmatter"


def calls_of(monkeypatch: pytest.MonkeyPatch, owner: type, method: str) -> list[Any]:
    """The argument of every call of ``owner.method`` (a method of one argument) from now on;
    each call still goes through."""
    asked: list[Any] = []
    original = getattr(owner, method)

    def recorded(self: Any, arg: Any) -> Any:
        asked.append(arg)
        return original(self, arg)

    monkeypatch.setattr(owner, method, recorded)
    return asked
