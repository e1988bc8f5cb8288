"""When each routine and scheduled task fires next: ``parity routines next``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from parity.load import Document
from parity.model import Inventory, Kind
from parity.routines.model import (
    Pointer,
    Routine,
    Schedule,
    ScheduledTask,
    read_routines,
    read_tasks,
)
from parity.routines.schedule import (
    DEFAULT_JITTER,
    Fire,
    Jitter,
    cron_problem,
    iter_fires,
    one_shot_fire,
    recurring_fires,
    zone,
)
from parity.text import clean, dumps


@dataclass(frozen=True)
class Upcoming:
    """One row of the preview: a fire (or why there is none) of one schedule."""

    source: str
    line: int
    kind: str  # "routine" or "task"
    name: str
    schedule: str
    nominal: datetime | None = None
    fires_at: datetime | None = None
    note: str = ""

    @property
    def jitter(self) -> timedelta | None:
        """How far the client moves the fire from the cron's time (None without a fire)."""
        if self.nominal is None or self.fires_at is None:
            return None
        return self.fires_at - self.nominal


def upcoming(
    inventory: Inventory,
    *,
    now: datetime,
    count: int,
    tz: tzinfo,
    jitter: Jitter = DEFAULT_JITTER,
) -> list[Upcoming]:
    """The next ``count`` fires of every schedule of the inventory, soonest first.

    Routine crons are read in their own ``timezone`` (UTC by default) and shown as the cron
    says: the cloud's per-routine stagger is not published. Scheduled tasks are read in ``tz``
    (the client uses the machine's local zone) with the client's deterministic jitter.
    """
    rows: list[Upcoming] = []
    for cf, doc in inventory.documents(Kind.ROUTINES):
        if doc.ok and not doc.empty:
            for routine in read_routines(cf, doc):
                rows.extend(_routine_rows(routine, now, count))
    for cf, doc in inventory.documents(Kind.SCHEDULED_TASKS):
        if doc.ok and not doc.empty:
            for task in read_tasks(cf, doc):
                rows.extend(_task_rows(task, now, count, tz, jitter))
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda r: (r.fires_at or far, r.source, r.line, r.name))


def _line(doc: Document, pointer: Pointer) -> int:
    return doc.locate(list(pointer)).line


def _routine_rows(routine: Routine, now: datetime, count: int) -> Iterable[Upcoming]:
    for schedule in routine.schedules:
        row = Upcoming(
            routine.doc.display,
            _line(routine.doc, (*schedule.pointer, schedule.key or "")),
            "routine",
            routine.name,
            _label(schedule),
        )
        if not routine.enabled:
            yield _with(row, note="disabled")
            continue
        if schedule.problem is not None:
            yield _with(row, note=f"not scheduled: {schedule.problem}")
            continue
        if schedule.once is not None:
            if schedule.once > now:
                yield _with(row, nominal=schedule.once, fires_at=schedule.once)
            else:
                yield _with(row, note="in the past: it does not run")
            continue
        if schedule.cron is None:
            continue
        problem = cron_problem(schedule.cron)
        if problem is not None:
            yield _with(row, note=f"not scheduled: the cron {problem}")
            continue
        fires = list(iter_fires(schedule.cron, zone(schedule.timezone), now, limit=count))
        if not fires:
            yield _with(row, note="never fires")
        note = "plus the cloud's small per-routine stagger" if schedule.preset else ""
        for fire in fires:
            yield _with(row, nominal=fire, fires_at=fire, note=note)


def _label(schedule: Schedule) -> str:
    label = schedule.label
    if schedule.timezone and schedule.cron is not None:
        label += f" {schedule.timezone}"
    return label


def _task_rows(
    task: ScheduledTask, now: datetime, count: int, tz: tzinfo, jitter: Jitter
) -> Iterable[Upcoming]:
    kind = "recurring" if task.recurring else "one-shot"
    row = Upcoming(
        task.doc.display,
        _line(task.doc, task.pointer),
        "task",
        task.id,
        f"{task.cron} ({kind})",
    )
    problem = cron_problem(task.cron, client=True)
    if problem is not None:
        yield _with(row, note=f"skipped by the client: the cron {problem}")
        return
    if not task.recurring:
        fire = one_shot_fire(task.cron, tz, task.created, task.id, jitter=jitter)
        if fire is None:
            yield _with(row, note="never fires")
        elif fire.actual < now:
            yield _with(row, note="missed: the client offers it at the next session start")
        else:
            yield _fire_row(row, fire)
        return
    base = max(now, task.last_fired or task.created)
    expires = task.expires
    for fire in recurring_fires(task.cron, tz, base, task.id, count, jitter=jitter):
        if expires is not None and fire.actual >= expires:
            yield _fire_row(row, fire, note="last run: the task then expires and is deleted")
            return
        yield _fire_row(row, fire)


def _fire_row(row: Upcoming, fire: Fire, note: str = "") -> Upcoming:
    return _with(row, nominal=fire.nominal, fires_at=fire.actual, note=note)


def _with(row: Upcoming, **changes: object) -> Upcoming:
    from dataclasses import replace

    return replace(row, **changes)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------------
# Output


def _when(moment: datetime | None, tz: tzinfo) -> str:
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S") if moment is not None else "-"


def format_offset(offset: timedelta | None) -> str:
    """``+4m12s``, ``-37s``, ``0s`` (``-`` when there is no fire)."""
    if offset is None:
        return "-"
    seconds = round(offset.total_seconds())
    sign = "-" if seconds < 0 else "+"
    seconds = abs(seconds)
    if seconds == 0:
        return "0s"
    minutes, secs = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    text = "".join(f"{n}{u}" for n, u in ((hours, "h"), (minutes, "m"), (secs, "s")) if n)
    return sign + text


def render_text(rows: list[Upcoming], *, tz: tzinfo, tz_name: str, now: datetime) -> str:
    """An aligned table, one row per fire."""
    if not rows:
        return "No schedules found (.claude/routines.yaml, .claude/scheduled_tasks.json).\n"
    table = [("FIRES AT (" + tz_name + ")", "JITTER", "NAME", "SCHEDULE", "SOURCE", "NOTE")]
    for r in rows:
        table.append(
            (
                _when(r.fires_at, tz),
                format_offset(r.jitter),
                clean(r.name),
                clean(r.schedule),
                f"{clean(r.source)}:{r.line}",
                r.note,
            )
        )
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in table
    ]
    head = f"Next fires after {_when(now, tz)} {tz_name}:\n"
    return head + "\n".join(lines) + "\n"


def render_json(rows: list[Upcoming], *, tz: tzinfo, tz_name: str, now: datetime) -> str:
    """``{"now", "timezone", "fires": [...]}`` with ISO 8601 times in ``tz``."""

    def iso(moment: datetime | None) -> str | None:
        return moment.astimezone(tz).isoformat() if moment is not None else None

    doc = {
        "now": iso(now),
        "timezone": tz_name,
        "fires": [
            {
                "kind": r.kind,
                "name": clean(r.name),
                "schedule": clean(r.schedule),
                "source": r.source,
                "line": r.line,
                "nominal": iso(r.nominal),
                "fires_at": iso(r.fires_at),
                "jitter_seconds": r.jitter.total_seconds() if r.jitter is not None else None,
                "note": r.note,
            }
            for r in rows
        ],
    }
    return dumps(doc) + "\n"
