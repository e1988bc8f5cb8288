"""Replaying a warm `parity check`: the stored output of the same invocation, printed before
click is imported, only while every input it was made from is unchanged."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.helpers import git, make_repo, write
from tests.test_cache import SETTINGS, TOKEN, settle

pytestmark = pytest.mark.skipif(sys.version_info < (3, 11), reason="the cache needs Python 3.11")

ROOT = Path(__file__).resolve().parents[1]
# A real process with a real (UTF-8) pipe for standard output, as pre-commit and CI run it; the
# last line of standard error says whether click was imported (a run) or not (a replay).
SCRIPT = """
import sys
from parity.cli import main
code = main(sys.argv[1:])
sys.stderr.write("\\n" + ("ran" if "click" in sys.modules else "replayed") + "\\n")
sys.exit(code)
"""


@dataclass
class Run:
    code: int
    out: str
    err: str
    replayed: bool


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
    return Run(proc.returncode, proc.stdout, err, last == "replayed")


@pytest.fixture
def repo(tmp_path: Path, fake_home: Path) -> Path:
    root = make_repo(tmp_path / "repo")
    write(root, ".claude/settings.json", SETTINGS)
    write(root, ".claude/hooks/start.sh", "#!/bin/sh\necho ready\n", mode=0o755)
    write(root, "CLAUDE.md", f"# Project\n\nUse the token {TOKEN} for the API.\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "setup")
    settle(root, fake_home)
    return root


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
    assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert "ghp_" + "A1b2" not in second.out  # what is stored is the masked output


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
    entry.write_text(json.dumps(doc), encoding="utf-8")
    again = parity(repo, env, "check")
    assert not again.replayed
    assert "stale" not in again.out
