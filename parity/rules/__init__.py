"""The explicit registry of rules, and selection by code or prefix."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Iterable, Sequence, Set
from typing import TYPE_CHECKING

from parity.errors import UsageError
from parity.rules._index import ANY, ENVIRONMENTS, FILES, INDEX, INPUTS, LINKS, USER

if TYPE_CHECKING:
    from parity.config import Config
    from parity.discover import Repo
    from parity.rules.base import Rule

_BY_CODE = {entry.code: entry for entry in INDEX}


@functools.cache
def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by code (this imports every rule module)."""
    return tuple(load(entry.code) for entry in INDEX)


@functools.cache
def load(code: str) -> Rule:
    """The rule with the exact ``code`` of the index, importing its module only."""
    module = importlib.import_module(f"parity.rules.{_BY_CODE[code].module}")
    rule: Rule = module.RULE
    return rule


def get(code: str) -> Rule:
    """The rule with ``code`` (or kebab-case name); UsageError when there is none."""
    wanted = code.strip()
    for entry in INDEX:
        if wanted.upper() == entry.code or wanted.lower() == entry.name:
            return load(entry.code)
    raise UsageError(f"unknown rule {code!r} (see `parity rule` for the list)")


def codes() -> list[str]:
    """Every rule's code, in order, without importing any rule."""
    return [entry.code for entry in INDEX]


def runs_on(code: str, kinds: Set[str], has: Callable[[str], bool] = lambda _: False) -> bool:
    """True when the rule ``code`` can find anything in an inventory holding files of ``kinds``
    (Kind values): its kinds are ALWAYS, or ANY and there is a file, or one of them is there, or
    ``has`` one of its other inputs (see :func:`inputs`)."""
    wanted = _BY_CODE[code].kinds
    if wanted is None:
        return True
    if wanted == ANY:
        return bool(kinds)
    return not kinds.isdisjoint(wanted) or any(has(name) for name in wanted if name in INPUTS)


def globbed(codes: Iterable[str]) -> list[str]:
    """What the rules of ``codes`` find by name (``Repo.glob`` patterns): the FILES of the
    inputs they read."""
    read = dict.fromkeys(name for code in codes for name in _BY_CODE[code].kinds or ())
    return [pattern for name in read if name in FILES for pattern in FILES[name]]


def inputs(repo: Repo, config: Config, *, user: bool) -> Callable[[str], bool]:
    """Whether a check of ``repo`` under ``config`` (of the user scope too with ``user``) has
    each input of ``_index.INPUTS`` (declared environments, links, the user scope, repository
    files by name), each looked up on first ask."""

    @functools.cache
    def has(name: str) -> bool:
        if name == USER:
            return user
        if name == ENVIRONMENTS:
            return bool(config.environments)
        if name == LINKS:
            return bool(repo.links)
        return next(repo.glob(*FILES[name]), None) is not None

    return has


def matches(selector: str, code: str) -> bool:
    """True when ``selector`` (``ALL``, ``PAR``, ``PAR1``, ``PAR101``) covers ``code``."""
    return selector == "ALL" or code.startswith(selector)


def check_selectors(selectors: Iterable[str]) -> list[str]:
    """Normalise selectors and reject those that select nothing (a typo must not pass silently)."""
    known = codes()
    out: list[str] = []
    for raw in selectors:
        sel = raw.strip().upper()
        if not sel:
            continue
        if not any(matches(sel, c) for c in known):
            raise UsageError(f"unknown rule selector {raw!r}")
        out.append(sel)
    return out


def select(
    select: Sequence[str] | None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> list[Rule]:
    """The rules a selection enables (see :func:`select_codes`), imported."""
    return [load(code) for code in select_codes(select, ignore, extend_select)]


def select_codes(
    select: Sequence[str] | None,
    ignore: Sequence[str] = (),
    extend_select: Sequence[str] = (),
) -> list[str]:
    """The codes a selection enables: ``select`` replaces the defaults, ``extend_select`` adds.

    The most specific selector wins between select and ignore, as in ruff: ``select=["PAR1"]``
    with ``ignore=["PAR101"]`` drops one rule; ``ignore=["PAR1"]`` with ``select=["PAR101"]``
    keeps it. No rule module is imported.
    """
    chosen_sel = check_selectors(select) if select is not None else None
    chosen_ext = check_selectors(extend_select)
    chosen_ign = check_selectors(ignore)
    result = []
    for entry in INDEX:
        best_on = -1
        if chosen_sel is None:
            best_on = 0 if entry.default else -1
        else:
            best_on = max((len(s) for s in chosen_sel if matches(s, entry.code)), default=-1)
        best_on = max([best_on, *(len(s) for s in chosen_ext if matches(s, entry.code))])
        best_off = max((len(s) for s in chosen_ign if matches(s, entry.code)), default=-1)
        if best_on >= 0 and best_on > best_off:
            result.append(entry.code)
    return result
