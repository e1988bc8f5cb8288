"""Edit JSON text by splicing: the file's indentation, key order and trailing newline survive.

Planners (``parity migrate``, ``parity cloud-init``) compute a file's new text with these
functions and hand it to :mod:`parity.apply` as a ``WriteFile``. Only the spliced member or item
is rendered; every other byte of the file stays as it was.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["append_item", "detect_indent", "dump", "set_member"]

_WS = " \t\n\r"
_DECODER = json.JSONDecoder()


@dataclass(frozen=True)
class _Member:
    key: str
    key_start: int
    value_start: int
    value_end: int


def _skip(text: str, i: int) -> int:
    while i < len(text) and text[i] in _WS:
        i += 1
    return i


def _end(text: str, start: int) -> int:
    return _DECODER.raw_decode(text, start)[1]


def _members(text: str, start: int) -> tuple[list[_Member], int]:
    """The members of the object at ``start`` and the offset of its closing brace."""
    members: list[_Member] = []
    i = _skip(text, start + 1)
    if text[i] == "}":
        return members, i
    while True:
        key, after = _DECODER.raw_decode(text, i)
        colon = _skip(text, after)
        value_start = _skip(text, colon + 1)
        value_end = _end(text, value_start)
        members.append(_Member(str(key), i, value_start, value_end))
        i = _skip(text, value_end)
        if text[i] == "}":
            return members, i
        i = _skip(text, i + 1)  # the comma


def _items(text: str, start: int) -> tuple[list[tuple[int, int]], int]:
    """The (start, end) of each item of the array at ``start`` and its closing bracket."""
    items: list[tuple[int, int]] = []
    i = _skip(text, start + 1)
    if text[i] == "]":
        return items, i
    while True:
        end = _end(text, i)
        items.append((i, end))
        i = _skip(text, end)
        if text[i] == "]":
            return items, i
        i = _skip(text, i + 1)


def detect_indent(text: str) -> str:
    """The file's indentation unit (two spaces when it has no indented line)."""
    match = re.search(r"\n([ \t]+)\S", text)
    if match is None:
        return "  "
    unit = match.group(1)
    return "\t" if unit.startswith("\t") else " " * len(unit)


def dump(value: Any, indent: str = "  ", base: str = "") -> str:
    """``value`` as JSON the way the client writes it, re-indented to start at ``base``."""
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    return text.replace("\n", "\n" + base)


def _line_indent(text: str, offset: int) -> str:
    line_start = text.rfind("\n", 0, offset) + 1
    head = text[line_start:offset]
    return head if not head.strip() else re.match(r"[ \t]*", head).group(0)  # type: ignore[union-attr]


def _own_line(text: str, offset: int) -> bool:
    line_start = text.rfind("\n", 0, offset) + 1
    return not text[line_start:offset].strip()


def _find(text: str, path: Sequence[str | int]) -> tuple[int, int, int]:
    """(start, end, resolved): the deepest existing value along ``path``."""
    start = _skip(text, 0)
    resolved = 0
    for part in path:
        if text[start] == "{" and isinstance(part, str):
            found = [m for m in _members(text, start)[0] if m.key == part]
            if not found:
                break
            start = found[-1].value_start  # JSON.parse keeps the last of repeated keys
        elif text[start] == "[" and isinstance(part, int):
            items = _items(text, start)[0]
            if not -len(items) <= part < len(items):
                break
            start = items[part][0]
        else:
            break
        resolved += 1
    return start, _end(text, start), resolved


def set_member(text: str, path: Sequence[str | int], value: Any) -> str:
    """``text`` with the member at ``path`` set to ``value`` (inserted last when new).

    Missing objects along the path are created. Empty ``text`` becomes a new document with a
    trailing newline. Raises ValueError when a value along the path is not an object.
    """
    if not text.strip(_WS):
        nested: Any = value
        for part in reversed(path):
            nested = {part: nested}
        return dump(nested) + "\n"
    unit = detect_indent(text)
    start, end, resolved = _find(text, path)
    if resolved == len(path):
        return text[:start] + dump(value, unit, _line_indent(text, start)) + text[end:]
    if text[start] != "{" or not isinstance(path[resolved], str):
        raise ValueError(f"cannot add {path[resolved]!r}: not inside an object")
    nested = value
    for part in reversed(path[resolved + 1 :]):
        nested = {part: nested}
    return _insert(text, start, str(path[resolved]), nested, unit)


def _insert(text: str, start: int, key: str, value: Any, unit: str) -> str:
    members, close = _members(text, start)
    base = _line_indent(text, start)
    if members and not _own_line(text, members[-1].key_start):
        # A compact one-line object stays on one line.
        piece = f", {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}"
        return text[: members[-1].value_end] + piece + text[members[-1].value_end :]
    if members:
        indent = _line_indent(text, members[-1].key_start)
        piece = f",\n{indent}{json.dumps(key, ensure_ascii=False)}: {dump(value, unit, indent)}"
        return text[: members[-1].value_end] + piece + text[members[-1].value_end :]
    indent = base + unit
    body = f"\n{indent}{json.dumps(key, ensure_ascii=False)}: {dump(value, unit, indent)}\n{base}"
    return text[: start + 1] + body + text[close:]


def append_item(text: str, path: Sequence[str | int], value: Any) -> str:
    """``text`` with ``value`` appended to the array at ``path`` (created when missing)."""
    if not text.strip(_WS):
        return set_member(text, path, [value])
    start, _, resolved = _find(text, path)
    if resolved < len(path):
        return set_member(text, path, [value])
    if text[start] != "[":
        raise ValueError(f"cannot append to {list(path)!r}: not an array")
    unit = detect_indent(text)
    items, close = _items(text, start)
    base = _line_indent(text, start)
    if items and not _own_line(text, items[-1][0]):
        piece = f", {json.dumps(value, ensure_ascii=False)}"
        return text[: items[-1][1]] + piece + text[items[-1][1] :]
    if items:
        indent = _line_indent(text, items[-1][0])
        return (
            text[: items[-1][1]] + f",\n{indent}{dump(value, unit, indent)}" + text[items[-1][1] :]
        )
    indent = base + unit
    return text[: start + 1] + f"\n{indent}{dump(value, unit, indent)}\n{base}" + text[close:]
