"""Register the script under hooks.SessionStart by a text splice that keeps the formatting."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parity.errors import ParityError
from parity.hooks import script_refs
from parity.load import JsonDocument, load_json
from parity.shell import parse

SETTINGS = ".claude/settings.json"
MATCHER = "startup|resume"
_INDENT = re.compile(r"^([ \t]+)\S", re.MULTILINE)
_BLANK = " \t\r\n"


def hook_command(script_rel: str) -> str:
    """The handler command: the script under the project dir, with a fallback when it is empty."""
    return f'"${{CLAUDE_PROJECT_DIR:-.}}/{script_rel}"'


def handler(script_rel: str) -> dict[str, Any]:
    """The hook handler object that runs the script."""
    return {"type": "command", "command": hook_command(script_rel)}


@dataclass(frozen=True)
class Registration:
    """The settings file before and after registering the script (equal when nothing changes)."""

    rel: str
    before: str | None  # None: the file does not exist
    after: str
    reason: str  # why it changes ("" when it does not)

    @property
    def changed(self) -> bool:
        """True when the file would change."""
        return self.before != self.after


def plan_registration(root: Path, script_rel: str) -> Registration:
    """Where and how ``.claude/settings.json`` must change to run the script at session start."""
    path = root / SETTINGS
    if not path.exists():
        return Registration(SETTINGS, None, _fresh(script_rel), "the SessionStart hook is missing")
    doc = load_json(path, SETTINGS)
    if not doc.ok:
        issue = next(i for i in doc.issues if i.fatal)
        raise ParityError(
            f"{SETTINGS}:{issue.location.line}:{issue.location.column}: {issue.message}; "
            "fix it before running parity cloud-init"
        )
    text = doc.text
    if doc.empty:
        return Registration(SETTINGS, text, _fresh(script_rel), "the SessionStart hook is missing")
    value = doc.value
    if not isinstance(value, dict):
        raise ParityError(f"{SETTINGS}: the top level must be an object")
    if not value:
        return Registration(SETTINGS, text, _fresh(script_rel), "the SessionStart hook is missing")
    hooks = value.get("hooks")
    if hooks is not None and not isinstance(hooks, dict):
        raise ParityError(f"{SETTINGS}: hooks must be an object")
    groups = hooks.get("SessionStart") if isinstance(hooks, dict) else None
    if groups is not None and not isinstance(groups, list):
        raise ParityError(f"{SETTINGS}: hooks.SessionStart must be an array")
    splicer = _Splicer(doc)
    found = _find(groups or [], script_rel)
    if found is not None:
        g, h = found
        group = groups[g]  # type: ignore[index]
        edits: list[tuple[int, int, str]] = []
        reasons = []
        if group["hooks"][h].get("command") != hook_command(script_rel):
            start, end = splicer.span(("hooks", "SessionStart", g, "hooks", h, "command"))
            edits.append((start, end, json.dumps(hook_command(script_rel))))
            reasons.append("runs the script with a different command")
        # A group shared with other handlers keeps the user's matcher: changing it would change
        # when those handlers run.
        if group.get("matcher") != MATCHER and len(group["hooks"]) == 1:
            if "matcher" in group:
                start, end = splicer.span(("hooks", "SessionStart", g, "matcher"))
                edits.append((start, end, json.dumps(MATCHER)))
            else:
                start, _ = splicer.span(("hooks", "SessionStart", g))
                edits.append(splicer.prepend_member(start, "matcher", MATCHER))
            reasons.append(f"has a matcher other than {MATCHER}")
        after = _apply(text, edits)
        reason = "the SessionStart hook " + " and ".join(reasons) if reasons else ""
        return Registration(SETTINGS, text, after, reason)
    group_value = {"matcher": MATCHER, "hooks": [handler(script_rel)]}
    if groups is not None:
        edit = splicer.append(("hooks", "SessionStart"), None, group_value)
    elif hooks is not None:
        edit = splicer.append(("hooks",), "SessionStart", [group_value])
    else:
        edit = splicer.append((), "hooks", {"SessionStart": [group_value]})
    return Registration(SETTINGS, text, _apply(text, [edit]), "the SessionStart hook is missing")


def _fresh(script_rel: str) -> str:
    value = {"hooks": {"SessionStart": [{"matcher": MATCHER, "hooks": [handler(script_rel)]}]}}
    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _find(groups: list[Any], script_rel: str) -> tuple[int, int] | None:
    for g, group in enumerate(groups):
        if not isinstance(group, dict) or not isinstance(group.get("hooks"), list):
            continue
        for h, entry in enumerate(group["hooks"]):
            if not isinstance(entry, dict) or not isinstance(entry.get("command"), str):
                continue
            refs = [ref for cmd in parse(entry["command"]) for ref in script_refs(cmd)]
            if any(ref.rel == script_rel for ref in refs):
                return g, h
    return None


def _apply(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


class _Splicer:
    """Offsets of values in one JSON text, and edits that follow its indentation style."""

    def __init__(self, doc: JsonDocument) -> None:
        self.doc = doc
        self.text = doc.text
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", self.text)]
        found = _INDENT.search(self.text)
        unit = found.group(1) if found else "  "
        self.unit = "\t" if unit.startswith("\t") else " " * min(len(unit), 8)

    def _offset(self, line: int, column: int) -> int:
        return self.line_starts[line - 1] + column - 1

    def span(self, parts: tuple[str | int, ...]) -> tuple[int, int]:
        """Text offsets [start, end) of the value at ``parts`` (the whole text for the root)."""
        if not parts:
            start = len(self.text) - len(self.text.lstrip(_BLANK))
            return start, len(self.text.rstrip(_BLANK))
        loc = self.doc.locate(parts)
        return self._offset(loc.line, loc.column), self._offset(loc.end_line, loc.end_column)

    def _line_indent(self, offset: int) -> str:
        line_start = self.text.rfind("\n", 0, offset) + 1
        line = self.text[line_start:]
        return line[: len(line) - len(line.lstrip(" \t"))]

    def _dump(self, value: Any, indent: str, multiline: bool) -> str:
        if not multiline:
            return json.dumps(value, ensure_ascii=False)
        return json.dumps(value, indent=self.unit, ensure_ascii=False).replace("\n", "\n" + indent)

    def append(
        self, parts: tuple[str | int, ...], key: str | None, value: Any
    ) -> tuple[int, int, str]:
        """An edit adding ``value`` (as member ``key`` of an object) at the end of a container."""
        start, end = self.span(parts)
        close = end - 1
        last = close - 1
        while last > start and self.text[last] in _BLANK:
            last -= 1
        empty = last == start
        multiline = "\n" in self.text[start:end] or (empty and "\n" in self.text.strip(_BLANK))
        close_indent = self._line_indent(close) if "\n" in self.text[start:end] else ""
        if not close_indent and "\n" not in self.text[start:end]:
            close_indent = self._line_indent(start)
        first = start + 1
        while first < close and self.text[first] in _BLANK:
            first += 1
        if not empty and "\n" in self.text[start:first]:
            child_indent = self._line_indent(first)
        else:
            child_indent = close_indent + self.unit
        body = self._dump(value, child_indent, multiline)
        item = f"{json.dumps(key)}: {body}" if key is not None else body
        if not multiline:
            return (last + 1, last + 1, item if empty else ", " + item)
        if empty:
            return (start + 1, close, f"\n{child_indent}{item}\n{close_indent}")
        return (last + 1, last + 1, f",\n{child_indent}{item}")

    def prepend_member(self, start: int, key: str, value: Any) -> tuple[int, int, str]:
        """An edit adding member ``key`` first in the object starting at ``start``."""
        first = start + 1
        while self.text[first] in _BLANK:
            first += 1
        member = f"{json.dumps(key)}: {json.dumps(value)}"
        if "\n" in self.text[start:first]:
            indent = self._line_indent(first)
            return (start + 1, start + 1, f"\n{indent}{member},")
        return (start + 1, start + 1, member + ", ")
