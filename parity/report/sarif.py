"""SARIF 2.1.0 for code scanning, with rule metadata from the registry and stable fingerprints."""

from __future__ import annotations

from urllib.parse import quote

from parity import __version__
from parity.findings import Finding, Safety, Severity
from parity.report import Report
from parity.secrets import redact
from parity.text import display, dumps

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFO_URI = "https://pypi.org/project/claude-parity/"
_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
_PROBLEM = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "recommendation"}


def render(report: Report, *, color: bool = False) -> str:
    """A SARIF log with one run; GitHub's required fields are all present."""
    del color
    rules = sorted({r.code: r for r in report.rules}.values(), key=lambda r: r.code)
    # Findings can come from rules outside the selection (never in practice): keep indexes valid.
    index = {r.code: i for i, r in enumerate(rules)}
    driver_rules = []
    for rule in rules:
        tags = ["claude-code", *rule.tags]
        entry: dict[str, object] = {
            "id": rule.code,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.summary},
            "help": {"text": rule.docs.strip(), "markdown": rule.markdown()},
            "defaultConfiguration": {"level": _LEVEL[rule.severity]},
            "properties": {
                "tags": tags,
                "precision": "high",
                "problem.severity": _PROBLEM[rule.severity],
            },
        }
        if "security" in rule.tags:
            entry["properties"] = {**entry["properties"], "security-severity": "8.0"}  # type: ignore[dict-item]
        driver_rules.append(entry)
    results = []
    for f in report.findings:
        result: dict[str, object] = {
            "ruleId": f.code,
            "level": _LEVEL[f.severity],
            "message": {"text": display(f.message + (f" Fix: {f.fix}" if f.fix else ""))},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": uri(f.path), "uriBaseId": "%SRCROOT%"},
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                        },
                    }
                }
            ],
            "partialFingerprints": {"primaryLocationLineHash": f"{f.fingerprint}:1"},
        }
        if f.code in index:
            result["ruleIndex"] = index[f.code]
        if f.pointer:
            result["properties"] = {"jsonPointer": f.pointer}
        fixes = _fixes(f)
        if fixes:
            result["fixes"] = fixes
        results.append(result)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "claude-parity",
                        "semanticVersion": __version__,
                        "informationUri": INFO_URI,
                        "rules": driver_rules,
                    }
                },
                "automationDetails": {"id": "claude-parity/"},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
    return dumps(doc) + "\n"


def _fixes(finding: Finding) -> list[dict[str, object]]:
    """SARIF ``fixes``: the fix's replacements, file by file, for code scanning to show (masked
    like every output; a fix that only changes modes or declarations has none)."""
    fix = finding.autofix
    if fix is None or finding.applicability is None or not fix.edits:
        return []
    by_path: dict[str, list[dict[str, object]]] = {}
    for edit in fix.edits:
        by_path.setdefault(edit.path, []).append(
            {
                "deletedRegion": {
                    "startLine": edit.line,
                    "startColumn": edit.column,
                    "endLine": edit.end_line,
                    "endColumn": edit.end_column,
                },
                "insertedContent": {"text": redact(edit.content)},
            }
        )
    flag = "--fix" if finding.applicability is Safety.SAFE else "--fix --unsafe-fixes"
    return [
        {
            "description": {"text": display(f"{redact(fix.title)} (`parity check {flag}`)")},
            "artifactChanges": [
                {
                    "artifactLocation": {"uri": uri(path), "uriBaseId": "%SRCROOT%"},
                    "replacements": replacements,
                }
                for path, replacements in by_path.items()
            ],
        }
    ]


def uri(path: str) -> str:
    """A repository path as the relative URI SARIF wants: the file name's bytes percent-encoded.

    A space, a ``#``, a control character or a name that is not UTF-8 (which arrives with lone
    surrogates in it) would otherwise make an invalid URI or point at another file.
    """
    try:
        raw = path.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate no file name decodes to: show it, escaped
        raw = display(path).encode("utf-8")
    return quote(raw, safe="/")
