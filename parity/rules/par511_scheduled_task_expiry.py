"""PAR511: a recurring scheduled task that the client deletes after its maximum age."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.routines import schedule
from parity.rules._routines import at, tasks
from parity.rules.base import Context, Rule

_FIX = 'Add "permanent": true to the task to keep it, or recreate it when it ends.'


def check(ctx: Context) -> Iterator[Violation]:
    """Recurring tasks without ``permanent``: when they were, or will be, deleted."""
    now = None  # read only when a task expires: a report that depends on the date is not cached
    for task in tasks(ctx):
        expires = task.expires
        if expires is None:
            continue
        now = now or schedule.now()
        days = task.max_age.total_seconds() / 86400
        age = f"{days:g} day{'s' if days != 1 else ''}"
        when = expires.strftime("%Y-%m-%d %H:%M UTC")
        state = f"expired on {when}" if expires <= now else f"expires on {when}"
        yield Violation(
            at(task.doc, (*task.pointer, "recurring")),
            f'Recurring task "{task.id}" is not permanent, so the client deletes it {age} after '
            f"its createdAt: it {state}, fires one last time when next due, and is gone.",
            fix=_FIX,
        )


RULE = Rule(
    code="PAR511",
    name="scheduled-task-expiry",
    severity=Severity.WARNING,
    summary="A recurring scheduled task that the client deletes 7 days after it was created.",
    fix=_FIX,
    tags=("reliability", "routines"),
    check=check,
    docs="""
## What it does
Reports recurring tasks of `.claude/scheduled_tasks.json` without `"permanent": true`, with the
date they expire: `createdAt` plus 7 days, or plus `maxAgeMs` (within the scheduler's own
30-day limit).

## Why is this bad?
The client ends a recurring task when it reaches its maximum age: it fires one last time, tells
the session the job has ended, and deletes it from the file. A "daily" task committed to the
repository stops a week after it was made.

## Example
```json
{"tasks": [{"id": "7a14fa7c", "cron": "13 9 * * 1-5", "prompt": "Audit dependencies",
            "createdAt": 1775880219539, "recurring": true}]}
```

## Fix
```json
{"tasks": [{"id": "7a14fa7c", "cron": "13 9 * * 1-5", "prompt": "Audit dependencies",
            "createdAt": 1775880219539, "recurring": true, "permanent": true}]}
```
""",
)
