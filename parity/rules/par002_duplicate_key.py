"""PAR002: a key given twice in one object; the client keeps only the last."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.model import Scope
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Report the second occurrence of each duplicated key."""
    for cf, doc in ctx.documents():
        if cf.scope is Scope.USER and not ctx.user:
            continue
        for issue in doc.issues:
            if issue.kind == "duplicate-key":
                yield Violation(issue.location, issue.message)


RULE = Rule(
    code="PAR002",
    name="duplicate-key",
    severity=Severity.WARNING,
    summary="A key appears twice in the same object; only the last value is used.",
    fix="Merge the two entries into one.",
    tags=("correctness",),
    check=check,
    docs="""
## What it does
Reports a key that appears more than once in the same JSON object or YAML mapping.

## Why is this bad?
The client keeps the last value and drops the first without a word: two `SessionStart` blocks or
two `permissions` objects in one file silently lose the first one.

## Example
```json
{"hooks": {"SessionStart": [...]}, "hooks": {"PostToolUse": [...]}}
```

## Fix
Merge both values under one key.
""",
)
