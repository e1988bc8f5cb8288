"""The apply step: atomic writes, refusal of unsafe or stale targets, journal and undo."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from parity.apply import (
    Chmod,
    GitChmod,
    Plan,
    WriteFile,
    apply,
    journal_dir,
    locked,
    sha256,
    undo,
)
from parity.errors import ParityError, StaleError
from tests.helpers import git, make_repo, write


def snapshot(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` (outside .git) with its bytes and permission bits."""
    found: dict[str, tuple[bytes, int]] = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] == ".git" or not path.is_file() or path.is_symlink():
            continue
        found[rel] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return found


def folders(root: Path) -> set[str]:
    return {
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_dir() and ".git" not in p.relative_to(root).parts
    }


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    write(root, "a.json", '{\n    "x": 1\n}\n')
    write(root, "run.sh", "#!/bin/sh\n", mode=0o644)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "files")
    return root


def plan_for(root: Path) -> Plan:
    old = (root / "a.json").read_bytes()
    return Plan(
        (
            WriteFile("a.json", b'{\n    "x": 2\n}\n', expected_sha256=sha256(old)),
            WriteFile(".claude/hooks/new.sh", b"#!/bin/sh\necho hi\n", mode=0o755),
            WriteFile("deep/er/file.md", b"text\n"),
            Chmod("run.sh", 0o755),
            GitChmod("run.sh"),
        )
    )


def test_apply_writes_and_undo_restores_byte_for_byte(repo: Path) -> None:
    before, dirs = snapshot(repo), folders(repo)
    journal = apply(plan_for(repo), repo)
    assert journal.path.parent == journal_dir(repo)
    assert str(journal_dir(repo)).startswith(str(repo / ".git"))
    assert (repo / "a.json").read_bytes() == b'{\n    "x": 2\n}\n'
    assert (repo / ".claude/hooks/new.sh").stat().st_mode & 0o777 == 0o755
    assert git(repo, "ls-files", "--stage", "run.sh").startswith("100755")
    assert undo(repo) is not None
    assert snapshot(repo) == before
    assert folders(repo) == dirs
    assert git(repo, "ls-files", "--stage", "run.sh").startswith("100644")
    assert undo(repo) is None


def test_undo_is_a_stack(repo: Path) -> None:
    before = snapshot(repo)
    apply(Plan((WriteFile("one", b"1\n"),)), repo)
    middle = snapshot(repo)
    apply(Plan((WriteFile("one", b"2\n", expected_sha256=sha256(b"1\n")),)), repo)
    undo(repo)
    assert snapshot(repo) == middle
    undo(repo)
    assert snapshot(repo) == before


def test_journal_outside_git_is_dot_parity_and_removed_by_undo(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    root.mkdir()
    apply(Plan((WriteFile("x.txt", b"x\n"),)), root)
    assert (root / ".parity" / "journal").is_dir()
    undo(root)
    assert list(root.iterdir()) == []


def test_empty_plan_writes_nothing(repo: Path) -> None:
    before = snapshot(repo)
    apply(Plan(), repo)
    assert snapshot(repo) == before
    assert not journal_dir(repo).exists()


@pytest.mark.parametrize(
    "rel",
    [
        "/etc/passwd",
        "../outside",
        "a/../../b",
        "",
        ".git/config",
        "a\\b",
        "./a",
        "a//b",
        "sub/.git/config",
        ".GIT/config",
        ".parity/journal/000001/journal.json",
    ],
)
def test_unsafe_paths_are_refused(repo: Path, rel: str) -> None:
    before = snapshot(repo)
    with pytest.raises(ParityError, match="refusing"):
        apply(Plan((WriteFile("fine.txt", b"x"), WriteFile(rel, b"x"))), repo)
    assert snapshot(repo) == before


def test_symlinked_folder_leaving_the_repo_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (repo / ".claude").symlink_to(outside)
    with pytest.raises(ParityError, match="symlink leads out"):
        apply(Plan((WriteFile(".claude/settings.json", b"{}\n"),)), repo)
    assert list(outside.iterdir()) == []


def test_symlink_target_is_refused(repo: Path, tmp_path: Path) -> None:
    (tmp_path / "target").write_text("keep\n")
    (repo / "link.json").symlink_to(tmp_path / "target")
    with pytest.raises(ParityError, match="symlink"):
        apply(Plan((WriteFile("link.json", b"{}\n", expected_sha256=sha256(b"keep\n")),)), repo)
    assert (tmp_path / "target").read_text() == "keep\n"


def test_stale_targets_are_refused(repo: Path) -> None:
    plan = plan_for(repo)
    write(repo, "a.json", '{"x": 3}\n')
    with pytest.raises(StaleError, match="changed since planning"):
        apply(plan, repo)
    assert not (repo / ".claude").exists()
    write(repo, ".claude/hooks/new.sh", "mine\n")
    with pytest.raises(StaleError, match="created since planning"):
        apply(Plan((WriteFile(".claude/hooks/new.sh", b"x"),)), repo)


def test_undo_refuses_when_a_written_file_changed_after(repo: Path) -> None:
    apply(plan_for(repo), repo)
    write(repo, "a.json", "edited by hand\n")
    with pytest.raises(StaleError, match="changed after the apply"):
        undo(repo)
    assert (repo / "a.json").read_text() == "edited by hand\n"


def test_forced_undo_keeps_a_backup_of_what_changed_since(repo: Path) -> None:
    before = (repo / "a.json").read_bytes()
    apply(plan_for(repo), repo, command="parity migrate --apply")
    write(repo, "a.json", "edited by hand\n")
    done = undo(repo, force=True)
    assert done is not None
    assert done.command == "parity migrate --apply"
    assert done.backup is not None
    assert (done.backup / "a.json").read_text() == "edited by hand\n"
    assert (repo / "a.json").read_bytes() == before
    assert undo(repo) is None


def test_crash_at_every_write_leaves_old_or_new_and_undo_works(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(repo)
    plan = plan_for(repo)
    new = {a.path: a.content for a in plan.actions if isinstance(a, WriteFile)}
    real_replace = os.replace
    n = 0
    while True:
        n += 1
        calls = 0

        def failing(src: object, dst: object, _n: int = n) -> None:
            nonlocal calls
            calls += 1
            if calls == _n:
                raise OSError("disk on fire")
            real_replace(src, dst)  # type: ignore[arg-type]

        monkeypatch.setattr(os, "replace", failing)
        try:
            apply(plan, repo)
            crashed = False
        except OSError:
            crashed = True
        monkeypatch.setattr(os, "replace", real_replace)
        now = snapshot(repo)
        for rel, (data, _) in now.items():
            assert data in ({before[rel][0]} if rel in before else set()) | {new.get(rel, data)}
            assert data == before.get(rel, (None,))[0] or data == new.get(rel)
        assert not [p for p in repo.rglob("*.tmp")], "a temp file was left behind"
        undo(repo)
        assert snapshot(repo) == before
        if not crashed:
            break
    assert n > 4  # every replace of the journal and the files was interrupted once


@pytest.mark.parametrize("link", ["../.git/hooks", "../.git", ".git-link/hooks"])
def test_a_symlink_into_the_git_directory_is_refused(repo: Path, link: str) -> None:
    (repo / ".git-link").symlink_to(".git")
    (repo / "tools").mkdir()
    (repo / "tools/h").symlink_to(link if link.startswith("..") else f"../{link}")
    before = snapshot(repo)
    with pytest.raises(ParityError, match=r"refusing to write 'tools/h/post-checkout': .* \.git"):
        apply(Plan((WriteFile("tools/h/post-checkout", b"#!/bin/sh\n", mode=0o755),)), repo)
    assert not (repo / ".git/hooks/post-checkout").exists()
    assert not (repo / ".git/post-checkout").exists()
    assert snapshot(repo) == before
    assert not journal_dir(repo).exists()


def test_a_symlink_into_a_nested_git_folder_is_refused(repo: Path) -> None:
    nested = make_repo(repo / "vendor/lib")
    (repo / "h").symlink_to("vendor/lib/.git/hooks")
    with pytest.raises(ParityError, match=r"a symlink leads into a \.git folder"):
        apply(Plan((WriteFile("h/pre-commit", b"#!/bin/sh\n", mode=0o755),)), repo)
    assert not (nested / ".git/hooks/pre-commit").exists()


def test_a_linked_worktrees_git_directories_are_refused(repo: Path, tmp_path: Path) -> None:
    tree = tmp_path / "tree"
    git(repo, "worktree", "add", "-q", str(tree))
    own = Path(git(tree, "rev-parse", "--absolute-git-dir").strip())
    assert own != repo / ".git"  # .git/worktrees/tree: outside the linked worktree
    (tree / "own").symlink_to(own)
    (tree / "common").symlink_to(repo / ".git")
    for rel in ("own/hooks/post-checkout", "common/hooks/post-checkout", "own/HEAD"):
        with pytest.raises(ParityError, match=rf"refusing to write '{rel}': a symlink leads into"):
            apply(Plan((WriteFile(rel, b"x\n"),)), tree)
    assert not (repo / ".git/hooks/post-checkout").exists()
    assert not (own / "hooks").exists()


def test_a_symlink_inside_the_repository_is_written_through(repo: Path) -> None:
    write(repo, "config/settings.json", "{}\n")
    (repo / ".claude").mkdir()
    (repo / ".claude/settings.json").symlink_to("../config/settings.json")
    plan = Plan(
        (WriteFile(".claude/settings.json", b'{"a": 1}\n', expected_sha256=sha256(b"{}\n")),)
    )
    apply(plan, repo)
    assert (repo / ".claude/settings.json").is_symlink()
    assert (repo / "config/settings.json").read_bytes() == b'{"a": 1}\n'
    undo(repo)
    assert (repo / ".claude/settings.json").is_symlink()
    assert (repo / "config/settings.json").read_bytes() == b"{}\n"


def test_two_migrate_applies_at_once_make_one_journal(tmp_path: Path) -> None:
    # Two real `parity migrate --apply` processes started together, a few rounds: a lock on the
    # journal lets exactly one write; the other refuses (locked, or planned against files that
    # changed) or finds nothing left to move.
    home = tmp_path / "home"
    for i in range(150):
        write(home, f".claude/commands/c{i:03}.md", f"---\ndescription: c{i}\n---\nDo {i}.\n")
    env = {**os.environ, "HOME": str(home), "PYTHONPATH": str(Path(__file__).parents[2])}
    for round_ in range(3):
        repo = make_repo(tmp_path / f"repo{round_}")
        before = snapshot(repo)
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "parity", "migrate", "--apply"],
                cwd=repo,
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(*p.communicate(timeout=300), p.returncode) for p in procs]
        results = [(code, out, err) for out, err, code in results]
        journals = [p for p in journal_dir(repo).iterdir() if p.name.isdigit()]
        assert len(journals) == 1, results
        wrote = [r for r in results if r[0] == 0 and "wrote 150 file(s)" in r[1]]
        assert len(wrote) == 1, results
        (other,) = [r for r in results if r not in wrote]
        assert other[0] == 2 or "wrote 0 file(s)" in other[1], results
        if other[0] == 2:
            assert len(other[2].splitlines()) == 1, other[2]
        assert len(list((repo / ".claude/commands").iterdir())) == 150
        assert undo(repo) is not None
        assert snapshot(repo) == before


def test_a_second_apply_or_undo_refuses_while_one_runs(repo: Path) -> None:
    apply(Plan((WriteFile("one", b"1\n"),)), repo)
    before = snapshot(repo)
    message = "another parity apply or undo is running in this repository; nothing was written"
    with locked(repo):
        with pytest.raises(ParityError, match=message):
            apply(Plan((WriteFile("two", b"2\n"),)), repo)
        with pytest.raises(ParityError, match=message):
            undo(repo)
        assert snapshot(repo) == before
        assert len([p for p in journal_dir(repo).iterdir() if p.name.isdigit()]) == 1
    # Released: the lock file is gone and the next apply goes ahead.
    assert not (journal_dir(repo).parent / "apply.lock").exists()
    apply(Plan((WriteFile("two", b"2\n"),)), repo)
    assert (repo / "two").read_bytes() == b"2\n"


def test_the_index_mode_is_set_on_the_file_a_symlink_leads_to(repo: Path) -> None:
    (repo / "run-link").symlink_to("run.sh")
    git(repo, "add", "run-link")
    git(repo, "commit", "-qm", "link")
    apply(Plan((GitChmod("run-link"),)), repo)
    assert git(repo, "ls-files", "--stage", "run.sh").startswith("100755")
    assert git(repo, "ls-files", "--stage", "run-link").startswith("120000")
    undo(repo)
    assert git(repo, "ls-files", "--stage", "run.sh").startswith("100644")
