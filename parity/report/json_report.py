"""The JSON report: a documented contract (``schemas/report.schema.json``) other tools read."""

from __future__ import annotations

import json

from parity import __version__
from parity.report import Report

REPORT_VERSION = 1


def render(report: Report, *, color: bool = False) -> str:
    """The report as JSON: ``{"version", "tool", "findings": [...], "summary": {...}}``."""
    del color
    doc = {
        "version": REPORT_VERSION,
        "tool": {"name": "claude-parity", "version": __version__},
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity.label,
                "message": f.message,
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "end_line": f.end_line,
                "end_column": f.end_column,
                "pointer": f.pointer,
                "fix": f.fix,
                "fingerprint": f.fingerprint,
            }
            for f in report.findings
        ],
        "summary": report.summary(),
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
