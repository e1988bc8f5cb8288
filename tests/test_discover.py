"""Discovery through git: every file name git can hold is listed as it is."""

from __future__ import annotations

from pathlib import Path

from parity.discover import discover_repo
from tests.helpers import make_repo, write


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
