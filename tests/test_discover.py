"""Discovery through git: every file name git can hold is listed as it is."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from parity.discover import RepoFile, discover_repo
from parity.errors import ParityError
from parity.git import outputs
from tests.helpers import git, make_repo, write


def test_names_with_tabs_and_line_breaks(tmp_path: Path) -> None:
    # An untracked name holding a tab looked like a tracked file's "<mode> ...\t<name>" record.
    write(tmp_path, "a\tb/go.mod", "module x\n")
    write(tmp_path, "c\nd.txt", "x\n")
    root = make_repo(tmp_path)
    write(root, "new\tfile.txt", "x\n")
    write(root, "100644 x\tfile.txt", "x\n")
    files = discover_repo(root).files
    assert {rel: (f.tracked, f.mode) for rel, f in files.items()} == {
        "a\tb/go.mod": (True, 0o100644),
        "c\nd.txt": (True, 0o100644),
        "new\tfile.txt": (False, None),
        "100644 x\tfile.txt": (False, None),
    }


def test_where_a_link_leads_is_in_the_listing(tmp_path: Path) -> None:
    # The listing keys the results cache: a link pointed elsewhere (never added, or not staged)
    # leaves git's listing as it was, yet the files read through it change.
    root = make_repo(tmp_path / "repo")
    write(root, "docs/a.md", "a\n")
    write(root, "docs/b.md", "b\n")
    link = root / "CLAUDE.md"
    link.symlink_to("docs/a.md")
    seen = [discover_repo(root).listing]
    for target in ("docs/b.md", "docs/missing.md", "../outside.md"):
        link.unlink()
        link.symlink_to(target)
        seen.append(discover_repo(root).listing)
    assert len(set(seen)) == 4
    assert discover_repo(root).listing == seen[-1]


def test_modes_links_and_names_that_are_not_utf8(tmp_path: Path) -> None:
    # The tracked listing is cut at a fixed offset, not parsed per record: every index mode and
    # every byte of a name survives it, for the top and for a sub-folder checked on its own.
    write(tmp_path, "sub/run.sh", "#!/bin/sh\n")
    (tmp_path / "sub/run.sh").chmod(0o755)
    write(tmp_path, "sub/plain.md", "x\n")
    (tmp_path / os.fsdecode(b"sub/caf\xe9.md")).write_text("x\n", encoding="utf-8")
    (tmp_path / "sub/link.md").symlink_to("plain.md")
    root = make_repo(tmp_path)
    write(root, "sub/.mcp.json", "{}\n")
    (root / "sub/new-link.md").symlink_to("run.sh")
    expected = {
        "run.sh": (True, 0o100755),
        "plain.md": (True, 0o100644),
        os.fsdecode(b"caf\xe9.md"): (True, 0o100644),
        "link.md": (True, 0o100644),  # a link to a file takes the target's mode
        ".mcp.json": (False, None),
        "new-link.md": (False, 0o100755),  # untracked: in a clone only if both are
    }
    top = discover_repo(root)
    assert {f"sub/{rel}": entry for rel, entry in expected.items()} == {
        rel: (f.tracked, f.mode) for rel, f in top.files.items()
    }
    sub = discover_repo(root / "sub")
    assert {rel: (f.tracked, f.mode) for rel, f in sub.files.items()} == expected
    assert sub.files["run.sh"] == RepoFile("run.sh", True, 0o100755)
    assert sub.get("missing.md") is None
    assert "run.sh" in sub.files
    assert set(sub.links) == {"link.md", "new-link.md"}


def test_listing_changes_with_every_listing(tmp_path: Path) -> None:
    # The results cache's key: a new untracked file, a new ignored one, a changed index mode.
    root = make_repo(tmp_path)
    write(root, ".gitignore", "*.log\n")
    seen = [discover_repo(root).listing]
    write(root, "new.txt", "x\n")
    seen.append(discover_repo(root).listing)
    write(root, "debug.log", "x\n")
    seen.append(discover_repo(root).listing)
    git(root, "add", "new.txt")
    seen.append(discover_repo(root).listing)
    git(root, "update-index", "--chmod=+x", "new.txt")
    seen.append(discover_repo(root).listing)
    assert len(set(seen)) == len(seen)
    assert discover_repo(root).ignored_files == frozenset({"debug.log"})


def test_git_outputs_run_side_by_side_in_order(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    write(root, "new.txt", "x\n")
    tracked, others = outputs(root, ("ls-files", "-z"), ("ls-files", "-z", "--others"))
    assert (tracked, others) == (b"", b"new.txt\0")
    with pytest.raises(ParityError, match="git rev-parse failed"):
        outputs(root, ("ls-files",), ("rev-parse", "--verify", "no-such-revision"))
