"""PAR003: a byte-order mark or a non-UTF-8 encoding at the start of a configuration file."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.model import Scope
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Report files that start with a byte-order mark."""
    for cf, doc in ctx.documents():
        if cf.scope is Scope.USER and not ctx.user:
            continue
        for issue in doc.issues:
            if issue.kind == "bom":
                yield Violation(issue.location, issue.message)


RULE = Rule(
    code="PAR003",
    name="byte-order-mark",
    severity=Severity.WARNING,
    summary="A configuration file starts with a byte-order mark or is not UTF-8.",
    fix="Save the file as UTF-8 without a byte-order mark.",
    tags=("portability",),
    check=check,
    docs="""
## What it does
Reports configuration files that begin with a UTF-8 or UTF-16 byte-order mark.

## Why is this bad?
JavaScript's `JSON.parse` does not accept a byte-order mark, and editors on some platforms add
one silently. Whether a given tool strips it varies, so the same file can load on one machine and
be rejected on another.

## Example
A `settings.json` saved as "UTF-8 with BOM" by an editor on Windows.

## Fix
Save the file as plain UTF-8.
""",
)
