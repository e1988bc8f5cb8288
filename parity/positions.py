"""Positions and problems shared by the loaders (JSON here, YAML in parity._yaml).

JSON pointers, the offset-to-line table, the issue type and the nesting caps live here so
that parity.load and parity._yaml both import them, and neither imports the other at load time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import accumulate, count
from operator import add
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
_new_tuple = tuple.__new__
# A batch of at least this many spans, and one for every this many lines of its text, is
# located through a table of every line's start (see _Lines.locations).
_TABLE_FROM = 64
_TABLE_PER = 16


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

    __slots__ = ("_before", "_last", "_mark", "_starts", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._starts: list[int] | None = None  # every line's start, once many are looked up
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
        found = self.locations("", ((offset, None),))[0]
        return found.line, found.column

    def location(self, display: str, start: int, end: int | None = None, ptr: str = "") -> Location:
        """A Location of the span [start, end) (one character when end is None)."""
        return self.locations(display, ((start, end),), ptr)[0]

    def locations(
        self, display: str, spans: Sequence[tuple[int, int | None]], ptr: str = ""
    ) -> list[Location]:
        """The Location of each span [start, end) (one character when end is None), in order.

        One loop for them all: a rule that scans a text locates each of its hits (a file dense
        with keys: thousands), and a call per hit cost as much as the lookup itself. Many hits
        for the text's lines are looked up in a table of every line's start.
        """
        if len(spans) >= _TABLE_FROM and len(spans) * _TABLE_PER >= self._before[-1]:
            return self._located(display, spans, ptr)
        text = self._text
        size = len(text)
        mark, line, newline = self._mark
        out: list[Location] = []
        for start, end in spans:
            # The line and column of the start (clamped to the text).
            offset = max(0, min(start, size))
            if mark <= offset < mark + _CHUNK:
                between = text.count("\n", mark, offset)
                if between:
                    line += between
                    newline = text.rfind("\n", mark, offset)
            else:
                chunk = offset // _CHUNK
                first = chunk * _CHUNK
                line = self._before[chunk] + text.count("\n", first, offset) + 1
                newline = text.rfind("\n", first, offset)
                if newline < 0:
                    newline = self._last[chunk]
            mark = offset
            column = offset - newline
            if end is None or end <= start:
                out.append(Location(display, line, column, pointer=ptr))
                continue
            # The end from the start: a span is short, its chunk's table is not needed. (No
            # newline found in it means none to count: both read the same slice.)
            stop = min(end, size)
            last = text.rfind("\n", offset, stop)
            if last < 0:
                end_line, end_column = line, column + stop - offset
            else:
                end_line, end_column = line + text.count("\n", offset, stop), stop - last
            if end_line > line or end_column > column:  # well-formed: what Location() would keep
                # (What Location._make does, without its Python call.)
                out.append(_new_tuple(Location, (display, line, column, end_line, end_column, ptr)))
            else:
                out.append(Location(display, line, column, end_line, end_column, ptr))
        self._mark = (mark, line, newline)
        return out

    def _located(
        self, display: str, spans: Sequence[tuple[int, int | None]], ptr: str
    ) -> list[Location]:
        """locations() through the table of line starts: line ``n`` (1-based) starts at
        ``starts[n - 1]``, so the line of an offset is the number of starts at or before it
        (counted on from the last span's line: a scan's hits come in order)."""
        from bisect import bisect_right  # (only for a text with many hits)

        starts = self._starts
        if starts is None:
            # [0, then each line's length and newline added up], all in C; the last entry is
            # past the text, so every offset in it has a line.
            lengths = accumulate(map(len, self._text.split("\n")), initial=0)
            starts = self._starts = list(map(add, lengths, count()))
        size = len(self._text)
        out: list[Location] = []
        line = 1  # the last span's line: the next one is usually on it or a few lines after
        for start, end in spans:
            if end is None or not 0 <= start < end <= size:
                # (An empty span, or one reaching beyond the text: the lookup that clamps.)
                out.append(self.location(display, start, end, ptr))
                continue
            if start < starts[line - 1]:
                line = bisect_right(starts, start)  # (a span before the last one)
            while starts[line] <= start:  # (the last entry is past every span's start)
                line += 1
            end_line = line
            while starts[end_line] <= end:
                end_line += 1
            # Nonempty, so well-formed: the end is after the start character.
            column, end_column = start - starts[line - 1] + 1, end - starts[end_line - 1] + 1
            out.append(_new_tuple(Location, (display, line, column, end_line, end_column, ptr)))
        return out
