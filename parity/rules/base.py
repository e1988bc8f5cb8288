"""What a rule is (data plus a ``check`` generator) and what it is given (the context)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from parity.findings import Location, Severity, Violation

if TYPE_CHECKING:
    from parity.config import Config, Environment
    from parity.discover import Home, Repo
    from parity.load import Document
    from parity.model import ConfigFile, Inventory, Kind, Scope

DOC_SECTIONS = ("## What it does", "## Why is this bad?", "## Example", "## Fix")
_CODE = re.compile(r"^PAR[0-9]{3}$")
_NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Context:
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

    @cached_property
    def environments(self) -> list[Environment]:
        """The cloud environments the repository declares (or the implicit default)."""
        return self.config.declared_environments


Check = Callable[[Context], Iterable[Violation]]


@dataclass(frozen=True)
class Rule:
    """One rule, declared once: docs, ``parity rule`` and SARIF metadata all come from it."""

    code: str
    name: str
    severity: Severity
    summary: str
    docs: str
    check: Check = field(compare=False, repr=False)
    fix: str | None = None
    tags: tuple[str, ...] = ()
    default: bool = True  # selected unless the configuration narrows the selection

    def __post_init__(self) -> None:
        if not _CODE.match(self.code):
            raise ValueError(f"rule code {self.code!r} is not PAR + three digits")
        if not _NAME.match(self.name):
            raise ValueError(f"rule name {self.name!r} is not kebab-case")
        missing = [s for s in DOC_SECTIONS if s not in self.docs]
        if missing:
            raise ValueError(f"{self.code} docs lack {', '.join(missing)}")

    @property
    def group(self) -> str:
        """The hundreds group, e.g. ``PAR1`` for PAR101."""
        return self.code[:4]

    def markdown(self) -> str:
        """The full documentation page of the rule."""
        head = f"# {self.code} {self.name}\n\nSeverity: {self.severity.label}. {self.summary}\n\n"
        return head + self.docs.strip() + "\n"


def violation(
    location: Location, message: str, fix: str | None = None, severity: Severity | None = None
) -> Violation:
    """Shorthand used by rules."""
    return Violation(location, message, fix, severity)
