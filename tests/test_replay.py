"""Replaying a warm `parity check`: the stored output of the same invocation, printed before
click is imported, only while every input it was made from is unchanged."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from parity import cache
from parity.discover import discover_repo
from parity.git import HARDENING
from tests.helpers import git, make_repo, write
from tests.test_cache import SETTINGS, TOKEN, settle

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="the cache needs Python 3.11")

ROOT = Path(__file__).resolve().parents[1]
# A real process with a real (UTF-8) pipe for standard output, as pre-commit and CI run it; the
# last lines of standard error list the processes it started and the modules it imported, and
# say whether click was imported (a run) or not (a replay).
SCRIPT = """
import sys
started = []
sys.addaudithook(lambda event, args: event == "subprocess.Popen" and started.append(args[1]))
from parity.cli import main
code = main(sys.argv[1:])
sys.stderr.write("\\n" + repr(([list(a) for a in started], sorted(sys.modules))) + "\\n")
sys.stderr.write(("ran" if "click" in sys.modules else "replayed") + "\\n")
sys.exit(code)
"""


@dataclass
class Run:
    code: int
    out: str
    err: str
    replayed: bool
    processes: list[list[str]]
    modules: list[str]

    @property
    def gits(self) -> list[list[str]]:
        return [args for args in self.processes if os.path.basename(args[0]) == "git"]


@pytest.fixture
def env(fake_home: Path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("PARITY_")}
    environ["PYTHONPATH"] = str(ROOT)
    environ["PYTHONIOENCODING"] = "utf-8"
    return environ


def parity(repo: Path, env: dict[str, str], *args: str) -> Run:
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    err, _, last = proc.stderr.rstrip("\n").rpartition("\n")
    assert last in ("ran", "replayed"), proc.stderr
    err, _, seen = err.rpartition("\n")
    started, modules = ast.literal_eval(seen)
    return Run(proc.returncode, proc.stdout, err, last == "replayed", started, modules)


@pytest.fixture
def repo(tmp_path: Path, fake_home: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    write(root, ".claude/settings.json", SETTINGS)
    write(root, ".claude/hooks/start.sh", "#!/bin/sh\necho ready\n", mode=0o755)
    write(root, "CLAUDE.md", f"# Project\n\nUse the token {TOKEN} for the API.\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "setup")
    settle(root, fake_home)
    settle_git(root)
    return root


def settle_git(root: Path, gitdir: str = ".git") -> None:
    """Date git's index and configuration a minute back (see settle): written just now, a
    replay could not know them unchanged without asking git again."""
    past = time.time() - 60
    for path in (root / gitdir).iterdir():
        if path.is_file():  # the index, a split index's shared index, the configuration
            os.utime(path, (past, past))


def entries(repo: Path) -> list[Path]:
    return sorted((repo / ".git" / "parity-cache").glob("r-*.json"))


@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "--format", "json"),
        ("check", "--format", "sarif"),
        ("check", "--format", "github", "--show-all"),
        ("check", "--statistics"),
        ("check", "--exit-zero"),
        ("check", "CLAUDE.md"),
        ("check", "--select", "PAR4", "."),
    ],
)
def test_the_second_identical_run_is_replayed_with_the_same_output(
    repo: Path, env: dict[str, str], args: tuple[str, ...]
) -> None:
    first = parity(repo, env, *args)
    assert not first.replayed
    assert first.code in (0, 1), first.err
    second = parity(repo, env, *args)
    assert second.replayed
    assert second.gits == []  # the tree is known unchanged without asking git (see below)
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert "ghp_" + "A1b2" not in second.out  # what is stored is the masked output


def test_a_replay_without_git_imports_little(repo: Path, env: dict[str, str]) -> None:
    # Each of these costs a replay more than its own work (pathlib, json and typing compile
    # regular expressions or build classes at import; hashlib loads OpenSSL).
    heavy = {"pathlib", "json", "re", "hashlib", "typing", "subprocess", "contextlib"}
    heavy |= {"threading", "functools", "parity.discover", "parity.git", "click"}
    parity(repo, env, "check", "--format", "json")
    second = parity(repo, env, "check", "--format", "json")
    assert second.replayed
    assert heavy & set(second.modules) == set()


def test_the_secret_is_not_stored(repo: Path, env: dict[str, str]) -> None:
    parity(repo, env, "check", "--format", "json")
    for entry in entries(repo):
        assert TOKEN not in entry.read_text(encoding="utf-8")


def test_an_edited_file_is_run_again(repo: Path, env: dict[str, str]) -> None:
    before = parity(repo, env, "check", "--format", "json")
    write(repo, "CLAUDE.md", "# Project\n\nRun the tests.\n")
    settle(repo)
    after = parity(repo, env, "check", "--format", "json")
    assert not after.replayed
    assert after.out != before.out
    assert "PAR402" not in after.out
    assert parity(repo, env, "check", "--format", "json").replayed


def test_a_new_untracked_file_is_run_again(repo: Path, env: dict[str, str]) -> None:
    parity(repo, env, "check")
    write(repo, ".claude/agents/reviewer.md", "---\nname: reviewer\n---\nReview.\n")
    settle(repo)
    after = parity(repo, env, "check", "--format", "json")
    assert not after.replayed


def test_a_new_ignored_file_is_run_again(repo: Path, env: dict[str, str]) -> None:
    # A file git ignores is in the listing too (PAR103 tells "gitignored" from "not committed").
    parity(repo, env, "check", "--format", "json")
    write(repo, ".gitignore", ".claude/settings.local.json\n")
    write(repo, ".claude/settings.local.json", "{}\n")
    settle(repo)
    after = parity(repo, env, "check", "--format", "json")
    assert not after.replayed
    assert parity(repo, env, "check", "--format", "json").replayed


@pytest.mark.parametrize(
    ("name", "value"),
    [("NO_COLOR", "1"), ("PARITY_OUTPUT_FORMAT", "json"), ("CLAUDE_CONFIG_DIR", "/nonexistent")],
)
def test_another_environment_is_run_again(
    repo: Path, env: dict[str, str], name: str, value: str
) -> None:
    parity(repo, env, "check")
    assert parity(repo, env, "check").replayed
    changed = parity(repo, {**env, name: value}, "check")
    assert not changed.replayed


def test_other_arguments_are_run_again(repo: Path, env: dict[str, str]) -> None:
    parity(repo, env, "check")
    assert not parity(repo, env, "check", "--show-all").replayed
    assert not parity(repo, env, "check", "--ignore", "PAR402").replayed


def test_another_working_directory_is_run_again(repo: Path, env: dict[str, str]) -> None:
    parity(repo, env, "check", ".")
    sub = repo / ".claude"
    assert not parity(sub, env, "check", ".").replayed


@pytest.mark.parametrize(
    "args",
    [
        ("check", "--no-cache"),
        ("check", "--output", "report.txt"),
        ("check", "--changed-since", "HEAD"),
        ("check", "--diff"),
        ("check", "--write-baseline", "--baseline", "base.json"),
    ],
)
def test_runs_that_write_or_depend_on_more_are_not_stored(
    repo: Path, env: dict[str, str], args: tuple[str, ...]
) -> None:
    parity(repo, env, *args)
    assert entries(repo) == []
    assert not parity(repo, env, *args).replayed


def test_parity_no_cache_turns_it_off(repo: Path, env: dict[str, str]) -> None:
    env = {**env, "PARITY_NO_CACHE": "1"}
    parity(repo, env, "check")
    assert not parity(repo, env, "check").replayed
    assert not (repo / ".git" / "parity-cache").exists()


def test_a_baseline_is_an_input(repo: Path, env: dict[str, str]) -> None:
    parity(repo, env, "check", "--write-baseline", "--baseline", "base.json")
    git(repo, "add", "base.json")
    settle(repo)
    clean = parity(repo, env, "check", "--baseline", "base.json")
    assert clean.code == 0
    assert parity(repo, env, "check", "--baseline", "base.json").replayed
    (repo / "base.json").write_text(json.dumps({"findings": []}), encoding="utf-8")
    settle(repo)
    again = parity(repo, env, "check", "--baseline", "base.json")
    assert not again.replayed
    assert again.code == 1


def test_a_home_file_with_user_is_an_input(
    repo: Path, env: dict[str, str], fake_home: Path
) -> None:
    parity(repo, env, "check", "--user")
    assert parity(repo, env, "check", "--user").replayed
    write(fake_home, ".claude/CLAUDE.md", "# Mine\n\nAlways answer in French.\n")
    settle(fake_home)
    after = parity(repo, env, "check", "--user")
    assert not after.replayed
    assert "PAR101" in after.out


def test_a_named_file_that_becomes_a_folder_is_run_again(repo: Path, env: dict[str, str]) -> None:
    write(repo, "notes", "plain\n")
    settle(repo)
    parity(repo, env, "check", "notes")
    assert parity(repo, env, "check", "notes").replayed
    (repo / "notes").unlink()
    (repo / "notes").mkdir()
    settle(repo)
    assert not parity(repo, env, "check", "notes").replayed


def test_fix_by_default_in_the_config_is_not_stored(repo: Path, env: dict[str, str]) -> None:
    write(repo, "pyproject.toml", "[tool.parity]\nfix = true\n")
    settle(repo)
    parity(repo, env, "check")
    assert entries(repo) == []


def test_a_corrupt_or_foreign_entry_is_run_again(repo: Path, env: dict[str, str]) -> None:
    first = parity(repo, env, "check")
    (entry,) = entries(repo)
    for text in ("{not json", json.dumps({"tool": "other"}), "[]"):
        entry.write_text(text, encoding="utf-8")
        again = parity(repo, env, "check")
        assert not again.replayed
        assert (again.code, again.out) == (first.code, first.out)
    assert parity(repo, env, "check").replayed


def test_a_stored_output_for_changed_inputs_is_never_printed(
    repo: Path, env: dict[str, str]
) -> None:
    # The entry holds what was printed; tampering with an input's signature makes it stale.
    parity(repo, env, "check")
    (entry,) = entries(repo)
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["stdout"] = "stale\n"
    doc["listing"] = "0" * 40
    doc["tree"]["signature"] = "0" * 32
    entry.write_text(json.dumps(doc), encoding="utf-8")
    again = parity(repo, env, "check")
    assert not again.replayed
    assert "stale" not in again.out


# A replay knows git's listing unchanged without running git when the tree had no untracked
# entry and no link: from the index's checksum, git's configuration, the time stamps of every
# folder git read and what found the repository. Anything else asks git, as before.


def test_a_replay_that_finds_the_tree_changed_asks_git(repo: Path, env: dict[str, str]) -> None:
    first = parity(repo, env, "check")
    (entry,) = entries(repo)
    doc = json.loads(entry.read_text(encoding="utf-8"))
    doc["tree"]["signature"] = "0" * 32
    entry.write_text(json.dumps(doc), encoding="utf-8")
    again = parity(repo, env, "check")
    assert again.replayed  # git's listing is the same
    assert any("ls-files" in args for args in again.gits)
    assert again.out == first.out


def test_every_git_process_is_hardened(repo: Path, env: dict[str, str]) -> None:
    first = parity(repo, env, "check")
    doc = json.loads(entries(repo)[0].read_text(encoding="utf-8"))
    assert doc["tree"] is not None
    commands = set()
    for args in first.gits:
        assert args[1 : 1 + len(HARDENING)] == list(HARDENING), args
        commands.add(args[1 + len(HARDENING) :][1])  # after --literal-pathspecs
    assert commands == {"rev-parse", "ls-files", "config"}
    assert any("--shared-index-path" in args for args in first.gits)


@pytest.mark.parametrize(
    ("change", "listed"),
    [
        (["update-index", "--chmod=+x", "CLAUDE.md"], False),
        (["update-index", "--skip-worktree", "CLAUDE.md"], False),
        (["rm", "-q", "--cached", "CLAUDE.md"], False),
        # git lists the same files: the replay holds, but only git could tell.
        (["config", "core.ignoreCase", "true"], True),
        (["update-index", "--split-index"], True),
    ],
)
def test_a_changed_index_or_configuration_asks_git(
    repo: Path, env: dict[str, str], change: list[str], listed: bool
) -> None:
    # No file or folder of the tree changes: only what git keeps in .git.
    parity(repo, env, "check", "--format", "json")
    assert parity(repo, env, "check", "--format", "json").gits == []
    git(repo, *change)
    settle_git(repo)
    again = parity(repo, env, "check", "--format", "json")
    assert again.replayed is listed
    assert any("ls-files" in args for args in again.gits)
    assert again.out == parity(repo, env, "check", "--format", "json", "--no-cache").out
    # What git told the replay is kept: the next one knows the tree unchanged without listing
    # it (git lists only an untracked CLAUDE.md once it leaves the index).
    last = parity(repo, env, "check", "--format", "json")
    assert (last.replayed, last.out) == (True, again.out)
    assert not any("--stage" in args for args in last.gits)


@pytest.mark.parametrize(
    "change",
    [
        lambda root: git(root, "update-index", "--chmod=+x", "CLAUDE.md"),
        lambda root: (write(root, "src/app.py", "x = 1\n"), git(root, "add", "src/app.py")),
        lambda root: write(root, ".claude/agents/reviewer.md", "---\nname: r\n---\nReview.\n"),
    ],
    ids=["index-mode", "staged-file", "untracked-file"],
)
def test_a_replay_that_finds_the_listing_changed_hands_it_to_the_check(
    repo: Path, env: dict[str, str], change: Any
) -> None:
    # The run after a change lists the tree once: the replay's listing is the check's.
    parity(repo, env, "check", "--format", "json")
    change(repo)
    settle(repo)
    settle_git(repo)
    again = parity(repo, env, "check", "--format", "json")
    assert not again.replayed
    assert sum("--stage" in args for args in again.gits) == 1
    assert again.out == parity(repo, env, "check", "--format", "json", "--no-cache").out
    last = parity(repo, env, "check", "--format", "json")
    assert (last.replayed, last.out) == (True, again.out)
    assert not any("--stage" in args for args in last.gits)  # (untracked entries are asked)


def test_a_replay_that_lists_the_tree_imports_ahead_meanwhile(
    repo: Path, env: dict[str, str]
) -> None:
    # Its listing is the check's when it changed: the check's imports go on while git lists.
    probe = (
        "import sys\nimport parity.ahead\ncalls = []\n"
        "parity.ahead.import_ahead = lambda busy: calls.append(busy(600))\n"
        "from parity.cli import main\ncode = main(['check'])\nprint('CALLS', calls)\n"
    )

    def calls() -> str:
        proc = subprocess.run(
            [sys.executable, "-c", probe],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        return proc.stdout.splitlines()[-1]

    assert calls() == "CALLS [False]"  # the check's listing
    assert calls() == "CALLS []"  # replayed without git
    git(repo, "update-index", "--chmod=+x", "CLAUDE.md")
    settle_git(repo)
    assert calls() == "CALLS [False]"  # the replay's, handed to the check


def test_a_tree_whose_index_was_just_written_is_not_stored_nor_its_folders_read(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first check after `git add` or a commit: the index is seconds old, so the tree cannot
    # be stored, and reading the folders of every file (100,000 of them) would be for nothing.
    from parity import discover, replay

    read: list[int] = []
    listed_folders = discover.listed_folders

    def counted(listed: Any) -> Any:
        read.append(1)
        return listed_folders(listed)

    monkeypatch.setattr(discover, "listed_folders", counted)
    found = cache.Recorder(())
    assert replay._tree(found, discover_repo(repo)) is not None  # (settled by the fixture)
    assert read == [1]
    git(repo, "add", "-A")
    os.utime(repo / ".git" / "index")  # written now
    assert replay._tree(cache.Recorder(()), discover_repo(repo)) is None
    assert read == [1]


def test_a_listing_is_handed_only_to_the_check_of_the_same_paths(tmp_path: Path) -> None:
    from parity import replay

    repo = make_repo(tmp_path / "repo")
    listed = discover_repo(repo)
    found = cache.Recorder(())
    replay._RELISTED[:] = [([str(repo)], listed, [], found)]
    assert replay.relisted([repo / "CLAUDE.md"]) is None
    assert replay.relisted([repo]) is None  # (once)
    replay._RELISTED[:] = [([str(repo)], listed, [], found)]
    assert replay.relisted([repo]) == (listed, [], found)
    assert replay.relisted([repo]) is None
    # Nor to a later invocation in the same process (a check that fixed instead, say).
    from parity.cli import main

    replay._RELISTED[:] = [([str(repo)], listed, [], found)]
    assert main(["check", "--no-cache", "--exit-zero", str(repo)]) == 0
    assert replay.relisted([repo]) is None


def test_a_split_index_is_known_by_both_its_files(repo: Path, env: dict[str, str]) -> None:
    git(repo, "update-index", "--split-index")
    settle_git(repo)
    parity(repo, env, "check")
    doc = json.loads(entries(repo)[0].read_text(encoding="utf-8"))
    tails = [path for kind, path, _ in doc["tree"]["inputs"] if kind == "tail"]
    assert [Path(p).name.split(".")[0] for p in tails] == ["index", "sharedindex"]
    assert parity(repo, env, "check").gits == []
    # The shared index changes while the index itself does not: a miss.
    shared = Path(tails[1])
    shared.write_bytes(shared.read_bytes()[:-1] + b"\0")
    assert not parity(repo, env, "check").replayed


@pytest.mark.parametrize(
    ("change", "listed"),
    [
        (lambda root: write(root, "notes.txt", "new\n"), False),  # a new file at the top
        (lambda root: write(root, ".claude/hooks/other.sh", "echo\n"), False),  # in a sub-folder
        (lambda root: os.rename(root / "CLAUDE.md", root / "AGENTS.md"), False),
        (lambda root: os.symlink("CLAUDE.md", root / "AGENTS.md"), False),
        # git's listings of files hold no empty folder: the replay holds, but only git could tell.
        (lambda root: (root / ".claude" / "empty").mkdir(), True),
    ],
)
def test_a_new_entry_in_any_folder_asks_git(
    repo: Path, env: dict[str, str], change: Callable[[Path], object], listed: bool
) -> None:
    parity(repo, env, "check")
    assert parity(repo, env, "check").gits == []
    change(repo)
    settle(repo)
    again = parity(repo, env, "check")
    assert again.replayed is listed
    assert any("ls-files" in args for args in again.gits)


def test_an_untracked_empty_folder_keeps_asking_git(repo: Path, env: dict[str, str]) -> None:
    # git lists an empty folder as one untracked entry, and not what is later put in it, though
    # its other listings do: the folder's own time stamp is not among those a replay compares.
    (repo / "build").mkdir()
    settle(repo)
    parity(repo, env, "check")
    again = parity(repo, env, "check")
    assert again.replayed
    assert again.gits != []
    write(repo, "build/.claude/settings.json", SETTINGS)
    settle(repo)
    assert not parity(repo, env, "check").replayed


def test_where_a_link_leads_is_known_without_git(
    repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # Where a link leads can change outside the tree: a link into a folder outside that appears.
    outside = tmp_path / "outside"
    os.symlink(outside, repo / "shared")
    os.symlink("shared/CLAUDE.md", repo / "AGENTS.md")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "links")
    settle(repo)
    settle_git(repo)
    parity(repo, env, "check", "--format", "json")
    again = parity(repo, env, "check", "--format", "json")
    assert again.replayed
    assert again.gits == []
    write(outside, "CLAUDE.md", "# Shared\n")  # AGENTS.md no longer dangles: it leads out
    assert not parity(repo, env, "check", "--format", "json").replayed


def test_a_linked_work_tree_is_replayed_without_git(repo: Path, env: dict[str, str]) -> None:
    other = repo.parent / "other"
    git(repo, "worktree", "add", "-q", str(other))
    settle(other)
    settle_git(repo)
    settle_git(repo, ".git/worktrees/other")
    first = parity(other, env, "check")
    assert parity(other, env, "check").gits == []
    git(other, "update-index", "--chmod=+x", "CLAUDE.md")  # that work tree's own index
    settle_git(repo, ".git/worktrees/other")
    again = parity(other, env, "check")
    assert not again.replayed
    assert again.out == first.out


def test_a_sub_folder_is_replayed_without_git(repo: Path, env: dict[str, str]) -> None:
    sub = repo / ".claude"
    parity(sub, env, "check", ".")
    assert parity(sub, env, "check", ".").gits == []
    write(repo, ".claude/agents/reviewer.md", "---\nname: reviewer\n---\nReview.\n")
    settle(repo)
    assert not parity(sub, env, "check", ".").replayed


def test_a_repository_named_through_a_link_that_moves_is_run_again(
    repo: Path, env: dict[str, str], tmp_path: Path
) -> None:
    # Nothing in either tree changes: only what found the repository (a link to it) does.
    other = make_repo(tmp_path / "other")
    write(other, "CLAUDE.md", "# Other\n\nNothing to see.\n")
    git(other, "add", "-A")
    git(other, "commit", "-qm", "other")
    place = tmp_path / "place"  # where the command runs, outside both
    place.mkdir()
    os.symlink(repo, place / "project")
    settle(other, place)
    settle_git(other)
    env = {**env, "PARITY_CACHE_DIR": str(tmp_path / "cache")}
    first = parity(place, env, "check", "project")
    assert parity(place, env, "check", "project").gits == []
    (place / "project").unlink()
    os.symlink(other, place / "project")
    settle(place)
    again = parity(place, env, "check", "project")
    assert not again.replayed
    assert again.out != first.out


@pytest.fixture
def working(repo: Path) -> Path:
    """The repository as a working copy has it: an ignored node_modules/ and an untracked file."""
    write(repo, ".gitignore", "node_modules/\n*.log\n")
    git(repo, "add", ".gitignore")
    git(repo, "commit", "-qm", "ignore")
    write(repo, "node_modules/pkg/CLAUDE.md", "# Vendored\n")
    write(repo, "notes/todo.txt", "later\n")
    write(repo, "notes/run.log", "log\n")
    settle(repo)
    settle_git(repo)
    return repo


def listings(run: Run) -> list[list[str]]:
    return [args[1 + len(HARDENING) + 1 :] for args in run.gits]  # after --literal-pathspecs


def test_a_working_copy_asks_git_only_about_its_untracked_entries(
    working: Path, env: dict[str, str]
) -> None:
    first = parity(working, env, "check", "--format", "json")
    second = parity(working, env, "check", "--format", "json")
    assert second.replayed
    assert second.out == first.out
    for args in second.gits:
        assert args[1 : 1 + len(HARDENING)] == list(HARDENING), args
    # Not the listing of the whole tree: only under the untracked entries git found in it.
    others = ["ls-files", "-z", "--others", "--exclude-standard"]
    scope = ["--", "node_modules", "notes"]
    assert sorted(listings(second)) == sorted(
        [[*others, *scope], [*others[:3], "--ignored", *others[3:], "--directory", *scope]]
    )


@pytest.mark.parametrize(
    ("change", "replayed"),
    [
        # Not the folders git reads: only its listings of untracked and ignored files tell.
        (lambda root: write(root, ".git/info/exclude", "notes/\n"), False),
        (lambda root: write(root, ".gitignore", "*.log\n"), False),
        (lambda root: write(root, "notes/run.log", "more\n"), True),  # ignored, and changed
        (lambda root: write(root, "node_modules/pkg/.claude/settings.json", "{}\n"), True),
        (lambda root: write(root, "notes/more.txt", "and more\n"), False),  # a folder changes
    ],
)
def test_a_working_copy_whose_untracked_or_ignored_files_change_is_run_again(
    working: Path, env: dict[str, str], change: Callable[[Path], object], replayed: bool
) -> None:
    first = parity(working, env, "check", "--format", "json")
    assert parity(working, env, "check", "--format", "json").replayed
    change(working)
    again = parity(working, env, "check", "--format", "json")
    assert again.replayed is replayed
    assert again.out == parity(working, env, "check", "--format", "json", "--no-cache").out
    if replayed:
        assert again.out == first.out
        assert not any("--stage" in args for args in again.gits)
