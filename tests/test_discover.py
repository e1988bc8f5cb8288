"""Discovery through git: every file name git can hold is listed as it is."""

from __future__ import annotations

import os
import subprocess
from fnmatch import fnmatchcase
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.discover import Files, Repo, RepoFile, discover_repo
from parity.errors import ParityError
from parity.git import Worktree, outputs
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


def _tricky_tree(tmp_path: Path) -> Path:
    """A work tree whose untracked and ignored files sit everywhere: beside tracked files,
    inside wholly untracked folders, under ignored folders, re-included, nested repositories."""
    write(tmp_path, "a/b/tracked.txt", "x\n")
    write(tmp_path, "sub/tracked.txt", "x\n")
    write(tmp_path, "sub/.gitignore", "local-ignored\n*.tmp\n")
    write(
        tmp_path,
        "_gitignore",
        "ign/\n*.log\n!keep.log\n/build\nnode_modules\nCLAUDE.local.md\nvend/*\n!vend/ok\n",
    )
    root = make_repo(tmp_path)
    for rel in (
        "a/new.txt",
        "a/b/CLAUDE.md",
        "c/u.txt",
        "d/e/.claude/settings.json",
        "ign/x/.claude/settings.json",
        "debug.log",
        "keep.log",
        "build/out.js",
        "node_modules/p/CLAUDE.md",
        "sub/local-ignored",
        "sub/a.tmp",
        "sub/new/.claude/hooks/run.sh",
        "pkg/CLAUDE.local.md",
        "pkg/.claude/settings.local.json",
        "vend/ok/f.txt",
        "vend/no/f.txt",
        "u/mixed/a.log",
        "u/mixed/b.txt",
        "weird/*",
        "weird/:(glob)x",
        "-dash/f.txt",
        "tab\there/new\nline.txt",
    ):
        write(root, rel, "x\n")
    (root / os.fsdecode(b"caf\xe9")).mkdir()
    (root / os.fsdecode(b"caf\xe9/f.txt")).write_text("x\n")
    (root / "empty").mkdir()
    (root / "u/empty").mkdir()
    (root / "lnk").symlink_to("a/b/tracked.txt")
    write(root, "nested/f.txt", "x\n")
    git(root / "nested", "init", "-q")
    return root


def _whole_walk(root: Path, prefix: str) -> tuple[list[str], list[str]]:
    """git's own answer for the whole folder: untracked files it does not ignore, and what it
    ignores (folders whole), each relative to the folder."""
    scope = ("--", prefix) if prefix else ()
    others, ignored = outputs(
        root,
        ("ls-files", "-z", "--others", "--exclude-standard", *scope),
        ("ls-files", "-z", "--others", "--ignored", "--exclude-standard", "--directory", *scope),
    )
    cut = f"{prefix}/" if prefix else ""
    return [
        [os.fsdecode(name).removeprefix(cut) for name in out.split(b"\0")[:-1]]
        for out in (others, ignored)
    ]


@pytest.mark.parametrize("folder", ["", "sub", "u", "a", "ign", "u/mixed"])
def test_untracked_and_ignored_files_are_what_git_finds_in_the_whole_folder(
    tmp_path: Path, folder: str
) -> None:
    # git reads the tree once (tracked files and every untracked entry, an untracked folder as
    # one); it is asked about the untracked and ignored files only under those entries. Both
    # answers must be the whole folder's, in git's order: anything left out there would be an
    # untracked or gitignored file (a hook script, an import, a lockfile) a rule never hears of.
    root = _tricky_tree(tmp_path)
    untracked, ignored = _whole_walk(root, folder)
    assert untracked or ignored
    repo = discover_repo(root / folder if folder else root)
    found = [rel for rel, entry in repo.files.items() if not entry.tracked]
    assert found[: len(untracked)] == untracked
    assert [*repo.ignored_dirs, *sorted(repo.ignored_files)] == [
        *(rel for rel in ignored if rel.endswith("/")),
        *sorted(rel for rel in ignored if not rel.endswith("/")),
    ]


def test_many_untracked_entries_or_a_refused_pathspec_ask_git_for_the_whole_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parity import discover

    root = _tricky_tree(tmp_path)
    expected = discover_repo(root)
    monkeypatch.setattr(discover, "_MAX_PATHSPECS", 2)
    assert discover_repo(root) == expected
    monkeypatch.undo()
    asked: list[tuple[str, ...]] = []
    whole = discover._untracked

    def refuse(tree: Worktree, scope: tuple[str, ...]) -> tuple[bytes, bytes]:
        asked.append(scope)
        if scope:
            raise ParityError("git ls-files failed: refused")
        return whole(tree, scope)

    monkeypatch.setattr(discover, "_untracked", refuse)
    assert discover_repo(root) == expected
    assert len(asked) == 2
    assert asked[1] == ()


def test_a_clean_checkout_is_listed_by_one_git_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The tree is read once: with nothing untracked there is nothing more to ask.
    import subprocess

    import parity.git

    write(tmp_path, "pkg/src/a.js", "x\n")
    write(tmp_path, "pkg/CLAUDE.md", "x\n")
    root = make_repo(tmp_path)
    ran: list[tuple[str, ...]] = []
    popen = subprocess.Popen

    def counted(cmd: list[str], *args: Any, **kwargs: Any) -> Any:
        ran.append(tuple(cmd[cmd.index(parity.git.LITERAL) + 1 :]))
        return popen(cmd, *args, **kwargs)

    monkeypatch.setattr(subprocess, "Popen", counted)
    repo = discover_repo(root)
    assert set(repo.files) == {"pkg/src/a.js", "pkg/CLAUDE.md"}
    assert [args for args in ran if args[:1] == ("ls-files",)] == [
        ("ls-files", "-z", "-t", "--stage", "--others", "--directory")
    ]
    write(root, "pkg/new.txt", "x\n")
    ran.clear()
    assert discover_repo(root).get("pkg/new.txt") == RepoFile("pkg/new.txt", False)
    assert sum(args[:1] == ("ls-files",) for args in ran) == 3


def test_a_check_asks_git_for_the_top_of_the_tree_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Finding the top costs a git process; the folder to check and its listing share one.
    from parity import git
    from parity.check import CheckOptions, run_check

    repo = make_repo(tmp_path / "repo")
    write(repo, ".claude/settings.json", "{}\n")
    asked: list[tuple[str, ...]] = []
    original = git.run

    def counting(cwd: Path, *args: str, **kwargs: Any) -> Any:
        asked.append(args)
        return original(cwd, *args, **kwargs)

    monkeypatch.setattr(git, "run", counting)
    for paths in ((), (repo,), (repo / ".claude" / "settings.json",)):
        asked.clear()
        run_check(CheckOptions(paths=paths, no_cache=True), cwd=repo)
        assert [a for a in asked if "--show-toplevel" in a] == [("rev-parse", "--show-toplevel")]


def _sorts_counted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """A list that grows by one each time git's listing is sorted into the dict of the files."""
    from parity import discover

    built: list[int] = []
    build = discover._entries

    def counted(*args: Any) -> Any:
        built.append(1)
        return build(*args)

    monkeypatch.setattr(discover, "_entries", counted)
    return built


def test_without_links_the_entries_are_built_on_first_lookup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A results-cache hit needs git's listing, not 100,000 entries: they are sorted out only
    # when something looks a file up, and then once. A link anywhere needs them at once (where
    # links lead is in the listing).
    built = _sorts_counted(monkeypatch)
    write(tmp_path, "pkg/run.sh", "#!/bin/sh\n", mode=0o755)
    root = make_repo(tmp_path)
    write(root, "new.txt", "x\n")
    repo = discover_repo(root)
    assert built == []
    assert repo.get("pkg/run.sh") == RepoFile("pkg/run.sh", True, 0o100755)
    assert repo.get("new.txt") == RepoFile("new.txt", False)
    assert list(repo.files) == ["new.txt", "pkg/run.sh"]
    assert built == [1]
    (root / "link.sh").symlink_to("pkg/run.sh")
    assert set(discover_repo(root).links) == {"link.sh"}
    assert built == [1, 1]
    git(root, "add", "link.sh")
    git(root, "commit", "-qm", "link")
    tracked = discover_repo(root)
    assert built == [1, 1, 1]
    assert set(tracked.links) == {"link.sh"}
    assert tracked.get("link.sh") == RepoFile("link.sh", True, 0o100755)


_PARTS = ["a", "b.txt", ".in", "package.json", "CLAUDE.md", "xCLAUDE.md", ".claude", "c.claude-x"]
_PATTERNS = ["package.json", "*.txt", "*.in", "*", "[ab]*", "a/*.txt", "b/package.json", "*.md"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.lists(st.sampled_from([*_PARTS, "\t", "é\n", "*"]), min_size=1, max_size=4).map(
            "/".join
        ),
        max_size=12,
    ),
    st.lists(st.sampled_from(_PATTERNS), min_size=1, max_size=3),
)
def test_path_searches_equal_a_walk_of_every_file(rels: list[str], patterns: list[str]) -> None:
    # One substring search of all paths (a monorepo's) finds what visiting each path finds.
    repo = Repo(Path("/nonexistent"), True, Files(dict.fromkeys(rels, (True, 0o100644))))
    walked: set[str] = set()
    for pattern in patterns:
        last = pattern.rsplit("/", 1)[-1]
        walked.update(
            rel
            for rel in rels
            if fnmatchcase(rel.rsplit("/", 1)[-1], last)
            and ("/" not in pattern or PurePosixPath(rel).match(pattern))
        )
    assert list(repo.glob(*patterns)) == sorted(walked)
    names = ("CLAUDE.md", "CLAUDE.local.md", ".mcp.json")
    assert repo.paths_with(".claude", ends=names) == {
        rel for rel in rels if ".claude" in rel or rel.endswith(names)
    }


def _resolved_whole(root: Path, rel: str) -> Path | None:
    # What safe_path answered when it resolved every path whole (SECURITY.md: no read follows a
    # link out of the repository).
    if not rel or PurePosixPath(rel).is_absolute() or ".." in PurePosixPath(rel).parts:
        return None
    path = root / rel
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return None
    top = root.resolve()
    return path if real == top or top in real.parents else None


_LINKS = {
    "in_link": "docs/b.md",
    "in_dir": "docs",
    "root_link": ".",
    "out_link": "../outside/secret.txt",
    "out_dir": "../outside",
    "loop1": "loop2",
    "loop2": "loop1",
    "self": "self",
    "dangling": "missing.md",
    "docs/up": "..",
    "docs/escape": "../..",
    "docs/chain": "../in_dir/../out_dir",
}
_RELS = [
    "a.md",
    "docs/b.md",
    *_LINKS,
    "in_dir/b.md",
    "in_dir/up/a.md",
    "root_link/a.md",
    "root_link/out_link",
    "out_dir/secret.txt",
    "out_dir/dir/x.md",
    "loop1/x.md",
    "self/x",
    "docs/up/in_link",
    "docs/up/out_dir/secret.txt",
    "docs/escape/outside/secret.txt",
    "docs/escape/repo/a.md",
    "docs/chain/secret.txt",
    "missing/dir/x.md",
    "docs/deep/er/c.md",
    "in_dir/deep/er/c.md",
    "docs/up/docs/deep/er/c.md",
    "root_link/in_dir/deep/er/c.md",
    "docs/deep/out/secret.txt",
    "docs/deep/out/missing/x.md",
    "docs/./b.md",
    "docs//b.md",
    "./a.md",
    "./docs/b.md",
    "docs/",
    "docs/.",
    "docs/b.md/",
    "in_dir/./b.md",
    "docs/../a.md",
    "..",
    ".",
    "../outside/secret.txt",
    "/etc/passwd",
    "",
]


@pytest.mark.parametrize("via", ["repo", "alias", "x/../repo", "alias/docs/.."])
def test_safe_path_answers_as_resolving_the_whole_path(
    tmp_path: Path, via: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # safe_path resolves each folder once for all of its files: the same answer for every kind
    # of link (inside, out of the repository, folders, loops, dangling, through the root),
    # however the calls are ordered.
    write(tmp_path, "outside/secret.txt", "s\n")
    write(tmp_path, "outside/dir/x.md", "s\n")
    repo = tmp_path / "repo"
    write(repo, "a.md", "a\n")
    write(repo, "docs/b.md", "b\n")
    write(repo, "docs/deep/er/c.md", "c\n")
    for link, target in _LINKS.items():
        (repo / link).symlink_to(target)
    (repo / "docs/deep/out").symlink_to("../../../outside")
    (tmp_path / "alias").symlink_to("repo")
    (tmp_path / "x").mkdir()
    root = tmp_path / via
    expected = {rel: _resolved_whole(root, rel) for rel in _RELS}
    outside = ["out_link", "out_dir", "out_dir/secret.txt", "docs/escape", "docs/chain/secret.txt"]
    assert [rel for rel in outside if expected[rel] is not None] == []
    assert [rel for rel in ("loop1/x.md", "self/x") if expected[rel] is not None] == []
    assert expected["in_dir/b.md"] == root / "in_dir/b.md"
    # Deeper folders, reached through links at several depths, or leaving from below.
    assert expected["root_link/in_dir/deep/er/c.md"] == root / "root_link/in_dir/deep/er/c.md"
    assert expected["docs/deep/out/secret.txt"] is None
    for order in (_RELS, _RELS[::-1], _RELS + _RELS):
        checked = Repo(root, False, {})
        assert {rel: checked.safe_path(rel) for rel in order} == expected
        # inside() answers the same without building the path (pathlib's parsing, done for
        # every configuration file of every setup, was a third of safe_path's cost).
        checked = Repo(root, False, {})
        assert {rel: checked.inside(rel) for rel in order} == {
            rel: path is not None for rel, path in expected.items()
        }
    # From a relative root too (resolved from the working folder, as before).
    monkeypatch.chdir(tmp_path)
    relative = Repo(Path(via), False, {})
    assert {rel: relative.safe_path(rel) for rel in _RELS} == {
        rel: _resolved_whole(Path(via), rel) for rel in _RELS
    }
    # And from the file system's root, where pathlib writes no slash between the two.
    top = Repo(Path("/"), False, {})
    assert [top.safe_path(rel) for rel in ("etc", "./etc/", "etc//hostname")] == [
        Path("/etc"),
        Path("/etc"),
        Path("/etc/hostname"),
    ]
    assert top._joined_path("etc/hostname") == "/etc/hostname"


def test_each_search_of_the_paths_is_made_once_however_many_rules_ask(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Three rules look for the same package-manager files (.npmrc, pip.conf, uv.toml...): each
    # search goes through every path of the tree (8 MB at 100,000 files).
    from tests.helpers import run

    write(
        tmp_path, ".claude/settings.json", '{"env": {"NPM_CONFIG_REGISTRY": "https://r.example"}}'
    )
    write(tmp_path, "package.json", '{"scripts": {"test": "bun test"}}')
    write(tmp_path, ".npmrc", "registry=https://r.example/\n")
    root = make_repo(tmp_path)
    searches: list[str] = []

    class Paths(str):
        def find(self, needle: str, *where: Any) -> int:  # type: ignore[override]
            if where == (1,):  # a search starts from the first path
                searches.append(needle)
            return super().find(needle, *where)

    monkeypatch.setattr(
        Repo, "_joined", property(lambda self: Paths("\0" + "\0".join(self.files) + "\0"))
    )
    assert run(["check", "--no-cache", "--exit-zero"], cwd=root).code == 0
    assert "/.npmrc\0" in searches
    assert len(searches) == len(set(searches))


def test_a_remembered_search_answers_with_a_set_of_its_own(tmp_path: Path) -> None:
    write(tmp_path, "a/package.json", "{}")
    repo = discover_repo(make_repo(tmp_path))
    found = repo.paths_with(ends=("/package.json",))
    found.add("b/package.json")
    assert repo.paths_with(ends=("/package.json",)) == {"a/package.json"}
    assert list(repo.glob("package.json")) == ["a/package.json"]


def test_the_listing_is_digested_only_when_the_results_cache_asks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The digest of git's listing keys the results cache: a check without the cache (CI,
    # --no-cache) never needs it, and at 100,000 files it hashes 8 MB.
    import parity.discover
    from tests.helpers import run

    write(tmp_path, ".claude/settings.json", "{}")
    root = make_repo(tmp_path)
    made: list[str] = []
    digest = parity.discover._listing_digest

    def counted(*listings: Any) -> str:
        made.append(digest(*listings))
        return made[-1]

    monkeypatch.setattr(parity.discover, "_listing_digest", counted)
    assert run(["check", "--no-cache"], cwd=root).code == 0
    assert made == []
    monkeypatch.delenv("PARITY_NO_CACHE")
    monkeypatch.setenv("PARITY_CACHE_DIR", str(tmp_path / "cache"))
    assert run(["check"], cwd=root).code == 0
    assert len(made) == 1
    repo = discover_repo(root)
    assert repo.listing == made[0] == repo.with_files(repo.files).listing
    # Still part of what a Repo is: the same files under another listing are another Repo.
    moved = Repo(root, True, repo.files, listing="other", worktree=repo.worktree, links=repo.links)
    assert moved != repo
    assert (
        Repo(root, True, repo.files, listing=lambda: repo.listing, worktree=repo.worktree) == repo
    )


@pytest.mark.parametrize("checked", ["", "sub"])
def test_each_files_mode_is_the_one_gits_listing_gives_last(tmp_path: Path, checked: str) -> None:
    # Files keeps each tracked file's record of git's listing and reads the mode on lookup: the
    # same modes as reading every record, with a conflicted file (stages 1-3, the same name
    # three times) given its last record's, as before, and from a sub-folder too.
    root = make_repo(tmp_path / "repo")
    write(root, "sub/run.sh", "#!/bin/sh\n", mode=0o755)
    write(root, "sub/plain.md", "x\n")
    (root / "sub/link.md").symlink_to("plain.md")
    write(root, "sub/both.txt", "base\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "other")
    (root / "sub/both.txt").write_text("theirs\n")
    (root / "sub/both.txt").chmod(0o755)
    git(root, "commit", "-q", "-am", "theirs")
    git(root, "checkout", "-q", "-")
    (root / "sub/both.txt").write_text("ours\n")
    git(root, "commit", "-q", "-am", "ours")
    merge = ["git", "-C", str(root), "merge", "-q", "other"]
    assert subprocess.run(merge, capture_output=True, check=False).returncode != 0  # a conflict
    prefix = f"{checked}/" if checked else ""
    expected: dict[str, tuple[bool, int | None]] = {}
    for record in git(root, "ls-files", "-s", "-z").split("\0")[:-1]:
        head, name = record.split("\t", 1)
        if name.startswith(prefix):
            expected[name.removeprefix(prefix)] = (True, int(head.split()[0], 8))
    sub = "" if checked else "sub/"
    assert expected[f"{sub}both.txt"] == (True, 0o100755)
    assert expected[f"{sub}link.md"] == (True, 0o120000)
    expected[f"{sub}link.md"] = (True, 0o100644)  # a link inside stands for what it leads to
    files = discover_repo(root / checked if checked else root).files
    assert {rel: (f.tracked, f.mode) for rel, f in files.items()} == expected


@pytest.mark.parametrize(
    ("rel", "same_as"),
    [
        ("./.claude/settings.json", ".claude/settings.json"),
        ("pkg//.claude/agents/a.md", "pkg/.claude/agents/a.md"),
        ("pkg/./.claude/skills/s/SKILL.md", "pkg/.claude/skills/s/SKILL.md"),
        (".claude/skills/s/SKILL.md/", ".claude/skills/s/SKILL.md"),
        ("pkg/.claude/commands/c.md/.", "pkg/.claude/commands/c.md"),
        ("/.claude/settings.json", ".claude/settings.json"),
        ("a/../.claude/rules/r.md", "a/x/.claude/rules/r.md"),
        (".claude", None),
        ("CLAUDE.md/..", None),
    ],
)
def test_a_path_is_classified_by_its_parts_as_pathlib_reads_them(
    rel: str, same_as: str | None
) -> None:
    # classify splits a path itself (it runs for every configuration file); its parts and name
    # are pathlib's for every spelling: "." and empty parts dropped, ".." kept.
    from parity.model import classify

    assert classify(rel) == (classify(same_as) if same_as is not None else None)
    assert classify(rel) is not None or same_as is None


def test_work_is_done_while_git_lists_the_tree_and_ends_with_it(tmp_path: Path) -> None:
    write(tmp_path, "pkg/CLAUDE.md", "x\n")
    write(tmp_path, ".claude/settings.json", "{}\n")
    root = make_repo(tmp_path)
    write(root, "notes/new.md", "x\n")
    seen: list[bool] = []

    def meanwhile(busy: Any) -> None:
        # Waits for git as long as it runs: the listing is complete when busy says so.
        while busy(0.05):
            pass
        seen.append(busy(0))

    repo = discover_repo(root, meanwhile=meanwhile)
    plain = discover_repo(root)
    assert seen == [False]
    assert dict(repo.files) == dict(plain.files)
    assert repo.listing == plain.listing
    assert repo.get("notes/new.md") == RepoFile("notes/new.md", False)


def test_work_that_fails_while_git_lists_leaves_no_git_behind(tmp_path: Path) -> None:
    root = make_repo(tmp_path)

    def meanwhile(busy: Any) -> None:
        raise RuntimeError("no")

    fds = "/proc/self/fd"
    before = set(os.listdir(fds)) if os.path.isdir(fds) else set()
    with pytest.raises(RuntimeError):
        discover_repo(root, meanwhile=meanwhile)
    assert len((set(os.listdir(fds)) if before else set()) - before) <= 1  # the listing's own
    with pytest.raises(ChildProcessError):  # git was awaited: no process of ours is left
        os.waitpid(-1, os.WNOHANG)


def test_a_check_interrupted_while_git_lists_says_so_not_that_git_failed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Ctrl-C reaches git too (one process group): its failure must not hide the interruption.
    from parity.git import Running

    root = make_repo(tmp_path)

    def killed(self: Running, within: float = 0.0) -> bool:
        self._proc.kill()
        self._proc.wait()
        return False

    def meanwhile(busy: Any) -> None:
        busy(0)
        raise KeyboardInterrupt

    monkeypatch.setattr(Running, "ended", killed)
    with pytest.raises(KeyboardInterrupt):
        discover_repo(root, meanwhile=meanwhile)


_LISTED_PIECES = [
    "a",
    "b.txt",
    ".claude",
    "CLAUDE.md",
    "package.json",
    "sub",
    "0",
    " 100644 ",
    "\t",
]
_LISTED_PIECES += ["H 100755 ", "ab12", "0\t", "\n", " ", "S", "~", "é"]
_listed_names = st.lists(st.sampled_from(_LISTED_PIECES), min_size=1, max_size=4).map("/".join)
_LISTED_NEEDLES = ["a", ".claude", "0", "1", "H", " ", "\t", "sub", "b.txt", "ab12", "/", "é"]
_LISTED_ENDS = ["CLAUDE.md", "/package.json", ".txt", "a", "0", "/a", "sub/a", "é"]
_LISTED_GLOBS = ["package.json", "*.txt", "*", "[ab]*", "sub/*", "a"]


@settings(max_examples=400, deadline=None)
@given(
    tracked=st.lists(
        st.tuples(
            _listed_names,
            st.lists(st.sampled_from([0o100644, 0o100755, 0o160000]), min_size=1, max_size=3),
            st.sampled_from("HS"),
        ),
        min_size=1,
        max_size=25,
        unique_by=lambda listed: listed[0],
    ),
    untracked=st.lists(_listed_names, max_size=5),
    prefix=st.sampled_from(["", "sub/", "a/H 100755 /"]),
    width=st.sampled_from([40, 64]),
    probes=st.lists(_listed_names, max_size=8),
    parts=st.lists(st.sampled_from(_LISTED_NEEDLES), max_size=3),
    ends=st.lists(st.sampled_from(_LISTED_ENDS), max_size=3),
    patterns=st.lists(st.sampled_from(_LISTED_GLOBS), min_size=1, max_size=3),
)
def test_a_large_listing_answers_as_the_dict_of_its_names(
    *,
    tracked: list[tuple[str, list[int], str]],
    untracked: list[str],
    prefix: str,
    width: int,
    probes: list[str],
    parts: list[str],
    ends: list[str],
    patterns: list[str],
) -> None:
    # A large tree's files are looked up and searched in git's listing itself (_Listed), by a
    # binary search in git's order and substring searches that must not match a record's tag,
    # mode, object or the checked folder's prefix: every answer is the dict's (the names of
    # _entries, a conflicted file's last stage winning), tracked and untracked alike.
    import hashlib
    import unicodedata

    from parity import discover

    ascii_names = all(name.isascii() for name, _, _ in tracked)
    ordered = sorted(tracked, key=lambda listed: (prefix + listed[0]).encode())
    records = []
    for name, modes, tag in ordered:
        digest = hashlib.sha256(name.encode()).hexdigest()[:width]
        stages = [0] if len(modes) == 1 else range(1, len(modes) + 1)
        for mode, stage in zip(modes, stages, strict=True):
            records.append(
                f"{tag if stage == 0 else 'M'} {mode:06o} {digest} {stage}\t{prefix}{name}\0"
            )
    staged = os.fsencode("".join(records))
    names = {name for name, _, _ in tracked}
    untracked = [rel for rel in dict.fromkeys(untracked) if rel not in names]
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(discover, "_LISTED_FROM", 0)
        listed = discover._Listed.of(staged, prefix, untracked)
    assert (listed is not None) == ascii_names
    if listed is None:
        return
    by_listing = Files(lambda: discover._entries(staged, prefix, untracked, []), listed)
    by_dict = Files(discover._entries(staged, prefix, untracked, []))
    asked = [*probes, *names, *untracked, "", "sub", "sub/"]
    asked += [f"{name}{more}" for name in names for more in ("a", "/a", "\0")]
    asked += [name[:-1] for name in names] + [unicodedata.normalize("NFD", "é")]
    for rel in asked:
        assert (rel in by_listing, by_listing.get(rel)) == (rel in by_dict, by_dict.get(rel))
    repo = Repo(Path("/nonexistent"), True, by_listing)
    walked = Repo(Path("/nonexistent"), True, by_dict)
    for needles in ((tuple(parts), tuple(ends)), ((), tuple(ends)), (tuple(parts), ())):
        assert repo.paths_with(*needles[0], ends=needles[1]) == walked.paths_with(
            *needles[0], ends=needles[1]
        )
    # Searched first, a listing remembers where the names found start: the same answers.
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(discover, "_LISTED_FROM", 0)
        searched = Files(by_dict.__iter__, discover._Listed.of(staged, prefix, untracked))
    Repo(Path("/nonexistent"), True, searched).paths_with(*parts, ends=(*ends, ""))
    for rel in asked:
        assert (rel in searched, searched.get(rel)) == (rel in by_dict, by_dict.get(rel))
    # Several endings found in one pass (glob_ahead): each as its own search finds it, and the
    # names found remembered as they are.
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(discover, "_LISTED_FROM", 0)
        ahead = Files(
            lambda: discover._entries(staged, prefix, untracked, []),
            discover._Listed.of(staged, prefix, untracked),
        )
    assert ahead._listed is not None
    wanted = tuple(dict.fromkeys((*ends, *_LISTED_ENDS, "/")))
    assert ahead._listed.ending(wanted) == {end: walked.paths_with(ends=(end,)) for end in wanted}
    for rel in asked:
        assert (rel in ahead, ahead.get(rel)) == (rel in by_dict, by_dict.get(rel))
    globbed = Repo(Path("/nonexistent"), True, ahead)
    globbed.glob_ahead(*patterns, *(f"*{end}" for end in ends if "/" not in end))
    assert list(globbed.glob(*patterns)) == list(walked.glob(*patterns))
    # The folders a replay compares (each file's, every one above), read off the listing too.
    tree = SimpleNamespace(prefix=prefix.rstrip("/"))
    repo._plain = walked._plain = (tree, None)  # type: ignore[assignment]
    assert discover.listed_folders(repo) == discover.listed_folders(walked)
    assert by_listing._listed is listed  # nothing above sorted the names into a dict
    # A pattern with wild characters in its name walks the names (the dict, from then on).
    assert list(repo.glob(*patterns)) == list(walked.glob(*patterns))
    assert list(by_listing) == list(by_dict)
    assert by_listing._listed is None


@pytest.mark.parametrize(
    ("fixture", "checked"),
    [
        ("anti-patterns", ""),
        ("cloud-ready", ""),
        ("cloud-ready", "scope-permissions"),
        ("partial", ""),
    ],
)
def test_a_check_of_a_large_tree_answers_as_with_the_dict_of_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fixture: str, checked: str
) -> None:
    # A large tree's files are looked up in git's listing (_Listed): a check that names no
    # pattern with wild characters never sorts them into a dict, and reports as with one.
    from parity import discover
    from tests.helpers import run

    root = make_repo(tmp_path / "repo", Path(__file__).parent / "fixtures" / "repos" / fixture)
    write(root, f"{checked}/.claude/agents/new.md".lstrip("/"), "---\nname: new\n---\nNew.\n")
    args = ["check", "--no-cache", "--select", "ALL", "--format", "json", str(root / checked)]
    expected = run(args)
    built = _sorts_counted(monkeypatch)
    monkeypatch.setattr(discover, "_LISTED_FROM", 0)
    searched: list[tuple[str, ...]] = []
    search = discover._Listed.search

    def counted_search(listed: discover._Listed, needles: tuple[str, ...]) -> set[str]:
        searched.append(needles)
        return search(listed, needles)

    monkeypatch.setattr(discover._Listed, "search", counted_search)
    assert run(args) == expected
    assert searched
    assert built == []
    # The files the rules find by name (package managers' files) are found in one pass.
    from parity.rules._index import FILES

    by_name = {f"/{name}\0" for names in FILES.values() for name in names}
    assert by_name.isdisjoint(needle for needles in searched for needle in needles)


def test_a_listing_with_a_name_outside_the_checked_folder_is_sorted_into_a_dict(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # git lists the file "sub" for the folder "sub/" when the index has a file there that the
    # work tree replaced by a folder: such a listing is not looked up by the folder's names.
    from parity import discover

    monkeypatch.setattr(discover, "_LISTED_FROM", 0)
    oid = "0" * 40
    sub = f"H 100644 {oid} 0\tsub\0H 100644 {oid} 0\tsub/a\0".encode()
    assert discover._Listed.of(sub, "sub/", []) is None
    assert discover._Listed.of(sub[sub.index(b"\0") + 1 :], "sub/", []) is not None
    last = f"H 100644 {oid} 0\tsub/a\0H 100644 {oid} 0\tsubway\0".encode()
    assert discover._Listed.of(last, "sub/", []) is None
    assert discover._Listed.of("H 100644 {oid} 0\té\0".encode(), "", []) is None
    assert discover._Listed.of(b"", "", []) is None


def test_a_check_stored_for_a_replay_reads_a_large_trees_folders_off_the_listing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Storing a replay reads every file's folder (listed_folders): off git's listing too, with
    # no dict of the files, and a second run replays what the first printed.
    from parity import discover, replay
    from tests.helpers import run
    from tests.test_cache import settle
    from tests.test_replay import settle_git

    root = make_repo(tmp_path / "repo", Path(__file__).parent / "fixtures" / "repos" / "partial")
    write(root, "notes/new.md", "x\n")  # untracked, in a folder of its own
    # Nothing written in the last seconds: a tree that was is never stored (parity.replay).
    settle(root)
    settle_git(root)
    expected = run(["check", str(root)])
    monkeypatch.setattr(discover, "_LISTED_FROM", 0)
    built = _sorts_counted(monkeypatch)
    monkeypatch.delenv("PARITY_NO_CACHE")
    monkeypatch.setenv("PARITY_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(replay, "_encoding_ok", lambda: True)  # run() captures a StringIO
    stored: list[list[str]] = []
    folders = discover.listed_folders

    def kept(repo: Repo) -> Any:
        found = folders(repo)
        assert found is not None
        stored.append(found[1])
        return found

    monkeypatch.setattr(discover, "listed_folders", kept)
    assert run(["check", str(root)]) == expected
    assert list((tmp_path / "cache").rglob("r-*.json"))  # stored for a replay
    assert built == []
    monkeypatch.setattr(discover, "_LISTED_FROM", 1 << 40)
    by_dict = folders(discover_repo(root))
    assert by_dict is not None
    assert stored == [by_dict[1]]
    assert "notes" in stored[0]
    assert run(["check", str(root)]) == expected  # replayed


def test_a_listing_with_no_file_to_hold_it_goes_through_a_pipe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sandbox that refuses memory files, and has no writable temporary folder either.
    import tempfile

    write(tmp_path, ".claude/settings.json", "{}\n")
    root = make_repo(tmp_path)
    write(root, "notes/new.md", "x\n")
    plain = discover_repo(root)

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(os, "memfd_create", refused, raising=False)
    calls: list[bool] = []
    assert dict(discover_repo(root, meanwhile=lambda busy: calls.append(busy(0))).files) == dict(
        plain.files
    )
    monkeypatch.setattr(tempfile, "TemporaryFile", refused)
    repo = discover_repo(root, meanwhile=lambda busy: calls.append(busy(0)))
    assert dict(repo.files) == dict(plain.files)
    assert repo.listing == plain.listing
    assert len(calls) == 1  # (nothing runs meanwhile without a running git)


@pytest.mark.parametrize("kind", ["dict", "listing", "links"])
def test_the_untracked_files_are_read_off_the_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    # --changed-since adds every untracked file: they are read off the entries, not from a
    # RepoFile made for each file (at 100,000 files that cost as much as the rest of a check).
    from parity import discover

    if kind == "listing":
        monkeypatch.setattr(discover, "_LISTED_FROM", 0)
    write(tmp_path, "a/run.sh", "#!/bin/sh\n", mode=0o755)
    write(tmp_path, "b/c.md", "x\n")
    if kind == "links":
        (tmp_path / "b/tracked.md").symlink_to("c.md")
    root = make_repo(tmp_path)
    write(root, "new.txt", "x\n")
    write(root, "b/new/d.md", "x\n")
    if kind == "links":
        (root / "b/untracked.md").symlink_to("c.md")
        (root / "a/linked").symlink_to("../b")
    expected = {rel for rel, entry in discover_repo(root).files.items() if not entry.tracked}
    assert "new.txt" in expected
    repo = discover_repo(root)
    assert (repo.files._listed is not None) == (kind == "listing")  # type: ignore[attr-defined]

    def made(*args: Any) -> None:
        raise AssertionError("a RepoFile was made")

    monkeypatch.setattr(Files, "__getitem__", made)
    assert sorted(repo.untracked()) == sorted(expected)
    plain = Repo(root, True, {"x": RepoFile("x", False), "y": RepoFile("y", True, 0o100644)})
    assert plain.untracked() == ["x"]
