"""GitHub Actions workflow commands (``::error file=…::message``), escaped as the runner expects."""

from __future__ import annotations

from collections.abc import Iterable

from parity.findings import Finding, Severity
from parity.report import Report
from parity.text import display

_LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def escape_data(text: str) -> str:
    """Escape a message (the part after ``::``)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a property value (``file=``, ``title=``)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def most_severe_first(findings: Iterable[Finding]) -> list[Finding]:
    """Findings ordered errors first, then by place (GitHub shows only the first few)."""
    return sorted(findings, key=lambda f: (-f.severity, f.path, f.line, f.column))


def level(severity: Severity) -> str:
    """The workflow command for a severity: ``error``, ``warning`` or ``notice``."""
    return _LEVEL[severity]


def command(f: Finding) -> str:
    """One finding as one escaped workflow command line (newline included)."""
    props = [
        f"file={escape_property(display(f.path))}",
        f"line={f.line}",
        f"col={f.column}",
        f"endLine={f.end_line}",
        f"endColumn={f.end_column}",
        f"title={escape_property(f'parity {f.code} ({f.name})')}",
    ]
    # Controls in what the repository wrote are made visible; the line break before the fix
    # is ours, and escape_data keeps it inside the one command line.
    body = display(f.message) + (f"\nFix: {display(f.fix)}" if f.fix else "")
    return f"::{_LEVEL[f.severity]} {','.join(props)}::{escape_data(body)}\n"


def render(report: Report, *, color: bool = False) -> str:
    """One workflow command per finding, most severe first (GitHub shows only the first few)."""
    del color
    return "".join(command(f) for f in most_severe_first(report.findings))
