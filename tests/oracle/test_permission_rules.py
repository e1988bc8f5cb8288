"""Permission rules: parity and Claude Code 2.1.330 agree on which are invalid or warned about.

``tests/fixtures/permission_rules.json`` lists rule strings (case, tool names, empty parentheses,
``:*`` forms, domain forms, MCP names, unknown tools, file rules, wildcards); each goes into
``permissions.allow``, ``ask`` and ``deny`` of one settings file per list. The client's verdict
for each: *invalid* when ``claude doctor`` lists the rule under "Invalid settings" (and ``claude
-p`` says the entry was skipped), *warns* when ``claude -p`` prints a start-up warning about it,
*ok* otherwise. parity must say the same: PAR014 (an error) for invalid, PAR604 (a warning) for
warns, nothing for ok. The verdicts are recorded in the fixture, so the comparison with parity
runs without the client too; with the client, the recording is checked against it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from parity.permissions import parse, problem
from tests.helpers import FIXTURES, make_repo, run, write
from tests.oracle.client import (
    AVAILABLE,
    REJECTED,
    SKIP_REASON,
    SKIPPED,
    doctor_problems,
    start_messages,
)

TABLE = FIXTURES / "permission_rules.json"
DATA = json.loads(TABLE.read_text(encoding="utf-8"))
RULES: list[str] = DATA["rules"]
KINDS = ("allow", "ask", "deny")
RECORD = os.environ.get("PARITY_RECORD_PERMISSION_RULES") == "1"
Verdicts = dict[str, dict[str, str]]  # kind -> rule -> invalid | warns | ok


def _settings() -> str:
    return json.dumps({"permissions": {kind: RULES for kind in KINDS}}, indent=2)


def _parity_verdicts(tmp_path: Path) -> Verdicts:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/settings.json", _settings())
    result = run(["check", "--select", "PAR014,PAR604", "--format", "json", str(repo)])
    assert result.code in (0, 1), result.err
    verdicts: Verdicts = {kind: dict.fromkeys(RULES, "ok") for kind in KINDS}
    for f in json.loads(result.out)["findings"]:
        _, _, kind, index = f["pointer"].split("/")
        rule = RULES[int(index)]
        expected = ("PAR014", "error") if f["code"] == "PAR014" else ("PAR604", "warning")
        assert (f["code"], f["severity"]) == expected
        if f["code"] == "PAR014" or verdicts[kind][rule] == "ok":
            verdicts[kind][rule] = "invalid" if f["code"] == "PAR014" else "warns"
    return verdicts


def _client_verdicts(root: Path) -> Verdicts:
    project = root / "project"
    write(project, ".claude/settings.json", _settings())
    doctor = doctor_problems(project, root / "home", root / "tmp")
    stderr = start_messages(project, root / "home", root / "tmp")
    assert REJECTED not in stderr  # a bad rule never makes the client reject the whole file
    warning_lines = [
        line
        for line in stderr.splitlines()
        if line.startswith("Permission ") and not line.startswith("  ")
    ]
    verdicts: Verdicts = {}
    for kind in KINDS:
        verdicts[kind] = {}
        for rule in RULES:
            invalid = f'permissions.{kind}: Invalid permission rule "{rule}" was skipped'
            if any(invalid in p for p in doctor):
                verdicts[kind][rule] = "invalid"
                continue
            shown = str(parse(rule))
            warned = any(
                line.startswith(f"Permission {kind} rule ")
                and (f'rule "{shown}" ' in line or f"): {shown} " in line)
                for line in warning_lines
            )
            verdicts[kind][rule] = "warns" if warned else "ok"
    if any(v == "invalid" for kind in KINDS for v in verdicts[kind].values()):
        assert SKIPPED in stderr  # ... it skips the entry: what parity reports as an error
    return verdicts


def _recorded() -> Verdicts:
    return {kind: dict(zip(RULES, DATA[kind], strict=True)) for kind in KINDS}


def test_recording_covers_every_rule() -> None:
    assert len(set(RULES)) == len(RULES)
    for kind in KINDS:
        assert len(DATA[kind]) == len(RULES)


def test_parity_agrees_with_the_recorded_client(tmp_path: Path) -> None:
    ours, recorded = _parity_verdicts(tmp_path), _recorded()
    disagreements = {
        (kind, rule): (recorded[kind][rule], ours[kind][rule])
        for kind in KINDS
        for rule in RULES
        if recorded[kind][rule] != ours[kind][rule]
    }
    assert not disagreements, f"(client, parity): {disagreements}"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("bash(git status)", "allow"), ("WebFetch(docs.example.com)", "allow"), ("Read()", "ask")],
)
def test_invalid_rules_are_errors_as_in_the_issue(text: str, kind: str, tmp_path: Path) -> None:
    # The two rules of the report: `claude doctor` calls the file invalid, so a CI gate at
    # --fail-on error must fail.
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/settings.json", json.dumps({"permissions": {kind: [text]}}))
    result = run(["check", "--fail-on", "error", "--format", "json", str(repo)])
    assert result.code == 1
    findings = json.loads(result.out)["findings"]
    assert [(f["code"], f["severity"]) for f in findings if f["code"] == "PAR014"] == [
        ("PAR014", "error")
    ]
    assert problem(text, kind) is not None


@pytest.mark.oracle
@pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)
def test_client_agrees_with_the_recording(tmp_path: Path) -> None:
    live = _client_verdicts(tmp_path)
    if RECORD:
        for kind in KINDS:
            DATA[kind] = [live[kind][rule] for rule in RULES]
        TABLE.write_text(json.dumps(DATA, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    recorded = _recorded()
    moved = {
        (kind, rule): (recorded[kind][rule], live[kind][rule])
        for kind in KINDS
        for rule in RULES
        if recorded[kind][rule] != live[kind][rule]
    }
    assert not moved, f"(recorded, client now): {moved}"
