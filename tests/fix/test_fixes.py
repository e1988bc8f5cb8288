"""Every fix end to end, one fixture folder each (``tests/fixtures/fix/<CODE>-<what>/``).

A case folder holds ``before/`` (the repository, committed), ``after/`` (every file the fix
changes, with its exact expected bytes; absent when it changes no content, only modes),
``diff.txt`` (the exact ``--diff`` output), and optionally ``home/`` (a fake home: the run gets
``--user``) and ``args`` (more options, such as ``--unsafe-fixes``). For each case: ``--fix``
writes exactly ``after/`` and nothing else, the re-check no longer reports the rule, a second
``--fix`` writes nothing, ``--diff`` prints ``diff.txt`` and writes nothing, and a file changed
between planning and writing is refused.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.apply import WriteFile, journal_dir
from parity.check import CheckOptions
from parity.errors import StaleError
from parity.fix import plan_fixes, write
from tests.helpers import FIXTURES, chdir, install_home, make_repo, run

CASES_DIR = FIXTURES / "fix"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())


def _code(case: str) -> str:
    return case.split("-", 1)[0]


def _args(case: str) -> list[str]:
    source = CASES_DIR / case
    extra = (source / "args").read_text().split() if (source / "args").is_file() else []
    return [*extra, "--user"] if (source / "home").is_dir() else extra


def _setup(case: str, tmp_path: Path, home: Path) -> Path:
    source = CASES_DIR / case
    repo = make_repo(tmp_path / "repo", source / "before")
    if (source / "home").is_dir():
        install_home(source / "home", home, repo)
    return repo


def _tree(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".git" not in p.relative_to(root).parts
    }


def _journals(repo: Path) -> list[str]:
    base = journal_dir(repo)
    return sorted(p.name for p in base.iterdir()) if base.is_dir() else []


@pytest.mark.parametrize("case", CASES)
def test_fix_writes_exactly_the_expected_bytes(case: str, tmp_path: Path, fake_home: Path) -> None:
    repo = _setup(case, tmp_path, fake_home)
    code, args = _code(case), _args(case)
    before = _tree(repo)
    result = run(["check", "--select", code, "--fix", *args, str(repo)])
    assert result.code in (0, 1), result.err
    assert "Fixed " in result.out, result.out
    after = CASES_DIR / case / "after"
    expected = {**before, **(_tree(after) if after.is_dir() else {})}
    assert _tree(repo) == expected

    again = run(["check", "--select", code, "--format", "json", *args, str(repo)])
    assert [f["message"] for f in json.loads(again.out)["findings"]] == []

    journals = _journals(repo)
    second = run(["check", "--select", code, "--fix", *args, str(repo)])
    assert second.code == 0, second.out + second.err
    assert "Fixed 0 problems" in second.out
    assert _tree(repo) == expected
    assert _journals(repo) == journals  # nothing written, not even a journal


@pytest.mark.parametrize("case", CASES)
def test_diff_shows_the_change_and_writes_nothing(
    case: str, tmp_path: Path, fake_home: Path
) -> None:
    repo = _setup(case, tmp_path, fake_home)
    before = _tree(repo)
    result = run(["check", "--select", _code(case), "--diff", *_args(case), str(repo)])
    assert result.code == 1, result.err
    assert result.err.startswith("Would fix ")
    assert result.out == (CASES_DIR / case / "diff.txt").read_text(encoding="utf-8")
    assert _tree(repo) == before
    assert _journals(repo) == []


@pytest.mark.parametrize("case", CASES)
def test_a_file_changed_after_planning_is_refused(
    case: str, tmp_path: Path, fake_home: Path
) -> None:
    repo = _setup(case, tmp_path, fake_home)
    args = _args(case)
    options = CheckOptions(select=(_code(case),), user="--user" in args)
    with chdir(repo):
        planned = plan_fixes(options, unsafe="--unsafe-fixes" in args)
    writes = [a for a in planned.plan.actions if isinstance(a, WriteFile)]
    if not writes:
        pytest.skip("this fix changes no file's content (only modes)")
    target = repo / writes[0].path
    target.write_bytes(target.read_bytes() + b"\n")
    changed = _tree(repo)
    with pytest.raises(StaleError, match="changed since planning"):
        write(planned)
    assert _tree(repo) == changed
    assert _journals(repo) == []


def test_every_case_names_a_fixable_rule() -> None:
    from parity.rules import get

    for case in CASES:
        assert get(_code(case)).autofix is not None, case


def test_case_folders_are_only_what_the_harness_reads() -> None:
    known = {"before", "after", "home", "args", "diff.txt"}
    for case in CASES:
        extra = {p.name for p in (CASES_DIR / case).iterdir()} - known
        assert not extra, f"{case}: {sorted(extra)}"
