"""The human report: findings grouped by file, a fix under each, repeats folded, a summary line."""

from __future__ import annotations

import io
from collections import defaultdict
from operator import attrgetter
from typing import TYPE_CHECKING

from parity.findings import Finding, Severity
from parity.report import Report

if TYPE_CHECKING:
    from parity.report.fold import Note

_PATH = attrgetter("path")
# Indexed by a severity's value (a dict keyed by the enum hashes through a Python method).
_STYLE = ("", "cyan", "yellow", "bold red")
# Each severity's label as the report aligns it, indexed the same way.
_LABEL = ("", *(Severity(n).label.ljust(7) for n in range(1, len(_STYLE))))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(report: Report) -> str:
    """``Found 3 problems (2 errors, 1 warning) in 2 files.`` or ``No problems found …``."""
    counts = report.counts()
    n = len(report.findings)
    files = len(set(map(_PATH, report.findings)))
    tail = f" ({report.baselined} in the baseline)" if report.baselined else ""
    if not n:
        return f"No problems found in {_plural(report.files_checked, 'file')}{tail}."
    parts = [
        _plural(counts[s.label], s.label) for s in sorted(Severity, reverse=True) if counts[s.label]
    ]
    return f"Found {_plural(n, 'problem')} ({', '.join(parts)}) in {_plural(files, 'file')}{tail}."


Segment = tuple[str, str]  # (text, rich style)


def _lines(report: Report, show_all: bool) -> list[list[Segment]]:
    out, hidden = _finding_lines(report, show_all) if report.findings else ([], 0)
    style = "bold red" if report.failing() else "bold green"
    out.append([(summary_line(report), style)])
    if hidden:
        out.append(
            [
                (
                    f"{_plural(hidden, 'repeated finding')} folded into the … lines; "
                    "--show-all lists every one (--format json always does).",
                    "",
                )
            ]
        )
    hint = fixable_line(report)
    if hint:
        out.append([(hint, "")])
    return out


def _finding_lines(report: Report, show_all: bool) -> tuple[list[list[Segment]], int]:
    """The findings' lines, by file, and how many repeats were folded away."""
    # Imported here: a clean report (the common start-up case) needs neither.
    from parity.report.fold import Folded, fold
    from parity.text import display

    folded = Folded(report.findings, {}) if show_all else fold(report.findings)
    by_path: dict[str, list[tuple[Finding, list[Note]]]] = defaultdict(list)
    notes = folded.notes
    for i, f in enumerate(folded.shown):
        by_path[f.path].append((f, notes.get(i, [])))
    out: list[list[Segment]] = []
    for path in sorted(by_path):
        # Paths, messages and fixes quote the repository: no control character reaches the
        # terminal (findings' messages are display text already; paths are file names as given).
        out.append([(display(path), "bold underline")])
        shown = by_path[path]
        places = [f"{f.line}:{f.column}" for f, _ in shown]
        width = max(map(len, places))
        indent = " " * (width + 4)
        for (f, after), place in zip(shown, places, strict=True):
            severity = f.severity
            out.append(
                [
                    ("  " + place.ljust(width) + "  ", ""),
                    (_LABEL[severity], _STYLE[severity]),
                    (" " + f.code + " ", "bold"),
                    (display(f.message), ""),
                ]
            )
            if f.fix:
                out.append([(indent + "fix: " + display(f.fix), "dim")])
            for note in after:
                out.append([(indent + display(note.text()), "bold")])
        out.append([])
    return out, folded.hidden


def fixable_line(report: Report) -> str:
    """``2 fixable with `parity check --fix` (1 more with `--unsafe-fixes`).`` or ""."""
    safe, unsafe = report.fixable()
    if not safe and not unsafe:
        return ""
    more = f" ({unsafe} more with `--fix --unsafe-fixes`)" if unsafe and safe else ""
    if not safe:
        return f"{unsafe} fixable with `parity check --fix --unsafe-fixes`."
    return f"{safe} fixable with `parity check --fix`{more}."


def render(report: Report, *, color: bool = False, show_all: bool = False) -> str:
    """The report as text; ANSI colour (through rich) only when ``color`` is asked for.

    Repeated findings are folded (parity.report.fold) unless ``show_all``.
    """
    lines = _lines(report, show_all)
    if not color:
        # Plain output needs no styling library: rich is only imported for a terminal.
        return "\n".join(["".join([text for text, _ in line]) for line in lines]) + "\n"
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf,
        force_terminal=True,
        color_system="standard",
        width=100,
        highlight=False,
        emoji=False,
        markup=False,
    )
    for line in lines:
        text = Text()
        for part, part_style in line:
            text.append(part, style=part_style or None)
        console.print(text)
    return buf.getvalue()
