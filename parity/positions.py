"""Positions and problems shared by the loaders (JSON here, YAML in parity._yaml).

JSON pointers, the offset-to-line table, the issue type and the nesting caps live here so
that parity.load and parity._yaml both import them, and neither imports the other at load time.
"""

import re
from collections.abc import Sequence
from itertools import accumulate
from typing import NamedTuple

from parity.findings import Location

# Real Claude Code configuration nests fewer than ten levels.  The cap stays far below Python's
# recursion limit so that the C JSON parser and recursive consumers (jsonschema, rules walking a
# value) never hit RecursionError on a document that loaded.
MAX_DEPTH = 128
# A YAML document may use aliases to repeat nodes, but not to expand into more than this many
# nodes (or ten times its own node count, if that is larger): a "billion laughs" document is
# tiny on disk and exponential for anything that walks its value.
_MAX_ALIAS_EXPANSION = 100_000

# JavaScript's \s: the blanks the client's frontmatter reading allows.
_JS_SPACE = "\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
_CHUNK = 4 * 1024
_ARRAY_INDEX = re.compile(r"0|[1-9][0-9]*")


# --------------------------------------------------------------------------------------------
# Pointers


def pointer(parts: Sequence[str | int]) -> str:
    """The RFC 6901 JSON pointer of ``parts`` (``~`` becomes ``~0``, ``/`` becomes ``~1``)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def pointer_parts(ptr: str) -> list[str]:
    """The reference tokens of an RFC 6901 pointer; the inverse of :func:`pointer`.

    A pointer without its leading ``/`` is read as if it had one rather than rejected.
    """
    if not ptr:
        return []
    body = ptr[1:] if ptr.startswith("/") else ptr
    return [p.replace("~1", "/").replace("~0", "~") for p in body.split("/")]


def _normalise(ptr: str | Sequence[str | int]) -> tuple[str, list[str | int]]:
    if isinstance(ptr, str):
        return ptr, list(pointer_parts(ptr))
    parts = list(ptr)
    return pointer(parts), parts


def _array_index(part: str | int) -> int | None:
    if isinstance(part, int):
        return part if part >= 0 else None
    # No array has 10**18 items; the length check also keeps int() under its digit limit.
    return int(part) if len(part) < 19 and _ARRAY_INDEX.fullmatch(part) else None


# --------------------------------------------------------------------------------------------
# Issues and positions


class LoadIssue(NamedTuple):
    """A problem found while reading or parsing a file; ``fatal`` when no value came out of it."""

    kind: str
    message: str
    location: Location
    fatal: bool


class _Lines:
    """Offset to 1-based line/column over one text; lines end at ``\\n`` only, as in git.

    A table per 4 KiB chunk (newlines before it, last newline before it) is built in C in a
    few milliseconds even for 20 MB; a lookup then counts within one chunk only, or from the
    last lookup when that is before it and nearer (a scan's hits come in ascending order).
    """

    __slots__ = ("_before", "_last", "_mark", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        # The last lookup: its offset, its line and the last newline before it.
        self._mark = (0, 1, -1)
        counts = [text.count("\n", i, i + _CHUNK) for i in range(0, len(text), _CHUNK)]
        self._before = [0, *accumulate(counts)]
        last = -1
        self._last = [last]
        for i in range(0, len(text), _CHUNK):
            found = text.rfind("\n", i, i + _CHUNK)
            last = found if found >= 0 else last
            self._last.append(last)

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset (clamped to the text)."""
        offset = max(0, min(offset, len(self._text)))
        mark, line, newline = self._mark
        if mark <= offset < mark + _CHUNK:
            between = self._text.count("\n", mark, offset)
            if between:
                line += between
                newline = self._text.rfind("\n", mark, offset)
        else:
            chunk = offset // _CHUNK
            start = chunk * _CHUNK
            line = self._before[chunk] + self._text.count("\n", start, offset) + 1
            newline = self._text.rfind("\n", start, offset)
            if newline < 0:
                newline = self._last[chunk]
        self._mark = (offset, line, newline)
        return line, offset - newline

    def location(self, display: str, start: int, end: int | None = None, ptr: str = "") -> Location:
        """A Location of the span [start, end) (one character when end is None)."""
        line, column = self.position(start)
        if end is None or end <= start:
            return Location(display, line, column, pointer=ptr)
        # The end from the start: a span is short, its chunk's table is not needed.
        start, end = max(0, min(start, len(self._text))), min(end, len(self._text))
        end_line = line + self._text.count("\n", start, end)
        newline = self._text.rfind("\n", start, end)
        end_column = column + end - start if newline < 0 else end - newline
        if end_line > line or end_column > column:  # well-formed: what Location() would keep
            return Location._make((display, line, column, end_line, end_column, ptr))
        return Location(display, line, column, end_line, end_column, ptr)
