"""Plain data passed between stages: severities, source locations and findings."""

from __future__ import annotations

import enum
import operator
from typing import NamedTuple


class Severity(enum.IntEnum):
    """How bad a finding is; ordered so that ``error > warning > info``."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        """The lower-case name used in every output format (``error``, ``warning``, ``info``)."""
        # (A table indexed by value: an enum member's name is a descriptor lookup and its hash a
        # Python method, and reports ask per finding.)
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Severity:
        """Parse ``error``/``warning``/``info`` (case-insensitive); ValueError otherwise."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(
                f"unknown severity {text!r} (expected error, warning or info)"
            ) from None


_LABELS = ("", *(Severity(n).name.lower() for n in range(1, len(Severity) + 1)))


class _Place(NamedTuple):
    display: str
    line: int = 1
    column: int = 1
    end_line: int = 0
    end_column: int = 0
    pointer: str = ""


class Location(_Place):
    """Where a finding points: a file shown as ``display``, 1-based line/column, end exclusive.

    ``display`` is repo-relative POSIX for repository files and ``~/...`` for user-scope files.
    ``pointer`` is the RFC 6901 JSON pointer of the value, or "" when there is none.

    (A NamedTuple, compared, hashed and ordered by all its fields as the frozen dataclass it was;
    a file dense with findings makes thousands. ``Location._make`` takes a span known to be
    well-formed as it is: parity.positions builds most locations that way.)
    """

    __slots__ = ()

    def __new__(  # noqa: PLR0917 - the six fields, by position as a tuple takes them
        cls,
        display: str,
        line: int = 1,
        column: int = 1,
        end_line: int = 0,
        end_column: int = 0,
        pointer: str = "",
    ) -> Location:
        # An empty end means "the start character only"; keep the span well-formed.
        if end_line < line or (end_line == line and end_column <= column):
            end_line, end_column = line, column + 1
        return tuple.__new__(cls, (display, line, column, end_line, end_column, pointer))


class Safety(str, enum.Enum):
    """Whether a fix keeps what the configuration means (safe) or may change it (unsafe).

    ``parity check --fix`` applies safe fixes; unsafe ones need ``--unsafe-fixes`` (or the rule
    in ``extend-safe-fixes``), as in ruff.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"


class Edit(NamedTuple):
    """Replace the text ``[start, end)`` of file ``path`` with ``content`` (an insertion when
    ``start == end``).

    Offsets are into the file's text as parity loaded it (decoded, without a byte-order mark);
    ``basis`` is the sha256 of that text, so an edit is never applied to another version of the
    file. Lines and columns (1-based, end exclusive) locate the same span for reports.
    """

    path: str
    start: int
    end: int
    content: str
    basis: str
    line: int
    column: int
    end_line: int
    end_column: int


class Fix(NamedTuple):
    """A rule's fix for one finding, as plain data: what ``parity check --fix`` would do.

    ``edits`` change file text; ``executable`` lists repository files to make executable, in the
    working tree and in the git index; ``environment`` lists variable names to declare in the
    first ``[tool.parity.environments]`` table (never values). ``safety`` overrides the rule's
    declared safety for this one fix.
    """

    title: str
    edits: tuple[Edit, ...] = ()
    executable: tuple[str, ...] = ()
    environment: tuple[str, ...] = ()
    safety: Safety | None = None

    @property
    def paths(self) -> tuple[str, ...]:
        """Every repository file the fix changes, in order."""
        seen = dict.fromkeys([*(e.path for e in self.edits), *self.executable])
        return tuple(seen)


class Violation(NamedTuple):
    """What a rule's ``check`` yields: the engine adds the rule's code, name and severity."""

    location: Location
    message: str
    fix: str | None = None
    severity: Severity | None = None  # overrides the rule's default when set
    autofix: Fix | None = None  # what `parity check --fix` can do about it


class Finding(NamedTuple):
    """One problem in one place, ready for every reporter.

    (A NamedTuple: a file dense with findings makes thousands, and a frozen dataclass sets each
    of its fourteen fields through object.__setattr__.) Reports list findings in
    :data:`REPORT_ORDER`: by file, line, column and rule, and in the order found after that.
    """

    path: str
    line: int
    column: int
    code: str
    message: str
    name: str
    severity: Severity
    pointer: str = ""
    fix: str | None = None
    end_line: int = 0
    end_column: int = 0
    fingerprint: str = ""
    autofix: Fix | None = None
    # The fix's safety once the configuration is applied (unfixable, extend-safe-fixes);
    # None when there is no fix, or the configuration makes it unfixable.
    applicability: Safety | None = None


# The sort key of a report's findings (sorted() keeps the order found among equal keys).
REPORT_ORDER = operator.attrgetter("path", "line", "column", "code")
