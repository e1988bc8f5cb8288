"""Helpers shared by the PAR5 rules: the routines and scheduled tasks of a check, and places."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import tzinfo

from parity.config import Environment
from parity.findings import Location
from parity.load import Document
from parity.model import ConfigFile, Kind
from parity.routines.model import Routine, Schedule, ScheduledTask, read_routines, read_tasks
from parity.routines.schedule import cron_problem, zone
from parity.rules.base import Context


def routine_documents(ctx: Context) -> Iterator[tuple[ConfigFile, Document]]:
    """Routines files that parsed (the PAR0 rules report those that did not)."""
    for cf, doc in ctx.documents(Kind.ROUTINES):
        if doc.ok and not doc.empty:
            yield cf, doc


def task_documents(ctx: Context) -> Iterator[tuple[ConfigFile, Document]]:
    """``.claude/scheduled_tasks.json`` files that parsed."""
    for cf, doc in ctx.documents(Kind.SCHEDULED_TASKS):
        if doc.ok and not doc.empty:
            yield cf, doc


def routines(ctx: Context) -> list[Routine]:
    """Every routine of every routines file, in file order."""
    return [r for cf, doc in routine_documents(ctx) for r in read_routines(cf, doc)]


def tasks(ctx: Context) -> list[ScheduledTask]:
    """Every task the client would load from the scheduled tasks files."""
    return [t for cf, doc in task_documents(ctx) for t in read_tasks(cf, doc)]


def valid_cron(schedule: Schedule) -> tuple[str, tzinfo] | None:
    """The cron and zone of a schedule that can be evaluated, or None (PAR501 reports it)."""
    if schedule.problem is not None or schedule.cron is None:
        return None
    if cron_problem(schedule.cron) is not None:
        return None
    return schedule.cron, zone(schedule.timezone)


def environment_of(ctx: Context, routine: Routine) -> Environment | None:
    """The declared environment a routine runs in (the first declared one when it names none),
    or None when it names one that is not declared."""
    if routine.environment is None:
        return ctx.config.environment(None)
    if not ctx.config.environments:
        # Nothing declared: the implicit default environment (Trusted) stands for every name.
        return ctx.config.environment(None)
    return ctx.config.environments.get(routine.environment)


def at(doc: Document, pointer: Sequence[str | int], *, key: bool = False) -> Location:
    """The location of ``pointer`` in ``doc``."""
    return doc.locate(list(pointer), key=key)
