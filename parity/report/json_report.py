"""The JSON report: a documented contract (``schemas/report.schema.json``) other tools read."""

from __future__ import annotations

from parity import __version__
from parity.report import Report
from parity.text import display, dumps

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
                "message": display(f.message),
                "path": f.path,
                "line": f.line,
                "column": f.column,
                "end_line": f.end_line,
                "end_column": f.end_column,
                "pointer": f.pointer,
                "fix": display(f.fix) if f.fix is not None else None,
                "fingerprint": f.fingerprint,
                "autofix": report.autofix(f),
            }
            for f in report.findings
        ],
        "summary": report.summary(),
    }
    # Paths and pointers stay exact (a consumer maps them back to the file); dumps() escapes
    # what a terminal or a strict reader would otherwise get raw.
    return dumps(doc) + "\n"
