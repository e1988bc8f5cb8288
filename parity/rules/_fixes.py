"""Helpers for rules that offer a fix: edits of a loaded document, as plain data.

Each helper returns an :class:`~parity.findings.Edit` against the document's text, or None when
the change cannot be made exactly (the value is not where it should be, the file repeats a key,
it did not parse). Only the changed span is replaced: every other byte of the file is kept.
Nothing here writes; ``parity/fix.py`` applies the edits through ``parity/apply.py``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from parity._sha256 import sha256
from parity.findings import Edit
from parity.load import Document

if TYPE_CHECKING:
    from parity.hooks import HookHandler
    from parity.rules._cloud import Site
    from parity.rules.base import Context

__all__ = [
    "Region",
    "hook_region",
    "json_insert_first",
    "json_key",
    "json_set",
    "json_string",
    "json_value",
    "line_start",
    "site_region",
    "text_edit",
]


def _basis(doc: Document) -> str:
    return sha256(doc.text.encode("utf-8", "surrogatepass")).hexdigest()


def _editable(doc: Document) -> bool:
    # A repeated key makes "the value at this pointer" ambiguous (the client keeps the last).
    return doc.ok and not any(issue.kind == "duplicate-key" for issue in doc.issues)


def text_edit(doc: Document, start: int, end: int, content: str) -> Edit:
    """Replace ``doc.text[start:end]`` with ``content``."""
    line, column = doc.position(start)
    end_line, end_column = doc.position(end)
    return Edit(
        path=doc.display,
        start=start,
        end=end,
        content=content,
        basis=_basis(doc),
        line=line,
        column=column,
        end_line=end_line,
        end_column=end_column,
    )


def line_start(doc: Document, line: int) -> int:
    """The offset where 1-based ``line`` of ``doc.text`` starts (the end of the text past it)."""
    offset = 0
    for _ in range(line - 1):
        found = doc.text.find("\n", offset)
        if found < 0:
            return len(doc.text)
        offset = found + 1
    return offset


def json_value(doc: Document, parts: Sequence[str | int], value: Any) -> Edit | None:
    """Replace the value at ``parts`` with ``value`` (a scalar, written as JSON on one line)."""
    if not _editable(doc):
        return None
    span = doc.span(parts)
    if span is None:
        return None
    return text_edit(doc, span[0], span[1], json.dumps(value, ensure_ascii=False))


def json_key(doc: Document, parts: Sequence[str | int], new: str) -> Edit | None:
    """Rename the member at ``parts`` to ``new`` (its value and place are kept)."""
    if not _editable(doc) or not parts or not isinstance(parts[-1], str):
        return None
    span = doc.span(parts, key=True)
    if span is None or _decoded(doc.text[span[0] : span[1]]) != parts[-1]:
        return None
    return text_edit(doc, span[0], span[1], json.dumps(new, ensure_ascii=False))


def json_string(
    doc: Document,
    parts: Sequence[str | int],
    start: int,
    end: int,
    content: str,
) -> Edit | None:
    """Replace characters ``[start, end)`` of the string value at ``parts`` with ``content``.

    Offsets count characters of the decoded string; the edit touches only the matching part of
    the string literal, so escapes elsewhere in it stay as written and two edits of one string
    compose when they do not overlap.
    """
    if not _editable(doc):
        return None
    span = doc.span(parts)
    if span is None:
        return None
    literal = doc.text[span[0] : span[1]]
    offsets = string_offsets(literal)
    if offsets is None or not 0 <= start <= end < len(offsets):
        return None
    encoded = json.dumps(content, ensure_ascii=False)[1:-1]
    return text_edit(doc, span[0] + offsets[start], span[0] + offsets[end], encoded)


def json_set(doc: Document, path: Sequence[str], value: Any) -> Edit | None:
    """Set member ``path`` to ``value`` (added last in its object when new), as jsonedit does."""
    from parity.jsonedit import set_member

    if not _editable(doc) or not isinstance(doc.value, dict):
        return None
    try:
        new = set_member(doc.text, list(path), value)
    except (ValueError, IndexError):
        return None
    return _difference(doc, new)


def json_insert_first(
    doc: Document, parts: Sequence[str | int], key: str, value: Any
) -> Edit | None:
    """Add member ``key`` first in the non-empty object at ``parts`` (as ``claude mcp add``
    writes ``type`` first), on its own line when the members are on lines of their own."""
    if not _editable(doc):
        return None
    span = doc.span(parts) if parts else None
    if span is None or doc.text[span[0]] != "{":
        return None
    first = span[0] + 1
    while first < span[1] and doc.text[first] in " \t\r\n":
        first += 1
    if doc.text[first] != '"':
        return None  # an empty object
    member = json.dumps(key, ensure_ascii=False) + ": " + json.dumps(value, ensure_ascii=False)
    between = doc.text[span[0] + 1 : first]
    if "\n" in between:
        indent = between[between.rfind("\n") + 1 :]
        return text_edit(doc, first, first, f"{member},\n{indent}")
    return text_edit(doc, first, first, f"{member}, ")


def _difference(doc: Document, new: str) -> Edit | None:
    """The one edit that turns ``doc.text`` into ``new`` (their common ends kept)."""
    old = doc.text
    if new == old:
        return None
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[len(old) - 1 - tail] == new[len(new) - 1 - tail]:
        tail += 1
    return text_edit(doc, head, len(old) - tail, new[head : len(new) - tail])


def _decoded(literal: str) -> Any:
    try:
        return json.loads(literal)
    except ValueError:
        return None


def string_offsets(literal: str) -> list[int] | None:
    """For a JSON string literal (quotes included), where each decoded character starts in it.

    The list has one entry per character of the decoded string plus one for the closing quote,
    so that ``[start, end)`` of the string maps to ``[offsets[start], offsets[end])`` of the
    literal. None when ``literal`` is not a JSON string.
    """
    if len(literal) < 2 or literal[0] != '"' or literal[-1] != '"':
        return None
    decoded = _decoded(literal)
    if not isinstance(decoded, str):
        return None
    offsets: list[int] = []
    i, last = 1, len(literal) - 1
    while i < last:
        offsets.append(i)
        if literal[i] != "\\":
            i += 1
        elif literal[i + 1] != "u":
            i += 2
        elif (
            0xD800 <= int(literal[i + 2 : i + 6], 16) <= 0xDBFF
            and literal[i + 6 : i + 8] == "\\u"
            and 0xDC00 <= int(literal[i + 8 : i + 12], 16) <= 0xDFFF
        ):
            i += 12  # a surrogate pair is one character once decoded
        else:
            i += 6
    offsets.append(last)
    return offsets if len(offsets) == len(decoded) + 1 else None


class Region(NamedTuple):
    """The text a command is written in: a hook's command string, or a script's line.

    :meth:`edit` turns offsets into ``text`` into an edit of the file that holds it.
    """

    text: str
    doc: Document
    pointer: tuple[str | int, ...] | None  # the JSON string's place; None for a script line
    offset: int = 0  # where ``text`` starts in a script

    def edit(self, start: int, end: int, content: str) -> Edit | None:
        """Replace ``text[start:end]`` with ``content`` in the file."""
        if self.pointer is not None:
            return json_string(self.doc, self.pointer, start, end, content)
        return text_edit(self.doc, self.offset + start, self.offset + end, content)


def hook_region(hook: HookHandler | None) -> Region | None:
    """The ``command`` string of a shell-form hook (``/bin/sh -c``), for a fix to edit; None
    for an exec-form hook (``args``) or one run by another shell."""
    if (
        hook is None
        or "args" in hook.handler
        or hook.handler.get("shell") not in (None, "bash")
        or not isinstance(hook.command, str)
    ):
        return None
    return Region(hook.command, hook.doc, (*hook.path, "command"))


def site_region(ctx: Context, site: Site) -> Region | None:
    """Where the command of ``site`` is written, for a fix to edit: the hook's ``command``
    string (not an exec-form hook with ``args``), or the line of the script. None elsewhere."""
    if site.script is None:
        return hook_region(site.hook)
    doc = ctx.inventory.repo_file(site.script)
    if doc is None or not doc.ok:
        return None
    start = line_start(doc, site.location.line)
    end = doc.text.find("\n", start)
    return Region(doc.text[start : end if end >= 0 else len(doc.text)], doc, None, start)
