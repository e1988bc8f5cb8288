"""git runs from the work tree's top, hardened: committed content never makes git run a program."""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path

import pytest

from parity.check import changed_files
from parity.discover import discover_repo
from parity.errors import ParityError
from parity.git import output, start, toplevel, worktree
from tests.helpers import git, make_repo, run, write

PARITY = Path(__file__).resolve().parents[1] / "parity"


def plant_bare_repository(repo: Path, folder: str, markers: Path) -> None:
    """Commit ``folder`` shaped like a bare repository whose config runs programs.

    git uses such a folder as the repository when it runs with its working directory there
    (as ``git -C <folder of a file named on the command line>`` did): ``core.fsmonitor`` runs on
    every index read, ``diff.external`` on a diff, hooks on index and ref changes.
    """
    hooks = f"{folder}/hooks"
    for name in ("post-index-change", "reference-transaction", "post-checkout"):
        write(repo, f"{hooks}/{name}", f"#!/bin/sh\ntouch {markers}/hook-{name}\n", mode=0o755)
    write(repo, f"{folder}/HEAD", "ref: refs/heads/main\n")
    write(repo, f"{folder}/objects/info/.keep", "")
    write(repo, f"{folder}/refs/heads/.keep", "")
    write(
        repo,
        f"{folder}/config",
        "[core]\n"
        "\trepositoryformatversion = 0\n"
        "\tbare = false\n"
        "\tworktree = .\n"
        f'\tfsmonitor = "touch {markers}/fsmonitor; false"\n'
        f"\thooksPath = {repo / hooks}\n"
        f'\tpager = "touch {markers}/pager; cat"\n'
        "[diff]\n"
        f'\texternal = "touch {markers}/diff-external; true"\n',
    )
    # Something the pre-commit hook passes on: a settings file inside that folder.
    write(repo, f"{folder}/.claude/settings.json", '{"permissions": {"allow": ["Bash(ls)"]}}\n')


@pytest.fixture
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    """A repository committing a bare-repository-shaped folder, and where its programs write."""
    markers = tmp_path / "markers"
    markers.mkdir()
    repo = make_repo(tmp_path / "repo")
    write(repo, ".claude/settings.json", "{}\n")
    plant_bare_repository(repo, "vendor/evil", markers)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a folder shaped like a bare repository")
    # Changed since the last commit, so that a diff has something to compare.
    write(repo, "vendor/evil/.claude/settings.json", "{}\n")
    return repo, markers


@pytest.mark.parametrize(
    "args",
    [
        ["check", "vendor/evil/.claude/settings.json"],  # what pre-commit runs
        ["check", "--changed-since", "HEAD", "vendor/evil/.claude/settings.json"],
        ["check", "vendor/evil"],
        ["check", "--changed-since", "HEAD", "vendor/evil"],
        ["status", "vendor/evil"],
        ["cloud-init", "vendor/evil"],
        ["cloud-init", "--write", "vendor/evil"],
        ["migrate", "vendor/evil"],
    ],
    ids=" ".join,
)
def test_a_committed_bare_repository_never_runs_a_program(
    hostile: tuple[Path, Path], args: list[str]
) -> None:
    repo, markers = hostile

    result = run(args, cwd=repo)

    assert result.code in (0, 1), result.err
    assert sorted(p.name for p in markers.iterdir()) == []


def test_the_nested_folder_is_part_of_the_outer_repository(hostile: tuple[Path, Path]) -> None:
    repo, _ = hostile
    nested = repo / "vendor/evil"
    assert toplevel(nested / ".claude/settings.json") == repo.resolve()
    tree = worktree(nested)
    assert tree is not None
    assert (tree.top, tree.prefix) == (repo.resolve(), "vendor/evil")
    # Checked as its own project, the folder's files are relative to it and known to git.
    found = discover_repo(nested)
    assert found.get(".claude/settings.json") == found.files[".claude/settings.json"]
    assert found.files["config"].tracked
    assert changed_files(found, "HEAD") == {".claude/settings.json"}


def test_changed_files_of_a_sub_folder_are_relative_to_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "mono")
    write(repo, "services/api/.mcp.json", "{}\n")
    write(repo, "web/.mcp.json", "{}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "two projects")
    write(repo, "services/api/.mcp.json", '{"mcpServers": {}}\n')
    write(repo, "web/.mcp.json", '{"mcpServers": {}}\n')

    assert changed_files(discover_repo(repo / "services/api"), "HEAD") == {".mcp.json"}
    assert changed_files(discover_repo(repo), "HEAD") == {"services/api/.mcp.json", "web/.mcp.json"}


def test_a_revision_is_never_read_as_an_option(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    marker = tmp_path / "marker"
    result = run(["check", "--changed-since", f"--output={marker}"], cwd=repo)
    assert result.code == 2
    assert "is not a revision" in result.err
    assert not marker.exists()


def test_folder_names_are_literal_paths_for_git(tmp_path: Path) -> None:
    # A folder named like a glob: git must not match it against its neighbours.
    repo = make_repo(tmp_path / "repo")
    write(repo, "a*/.mcp.json", "{}\n")
    write(repo, "ab/.mcp.json", "{}\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "glob-like names")
    assert set(discover_repo(repo / "a*").files) == {".mcp.json"}


def test_git_runs_only_through_parity_git() -> None:
    # One place runs git, with the hardening; everything else calls it.
    spawn = re.compile(r"""\[\s*["']git["']""")
    offenders = [
        str(path.relative_to(PARITY))
        for path in PARITY.rglob("*.py")
        if path.name != "git.py" and spawn.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []


def test_a_running_git_never_waits_for_parity_to_read(tmp_path: Path) -> None:
    # 1 MB of output, read only once git has ended: through a pipe git would wait for a reader
    # after 64 KiB and never end (as it runs while parity imports the rules).
    repo = make_repo(tmp_path / "repo")
    write(repo, "big.txt", "0123456789abcdef\n" * 65536)
    blob = git(repo, "hash-object", "-w", "big.txt").strip()
    running = start(repo, "cat-file", "blob", blob)
    assert running.ended(60)
    assert (
        running.output()
        == output(repo, "cat-file", "blob", blob)
        == (repo / "big.txt").read_bytes()
    )


def test_a_running_git_is_awaited_no_longer_than_it_runs(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    running = start(repo, "rev-parse", "--show-toplevel")
    began = time.monotonic()
    assert running.ended(600)
    assert time.monotonic() - began < 300  # woken when git ended, not at the limit
    assert running.ended()
    assert running.output() == output(repo, "rev-parse", "--show-toplevel")


def test_a_running_git_that_fails_says_why(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    args = ("ls-files", "--error-unmatch", "nothing-here")
    with pytest.raises(ParityError) as waited:
        output(repo, *args)
    with pytest.raises(ParityError) as ran:
        start(repo, *args).output()
    assert str(ran.value) == str(waited.value)
    assert str(ran.value).startswith(f"git ls-files failed in {repo}: ")


def test_a_running_git_leaves_no_file_open(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    before = set(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else set()
    for args in (("ls-files", "-z"), ("ls-files", "--error-unmatch", "nothing-here")):
        running = start(repo, *args)
        with contextlib.suppress(ParityError):
            running.output()
        # Its two files are closed (at most one leaked would pass the count below).
        for fd in (running._out, running._err):
            with pytest.raises(OSError, match=r"Errno 9\]"):
                os.fstat(fd)
    # (The listing itself opens one for a moment.)
    after = set(os.listdir("/proc/self/fd")) if before else set()
    assert len(after - before) <= 1


def test_without_git_a_running_git_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = make_repo(tmp_path / "repo")
    monkeypatch.setenv("PATH", str(tmp_path / "nowhere"))
    with pytest.raises(ParityError, match="git is not installed"):
        start(repo, "ls-files")


def test_a_running_git_without_memory_files_or_process_handles_still_works(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Not Linux: unnamed temporary files instead of memory files, Popen.wait's own looks
    # instead of a process handle to wait on.
    repo = make_repo(tmp_path / "repo")
    write(repo, "big.txt", "0123456789abcdef\n" * 65536)
    blob = git(repo, "hash-object", "-w", "big.txt").strip()
    monkeypatch.delattr(os, "memfd_create", raising=False)
    monkeypatch.delattr(os, "pidfd_open", raising=False)
    running = start(repo, "cat-file", "blob", blob)
    began = time.monotonic()
    assert running.ended(600)
    assert time.monotonic() - began < 300  # woken when git ended, not at the limit
    assert running.output() == (repo / "big.txt").read_bytes()
    with pytest.raises(ParityError, match=r"^git ls-files failed in "):
        start(repo, "ls-files", "--error-unmatch", "nothing-here").output()
