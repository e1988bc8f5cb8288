"""The report of a check, the exit code decided from it, and the registry of output formats."""

from __future__ import annotations

import gc
import importlib
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import repeat
from operator import attrgetter, is_
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from parity.findings import Finding, Severity

if TYPE_CHECKING:
    from parity.rules.base import Rule

# A finding's severity and its fix's applicability, read in C (map) rather than per finding in a
# generator.
_SEVERITY = attrgetter("severity")
_APPLICABILITY = attrgetter("applicability")

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2
EXIT_INTERNAL = 3

# Output format name -> module in this package exposing ``render(report, *, color) -> str``.
FORMATS: dict[str, str] = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "github": "github",
    "junit": "junit",
}


class Report(NamedTuple):
    """What a check found; reporters only render it."""

    findings: tuple[Finding, ...]
    rules: Sequence[Rule] = ()  # a cached report imports its rules only if they are read
    files_checked: int = 0
    fail_on: Severity = Severity.WARNING
    baselined: int = 0
    root: Path | None = None
    fix_by_default: bool = False  # the configuration says `fix = true`

    def fixable(self) -> tuple[int, int]:
        """How many findings carry a safe fix, and how many an unsafe one (``--unsafe-fixes``)."""
        from parity.findings import Safety

        # (Counted in C, by identity as `is` tests: a file dense with findings has thousands.)
        applicability = list(map(_APPLICABILITY, self.findings))
        safe = sum(map(is_, applicability, repeat(Safety.SAFE)))
        unsafe = sum(map(is_, applicability, repeat(Safety.UNSAFE)))
        return safe, unsafe

    def counts(self) -> dict[str, int]:
        """Findings per severity label, every label present."""
        # (Counted by severity, whose labels differ: the same counts as by label.)
        counted = Counter(map(_SEVERITY, self.findings))
        return {s.label: counted.get(s, 0) for s in sorted(Severity, reverse=True)}

    def failing(self) -> list[Finding]:
        """Findings at or above the failure threshold."""
        fail_on = self.fail_on
        return [f for f in self.findings if f.severity >= fail_on]

    def exit_code(self, *, exit_zero: bool = False) -> int:
        """0 when nothing reaches the threshold (or ``exit_zero``), 1 otherwise."""
        if exit_zero or not self.failing():
            return EXIT_CLEAN
        return EXIT_FINDINGS

    def autofix(self, finding: Finding) -> dict[str, object] | None:
        """What ``parity check --fix`` would do for ``finding``, as the JSON report and SARIF's
        ``fixes`` carry it; None when it has no fix or the configuration makes it unfixable.

        Replacement text is masked like every other output (a fix never writes a secret, but
        the report is no place to find out).
        """
        from parity.secrets import redact

        fix = finding.autofix
        if fix is None or finding.applicability is None:
            return None
        return {
            "title": redact(fix.title),
            "applicability": finding.applicability.value,
            "edits": [
                {
                    "path": e.path,
                    "line": e.line,
                    "column": e.column,
                    "end_line": e.end_line,
                    "end_column": e.end_column,
                    "content": redact(e.content),
                }
                for e in fix.edits
            ],
            "executable": list(fix.executable),
            "environment": list(fix.environment),
        }

    def summary(self) -> dict[str, object]:
        """The summary block shared by the JSON, SARIF and text reports."""
        counts = self.counts()
        return {
            "errors": counts["error"],
            "warnings": counts["warning"],
            "infos": counts["info"],
            "total": len(self.findings),
            "files_checked": self.files_checked,
            "baselined": self.baselined,
            "fail_on": self.fail_on.label,
            "failed": bool(self.failing()),
        }


Renderer = Callable[..., str]


def renderer(name: str) -> Renderer:
    """The render function of output format ``name`` (imported only when used), run with the
    cyclic garbage collector paused (see :class:`CollectorPaused`)."""
    module = importlib.import_module(f"parity.report.{FORMATS[name]}")
    render: Renderer = module.render

    def paused(*args: Any, **kwargs: Any) -> str:
        with CollectorPaused():
            return render(*args, **kwargs)

    return paused


class CollectorPaused:
    """The cyclic garbage collector paused for a stage that makes objects by the thousand and no
    garbage cycles: running the rules and rendering their report (a file dense with keys has
    thousands of findings, each a few tuples and strings that reference counting frees).

    Each collection walks every object alive, the imports' too, and frees nothing here: about
    4% of a check of a file dense with keys (111 M of 3,000 M instructions), 1% of a typical
    one; peak memory on the benchmark's inputs is within 0.6 MB of a run that collects. The
    collector runs again afterwards if it was running before (an in-process caller's too).
    """

    __slots__ = ("_was",)

    def __enter__(self) -> None:
        self._was = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc: object) -> None:
        if self._was:
            gc.enable()


def statistics(report: Report) -> str:
    """ruff-style counts: one line per rule, most frequent first."""
    counted = Counter((f.code, f.name) for f in report.findings)
    rows = sorted(counted.items(), key=lambda kv: (-kv[1], kv[0][0]))
    width = max((len(str(n)) for _, n in rows), default=1)
    return "".join(f"{n:>{width}}\t{code}\t{name}\n" for (code, name), n in rows)
