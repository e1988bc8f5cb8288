"""``parity routines check``: the done-when file, a correct file, parity with ``parity check``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, SHARED, make_repo, run, write

ROUTINES = FIXTURES / "routines"


def _json(args: list[str], cwd: Path) -> tuple[int, list[dict[str, object]]]:
    result = run([*args, "--format", "json"], cwd=cwd)
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)["findings"]


def test_done_when_file_gets_four_findings_at_their_lines_with_fixes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", ROUTINES / "done-when")
    code, findings = _json(["routines", "check"], repo)
    assert code == 1
    got = [(f["code"], f["path"], f["line"]) for f in findings]
    assert got == [
        ("PAR502", ".claude/routines.yaml", 6),  # */15 * * * *
        ("PAR501", ".claude/routines.yaml", 12),  # MON-FRY
        ("PAR503", ".claude/routines.yaml", 18),  # pull_request.merged
        ("PAR505", ".claude/routines.yaml", 21),  # environment "open" is network = "full"
    ]
    assert all(f["fix"] for f in findings)
    merged = findings[2]
    assert "pull_request.closed" in str(merged["fix"])
    assert "is-merged: true" in str(merged["fix"])
    assert "15 minutes" in str(findings[0]["message"])


def test_text_output_of_the_done_when_file_names_every_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", ROUTINES / "done-when")
    result = run(["routines", "check", ".claude/routines.yaml"], cwd=repo)
    assert result.code == 1
    for where in ("6:26", "12:26", "18:25", "21:18"):
        assert where in result.out
    assert result.out.count("fix:") == 4


def test_a_correct_repository_passes(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", ROUTINES / "correct")
    result = run(["routines", "check"], cwd=repo)
    assert (result.code, result.err) == (0, ""), result.out
    # The whole linter agrees, with every rule selected.
    result = run(["check", "--select", "ALL", "--format", "json"], cwd=repo)
    assert json.loads(result.out)["findings"] == []


def test_same_findings_as_parity_check_select_par5(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", ROUTINES / "done-when")
    write(
        repo,
        ".claude/scheduled_tasks.json",
        (ROUTINES / "next/.claude/scheduled_tasks.json").read_text(),
    )
    files = [".claude/routines.yaml", ".claude/scheduled_tasks.json"]
    _, gate = _json(["routines", "check", *files], repo)
    _, lint = _json(["check", "--select", "PAR5", *files], repo)
    assert gate == lint
    assert {f["path"] for f in gate} == set(files)


def test_named_file_narrows_the_report(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", ROUTINES / "done-when")
    write(repo, ".claude/scheduled_tasks.json", '{"tasks": []}\n')
    _, findings = _json(["routines", "check", ".claude/scheduled_tasks.json"], repo)
    assert findings == []


def test_a_file_that_is_not_a_routines_file_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", ROUTINES / "done-when")
    write(repo, "notes.yaml", "a: 1\n")
    result = run(["routines", "check", "notes.yaml"], cwd=repo)
    assert result.code == 2
    assert "not a routines file" in result.err
    assert "Traceback" not in result.err


def test_routines_yml_and_routines_folder_are_checked(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    bad = (
        "routines:\n  - name: x\n    prompt: p\n    triggers:\n"
        "      - schedule: {cron: '* * * * *'}\n"
    )
    write(repo, ".claude/routines.yml", bad)
    write(repo, ".claude/routines/team.yaml", bad.replace("name: x", "name: y"))
    _, findings = _json(["routines", "check"], repo)
    assert {(f["code"], f["path"]) for f in findings} == {
        ("PAR502", ".claude/routines.yml"),
        ("PAR502", ".claude/routines/team.yaml"),
    }


def test_an_alias_bomb_is_one_finding_not_a_hang(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join(['*a' + str(i - 1)] * 10)}]" for i in range(1, 12)]
    write(repo, ".claude/routines.yaml", "\n".join(lines) + "\nroutines: *a11\n")
    code, findings = _json(["routines", "check"], repo)
    assert code == 1
    assert [f["code"] for f in findings] == ["PAR001"]
    assert "alias" in str(findings[0]["message"])


def test_a_routines_file_that_does_not_parse_fails_the_gate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(repo, ".claude/routines.yaml", "routines:\n  - name: x\n   prompt: [\n")
    code, findings = _json(["routines", "check"], repo)
    assert code == 1
    assert [f["code"] for f in findings] == ["PAR001"]


def test_other_files_do_not_leak_into_the_gate(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", ROUTINES / "correct")
    write(repo, ".claude/settings.json", "{ // not json\n}\n")
    result = run(["routines", "check"], cwd=repo)
    assert result.code == 0, result.out


CORPUS = sorted((SHARED / "corpus" / "scheduled-tasks").glob("*.json"))


@pytest.mark.skipif(not CORPUS, reason="../shared/corpus is not available")
@pytest.mark.parametrize("source", CORPUS, ids=[p.name.split("__")[0] for p in CORPUS])
def test_corpus_scheduled_tasks_never_crash(source: Path, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/scheduled_tasks.json", source.read_text(encoding="utf-8"))
    result = run(["routines", "check", "--format", "json"], cwd=repo)
    assert result.code in (0, 1), result.err
    for finding in json.loads(result.out)["findings"]:
        assert finding["code"].startswith("PAR5")
        assert finding["fix"]
    result = run(["routines", "next", "--count", "3", "--now", "2026-05-01T00:00:00Z"], cwd=repo)
    assert result.code == 0, result.err
