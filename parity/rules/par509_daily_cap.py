"""PAR509: routines whose schedules add up to more runs a day than the declared daily cap."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.routines.schedule import runs_by_weekday
from parity.rules._routines import at, routines, valid_cron
from parity.rules.base import Context, Rule

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def check(ctx: Context) -> Iterator[Violation]:
    """Sum the scheduled runs of every routine per weekday and compare the busiest day."""
    cap = ctx.config.daily_cap
    if cap is None:
        return
    found = routines(ctx)
    if not found:
        return
    totals = [0.0] * 7
    per_routine: dict[str, float] = {}
    for routine in found:
        for schedule in routine.schedules:
            spec = valid_cron(schedule)
            if spec is None:
                continue  # one-off runs do not count against the cap
            counts = runs_by_weekday(*spec)
            for day, count in enumerate(counts):
                totals[day] += count
            per_routine[routine.name] = per_routine.get(routine.name, 0.0) + max(counts)
    busiest = max(range(7), key=lambda d: totals[d])
    total = totals[busiest]
    if total <= cap:
        return
    top = sorted(per_routine.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    listed = ", ".join(f"{name} {_num(n)}" for name, n in top)
    first = found[0]
    yield Violation(
        at(first.doc, ("routines",), key=True),
        f"Routine schedules add up to {_num(total)} runs on a {DAYS[busiest]}, over the daily cap "
        f"of {cap} declared in routines.daily-cap (most: {listed}); GitHub and API triggers come "
        "on top. Runs past the account's cap do not happen.",
        fix="Run some routines less often, merge routines that do related work, or raise "
        "routines.daily-cap if the account's cap is higher.",
    )


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.1f}"


RULE = Rule(
    code="PAR509",
    name="daily-cap",
    severity=Severity.WARNING,
    summary="Routine schedules add up to more runs a day than the declared daily cap.",
    fix="Schedule fewer runs, or raise routines.daily-cap to the account's real cap.",
    tags=("reliability", "routines"),
    check=check,
    docs="""
## What it does
When the toolkit config declares the account's daily routine cap (`[tool.parity.routines]
daily-cap = N`), counts with croniter the scheduled runs of every routine on each day of a week
and reports the busiest day when it is over the cap. One-off (`once`) runs do not count against
the cap; GitHub and API triggers cannot be predicted and are not counted.

## Why is this bad?
Routine runs draw on a per-account daily cap. Once it is used up, later runs that day do not
happen, so the routines scheduled last (often the nightly ones) are the ones that silently
stop.

## Example
```toml
[tool.parity.routines]
daily-cap = 15
```
```yaml
- name: triage
  triggers: [{schedule: {cron: "7 * * * *"}}]   # 24 runs a day
```

## Fix
```yaml
- name: triage
  triggers: [{schedule: {cron: "7 8-18/2 * * 1-5"}}]   # 6 runs on weekdays
```
""",
)
