"""``parity check --fix`` as a command: modes, configuration, undo, scope of what it touches."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.apply import Plan, WriteFile, apply, journal_dir, sha256
from parity.findings import Edit, Finding, Fix, Severity
from parity.fix import _overlap, _Pass, _take
from tests.helpers import make_repo, run, write

OLD = '{\n  "$schema": "https://example.com/old.json"\n}\n'
NEW = '{\n  "$schema": "https://json.schemastore.org/claude-code-settings.json"\n}\n'


def _repo(tmp_path: Path, **files: str) -> Path:
    repo = tmp_path / "repo"
    for rel, text in {".claude/settings.json": OLD, **files}.items():
        write(repo, rel, text)
    return make_repo(repo)


def _settings(repo: Path) -> str:
    return (repo / ".claude/settings.json").read_text(encoding="utf-8")


def test_fix_reports_what_is_left_with_a_count(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = run(["check", "--fix", str(repo)])
    assert result.code == 0, result.err
    assert result.out == "No problems found in 1 file.\nFixed 1 problem (0 remaining).\n"
    assert _settings(repo) == NEW


def test_fix_only_prints_the_count_alone(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = run(["check", "--fix-only", str(repo)])
    assert (result.code, result.out, result.err) == (0, "Fixed 1 problem.\n", "")
    assert _settings(repo) == NEW


def test_machine_formats_keep_stdout_and_the_count_goes_to_stderr(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    result = run(["check", "--fix", "--format", "json", str(repo)])
    assert result.out.startswith("{")
    assert result.err == "Fixed 1 problem (0 remaining).\n"


def test_diff_exits_0_when_there_is_nothing_to_fix(tmp_path: Path) -> None:
    repo = make_repo(write(tmp_path / "repo", ".claude/settings.json", NEW).parents[1])
    result = run(["check", "--diff", str(repo)])
    assert (result.code, result.out, result.err) == (0, "", "Nothing to fix.\n")


def test_config_fix_true_applies_fixes_and_no_fix_overrides(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"parity.toml": "fix = true\n"})
    kept = run(["check", "--no-fix", str(repo)])
    assert kept.code == 0
    assert "PAR013" in kept.out
    assert _settings(repo) == OLD
    fixed = run(["check", str(repo)])
    assert fixed.out.endswith("Fixed 1 problem (0 remaining).\n"), fixed.out
    assert _settings(repo) == NEW


def test_unfixable_rules_are_reported_and_left_alone(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"parity.toml": 'unfixable = ["PAR0"]\n'})
    result = run(["check", "--fix", str(repo)])
    assert "PAR013" in result.out
    assert result.out.endswith("Fixed 0 problems (1 remaining).\n")
    assert "fixable with" not in result.out
    assert _settings(repo) == OLD


def test_text_report_says_how_many_are_fixable(tmp_path: Path) -> None:
    result = run(["check", str(_repo(tmp_path))])
    assert result.out.endswith("1 fixable with `parity check --fix`.\n")


def test_write_baseline_cannot_be_combined_with_fixing(tmp_path: Path) -> None:
    result = run(["check", "--fix", "--write-baseline", "--baseline", "b.json", str(tmp_path)])
    assert result.code == 2
    assert "--write-baseline" in result.err


def test_only_named_files_are_fixed(tmp_path: Path) -> None:
    # pre-commit passes the staged files: findings elsewhere are neither shown nor fixed.
    repo = _repo(tmp_path, **{".claude/settings.local.json": OLD, ".gitignore": ""})
    result = run(["check", "--fix", str(repo / ".claude/settings.local.json")], cwd=repo)
    assert result.code == 0, result.out + result.err
    assert (repo / ".claude/settings.local.json").read_text() == NEW
    assert _settings(repo) == OLD


def test_excluded_files_are_not_fixed(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"parity.toml": 'exclude = [".claude/settings.json"]\n'})
    assert run(["check", "--fix", str(repo)]).out.endswith("Fixed 0 problems (0 remaining).\n")
    assert _settings(repo) == OLD


def test_the_home_is_never_fixed(tmp_path: Path, fake_home: Path) -> None:
    repo = _repo(tmp_path)
    home_settings = write(fake_home, ".claude/settings.json", OLD)
    result = run(["check", "--user", "--select", "PAR013", "--fix", str(repo)])
    assert "~/.claude/settings.json" in result.out  # still reported
    assert result.out.endswith("Fixed 1 problem (1 remaining).\n")
    assert home_settings.read_text() == OLD
    assert _settings(repo) == NEW


def test_undo_fix_restores_the_files(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    run(["check", "--fix", str(repo)])
    result = run(["check", "--undo-fix", str(repo)])
    assert result.code == 0
    assert result.out == "Reverted the last fix: 1 file(s) restored.\n  .claude/settings.json\n"
    assert _settings(repo) == OLD
    assert run(["check", "--undo-fix", str(repo)]).out.startswith("Nothing to undo")


def test_undo_fix_leaves_another_command_s_change_to_migrate_undo(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    run(["check", "--fix", str(repo)])
    # Then another command writes (cloud-init --write and migrate --apply record no origin).
    other = WriteFile("CLAUDE.md", b"# notes\n")
    apply(Plan((other,)), repo)
    refused = run(["check", "--undo-fix", str(repo)])
    assert refused.code == 2
    assert "parity migrate --undo" in refused.err
    assert (repo / "CLAUDE.md").exists()
    # `parity migrate --undo` reverts the last change, whoever wrote it; then the fix's turn.
    assert run(["migrate", "--undo"], cwd=repo).code == 0
    assert not (repo / "CLAUDE.md").exists()
    assert run(["check", "--undo-fix", str(repo)]).code == 0
    assert _settings(repo) == OLD
    assert not any(journal_dir(repo).glob("0*"))


# --------------------------------------------------------------------------------------------
# Composing fixes within a pass


def _edit(path: str, start: int, end: int, content: str, text: str) -> Edit:
    return Edit(path, start, end, content, sha256(text.encode()), 1, start + 1, 1, end + 1)


def _finding(code: str, *edits: Edit) -> Finding:
    fix = Fix("test", edits)
    return Finding("f.txt", 1, 1, code, "m", "n", Severity.ERROR, autofix=fix)


def test_overlapping_fixes_wait_for_the_next_pass_and_identical_edits_merge(
    tmp_path: Path,
) -> None:
    text = "abcdef\n"
    (tmp_path / "f.txt").write_text(text)
    state = _Pass(tmp_path, {}, {}, {})
    first = _finding("PAR001", _edit("f.txt", 0, 2, "AB", text))
    same = _finding("PAR002", _edit("f.txt", 0, 2, "AB", text))
    overlapping = _finding("PAR003", _edit("f.txt", 1, 3, "X", text))
    apart = _finding("PAR004", _edit("f.txt", 4, 4, "-", text))
    taken = _take(state, [first, same, overlapping, apart])
    assert [f.code for f in taken] == ["PAR001", "PAR002", "PAR004"]
    file = state.files["f.txt"]
    assert file is not None
    assert file.text == "ABcd-ef\n"


def test_what_counts_as_overlapping() -> None:
    text = "abcdef"
    at = _edit
    assert _overlap(at("f", 0, 2, "x", text), at("f", 1, 3, "y", text))
    assert _overlap(at("f", 2, 2, "x", text), at("f", 2, 2, "y", text))
    assert not _overlap(at("f", 2, 2, "x", text), at("f", 2, 2, "x", text))
    assert not _overlap(at("f", 0, 2, "x", text), at("f", 2, 4, "y", text))
    assert not _overlap(at("f", 2, 2, "x", text), at("f", 0, 2, "y", text))


# --------------------------------------------------------------------------------------------
# The results cache


def test_a_fix_run_neither_reads_nor_writes_the_results_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parity import cache

    repo = _repo(tmp_path)
    assert "PAR013" in run(["check", str(repo)]).out  # a cached report of the old file

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a fix run used the results cache")

    monkeypatch.setattr(cache, "load", refuse)
    monkeypatch.setattr(cache, "store", refuse)
    assert run(["check", "--diff", str(repo)]).code == 1
    assert run(["check", "--fix", str(repo)]).code == 0
    monkeypatch.undo()
    # The next plain check is not served the report of the file as it was.
    after = run(["check", str(repo)])
    assert after.out == "No problems found in 1 file.\n", after.out


def test_cached_reports_keep_the_fixes(tmp_path: Path) -> None:
    repo = _repo(tmp_path)
    first = run(["check", "--format", "json", str(repo)])
    again = run(["check", "--format", "json", str(repo)])  # from the cache
    assert first.out == again.out
    assert run(["check", str(repo)]).out.endswith("1 fixable with `parity check --fix`.\n")
