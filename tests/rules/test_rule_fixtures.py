"""Every rule flags its fail fixture at the expected places and accepts its pass fixture."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from parity.rules import all_rules
from parity.rules.base import DOC_SECTIONS
from tests.helpers import FIXTURES, install_home, make_repo, run

RULES_DIR = FIXTURES / "rules"
CODES = [r.code for r in all_rules()]


def _findings(repo: Path, code: str) -> list[dict[str, object]]:
    result = run(["check", "--select", code, "--format", "json", "--user", str(repo)])
    assert result.code in (0, 1), result.err
    findings: list[dict[str, object]] = json.loads(result.out)["findings"]
    return findings


def _fixture(source: Path, tmp_path: Path, home: Path) -> Path:
    """The fixture's repository, committed, and its fake home with ``__REPO__`` filled in."""
    repo = make_repo(tmp_path / "repo", source / "repo" if (source / "repo").is_dir() else source)
    if (source / "home").is_dir():
        install_home(source / "home", home, repo)
    return repo


@pytest.mark.parametrize("code", CODES)
def test_rule_has_fixtures(code: str) -> None:
    assert (RULES_DIR / code / "fail").is_dir(), f"{code} has no fail fixture"
    assert (RULES_DIR / code / "pass").is_dir(), f"{code} has no pass fixture"


@pytest.mark.parametrize("code", CODES)
def test_fail_fixture_is_flagged_at_expected_places(
    code: str, tmp_path: Path, fake_home: Path
) -> None:
    source = RULES_DIR / code / "fail"
    repo = _fixture(source, tmp_path, fake_home)
    findings = _findings(repo, code)
    assert findings, f"{code} found nothing in its fail fixture"
    assert {f["code"] for f in findings} == {code}
    expected_file = source / "expected.txt"
    if expected_file.exists():
        expected = sorted(line for line in expected_file.read_text().splitlines() if line.strip())
        got = sorted(f"{f['path']}:{f['line']}:{f['column']}" for f in findings)
        assert got == expected
    for f in findings:
        assert f["fix"], f"{code} finding without a fix: {f['message']}"


@pytest.mark.parametrize("code", CODES)
def test_pass_fixture_is_clean(code: str, tmp_path: Path, fake_home: Path) -> None:
    source = RULES_DIR / code / "pass"
    repo = _fixture(source, tmp_path, fake_home)
    assert _findings(repo, code) == []


def test_codes_and_names_are_unique() -> None:
    rules = all_rules()
    assert len({r.code for r in rules}) == len(rules)
    assert len({r.name for r in rules}) == len(rules)


@pytest.mark.parametrize("code", CODES)
def test_docs_have_every_section(code: str) -> None:
    rule = next(r for r in all_rules() if r.code == code)
    positions = [rule.docs.find(section) for section in DOC_SECTIONS]
    assert all(p >= 0 for p in positions)
    assert positions == sorted(positions)
    assert re.match(r"^[a-z][a-z0-9-]+$", rule.name)
    assert rule.summary.endswith(".")


def test_no_real_gitignore_in_fixtures() -> None:
    # A nested .gitignore would keep the fixture's own files out of this project's commits, so a
    # clean clone would lack them; fixtures name it `_gitignore` (see tests/helpers.make_repo).
    assert sorted(FIXTURES.rglob(".gitignore")) == []
