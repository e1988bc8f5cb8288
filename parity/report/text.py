"""The human report: findings grouped by file, a fix under each, a summary line (rich)."""

from __future__ import annotations

import io
from collections import defaultdict

from parity.findings import Finding, Severity
from parity.report import Report

_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report: Report) -> str:
    """``Found 3 problems (2 errors, 1 warning) in 2 files.`` or ``No problems found …``."""
    counts = report.counts()
    n = len(report.findings)
    files = len({f.path for f in report.findings})
    tail = f" ({report.baselined} in the baseline)" if report.baselined else ""
    if not n:
        return f"No problems found in {_plural(report.files_checked, 'file')}{tail}."
    parts = [
        _plural(counts[s.label], s.label) for s in sorted(Severity, reverse=True) if counts[s.label]
    ]
    return f"Found {_plural(n, 'problem')} ({', '.join(parts)}) in {_plural(files, 'file')}{tail}."


def render(report: Report, *, color: bool = False) -> str:
    """The report as text; ANSI colour only when ``color`` (a terminal without NO_COLOR)."""
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=color,
        no_color=not color,
        color_system="standard" if color else None,
        width=100 if color else 10_000,
        highlight=False,
        emoji=False,
        markup=False,
    )
    by_path: dict[str, list[Finding]] = defaultdict(list)
    for f in report.findings:
        by_path[f.path].append(f)
    for path in sorted(by_path):
        console.print(Text(path, style="bold underline"))
        width = max(len(f"{f.line}:{f.column}") for f in by_path[path])
        for f in by_path[path]:
            line = Text(f"  {f'{f.line}:{f.column}':<{width}}  ")
            line.append(f"{f.severity.label:<7}", style=_STYLE[f.severity])
            line.append(f" {f.code} ", style="bold")
            line.append(f.message)
            console.print(line, soft_wrap=not color)
            if f.fix:
                fix = Text(" " * (width + 4) + f"fix: {f.fix}", style="dim")
                console.print(fix, soft_wrap=not color)
        console.print()
    style = "bold red" if report.failing() else "bold green"
    console.print(Text(summary_line(report), style=style))
    return buf.getvalue()
