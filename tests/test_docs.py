"""The README rule table and docs/comparison.md are generated from the rules, and up to date."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity import docs
from parity.findings import Safety, Severity
from parity.rules import all_rules, get
from parity.rules.base import SOMETIMES, Autofix, Rule

ROOT = Path(__file__).resolve().parents[1]


def test_generated_tables_are_up_to_date() -> None:
    # Stale after adding, renaming or re-grading a rule: run `python -m parity.docs`.
    stale = [
        str(path.relative_to(ROOT))
        for path, text in docs.generate(ROOT).items()
        if path.read_text(encoding="utf-8") != text
    ]
    assert not stale, f"regenerate with `python -m parity.docs`: {stale}"


def test_check_mode_reports_a_stale_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "peers.toml").write_text(
        (ROOT / "docs" / "peers.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "README.md").write_text(f"# x\n\n{docs.BEGIN}\nold\n{docs.END}\n", "utf-8")
    assert docs.main(["--check", str(tmp_path)]) == 1
    assert "README.md: is stale" in capsys.readouterr().err
    assert docs.main([str(tmp_path)]) == 0
    assert docs.main(["--check", str(tmp_path)]) == 0
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert "| PAR604 | `misleading-permission-rule` | warning |  |" in readme
    assert "\nold\n" not in readme


def test_every_rule_has_a_row_with_its_declared_severities() -> None:
    table = docs.rules_table()
    for rule in all_rules():
        row = next(line for line in table.splitlines() if line.startswith(f"| {rule.code} |"))
        assert f"`{rule.name}`" in row
        assert rule.severity.label in row
        for level, _ in rule.variants:
            assert level.label in row
    assert docs.severity_cell(get("PAR010")) == "error (or warning)"
    assert docs.severity_cell(get("PAR013")) == "info"


def test_the_fix_column_says_what_check_fix_does() -> None:
    # ruff's rule table marks the fixable rules; ours says whether the fix is safe, and when
    # it is offered only sometimes.
    table = docs.rules_table()
    for rule in all_rules():
        row = next(line for line in table.splitlines() if line.startswith(f"| {rule.code} |"))
        cell = row.split(" | ")[3]
        assert cell.strip() == docs.fix_cell(rule)
        assert bool(cell.strip()) == (rule.autofix is not None)
    assert docs.fix_cell(get("PAR013")) == "safe"
    assert docs.fix_cell(get("PAR011")) == ""
    sometimes = get("PAR013")._replace(
        autofix=Autofix(SOMETIMES, Safety.UNSAFE, "Does it.", when="where sure")
    )
    assert docs.fix_cell(sometimes) == "unsafe, sometimes"


def test_a_new_rule_changes_both_tables() -> None:
    base = get("PAR013")
    extra = Rule(
        code="PAR699",
        name="made-up",
        severity=Severity.ERROR,
        summary="A rule | with a pipe and a *star*.",
        docs=base.docs,
        check=base.check,
    )
    rules = (*all_rules(), extra)
    assert docs.rules_table(rules).splitlines()[-1] == (
        "| PAR699 | `made-up` | error |  | A rule \\| with a pipe and a \\*star\\*. |"
    )
    peers = docs.load_peers(ROOT / "docs" / "peers.toml")
    assert "| PAR699 `made-up` | — | — | — |" in docs.comparison(peers, rules)


def test_peer_data_names_only_parity_rules_and_known_peers(tmp_path: Path) -> None:
    bad = tmp_path / "peers.toml"
    bad.write_text('[peers.agnix]\ntitle = "agnix"\nversion = "1"\n[rules.PAR998]\n', "utf-8")
    with pytest.raises(ValueError, match="PAR998"):
        docs.load_peers(bad)
    bad.write_text('[peers.agnix]\ntitle = "agnix"\nversion = "1"\n[rules.PAR014]\nx = ["y"]\n')
    with pytest.raises(ValueError, match="unknown peers x"):
        docs.load_peers(bad)
