"""PAR501: a cron expression, preset time or timestamp that cannot be scheduled."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.routines.schedule import cron_problem
from parity.rules._routines import at, routines, tasks
from parity.rules.base import Context, Rule

_CRON_FIX = (
    'Write a 5-field cron "minute hour day-of-month month day-of-week", e.g. "7 3 * * *" '
    "(every day at 03:07)."
)


def check(ctx: Context) -> Iterator[Violation]:
    """Routine schedules and scheduled-task crons, checked with croniter."""
    for routine in routines(ctx):
        for schedule in routine.schedules:
            if schedule.problem is not None:
                if schedule.in_schema:
                    continue  # PAR500 reports it where the routines schema fails
                yield Violation(
                    at(routine.doc, (*schedule.pointer, schedule.key)),
                    f'Routine "{routine.name}": the schedule {schedule.problem}.',
                    fix=_fix(schedule.key),
                )
                continue
            if schedule.cron is None or schedule.key != "cron":
                continue
            problem = cron_problem(schedule.cron)
            if problem is not None:
                yield Violation(
                    at(routine.doc, (*schedule.pointer, "cron")),
                    f'Routine "{routine.name}": cron "{schedule.cron}" {problem}. The routine '
                    "never runs on this schedule.",
                    fix=_CRON_FIX,
                )
    for task in tasks(ctx):
        problem = cron_problem(task.cron, client=True)
        if problem is not None:
            yield Violation(
                at(task.doc, (*task.pointer, "cron")),
                f'Scheduled task "{task.id}": cron "{task.cron}" {problem}. The client skips '
                "this task.",
                fix=_CRON_FIX.replace("(every day", "(local time, every day"),
            )


def _fix(key: str) -> str:
    return {
        "at": 'Quote the time as "HH:MM" (24-hour), e.g. at: "03:07".',
        "once": 'Write an ISO 8601 timestamp with a zone, e.g. once: "2026-12-01T09:00:00Z".',
        "timezone": 'Use an IANA zone name such as "Europe/Paris" or "America/New_York".',
        "preset": "Use hourly, daily, weekdays or weekly.",
        "day": "Use a weekday name such as monday.",
    }.get(key, _CRON_FIX)


RULE = Rule(
    code="PAR501",
    name="invalid-schedule",
    severity=Severity.ERROR,
    summary="A cron expression, preset time or timestamp that cannot be scheduled.",
    fix=_CRON_FIX,
    tags=("correctness", "routines"),
    check=check,
    docs="""
## What it does
Parses every routine `cron` with croniter and requires the 5 standard fields (no seconds field,
no `@daily`, no croniter-only `L`, `W`, `#` or `?`), and reports crons that never fire (`0 0 30
2 *`), preset times that are not `"HH:MM"`, `once` timestamps without a zone, and unknown time
zones. In `.claude/scheduled_tasks.json` it applies the client's own, narrower cron parser
(2.1.330): numbers, `*`, `a-b`, `*/n`, `a-b/n` and comma lists only — a task written with
`MON-FRI` or `5/15` is skipped by the client.

## Why is this bad?
A schedule that does not parse never fires: the routine or task silently does nothing.

## Example
```yaml
triggers:
  - schedule: {cron: "0 9 * * * *"}
```

## Fix
```yaml
triggers:
  - schedule: {cron: "7 9 * * *"}
```
""",
)
