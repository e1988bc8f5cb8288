"""Parse JSON, YAML and Markdown frontmatter keeping positions, turning bad input into issues."""

from __future__ import annotations

import codecs
import errno
import json
import json.decoder
import json.scanner
import operator
import os
import re
import stat
from collections.abc import Callable, Sequence
from itertools import accumulate, count
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, cast

from parity._lazy import lazy_compile
from parity.findings import Location
from parity.positions import (
    MAX_DEPTH,
    LoadIssue,
    _array_index,
    _Lines,
    _normalise,
    pointer,
    pointer_parts,
)

if TYPE_CHECKING:
    from parity._yaml import SecondReading, YamlPositions

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "Document",
    "JsonDocument",
    "LoadIssue",
    "MarkdownDocument",
    "MisplacedFrontmatter",
    "TextDocument",
    "YamlDocument",
    "load_json",
    "load_markdown",
    "load_text",
    "load_yaml",
    "pointer",
    "pointer_parts",
    "read_text",
]

MAX_BYTES = 64 * 1024 * 1024
_UTF8_BOM = codecs.BOM_UTF8
_UTF16_BOMS = (
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16 LE"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16 BE"),
)

# Blanks: JSON's whitespace (JSON.parse rejects any other, such as a no-break space), which is
# also what YAML and "empty or whitespace only" mean here.
_JSON_WS = " \t\n\r"
_WS = re.compile(r"[ \t\n\r]*")
# One JSON string, unrolled so that long strings are matched in C without backtracking.
_JSON_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
# A key without escapes and what follows it up to its value, in one match.
_KEY = re.compile(r'"([^"\\]*)"[ \t\n\r]*:[ \t\n\r]*')
# What follows a value: blanks, then a comma (group 1) and blanks, or the end of the container.
_SEPARATOR = re.compile(r"[ \t\n\r]*(?:(,)[ \t\n\r]*)?")
# Bytes tables for _json_structure: keep quotes, colons and brackets, the brackets as "[" and
# "]"; then weights 2 for "[" and 0 for "]", so that the running sum minus the number of
# brackets seen is the nesting depth.
_NOT_STRUCTURE = bytes(c for c in range(256) if c not in b'"[]{}:')
_ONE_BRACKET = bytes.maketrans(b"{}", b"[]")
_BRACKET_WEIGHTS = bytes.maketrans(b"[]", b"\x02\x00")
# For locating the first too-deep bracket: strings (possibly unterminated) or one bracket.
_DEPTH_TOKENS = lazy_compile(_JSON_STRING + r'|"[^"]*|[\[\]{}]')
_NUMBER = lazy_compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_JSON_MESSAGE_TAIL = lazy_compile(r"(?: starting)? at$")
_NON_FINITE = lazy_compile(_JSON_STRING + r"|(-?Infinity|NaN)")
_FRONTMATTER_OPEN = lazy_compile(r"---[ \t]*(?:\r?\n|\r?\Z)")
_FRONTMATTER_CLOSE = lazy_compile(r"^---[ \t]*\r?$", re.MULTILINE)
_INDENTED_OPEN = lazy_compile(r"([ \t]*)---[ \t]*\r?\n")
# What the client reads as frontmatter (2.1.330): "---" at the very start, blanks up to a line
# break, then everything up to the first "---" that follows, wherever it is.  The blanks are
# JavaScript's \s: Python's \s without the information separators U+001C-U+001F and NEL, with
# the byte-order mark, the very characters of [_JS_SPACE] (tests/test_load.py compares them on
# every code point), compiled in a quarter of the time the class of ranges takes.
_JS_BLANK = r"(?:[^\S\x1c-\x1f\x85]|\ufeff)"
_CLIENT_FRONTMATTER = lazy_compile(f"---{_JS_BLANK}*\n(.*?)---{_JS_BLANK}*\n?", re.S)


def _issue(
    kind: str,
    message: str,
    display: str,
    *,
    fatal: bool,
    at: tuple[int, int] = (1, 1),
    end: tuple[int, int] = (0, 0),
    ptr: str = "",
) -> LoadIssue:
    location = Location(display, at[0], at[1], end[0], end[1], ptr)
    return LoadIssue(kind, message, location, fatal)


def _fatal(issues: Sequence[LoadIssue]) -> bool:
    return any(i.fatal for i in issues)


# --------------------------------------------------------------------------------------------
# Reading and decoding


def _read_bytes(path: Path, display: str, limit: int) -> tuple[bytes | None, LoadIssue | None]:
    # O_NOFOLLOW: callers decide about symlinks, so a symlink here is reported, never followed.
    # O_NONBLOCK: opening a FIFO must not wait for a writer.
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_CLOEXEC", 0)
        | getattr(os, "O_BINARY", 0)
    )
    if not hasattr(os, "O_NOFOLLOW") and os.path.islink(path):
        return None, _issue(
            "not-a-file", "Not a regular file: it is a symbolic link", display, fatal=True
        )
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        return None, _open_error(exc, display)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            what = "a directory" if stat.S_ISDIR(info.st_mode) else "a FIFO, socket or device"
            return None, _issue(
                "not-a-file", f"Not a regular file: it is {what}", display, fatal=True
            )
        if info.st_size > limit:
            return None, _too_large(info.st_size, limit, display)
        # Read the size fstat gave plus one byte, so that a file growing meanwhile is noticed;
        # then at most up to the cap (limit + 1 bytes tells it is over). Straight from the
        # descriptor: no file object for each of a monorepo's configuration files.
        data = _read_up_to(fd, info.st_size + 1)
        if len(data) > info.st_size:
            data += _read_up_to(fd, limit + 1 - len(data))
    except OSError as exc:
        return None, _issue(
            "unreadable", f"Cannot read the file: {exc.strerror or exc}", display, fatal=True
        )
    finally:
        if fd >= 0:
            os.close(fd)
    if len(data) > limit:
        return None, _too_large(len(data), limit, display)
    return data, None


def _read_up_to(fd: int, size: int) -> bytes:
    """At most ``size`` bytes from ``fd``, fewer only at the end of the file (as a buffered
    file's read gives them)."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.read(fd, size)
        if not chunk:
            break
        chunks.append(chunk)
        size -= len(chunk)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _open_error(exc: OSError, display: str) -> LoadIssue:
    if exc.errno in (errno.ENOENT, errno.ENOTDIR):
        return _issue("not-a-file", "The file does not exist", display, fatal=True)
    if exc.errno == errno.ELOOP:
        return _issue(
            "not-a-file",
            "Not a regular file: it is a symbolic link (not followed)",
            display,
            fatal=True,
        )
    if exc.errno == errno.EISDIR:
        return _issue("not-a-file", "Not a regular file: it is a directory", display, fatal=True)
    reason = "permission denied" if exc.errno in (errno.EACCES, errno.EPERM) else exc.strerror
    return _issue("unreadable", f"Cannot read the file: {reason or exc}", display, fatal=True)


def _too_large(size: int, limit: int, display: str) -> LoadIssue:
    return _issue(
        "too-large",
        f"The file is {_mib(size)}, over the {_mib(limit)} limit for configuration files; "
        "it was not parsed",
        display,
        fatal=True,
    )


def _mib(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB".replace(".0 MiB", " MiB")
    return f"{size} bytes"


def read_text(
    path: Path, display: str, *, data: bytes | None = None, limit: int = MAX_BYTES
) -> tuple[str, list[LoadIssue]]:
    """Read and decode a file as the client would (UTF-8), never raising.

    ``data`` replaces reading ``path``.  A byte-order mark is stripped and reported; a UTF-16
    byte-order mark makes the text decode as UTF-16 (reported too).  Invalid UTF-8, NUL bytes,
    a missing, unreadable or non-regular file and a file over ``limit`` bytes give a fatal issue
    and an empty text.
    """
    if data is None:
        read, problem = _read_bytes(path, display, limit)
        if read is None:
            return "", [problem] if problem is not None else []
        data = read
    elif len(data) > limit:
        return "", [_too_large(len(data), limit, display)]
    issues: list[LoadIssue] = []
    encoding = "utf-8"
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
        issues.append(
            _issue(
                "bom",
                "The file starts with a UTF-8 byte-order mark, which JSON.parse rejects and "
                "some tools keep as a character; save it as UTF-8 without a BOM",
                display,
                fatal=False,
            )
        )
    else:
        for bom, codec, name in _UTF16_BOMS:
            if data.startswith(bom):
                data, encoding = data[len(bom) :], codec
                issues.append(
                    _issue(
                        "bom",
                        f"The file is {name} text with a byte-order mark; the client reads "
                        "UTF-8, so save it as UTF-8 without a BOM",
                        display,
                        fatal=False,
                    )
                )
                break
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start, encoding)
        what = "UTF-8" if encoding == "utf-8" else "UTF-16"
        issues.append(
            _issue(
                "decode",
                f"The file is not valid {what}: byte 0x{data[exc.start]:02x} at offset "
                f"{exc.start} cannot be decoded; save it as UTF-8 text",
                display,
                fatal=True,
                at=(line, column),
            )
        )
        return "", issues
    nul = text.find("\x00")
    if nul >= 0:
        line, column = _Lines(text).position(nul)
        issues.append(
            _issue(
                "decode",
                "The file is binary, not text: it contains a NUL character",
                display,
                fatal=True,
                at=(line, column),
            )
        )
        return "", issues
    return text, issues


def _byte_position(data: bytes, offset: int, encoding: str) -> tuple[int, int]:
    # The prefix before the first bad byte decodes cleanly (UTF-16: up to a code-unit boundary).
    prefix = data[: offset - offset % 2] if encoding != "utf-8" else data[:offset]
    text = prefix.decode(encoding, "replace")
    line = text.count("\n") + 1
    return line, len(text) - (text.rfind("\n") + 1) + 1


# --------------------------------------------------------------------------------------------
# Documents


class Document:
    """A file read from disk: its text, parsed value, issues, and positions of its values."""

    __slots__ = ("_lines", "display", "empty", "issues", "path", "text", "value")

    def __init__(
        self,
        path: Path,
        display: str,
        text: str,
        value: Any,
        issues: Sequence[LoadIssue],
        *,
        empty: bool,
    ) -> None:
        self.path = _absolute(path)
        self.display = display
        self.text = text
        self.value = value
        self.issues = tuple(issues)
        self.empty = empty
        self._lines: _Lines | None = None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.display} ok={self.ok} issues={len(self.issues)}>"

    @property
    def ok(self) -> bool:
        """True when no issue is fatal (the value, possibly None for an empty file, is usable)."""
        return not _fatal(self.issues)

    def _line_index(self) -> _Lines:
        if self._lines is None:
            self._lines = _Lines(self.text)
        return self._lines

    def position(self, offset: int) -> tuple[int, int]:
        """The 1-based (line, column) of a character offset of ``text`` (clamped to it)."""
        return self._line_index().position(offset)

    def span(
        self, pointer: str | Sequence[str | int], *, key: bool = False
    ) -> tuple[int, int] | None:
        """Text offsets [start, end) of the value (or key) at ``pointer``, or None when the
        document has no such value (an exact answer: never a nearest ancestor)."""
        parts = _normalise(pointer)[1]
        if not parts or not self.ok:
            return None
        found = self._span(parts, key=key)
        if found is None or self._span(parts[:-1], key=False) == found:
            return None
        return found

    def at_offset(self, start: int, end: int | None = None, *, pointer: str = "") -> Location:
        """The location of the text offsets [start, end), for rules that scan ``text``."""
        return self._line_index().location(self.display, start, end, pointer)

    def at_offsets(self, spans: Sequence[tuple[int, int | None]]) -> list[Location]:
        """:meth:`at_offset` of each span, in one loop (a scan's hits: thousands in a file)."""
        return self._line_index().locations(self.display, spans)

    def locate(self, pointer: str | Sequence[str | int], *, key: bool = False) -> Location:
        """The location of the value at ``pointer`` (of its key when ``key``), never raising.

        A pointer that does not exist resolves to its nearest existing ancestor, keeping the
        requested pointer string.  The root, and any pointer into a document that failed to
        parse, is line 1, column 1.
        """
        ptr, parts = _normalise(pointer)
        span = self._span(parts, key=key) if parts and self.ok else None
        if span is None:
            return Location(self.display, pointer=ptr)
        return self._line_index().location(self.display, span[0], span[1], ptr)

    def _span(self, parts: Sequence[str | int], *, key: bool) -> tuple[int, int] | None:
        """Text offsets [start, end) of the value (or key) at ``parts`` or its nearest ancestor.

        None means the root.
        """
        return None


def _absolute(path: Path) -> Path:
    try:
        return path.absolute()
    except OSError:  # the working directory was removed: keep the path as given
        return path


class TextDocument(Document):
    """A file read as text only (scripts and other plain files): ``value`` is always None."""

    __slots__ = ()


def load_text(path: Path, display: str, *, data: bytes | None = None) -> TextDocument:
    """Read a plain text file (decoding, size cap and file-type checks as for the others)."""
    text, issues = read_text(path, display, data=data)
    return TextDocument(path, display, text, None, issues, empty=not text.strip(_JSON_WS))


# --------------------------------------------------------------------------------------------
# JSON


class _NonFinite(Exception):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _reject_constant(name: str) -> Any:
    # json accepts NaN/Infinity, JSON.parse does not: stop at the first one.
    raise _NonFinite(name)


def _lenient_int(digits: str) -> int | float:
    try:
        return int(digits)
    except ValueError:  # over Python's 4300-digit limit; JSON.parse makes it a float too
        return float(digits)


class _MemberCount:
    """object_hook that counts the members of the parsed objects.

    Fewer members than colons in the text means that some object repeated a key (the parser
    kept the last value).  This costs a tenth of what an object_pairs_hook would.
    """

    __slots__ = ("members",)

    def __init__(self) -> None:
        self.members = 0

    def __call__(self, obj: dict[str, Any]) -> dict[str, Any]:
        self.members += len(obj)
        return obj


# The C scanner behind json.loads, called on one value at a time to find where it ends.
_scan_fast: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    cast(Any, json.JSONDecoder())
)
_scan_lenient: Callable[[str, int], tuple[Any, int]] = json.scanner.make_scanner(
    cast(Any, json.JSONDecoder(parse_int=_lenient_int))
)
_scanstring: Callable[[str, int], tuple[str, int]] = json.decoder.scanstring  # type: ignore[attr-defined]


def _blank_end(text: str, start: int) -> int:
    """The offset of the first non-blank (in JSON's sense) at or after ``start``."""
    match = _WS.match(text, start)
    return match.end() if match is not None else start


_Member = tuple[int, int, int]  # key start, key end, value start


class _Members:
    """The members of one JSON object read so far, and where reading resumes.

    ``resume`` is -1 when all are read; when ``pending``, it is the start of the last value
    read, whose end is only looked for when reading goes on (it may be a huge container).
    """

    __slots__ = ("found", "pending", "resume")

    def __init__(self, resume: int) -> None:
        self.found: dict[str, _Member] = {}
        self.resume = resume
        self.pending = False


class _Items:
    """The start offsets of one JSON array's items read so far; ``resume`` as for _Members."""

    __slots__ = ("found", "pending", "resume")

    def __init__(self, resume: int) -> None:
        self.found: list[int] = []
        self.resume = resume
        self.pending = False


class _JsonIndex:
    """Positions of JSON values, computed on first use, container by container.

    Only containers on a requested pointer's path are read, each only as far as needed: when
    the document has no repeated key, the first member with the wanted name is the one.  The
    members are read with C code (a regex for keys, ``scanstring``, and the json module's
    ``scan_once`` to step over each value), leaving one short Python step per member.
    """

    __slots__ = ("_arrays", "_ends", "_objects", "duplicates", "text", "unique")

    def __init__(self, text: str, *, unique: bool) -> None:
        self.text = text
        self.unique = unique
        self._objects: dict[int, _Members] = {}
        self._arrays: dict[int, _Items] = {}
        self._ends: dict[int, int] = {}
        # (key start, key end, first key start, name) of repeated keys, found while reading.
        self.duplicates: list[tuple[int, int, int, str]] = []

    def end(self, start: int) -> int:
        """Where the value starting at ``start`` ends."""
        found = self._ends.get(start)
        if found is not None:
            return found
        text = self.text
        ch = text[start]
        if ch == '"':
            end = _scanstring(text, start + 1)[1]
        elif ch in "{[":
            try:
                end = _scan_fast(text, start)[1]
            except ValueError:  # a huge integer inside: rescan allowing it
                end = _scan_lenient(text, start)[1]
        elif ch in "tn":
            end = start + 4
        elif ch == "f":
            end = start + 5
        else:
            match = _NUMBER.match(text, start)
            end = match.end() if match is not None else start + 1
        self._ends[start] = end
        return end

    def _next(self, value_start: int) -> int:
        """The start of what follows the value at ``value_start`` after a comma, or -1."""
        after = _SEPARATOR.match(self.text, self.end(value_start))
        return after.end() if after is not None and after[1] else -1

    def root(self) -> int:
        # The text parsed as one value, so its first non-blank starts it.
        return len(self.text) - len(self.text.lstrip(_JSON_WS))

    def member(self, start: int, name: str | None) -> _Member | None:
        """The member ``name`` of the object at ``start`` (None: read all members)."""
        members = self._objects.get(start)
        if members is None:
            members = self._objects[start] = _Members(_blank_end(self.text, start + 1))
        if name is not None:
            hit = members.found.get(name)
            if hit is not None and (self.unique or members.resume < 0):
                return hit
        text, found, i = self.text, members.found, members.resume
        if members.pending:
            i, members.pending = self._next(i), False
        while i >= 0 and text[i] == '"':
            match = _KEY.match(text, i)
            if match is not None:
                key, key_end, value_start = match[1], match.end(1) + 1, match.end()
            else:  # the key has escapes
                key, key_end = _scanstring(text, i + 1)
                value_start = _blank_end(text, _blank_end(text, key_end) + 1)
            previous = found.get(key)
            if previous is not None:
                self.duplicates.append((i, key_end, previous[0], key))
            found[key] = hit = (i, key_end, value_start)
            if key == name and self.unique:
                members.resume, members.pending = value_start, True
                return hit
            i = self._next(value_start)
        members.resume = -1
        return found.get(name) if name is not None else None

    def item(self, start: int, index: int) -> int | None:
        """The start of item ``index`` of the array at ``start`` (-1: read all items)."""
        items = self._arrays.get(start)
        if items is None:
            first = _blank_end(self.text, start + 1)
            items = self._arrays[start] = _Items(-1 if self.text[first] == "]" else first)
        found, i = items.found, items.resume
        while i >= 0 and (index < 0 or len(found) <= index):
            if items.pending:
                i, items.pending = self._next(i), False
                continue
            found.append(i)
            items.pending = True
        items.resume = i
        return found[index] if 0 <= index < len(found) else None

    def span(self, parts: Sequence[str | int], *, key: bool) -> tuple[int, int] | None:
        start = self.root()
        key_span: tuple[int, int] | None = None
        resolved = 0
        for part in parts:
            ch = self.text[start]
            if ch == "{":
                member = self.member(start, str(part))
                if member is None:
                    break
                key_span, start = member[:2], member[2]
            elif ch == "[":
                index = _array_index(part)
                item = self.item(start, index) if index is not None else None
                if item is None:
                    break
                key_span, start = None, item
            else:
                break
            resolved += 1
        if resolved == 0:
            return None
        if key and key_span is not None and resolved == len(parts):
            return key_span
        return start, self.end(start)

    def find_duplicates(self) -> list[tuple[int, int, int, str]]:
        """Read every container (only called when the parser saw a repeated key)."""
        stack: list[tuple[int, str]] = [(self.root(), "")]
        repeated: list[tuple[int, int, int, str]] = []
        while stack:
            start, ptr = stack.pop()
            ch = self.text[start]
            if ch == "{":
                self.member(start, None)
                repeated.extend(
                    (ks, ke, first, ptr + pointer([name]))
                    for ks, ke, first, name in self.duplicates
                )
                self.duplicates.clear()
                for name, (_, _, value_start) in self._objects[start].found.items():
                    if self.text[value_start] in "{[":
                        stack.append((value_start, ptr + pointer([name])))
            elif ch == "[":
                self.item(start, -1)
                for index, value_start in enumerate(self._arrays[start].found):
                    if self.text[value_start] in "{[":
                        stack.append((value_start, f"{ptr}/{index}"))
        return sorted(repeated)


class JsonDocument(Document):
    """A JSON file parsed the way the client's ``JSON.parse`` would."""

    __slots__ = ("_index",)

    def __init__(
        self,
        path: Path,
        display: str,
        text: str,
        value: Any,
        issues: Sequence[LoadIssue],
        *,
        empty: bool,
        index: _JsonIndex | None = None,
    ) -> None:
        super().__init__(path, display, text, value, issues, empty=empty)
        self._index = index

    def _span(self, parts: Sequence[str | int], *, key: bool) -> tuple[int, int] | None:
        if self.empty:
            return None
        if self._index is None:
            self._index = _JsonIndex(self.text, unique=True)
        return self._index.span(parts, key=key)


def load_json(path: Path, display: str, *, data: bytes | None = None) -> JsonDocument:
    """Load a JSON file; syntax the client rejects is a fatal ``invalid-json`` issue."""
    text, issues = read_text(path, display, data=data)
    if _fatal(issues):
        return JsonDocument(path, display, text, None, issues, empty=False)
    if not text.strip(_JSON_WS):
        return JsonDocument(path, display, text, None, issues, empty=True)
    value, problems, index = _parse_json(text, display)
    issues.extend(problems)
    return JsonDocument(path, display, text, value, issues, empty=False, index=index)


def _parse_json(text: str, display: str) -> tuple[Any, list[LoadIssue], _JsonIndex | None]:
    counter = _MemberCount()
    try:
        try:
            value = json.loads(text, object_hook=counter, parse_constant=_reject_constant)
        except json.JSONDecodeError:
            raise
        except ValueError:
            # Only an integer over Python's digit limit gets here: parse again, allowing it.
            counter = _MemberCount()
            value = json.loads(
                text, object_hook=counter, parse_constant=_reject_constant, parse_int=_lenient_int
            )
    except json.JSONDecodeError as exc:
        return None, [_json_error(text, exc, display)], None
    except _NonFinite as exc:
        return None, [_non_finite(text, exc.name, display)], None
    except RecursionError:
        return None, [_too_deep(text, display)], None
    depth, members = _json_structure(text)
    if depth > MAX_DEPTH:
        return None, [_too_deep(text, display)], None
    if members == counter.members:
        return value, [], None
    # Some object repeated a key: read them all to say where (rare, so slower is fine).
    index = _JsonIndex(text, unique=False)
    lines = _Lines(text)
    problems = []
    for key_start, key_end, first, ptr in index.find_duplicates():
        name = pointer_parts(ptr)[-1]
        first_line = lines.position(first)[0]
        problems.append(
            LoadIssue(
                "duplicate-key",
                f"Duplicate key {json.dumps(name, ensure_ascii=False)} (first on line "
                f"{first_line}): the client, like JSON.parse, keeps only the last value",
                lines.location(display, key_start, key_end, ptr),
                fatal=False,
            )
        )
    return value, problems, index


def _json_error(text: str, exc: json.JSONDecodeError, display: str) -> LoadIssue:
    pos = min(exc.pos, len(text))
    # Python's messages end with " at" / " starting at" before the position it appends.
    reason = _JSON_MESSAGE_TAIL.sub("", exc.msg)
    reason = reason[:1].lower() + reason[1:]
    hint = _json_hint(text, pos, exc.msg)
    lines = _Lines(text)
    return LoadIssue(
        "invalid-json",
        f"Invalid JSON: {reason}{hint}",
        lines.location(display, pos),
        fatal=True,
    )


def _json_hint(text: str, pos: int, msg: str) -> str:
    if text.startswith(("//", "/*"), pos) or (
        text.startswith("#", pos) and msg.startswith("Expecting")
    ):
        return " (comments are not allowed: the client parses strict JSON, not JSONC)"
    if text.startswith(("}", "]"), pos) and text[:pos].rstrip(_JSON_WS).endswith(","):
        return " (trailing commas are not allowed: the client parses strict JSON, not JSONC)"
    if text.startswith("'", pos):
        return " (strings and keys need double quotes, not single quotes)"
    if msg.startswith("Unterminated string"):
        return " (the string that starts here is never closed)"
    if msg.startswith("Invalid control character"):
        return " (tabs and line breaks inside a string must be written as \\t and \\n)"
    if msg.startswith("Extra data"):
        return " (there is more after the end of the top-level value)"
    if pos >= len(text.rstrip(_JSON_WS)):
        return " (the file ends before the value is complete)"
    return ""


def _non_finite(text: str, name: str, display: str) -> LoadIssue:
    start = 0
    for match in _NON_FINITE.finditer(text):
        if match.group(1) is not None:
            start = match.start(1)
            break
    lines = _Lines(text)
    return LoadIssue(
        "invalid-json",
        f"Invalid JSON: {name} is not a JSON value (the client rejects NaN and Infinity; "
        "use a number, a string or null)",
        lines.location(display, start, start + len(name)),
        fatal=True,
    )


def _json_structure(text: str) -> tuple[int, int]:
    """Nesting depth and number of object members of valid JSON ``text``.

    Computed with bytes operations that run in C: 60 ms for 20 MB.
    """
    data = text.encode("utf-8", "surrogatepass")
    if b"\\" in data:
        # Escaped backslashes first, then escaped quotes: every quote left delimits a string.
        data = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = data.translate(_ONE_BRACKET, _NOT_STRUCTURE)
    # Dropping two adjacent quotes keeps every later quote's parity, so strings holding no
    # bracket or colon vanish here; only the others need the split below.
    marks = marks.replace(b'""', b"")
    if b'"' in marks:
        marks = b"".join(marks.split(b'"')[::2])
    # Outside strings, each colon separates one member's key from its value.
    members = marks.count(b":")
    marks = marks.replace(b":", b"")
    # Each pass removes every innermost "[]", which lowers the depth by exactly one; wide
    # documents shrink to almost nothing in a few passes.
    depth = 0
    while len(marks) > 2 * MAX_DEPTH and depth < 16:
        marks, depth = marks.replace(b"[]", b""), depth + 1
    weights = marks.translate(_BRACKET_WEIGHTS)
    return depth + max(map(operator.sub, accumulate(weights), count(1)), default=0), members


def _too_deep(text: str, display: str) -> LoadIssue:
    # Rare, so a Python loop over strings and brackets is fine; it stops at the first bracket
    # too deep (what the C parser saw of a text that may not even be valid JSON).
    depth, at = 0, 0
    for match in _DEPTH_TOKENS.finditer(text):
        ch = text[match.start()]
        if ch in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                at = match.start()
                break
        elif ch in "]}":
            depth = max(depth - 1, 0)
    return LoadIssue(
        "too-deep",
        f"The value nests more than {MAX_DEPTH} levels deep; it was not parsed",
        _Lines(text).location(display, at),
        fatal=True,
    )


# --------------------------------------------------------------------------------------------
# YAML


class YamlDocument(Document):
    """A YAML file (such as ``.claude/routines.yaml``) parsed with PyYAML's safe loader."""

    __slots__ = ("_positions",)

    def __init__(
        self,
        path: Path,
        display: str,
        text: str,
        value: Any,
        issues: Sequence[LoadIssue],
        *,
        empty: bool,
        positions: YamlPositions | None = None,
    ) -> None:
        super().__init__(path, display, text, value, issues, empty=empty)
        self._positions = positions

    def _span(self, parts: Sequence[str | int], *, key: bool) -> tuple[int, int] | None:
        return self._positions.span(parts, key=key) if self._positions is not None else None


def load_yaml(path: Path, display: str, *, data: bytes | None = None) -> YamlDocument:
    """Load a YAML file (one document); syntax errors are a fatal ``invalid-yaml`` issue."""
    text, issues = read_text(path, display, data=data)
    if _fatal(issues):
        return YamlDocument(path, display, text, None, issues, empty=False)
    if not text.strip(_JSON_WS):
        return YamlDocument(path, display, text, None, issues, empty=True)
    lines = _Lines(text)
    from parity import _yaml

    value, root, problems = _yaml.parse_yaml(text, 0, display, lines)
    issues.extend(problems)
    positions = _yaml.YamlPositions(root, text, lambda o: o) if root is not None else None
    doc = YamlDocument(path, display, text, value, issues, empty=False, positions=positions)
    doc._lines = lines
    return doc


# --------------------------------------------------------------------------------------------
# Markdown frontmatter


class MisplacedFrontmatter(NamedTuple):
    """A ``---`` block that would be frontmatter, but does not open the file."""

    line: int  # 1-based line of its opening ``---``
    before: str  # what comes first instead, in words: "an HTML comment", "a blank line"...


class MarkdownDocument(Document):
    """A Markdown file with optional YAML frontmatter (SKILL.md, agents, commands, CLAUDE.md).

    ``value`` is the frontmatter as the client reads it; ``locate`` resolves pointers inside it,
    with positions in the whole file.  ``misplaced`` is set when the file has no frontmatter for
    the client but a ``---`` block after a preamble (a comment, blank lines) that was meant as
    one.
    """

    __slots__ = ("_positions", "body_line", "has_frontmatter", "misplaced")

    def __init__(
        self,
        path: Path,
        display: str,
        text: str,
        value: Any,
        issues: Sequence[LoadIssue],
        *,
        empty: bool,
        has_frontmatter: bool = False,
        body_line: int = 1,
        positions: YamlPositions | None = None,
        misplaced: MisplacedFrontmatter | None = None,
    ) -> None:
        super().__init__(path, display, text, value, issues, empty=empty)
        self.has_frontmatter = has_frontmatter
        self.body_line = body_line
        self._positions = positions
        self.misplaced = misplaced

    @property
    def frontmatter(self) -> dict[str, Any] | None:
        """The parsed frontmatter mapping; None when absent or invalid."""
        return self.value if isinstance(self.value, dict) else None

    def _span(self, parts: Sequence[str | int], *, key: bool) -> tuple[int, int] | None:
        return self._positions.span(parts, key=key) if self._positions is not None else None


def load_markdown(path: Path, display: str, *, data: bytes | None = None) -> MarkdownDocument:
    """Load a Markdown file and read its frontmatter the way the client does (2.1.330).

    The client sees frontmatter only when the file starts with ``---`` (a byte-order mark
    aside); the block ends at the first ``---`` after that line, even one inside a line.  It
    reads the block as YAML 1.2, and when that fails, once more with some values quoted
    (``_yaml.second_reading``): a frontmatter that only that second reading parses is a
    non-fatal ``lenient-yaml`` issue, one that neither parses a fatal ``invalid-yaml`` one.
    """
    text, issues = read_text(path, display, data=data)
    empty = not text.strip(_JSON_WS)
    if _fatal(issues):
        return MarkdownDocument(path, display, text, None, issues, empty=empty)
    # Both patterns start with "---": most Markdown (CLAUDE.md, rules) never compiles them.
    opens = text.startswith("---")
    found = _CLIENT_FRONTMATTER.match(text) if opens else None
    if found is None:
        if opens and _FRONTMATTER_OPEN.match(text):
            issues.append(
                LoadIssue(
                    "invalid-yaml",
                    "Invalid frontmatter: the '---' line that opens it is never closed by "
                    "another '---', so the client reads no frontmatter at all",
                    _Lines(text).location(display, 0, 3),
                    fatal=True,
                )
            )
            return MarkdownDocument(
                path, display, text, None, issues, empty=empty, has_frontmatter=True
            )
        misplaced = _misplaced_frontmatter(text)
        return MarkdownDocument(path, display, text, None, issues, empty=empty, misplaced=misplaced)
    lines = _Lines(text)
    start, end = found.span(1)
    block = text[start:end]
    if end and text[text.rfind("\n", 0, end) + 1 : end].strip(_JSON_WS):
        issues.append(
            LoadIssue(
                "frontmatter-cut",
                f"The frontmatter ends at the '---' inside line {lines.position(end)[0]}: the "
                "client closes it at the first '---' it finds, even within a line, and reads "
                "what follows as the body",
                lines.location(display, end, end + 3),
                fatal=False,
            )
        )
    value, positions, problems = _frontmatter_value(block, start, display, lines)
    issues.extend(problems)
    doc = MarkdownDocument(
        path,
        display,
        text,
        value,
        issues,
        empty=empty,
        has_frontmatter=True,
        body_line=lines.position(found.end())[0],
        positions=positions,
    )
    doc._lines = lines
    return doc


def _frontmatter_value(
    block: str, start: int, display: str, lines: _Lines
) -> tuple[Any, YamlPositions | None, list[LoadIssue]]:
    if not block.strip(_JSON_WS):
        return {}, None, []
    from parity import _yaml

    def to_file(offset: int) -> int:
        return start + offset

    parsed = block
    value, root, problems = _yaml.parse_yaml(block, start, display, lines, core=True)
    if _fatal(problems):
        reading = _yaml.second_reading(block)

        def from_reading(offset: int) -> int:
            return start + reading.to_original(offset)

        if reading.text != block:
            again, again_root, more = _yaml.parse_yaml(
                reading.text, start, display, lines, core=True, to_file=from_reading
            )
            if not _fatal(more) and isinstance(again, dict):
                problems = [_lenient(problems[0], reading), *more]
                value, root, parsed, to_file = again, again_root, reading.text, from_reading
    if not _fatal(problems) and not isinstance(value, dict):
        got = "nothing" if value is None else f"a {_yaml_type(value)}"
        at = to_file(root.start_mark.index) if root is not None else start
        problems.append(
            LoadIssue(
                "invalid-yaml",
                f"Invalid frontmatter: it must be a mapping of keys to values, but it is {got}",
                lines.location(display, at),
                fatal=True,
            )
        )
        return None, None, problems
    positions = _yaml.YamlPositions(root, parsed, to_file) if root is not None else None
    return value, positions, problems


def _lenient(strict: LoadIssue, reading: SecondReading) -> LoadIssue:
    """The strict parser's complaint, restated: the client reads the frontmatter anyway."""
    how = []
    if reading.quoted:
        keys = ", ".join(f"`{k}`" for k in reading.quoted)
        how.append(f"quoting the value{'s' if len(reading.quoted) > 1 else ''} of {keys}")
    if reading.retabbed:
        how.append("reading its leading tabs as spaces")
    problem = strict.message.removeprefix("Invalid YAML: ")
    return LoadIssue(
        "lenient-yaml",
        f"The frontmatter is not valid YAML ({problem}); the client still reads it, "
        f"{' and '.join(how)}, but other YAML tools reject it",
        strict.location,
        fatal=False,
    )


_PREAMBLE = lazy_compile(r"(?:[ \t\r\n]+|<!--.*?-->)*", re.S)


def _misplaced_frontmatter(text: str) -> MisplacedFrontmatter | None:
    """A ``---`` block after blanks and HTML comments only, closed by another ``---`` line."""
    if not text.startswith((" ", "\t", "\r", "\n", "<", "-")):
        return None  # no preamble and no indented "---": nothing to find (the usual case)
    preamble = _PREAMBLE.match(text)
    rest = text[preamble.end() if preamble else 0 :]
    head = text[: len(text) - len(rest)]
    opening = _INDENTED_OPEN.match(rest)
    if not head and not (opening and opening.group(1)):
        return None
    if opening is None or not _FRONTMATTER_CLOSE.search(rest, opening.end()):
        return None
    at = len(head) + len(opening.group(1))
    line = text.count("\n", 0, at) + 1
    if "<!--" in head:
        before = "an HTML comment"
    elif head.strip(_JSON_WS) == "" and "\n" in head:
        before = "a blank line"
    else:
        before = "spaces before the '---'"
    return MisplacedFrontmatter(line, before)


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "string"
    return type(value).__name__
