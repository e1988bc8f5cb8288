"""What a rule is (data plus a ``check`` generator) and what it is given (the context)."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from parity._lazy import lazy_compile
from parity.findings import Fix, Location, Safety, Severity, Violation

if TYPE_CHECKING:
    from parity.config import Config, Environment
    from parity.discover import Home, Repo
    from parity.load import Document
    from parity.model import ConfigFile, Inventory, Kind, Scope

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Fix")
_CODE = lazy_compile(r"^PAR[0-9]{3}$")
_NAME = lazy_compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Context(NamedTuple):
    """Everything a rule may read: the inventory of files of every scope and the configuration."""

    inventory: Inventory
    config: Config
    user: bool = False  # --user: the user scope is part of the check

    @property
    def repo(self) -> Repo:
        """The repository being checked."""
        return self.inventory.repo

    @property
    def home(self) -> Home | None:
        """The user scope, when it is part of the check."""
        return self.inventory.home

    def documents(
        self, *kinds: Kind, scopes: Iterable[Scope] | None = None
    ) -> Iterator[tuple[ConfigFile, Document]]:
        """Each configuration file of the given kinds with its parsed document."""
        return self.inventory.documents(*kinds, scopes=scopes)

    @property
    def environments(self) -> list[Environment]:
        """The cloud environments the repository declares (or the implicit default)."""
        return self.config.declared_environments


Check = Callable[[Context], Iterable[Violation]]
T = TypeVar("T")


def per_check(compute: Callable[[Context], T]) -> Callable[[Context], T]:
    """``compute`` run once per check (per context), its result shared by every rule asking."""
    last: list[tuple[Context, T]] = []

    def cached(ctx: Context) -> T:
        if last and last[0][0] is ctx:
            return last[0][1]
        value = compute(ctx)
        last[:] = [(ctx, value)]
        return value

    functools.update_wrapper(cached, compute)
    return cached


ALWAYS, SOMETIMES = "always", "sometimes"


class _AutofixFields(NamedTuple):
    availability: str
    safety: Safety
    does: str  # what the fix changes, one sentence
    when: str = ""  # for "sometimes": where the fix is offered


class Autofix(_AutofixFields):
    """What a rule's fix does, declared with the rule: docs, ``parity rule``, the README's fix
    table and the reports all say it from here.

    ``availability`` is ``always`` (every finding carries a fix) or ``sometimes`` (only where
    the right change is certain; ``when`` says where); ``safety`` is whether applying it keeps
    what the configuration means.

    (A NamedTuple checked as it is made: a dataclass costs every check millions of instructions
    at import, compiling its generated methods.)
    """

    __slots__ = ()

    def __new__(cls, availability: str, safety: Safety, does: str, when: str = "") -> Autofix:
        if availability not in (ALWAYS, SOMETIMES):
            raise ValueError(f"fix availability {availability!r} is not always/sometimes")
        if (availability == SOMETIMES) != bool(when):
            raise ValueError("a fix offered sometimes says when (and only then)")
        return super().__new__(cls, availability, safety, does, when)

    def describe(self) -> str:
        """One paragraph for the rule's documentation."""
        offered = "Always available" if self.availability == ALWAYS else "Sometimes available"
        where = f" ({self.when})" if self.when else ""
        flag = "`--fix`" if self.safety is Safety.SAFE else "`--fix --unsafe-fixes`"
        return f"{offered}{where}, {self.safety.value}: {self.does} Applied by {flag}."


class _RuleFields(NamedTuple):
    code: str
    name: str
    severity: Severity
    summary: str
    docs: str
    check: Check
    fix: str | None = None
    tags: tuple[str, ...] = ()
    default: bool = True  # selected unless the configuration narrows the selection
    autofix: Autofix | None = None  # what `parity check --fix` does (None: no automatic fix)
    # The other severities a finding of this rule may have, each with when it applies
    # ("a value the client silently drops"). A finding never has a severity declared nowhere.
    variants: tuple[tuple[Severity, str], ...] = ()


class Rule(_RuleFields):
    """One rule, declared once: docs, ``parity rule`` and SARIF metadata all come from it.

    (A NamedTuple checked as it is made, like :class:`Autofix`; rules are compared by identity
    in practice, each being made once.)
    """

    __slots__ = ()

    def __new__(
        cls,
        code: str,
        name: str,
        severity: Severity,
        summary: str,
        docs: str,
        *,
        check: Check,
        fix: str | None = None,
        tags: tuple[str, ...] = (),
        default: bool = True,
        autofix: Autofix | None = None,
        variants: tuple[tuple[Severity, str], ...] = (),
    ) -> Rule:
        if not _CODE.match(code):
            raise ValueError(f"rule code {code!r} is not PAR + three digits")
        if not _NAME.match(name):
            raise ValueError(f"rule name {name!r} is not kebab-case")
        missing = [s for s in DOC_SECTIONS if s not in docs]
        if missing:
            raise ValueError(f"{code} docs lack {', '.join(missing)}")
        levels = [severity, *(level for level, _ in variants)]
        if len(set(levels)) != len(levels) or not all(when for _, when in variants):
            raise ValueError(f"{code} variants must each add a severity and say when")
        fields = (code, name, severity, summary, docs, check, fix, tags, default, autofix, variants)
        return super().__new__(cls, *fields)

    @property
    def severities(self) -> frozenset[Severity]:
        """Every severity a finding of this rule may have: the declared one and its variants."""
        return frozenset({self.severity, *(level for level, _ in self.variants)})

    @property
    def severity_text(self) -> str:
        """``error`` or ``error; warning for …``: the severity as the docs and tables state it."""
        return "; ".join(
            [self.severity.label, *(f"{level.label} {when}" for level, when in self.variants)]
        )

    @property
    def group(self) -> str:
        """The hundreds group, e.g. ``PAR1`` for PAR101."""
        return self.code[:4]

    @property
    def fix_availability(self) -> str:
        """``always``, ``sometimes`` or ``never``: how often a finding carries an automatic fix."""
        return self.autofix.availability if self.autofix is not None else "never"

    def markdown(self) -> str:
        """The full documentation page of the rule."""
        head = f"# {self.code} {self.name}\n\nSeverity: {self.severity_text}. {self.summary}\n\n"
        automatic = (
            self.autofix.describe()
            if self.autofix is not None
            else "none; `parity check --fix` leaves this one to you."
        )
        return head + self.docs.strip() + f"\n\nAutomatic fix: {automatic}\n"


def violation(
    location: Location,
    message: str,
    fix: str | None = None,
    severity: Severity | None = None,
    autofix: Fix | None = None,
) -> Violation:
    """Shorthand used by rules."""
    return Violation(location, message, fix, severity, autofix)
