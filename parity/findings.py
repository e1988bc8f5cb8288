"""Plain data passed between stages: severities, source locations and findings."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``error > warning > info``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in every output format (``error``, ``warning``, ``info``)."""
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse ``error``/``warning``/``info`` (case-insensitive); ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or info)"
            ) from None


@dataclass(frozen=True, order=True)
class Location:
    """Where a finding points: a file shown as ``display``, 1-based line/column, end exclusive.

    ``display`` is repo-relative POSIX for repository files and ``~/...`` for user-scope files.
    ``pointer`` is the RFC 6901 JSON pointer of the value, or "" when there is none.
    """

    display: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    pointer: str = ""

    def __post_init__(self) -> None:
        # An empty end means "the start character only"; keep the span well-formed.
        if self.end_line < self.line or (
            self.end_line == self.line and self.end_column <= self.column
        ):
            object.__setattr__(self, "end_line", self.line)
            object.__setattr__(self, "end_column", self.column + 1)


@dataclass(frozen=True)
class Violation:
    """What a rule's ``check`` yields: the engine adds the rule's code, name and severity."""

    location: Location
    message: str
    fix: str | None = None
    severity: Severity | None = None  # overrides the rule's default when set


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in one place, ready for every reporter."""

    path: str
    line: int
    column: int
    code: str
    message: str = field(compare=False)
    name: str = field(compare=False)
    severity: Severity = field(compare=False)
    pointer: str = field(default="", compare=False)
    fix: str | None = field(default=None, compare=False)
    end_line: int = field(default=0, compare=False)
    end_column: int = field(default=0, compare=False)
    fingerprint: str = field(default="", compare=False)
