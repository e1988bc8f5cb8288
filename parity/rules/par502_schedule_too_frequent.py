"""PAR502: a routine schedule that fires more often than once an hour."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.routines.schedule import MIN_INTERVAL, describe_gap, min_gap
from parity.rules._routines import at, routines, valid_cron
from parity.rules.base import Context, Rule

_FIX = (
    'Fire at most once an hour, e.g. "7 * * * *" (every hour at :07); to react faster, use a '
    "GitHub or API trigger."
)


def check(ctx: Context) -> Iterator[Violation]:
    """The shortest gap between consecutive fires over a week, per routine schedule."""
    for routine in routines(ctx):
        for schedule in routine.schedules:
            spec = valid_cron(schedule)
            if spec is None:
                continue
            gap = min_gap(*spec, stop_below=MIN_INTERVAL)
            if gap is None or gap >= MIN_INTERVAL:
                continue
            yield Violation(
                at(routine.doc, (*schedule.pointer, schedule.key)),
                f'Routine "{routine.name}": "{schedule.cron}" fires {describe_gap(gap)} apart; '
                "routines run at most once an hour, and the cloud rejects a more frequent "
                "schedule.",
                fix=_FIX,
            )


RULE = Rule(
    code="PAR502",
    name="schedule-too-frequent",
    severity=Severity.ERROR,
    summary="A routine schedule that fires more often than once an hour.",
    fix=_FIX,
    tags=("correctness", "routines"),
    check=check,
    docs="""
## What it does
Computes, with croniter, the shortest time between consecutive fire times of each routine
schedule over a week, and reports schedules under one hour (`*/15 * * * *`, `0,30 9 * * *`).
Scheduled tasks of `.claude/scheduled_tasks.json` are not concerned: the in-session scheduler
fires every minute if asked.

## Why is this bad?
The minimum interval of a routine schedule is one hour: the cloud rejects a more frequent
custom cron, so the routine is not saved as written.

## Example
```yaml
- schedule: {cron: "*/15 * * * *"}
```

## Fix
```yaml
- schedule: {cron: "7 * * * *"}      # hourly at :07
- github: {event: pull_request.opened} # or react to the event itself
```
""",
)
