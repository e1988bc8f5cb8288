"""Importing ahead: while git lists a large tree on another processor, a check imports what its
rules will need (parity.check and parity.replay hand :func:`import_ahead` to the listing)."""

from __future__ import annotations

import os
from collections.abc import Callable


def import_ahead(busy: Callable[[float], bool]) -> None:
    """Import what the rules will need, one module at a time, while git lists the tree on
    another processor (``busy``: see :func:`parity.discover.discover_repo`).

    What a check of a repository configured for Claude Code imports after it has listed the
    tree, in that order: the modules every check needs, the rules that read the kinds of file
    such a repository holds (:data:`_LIKELY`; a few milliseconds in all), then jsonschema (for
    settings and .mcp.json) and PyYAML (frontmatter), the two costly ones. A 100,000-file tree
    keeps git busy about as long as all of it takes to import, which then costs nothing.

    Only a listing still under way after :data:`_AHEAD_AFTER` (a tree of thousands of files)
    is worth it: a small tree's ends first, and a check that has no use for the modules (no
    configuration, or a hit of the results cache) imports none. The import under way when git
    ends is finished first, which such a check of a large tree waits for in vain.

    Only with a processor to spare (:func:`_spare_processor`): on a machine whose processors
    are all busy, git and the imports only take turns (on two processors kept busy by other
    work, a 100,000-file check took 3% longer with the imports ahead, and 17% less time
    otherwise).
    """
    if not (_spare_processor() and busy(_AHEAD_AFTER)):
        return
    import importlib

    for name in ("parity.config", "parity.model", "parity.rules"):
        importlib.import_module(name)
    from parity.rules import runs_on
    from parity.rules._index import INDEX

    rules = (f"parity.rules.{entry.module}" for entry in INDEX if runs_on(entry.code, _LIKELY))
    for name in (*rules, "jsonschema", "parity._yaml"):
        if not busy(0):
            return
        importlib.import_module(name)


_AHEAD_AFTER = 0.01  # seconds

# The kinds of file (parity.model.Kind values) of a repository configured for Claude Code: not
# routines, plugin manifests or scheduled tasks, nor the inputs a rule may read besides files
# (cloud environments, the user scope).
_LIKELY = frozenset(
    {"settings", "mcp", "memory", "skill", "agent", "command", "rule", "hook-script"}
)


def _spare_processor() -> bool:
    """True when this process may run on more than one processor, and on average over the last
    minute fewer tasks than those processors less one half were running or waiting to."""
    if hasattr(os, "sched_getaffinity"):
        processors = len(os.sched_getaffinity(0))
    else:
        processors = os.cpu_count() or 1
    if processors < 2:
        return False
    try:
        return os.getloadavg()[0] < processors - 0.5
    except (AttributeError, OSError):  # (no load average: Windows)
        return True
