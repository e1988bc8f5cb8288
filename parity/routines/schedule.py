"""Cron schedules through croniter: validity, fire times, gaps, runs a day, the client's jitter."""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo

from parity._lazy import lazy_compile

# The cloud rejects routine schedules that fire more often than this (reference §6.5).
MIN_INTERVAL = timedelta(hours=1)
# Checks look at a fixed week, never at today's date, so that a finding does not come and go
# with the calendar. 2026-01-05 is a Monday.
ANCHOR = datetime(2026, 1, 5, tzinfo=timezone.utc)
WINDOW = timedelta(days=7)
# Fire times examined per schedule; past this, counts are extrapolated from what was seen.
MAX_FIRES = 1500

# One comma-separated part of a standard cron field: a number or a 3-letter name, an optional
# range end, an optional step. croniter also accepts L, W, #, ? and the like; the cloud's
# scheduler is a standard 5-field cron, so those are reported.
_STANDARD_PART = lazy_compile(r"(?:\*|[0-9]+|[A-Za-z]{3})(?:-(?:[0-9]+|[A-Za-z]{3}))?(?:/[0-9]+)?")
# What the client's own parser (2.1.330) accepts in .claude/scheduled_tasks.json: "*", "*/n",
# "a-b", "a-b/n" and plain numbers, in comma lists. Names and "5/15" make it skip the task.
_CLIENT_PART = lazy_compile(r"\*(?:/[0-9]+)?|[0-9]+-[0-9]+(?:/[0-9]+)?|[0-9]+")
FIELD_NAMES = ("minute", "hour", "day-of-month", "month", "day-of-week")


def zone(name: str | None) -> tzinfo:
    """The time zone called ``name`` (IANA, e.g. ``Europe/Paris``; None or "UTC" is UTC).

    Raises ValueError for a zone the system does not know.
    """
    if name is None or name.upper() in ("UTC", "Z"):
        return timezone.utc
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r}") from exc


@functools.lru_cache(maxsize=1024)
def cron_problem(expr: str, *, client: bool = False) -> str | None:
    """Why ``expr`` is not a usable 5-field cron, or None when it is.

    ``client`` applies the narrower syntax of the client's own parser (scheduled tasks).
    """
    from croniter import CroniterError, croniter

    fields = expr.split()
    if len(fields) != 5:
        return (
            f"has {len(fields)} field{'s' if len(fields) != 1 else ''}; a schedule is a 5-field "
            "cron: minute hour day-of-month month day-of-week"
        )
    try:
        croniter(expr)
    except (CroniterError, ValueError, KeyError, IndexError) as exc:
        # croniter says "[<expr>] is not acceptable, out of range": keep the reason only.
        detail = re.sub(r"^\[.*?\]\s*(is not acceptable,?\s*)?", "", str(exc)).strip()
        return "is not a valid cron expression" + (f" ({detail})" if detail else "")
    pattern = _CLIENT_PART if client else _STANDARD_PART
    for name, field in zip(FIELD_NAMES, fields, strict=True):
        for part in field.split(","):
            if pattern.fullmatch(part):
                continue
            if client:
                return (
                    f'uses "{part}" in the {name} field; the client\'s cron parser accepts only '
                    'numbers, "*", ranges "a-b", steps "*/n" or "a-b/n" and comma lists (no '
                    "names such as MON or JAN)"
                )
            return (
                f'uses "{part}" in the {name} field, a croniter extension that standard 5-field '
                "cron does not have"
            )
    if first_fire(expr, timezone.utc, ANCHOR) is None:
        return "never fires: no date matches it"
    return None


def iter_fires(
    expr: str, tz: tzinfo, after: datetime, limit: int = MAX_FIRES
) -> Iterator[datetime]:
    """Fire times of a valid cron ``expr`` read in ``tz``, strictly after ``after``, in ``tz``."""
    from croniter import CroniterError, croniter

    it = croniter(expr, after.astimezone(tz))
    for _ in range(limit):
        try:
            nxt: datetime = it.get_next(datetime)
        except (CroniterError, ValueError, OverflowError):
            return
        yield nxt


def first_fire(expr: str, tz: tzinfo, after: datetime) -> datetime | None:
    """The first fire time of ``expr`` strictly after ``after``, or None when it never fires."""
    return next(iter_fires(expr, tz, after, limit=1), None)


def min_gap(expr: str, tz: tzinfo, *, stop_below: timedelta | None = None) -> timedelta | None:
    """The shortest time between consecutive fires over a week (from the first fire after the
    fixed anchor), or None when it fires at most once in that week.

    With ``stop_below``, the first gap shorter than it is returned at once (cheaper, and all a
    threshold check needs).
    """
    first = first_fire(expr, tz, ANCHOR)
    if first is None:
        return None
    end = first + WINDOW + timedelta(days=1)
    best: timedelta | None = None
    previous = first
    for fire in iter_fires(expr, tz, first):
        if fire > end:
            break
        gap = fire - previous
        best = gap if best is None or gap < best else best
        if best <= timedelta(minutes=1) or (stop_below is not None and best < stop_below):
            break  # cron cannot fire more often than once a minute
        previous = fire
    return best


def runs_by_weekday(expr: str, tz: tzinfo) -> tuple[float, ...]:
    """Fires on each UTC weekday (Monday first) over the week that starts on the day of the first
    fire after the anchor; extrapolated when the schedule fires more than MAX_FIRES times."""
    first = first_fire(expr, tz, ANCHOR - timedelta(seconds=1))
    counts = [0.0] * 7
    if first is None:
        return tuple(counts)
    start = first.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + WINDOW
    seen = 0
    last = first
    for fire in iter_fires(expr, tz, start - timedelta(seconds=1), limit=MAX_FIRES):
        if fire >= end:
            return tuple(counts)
        counts[fire.astimezone(timezone.utc).weekday()] += 1
        seen += 1
        last = fire
    # Too many fires to count one by one: spread the observed rate over every day.
    elapsed = max((last - start).total_seconds(), 60.0) / 86400
    rate = seen / elapsed
    return tuple([rate] * 7)


def describe_gap(gap: timedelta) -> str:
    """``15 minutes``, ``2 hours``, ``1 day`` — the interval in the largest whole unit."""
    seconds = int(gap.total_seconds())
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = seconds // size
            return f"{n} {unit}{'s' if n != 1 else ''}"
    return f"{seconds} seconds"


# --------------------------------------------------------------------------------------------
# The client's deterministic jitter (scheduled tasks of the in-session scheduler)


@dataclass(frozen=True)
class Jitter:
    """How late (recurring) or early (one-shot) the client fires a task.

    Documented values: a recurring task fires up to 10% of its interval late, at most 15
    minutes; a one-shot task due at a minute divisible by 30 (:00, :30) fires up to 90 s early.
    The client reads these from a server-side flag; the 2.1.330 binary's built-in fallback is
    50% / 30 minutes, which ``Jitter(0.5, timedelta(minutes=30))`` reproduces.
    """

    recurring_frac: float = 0.1
    recurring_cap: timedelta = timedelta(minutes=15)
    one_shot_max: timedelta = timedelta(seconds=90)
    one_shot_floor: timedelta = timedelta(0)
    one_shot_minute_mod: int = 30


DEFAULT_JITTER = Jitter()
_JS_HEX = lazy_compile(r"[0-9A-Fa-f]+")


def jitter_fraction(task_id: str) -> float:
    """The task's position in [0, 1) of the jitter range: the client's
    ``parseInt(id.slice(0, 8), 16) / 2**32``, and 0 when that is not a number.

    Client-made ids are 8 hex characters (the start of a random UUID), so the fraction is
    uniform and fixed per task. JavaScript's parseInt is followed exactly: leading whitespace,
    a sign and a ``0x`` prefix are accepted, and parsing stops at the first non-hex character
    (``"12xyz"`` reads as 0x12; ``"nightly-"`` is not a number, so 0).
    """
    text = task_id[:8].lstrip()
    sign = 1
    if text[:1] in ("+", "-"):
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    if text[:2].lower() == "0x":
        text = text[2:]
    match = _JS_HEX.match(text)
    if match is None:
        return 0.0
    value = sign * int(match.group(), 16) / 2**32
    return value if math.isfinite(value) else 0.0


@dataclass(frozen=True)
class Fire:
    """One fire of a schedule: when the cron says, and when the client actually fires it."""

    nominal: datetime
    actual: datetime

    @property
    def offset(self) -> timedelta:
        """``actual - nominal``: positive when late, negative when early."""
        return self.actual - self.nominal


def recurring_fires(
    expr: str,
    tz: tzinfo,
    after: datetime,
    task_id: str,
    count: int,
    *,
    jitter: Jitter = DEFAULT_JITTER,
) -> list[Fire]:
    """The next ``count`` fires of a recurring task: each nominal time plus
    ``min(fraction * recurring_frac * interval, recurring_cap)``, the interval being the time to
    the nominal fire after it."""
    fires: list[Fire] = []
    frac = jitter_fraction(task_id)
    nominal = list(iter_fires(expr, tz, after, limit=count + 1))
    for i, t1 in enumerate(nominal[:count]):
        if i + 1 < len(nominal):
            interval = nominal[i + 1] - t1
            late = min(interval * (frac * jitter.recurring_frac), jitter.recurring_cap)
        else:
            late = timedelta(0)  # the last fire there will ever be: the client adds nothing
        fires.append(Fire(t1, t1 + late))
    return fires


def one_shot_fire(
    expr: str, tz: tzinfo, created: datetime, task_id: str, *, jitter: Jitter = DEFAULT_JITTER
) -> Fire | None:
    """The single fire of a one-shot task created at ``created``: the first cron match after it,
    ``one_shot_floor + fraction * (one_shot_max - one_shot_floor)`` early when that match falls on
    a minute divisible by ``one_shot_minute_mod`` (never before ``created``)."""
    t1 = first_fire(expr, tz, created)
    if t1 is None:
        return None
    if t1.minute % jitter.one_shot_minute_mod != 0:
        return Fire(t1, t1)
    lead = jitter.one_shot_floor + (jitter.one_shot_max - jitter.one_shot_floor) * (
        jitter_fraction(task_id)
    )
    return Fire(t1, max(t1 - lead, created.astimezone(tz)))


def now() -> datetime:
    """The current time (UTC); the one clock of this package, replaced in tests.

    A check that reads it depends on the date, so the results cache does not keep its report.
    """
    from parity.cache import note_volatile

    note_volatile("clock")
    return datetime.now(timezone.utc)
