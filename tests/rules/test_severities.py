"""A finding's severity comes from its rule's declaration: the declared one or a declared variant.

``parity rule``, the README rule table and SARIF's rule metadata state each rule's severity and
its variants (``Rule.variants``); a finding with a severity declared nowhere would make them
wrong, and a ``--fail-on`` gate pass or fail on something the docs do not say.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
from pathlib import Path

import pytest

from parity.findings import Severity
from parity.rules import all_rules, get
from parity.rules.base import Rule
from tests.helpers import FIXTURES, install_home, make_repo, run, write

REPOS = sorted(
    [p for p in (FIXTURES / "rules").glob("PAR*/*") if p.is_dir()]
    + [p for p in (FIXTURES / "repos").iterdir() if p.is_dir()]
    + [p for p in (FIXTURES / "consumers").iterdir() if p.is_dir()]
)
HOMES = {"anti-patterns-scope": FIXTURES / "homes" / "anti-patterns-scope"}


def _findings(repo: Path) -> list[dict[str, object]]:
    result = run(["check", "--user", "--select", "ALL", "--format", "json", str(repo)])
    assert result.code in (0, 1), result.err
    findings: list[dict[str, object]] = json.loads(result.out)["findings"]
    return findings


@pytest.mark.parametrize("source", REPOS, ids=[p.relative_to(FIXTURES).as_posix() for p in REPOS])
def test_every_finding_has_a_declared_severity(
    source: Path, tmp_path: Path, fake_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", source / "repo" if (source / "repo").is_dir() else source)
    home = source / "home" if (source / "home").is_dir() else HOMES.get(source.name)
    if home is not None:
        install_home(home, fake_home, repo)
    drift = [
        (f["code"], f["severity"], f["message"])
        for f in _findings(repo)
        if Severity.parse(str(f["severity"])) not in get(str(f["code"])).severities
    ]
    assert not drift, f"findings with a severity their rule does not declare: {drift}"


def test_variants_are_stated_wherever_the_severity_is() -> None:
    rule = get("PAR010")
    assert rule.severities == {Severity.ERROR, Severity.WARNING}
    assert rule.markdown().startswith(
        "# PAR010 settings-schema\n\nSeverity: error; warning for a value the client drops "
    )
    out = json.loads(run(["rule", "PAR010", "--format", "json"]).out)
    assert out["severity"] == "error"
    assert out["variants"] == [
        {"severity": "warning", "when": rule.variants[0][1]},
    ]


def test_a_variant_must_differ_and_say_when() -> None:
    base = get("PAR013")
    fields = {k: getattr(base, k) for k in ("code", "name", "summary", "docs", "check")}
    with pytest.raises(ValueError, match="variants"):
        Rule(severity=Severity.INFO, variants=((Severity.INFO, "again"),), **fields)
    with pytest.raises(ValueError, match="variants"):
        Rule(severity=Severity.INFO, variants=((Severity.ERROR, ""),), **fields)


def test_rules_declare_no_variant_they_cannot_reach() -> None:
    # Every declared variant names a severity other than the rule's own (checked above) and is
    # worded as a condition, so the docs read "error; warning for …".
    for rule in all_rules():
        for _, when in rule.variants:
            assert when.split()[0] in ("for", "when"), (rule.code, when)


def test_a_rule_module_names_only_the_severities_its_rule_declares() -> None:
    # Fixtures do not reach every branch (a URL in an env value, a status line, an installer's
    # download): the severities a rule's own module can give must be declared all the same.
    for rule in all_rules():
        source = inspect.getsource(sys.modules[rule.check.__module__])
        named = {Severity[name] for name in re.findall(r"Severity\.(ERROR|WARNING|INFO)", source)}
        assert named <= rule.severities, (rule.code, sorted(s.label for s in named))


def test_a_literal_key_under_a_credential_name_is_an_error(tmp_path: Path) -> None:
    # The drift of the report: a random value under ANTHROPIC_AUTH_TOKEN was a warning, while
    # PAR401 is documented as an error. Only formats often public or test values stay warnings.
    repo = make_repo(tmp_path / "repo", commit=False)
    write(
        repo,
        ".claude/settings.json",
        json.dumps(
            {
                "env": {
                    "ANTHROPIC_AUTH_TOKEN": "sk-q8Zr3LmX7vT2kP9wN4bY6cH1jD5fG0sAq8Zr3LmX",
                    "NOTION_TOKEN": "ntn_48211576290aGdZkQhX2pW9rTyLm3vB7nC5sE1fK8jU",
                    "DATABASE_URL": "postgres://app:Zr3LmX7vT2kP@db.prod.acme.io:5432/app",
                }
            },
            indent=2,
        ),
    )
    git_add = run(["check", "--select", "PAR401", "--format", "json", str(repo)])
    found = {f["pointer"]: f["severity"] for f in json.loads(git_add.out)["findings"]}
    assert found == {
        "/env/ANTHROPIC_AUTH_TOKEN": "error",
        "/env/NOTION_TOKEN": "error",
        "/env/DATABASE_URL": "warning",
    }
