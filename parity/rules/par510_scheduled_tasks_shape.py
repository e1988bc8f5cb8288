"""PAR510: a .claude/scheduled_tasks.json whose shape makes the client skip tasks or the file."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._routines import at, task_documents
from parity.rules._settings import dotted
from parity.rules.base import Context, Rule
from parity.validate import DROP, REJECT, SKIP, problems

CONSEQUENCE = {
    REJECT: "The client reads the file as unreadable: none of its tasks run.",
    SKIP: "The client skips this task.",
    DROP: "The client does not read this value as written, and leaves it out when it rewrites "
    "the file.",
}


def check(ctx: Context) -> Iterator[Violation]:
    """Validate each scheduled tasks file against ``scheduled-tasks.schema.json``."""
    for _cf, doc in task_documents(ctx):
        for problem in problems("scheduled-tasks", doc.value):
            yield Violation(
                at(doc, problem.path, key=problem.on_key),
                f"{dotted(problem.path)}: {problem.message}. {CONSEQUENCE[problem.behaviour]}",
                fix=problem.fix,
                severity=Severity.WARNING if problem.behaviour == DROP else None,
            )


RULE = Rule(
    code="PAR510",
    name="scheduled-tasks-shape",
    severity=Severity.ERROR,
    variants=((Severity.WARNING, "for a value the client drops silently, keeping the task"),),
    summary="A .claude/scheduled_tasks.json whose shape makes the client skip tasks or the file.",
    fix='Follow the shape {"tasks": [{"id", "cron", "prompt", "createdAt", ...}]}.',
    tags=("correctness", "routines"),
    check=check,
    docs="""
## What it does
Validates `.claude/scheduled_tasks.json` (the durable tasks of the in-session scheduler:
CronCreate, `/loop`) against the shape client 2.1.330 reads (`parity schema scheduled-tasks`):
a `tasks` array of objects with string `id`, `cron` and `prompt` and a numeric `createdAt`
(epoch milliseconds), and optional `recurring`, `permanent`, `lastFiredAt`, `maxAgeMs`,
`plugin` and bookkeeping fields. Cron syntax is PAR501's business.

## Why is this bad?
Without a `tasks` array the client reads the file as unreadable and runs none of it; a task
missing a field, or with a number where a string belongs, is skipped with only a debug-log
line. `"recurring": "false"` is truthy, so the task repeats. Keys the client does not know
are lost the next time it rewrites the file.

## Example
```json
{"tasks": [{"id": "a1b2c3d4", "cron": "7 9 * * 1-5", "prompt": "Standup notes",
            "createdAt": "2026-04-11", "recurring": "true"}]}
```

## Fix
```json
{"tasks": [{"id": "a1b2c3d4", "cron": "7 9 * * 1-5", "prompt": "Standup notes",
            "createdAt": 1775880219539, "recurring": true}]}
```
""",
)
