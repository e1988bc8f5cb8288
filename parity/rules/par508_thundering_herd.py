"""PAR508: routines that start at the same :00 or :30 moment."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone

from parity.findings import Severity, Violation
from parity.routines.model import Routine, Schedule
from parity.routines.schedule import ANCHOR, WINDOW, iter_fires
from parity.rules._routines import at, routines, valid_cron
from parity.rules.base import Context, Rule

# Minutes offered instead of :00 and :30, in order: away from the round marks everybody picks.
QUIET_MINUTES = (7, 13, 19, 23, 37, 43, 47, 53, 3, 17, 27, 33, 41, 49, 57, 11)


@dataclass(frozen=True)
class _Candidate:
    routine: Routine
    schedule: Schedule
    fires: frozenset[datetime]


def check(ctx: Context) -> Iterator[Violation]:
    """Schedules that fire only at :00/:30 and share a fire time with an earlier such schedule."""
    candidates: list[_Candidate] = []
    used: set[int] = set()
    for routine in routines(ctx):
        for schedule in routine.schedules:
            spec = valid_cron(schedule)
            if spec is None:
                continue
            fires: set[datetime] = set()
            on_marks = True
            for n, local in enumerate(iter_fires(*spec, ANCHOR, limit=400)):
                fire = local.astimezone(timezone.utc)
                # A schedule off the marks is no candidate; its first minutes are enough to
                # know which minutes it takes.
                if fire >= ANCHOR + WINDOW or (not on_marks and n >= 60):
                    break
                used.add(fire.minute)
                fires.add(fire)
                on_marks = on_marks and fire.minute in (0, 30)
            if fires and on_marks:
                candidates.append(_Candidate(routine, schedule, frozenset(fires)))
    offers = iter(m for m in QUIET_MINUTES if m not in used)
    for i, cand in enumerate(candidates):
        earlier = next((c for c in candidates[:i] if c.fires & cand.fires), None)
        if earlier is None:
            continue
        when = min(cand.fires & earlier.fires).strftime("%a %H:%M UTC")
        minute = next(offers, 7)
        suggestion = _suggest(cand.schedule, minute)
        yield Violation(
            at(cand.routine.doc, (*cand.schedule.pointer, cand.schedule.key)),
            f'Routine "{cand.routine.name}" starts at the same moment as routine '
            f'"{earlier.routine.name}" (e.g. {when}), on a :00/:30 mark where scheduled work '
            "piles up; runs that start together compete for the account's capacity and hit the "
            "same services at once.",
            fix=f"Offset it to minute {minute:02d}: {suggestion}." if suggestion else None,
        )


def _suggest(schedule: Schedule, minute: int) -> str | None:
    if schedule.key == "cron" and schedule.cron is not None:
        fields = schedule.cron.split()
        if fields[0] in ("0", "30"):
            return 'cron: "' + " ".join([str(minute), *fields[1:]]) + '"'
        if fields[0] in ("0,30", "*/30", "30,0"):
            return 'cron: "' + " ".join([f"{minute},{minute + 30}", *fields[1:]]) + '"'
        return f"fire at minute {minute:02d} instead of :00/:30"
    if schedule.preset is not None and schedule.cron is not None:
        hour = schedule.cron.split()[1]
        if schedule.preset == "hourly":
            return f'at: ":{minute:02d}"'
        return f'at: "{int(hour):02d}:{minute:02d}"'
    return None


RULE = Rule(
    code="PAR508",
    name="thundering-herd",
    severity=Severity.INFO,
    summary="Several routines start at the same :00 or :30 moment.",
    fix='Move the schedule off the round mark, e.g. "7 3 * * *" instead of "0 3 * * *".',
    tags=("reliability", "routines"),
    check=check,
    docs="""
## What it does
Finds routine schedules that fire only on the hour or the half hour and share at least one fire
time (over a week) with an earlier routine schedule in the repository, and suggests a minute
that no schedule of the repository uses (7, 13, 19, …). The first schedule of each group is left
alone.

## Why is this bad?
":00" and ":30" are what everybody picks, so work scheduled there lands at the same instant:
your routines compete with each other (and with everyone else's) for capacity and hit the same
APIs together. Claude Code itself steers its own schedules away from these marks.

## Example
```yaml
- name: nightly-audit
  triggers: [{schedule: {cron: "0 3 * * *"}}]
- name: nightly-deps
  triggers: [{schedule: {cron: "0 3 * * *"}}]
```

## Fix
```yaml
- name: nightly-deps
  triggers: [{schedule: {cron: "7 3 * * *"}}]
```
""",
)
