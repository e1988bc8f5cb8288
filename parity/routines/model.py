"""Routines and scheduled tasks read from their documents, each piece with its JSON pointer.

Reading is lenient: whatever has the wrong shape is left out here (the schema rules report it),
so that every other rule can look at what is well formed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from parity._lazy import lazy_compile
from parity.load import Document
from parity.model import ConfigFile

Pointer = tuple[str | int, ...]

PRESETS = ("hourly", "daily", "weekdays", "weekly")
WEEKDAYS = ("sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
_AT = lazy_compile(r"(?:([01][0-9]|2[0-3])?):([0-5][0-9])")


@dataclass(frozen=True)
class Schedule:
    """A schedule trigger: a cron (given, or made from a preset) or a one-off timestamp."""

    pointer: Pointer  # of the ``schedule`` mapping
    key: str  # the member that holds the time: "cron", "preset", "at" or "once"
    cron: str | None = None
    timezone: str | None = None
    once: datetime | None = None
    preset: str | None = None
    problem: str | None = None  # why it cannot be evaluated (the pointer is ``pointer + key``)
    # The problem breaks the routines schema too, so the schema rule (PAR500) reports it.
    in_schema: bool = False

    @property
    def label(self) -> str:
        """How the schedule reads in a table: the cron, ``daily 03:07`` or the timestamp."""
        if self.once is not None:
            return "once " + self.once.isoformat().replace("+00:00", "Z")
        if self.preset is not None and self.cron is not None:
            return f"{self.preset} ({self.cron})"
        return self.cron or "?"


@dataclass(frozen=True)
class GithubTrigger:
    """A GitHub trigger: its event and filters as written."""

    pointer: Pointer  # of the ``github`` mapping
    event: str | None
    filters: dict[str, Any]


@dataclass(frozen=True)
class Routine:
    """One entry of ``routines:``."""

    cf: ConfigFile
    doc: Document
    pointer: Pointer
    name: str
    environment: str | None
    prompt: str | None
    skills: tuple[tuple[str, Pointer], ...]
    schedules: tuple[Schedule, ...]
    github: tuple[GithubTrigger, ...]
    has_api: bool
    enabled: bool = True


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def read_routines(cf: ConfigFile, doc: Document) -> Iterator[Routine]:
    """The routines of one routines file, in order."""
    value = doc.value
    entries = value.get("routines") if isinstance(value, dict) else None
    if not isinstance(entries, list):
        return
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            continue
        base: Pointer = ("routines", index)
        name = _text(entry.get("name")) or f"routines[{index}]"
        skills = tuple(
            (skill, (*base, "skills", i))
            for i, skill in enumerate(entry.get("skills") or [])
            if isinstance(entry.get("skills"), list) and isinstance(skill, str)
        )
        schedules: list[Schedule] = []
        github: list[GithubTrigger] = []
        has_api = False
        triggers = entry.get("triggers")
        for t, trigger in enumerate(triggers if isinstance(triggers, list) else []):
            if not isinstance(trigger, dict):
                continue
            where: Pointer = (*base, "triggers", t)
            if isinstance(trigger.get("schedule"), dict):
                schedules.append(read_schedule(trigger["schedule"], (*where, "schedule")))
            if isinstance(trigger.get("github"), dict):
                spec = trigger["github"]
                filters = spec.get("filters")
                github.append(
                    GithubTrigger(
                        (*where, "github"),
                        _text(spec.get("event")),
                        filters if isinstance(filters, dict) else {},
                    )
                )
            if "api" in trigger:
                has_api = True
        yield Routine(
            cf,
            doc,
            base,
            name,
            _text(entry.get("environment")),
            _text(entry.get("prompt")),
            skills,
            tuple(schedules),
            tuple(github),
            has_api,
            enabled=entry.get("enabled") is not False,
        )


def read_schedule(spec: dict[str, Any], pointer: Pointer) -> Schedule:
    """A schedule mapping: ``{cron}``, ``{preset, at?, day?}`` or ``{once}``; ``timezone`` too."""
    tz = _text(spec.get("timezone"))
    if tz is not None:
        from parity.routines.schedule import zone

        try:
            zone(tz)
        except ValueError:
            return Schedule(
                pointer, "timezone", timezone=tz, problem=f'"{tz}" is not a known IANA time zone'
            )
    kinds = [k for k in ("cron", "preset", "once") if k in spec]
    if len(kinds) > 1:
        return Schedule(
            pointer,
            kinds[1],
            problem=f"has both {kinds[0]!r} and {kinds[1]!r}; a schedule trigger has exactly one",
            in_schema=True,
        )
    if "cron" in spec:
        cron = _text(spec["cron"])
        return Schedule(pointer, "cron", cron=cron, timezone=tz)
    if "once" in spec:
        return _once(spec["once"], pointer)
    if "preset" in spec:
        return _preset(spec, pointer, tz)
    return Schedule(pointer, "", problem="has none of cron, preset or once", in_schema=True)


def _once(raw: Any, pointer: Pointer) -> Schedule:
    # YAML reads an unquoted timestamp as a datetime already.
    when: datetime | None = raw if isinstance(raw, datetime) else None
    if isinstance(raw, str):
        try:
            when = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            when = None
    if when is None:
        return Schedule(
            pointer,
            "once",
            problem=f"{raw!r} is not a timestamp; write it as ISO 8601, e.g. 2026-12-01T09:00:00Z",
            in_schema=True,
        )
    if when.tzinfo is None:
        return Schedule(
            pointer,
            "once",
            problem=f"{raw!s} has no time zone; add Z (UTC) or an offset such as +02:00",
            in_schema=True,
        )
    return Schedule(pointer, "once", once=when.astimezone(timezone.utc))


def _preset(spec: dict[str, Any], pointer: Pointer, tz: str | None) -> Schedule:
    preset = spec.get("preset")
    if preset not in PRESETS:
        return Schedule(
            pointer,
            "preset",
            problem=f"unknown preset {preset!r}; use one of {', '.join(PRESETS)}",
            in_schema=True,
        )
    at = spec.get("at", ":00" if preset == "hourly" else None)
    if isinstance(at, int) and not isinstance(at, bool):
        # YAML 1.1 reads an unquoted 03:07 as a base-60 number (187).
        at = f"{at // 60:02d}:{at % 60:02d}"
    match = _AT.fullmatch(at) if isinstance(at, str) else None
    if match is None or (match.group(1) is None and preset != "hourly"):
        shown = "missing" if at is None else repr(at)
        return Schedule(
            pointer,
            "at" if "at" in spec else "preset",
            preset=preset,
            problem=f'"at" is {shown}; a {preset} schedule needs "at": "HH:MM" (quoted)',
            in_schema=at is not None,
        )
    hour, minute = int(match.group(1) or 0), int(match.group(2))
    day_spec = spec.get("day", "monday")
    day = (
        WEEKDAYS.index(day_spec.lower())
        if isinstance(day_spec, str) and day_spec.lower() in (WEEKDAYS)
        else None
    )
    if preset == "weekly" and day is None:
        return Schedule(
            pointer,
            "day",
            preset=preset,
            problem=f"unknown day {day_spec!r}; use one of {', '.join(WEEKDAYS)}",
            in_schema=True,
        )
    cron = {
        "hourly": f"{minute} * * * *",
        "daily": f"{minute} {hour} * * *",
        "weekdays": f"{minute} {hour} * * 1-5",
        "weekly": f"{minute} {hour} * * {day}",
    }[preset]
    return Schedule(pointer, "preset", cron=cron, timezone=tz, preset=preset)


# --------------------------------------------------------------------------------------------
# .claude/scheduled_tasks.json

# The client's default lifetime of a recurring task (reference §5.7): ``maxAgeMs`` overrides it,
# within the scheduler's own limit (30 days in 2.1.330's built-in configuration; 0 = no limit).
DEFAULT_MAX_AGE = timedelta(days=7)
SCHEDULER_MAX_AGE = timedelta(days=30)


@dataclass(frozen=True)
class ScheduledTask:
    """A task of ``.claude/scheduled_tasks.json`` that the client would load."""

    cf: ConfigFile
    doc: Document
    pointer: Pointer
    id: str
    cron: str
    prompt: str
    created: datetime
    recurring: bool
    permanent: bool
    last_fired: datetime | None
    max_age: timedelta

    @property
    def expires(self) -> datetime | None:
        """When a recurring, non-permanent task has its last run (None: it does not expire)."""
        if not self.recurring or self.permanent:
            return None
        return self.created + self.max_age


def _epoch_ms(value: Any) -> datetime | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


def read_tasks(cf: ConfigFile, doc: Document) -> Iterator[ScheduledTask]:
    """The tasks the client keeps: id, cron, prompt strings and a numeric createdAt (others are
    skipped by the client; the shape rule reports them)."""
    value = doc.value
    tasks = value.get("tasks") if isinstance(value, dict) else None
    if not isinstance(tasks, list):
        return
    for index, task in enumerate(tasks):
        if not isinstance(task, dict):
            continue
        ident, cron, prompt = task.get("id"), task.get("cron"), task.get("prompt")
        created = _epoch_ms(task.get("createdAt"))
        if not (isinstance(ident, str) and isinstance(cron, str) and isinstance(prompt, str)):
            continue
        if created is None:
            continue
        raw_age = task.get("maxAgeMs")
        max_age = DEFAULT_MAX_AGE
        if isinstance(raw_age, (int, float)) and not isinstance(raw_age, bool):
            # The client takes min(maxAgeMs || Infinity, its own limit): 0 is "no limit" of
            # the task's own, and the scheduler's limit still applies.
            max_age = SCHEDULER_MAX_AGE
            if raw_age and math.isfinite(raw_age):
                max_age = min(timedelta(milliseconds=max(raw_age, 0)), SCHEDULER_MAX_AGE)
        yield ScheduledTask(
            cf,
            doc,
            ("tasks", index),
            ident,
            cron,
            prompt,
            created,
            recurring=bool(task.get("recurring")),
            permanent=bool(task.get("permanent")),
            last_fired=_epoch_ms(task.get("lastFiredAt")),
            max_age=max_age,
        )
