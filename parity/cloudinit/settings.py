"""Register the script under hooks.SessionStart by a text splice that keeps the formatting."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parity.errors import ParityError
from parity.hooks import script_refs
from parity.jsonedit import append_item, set_member
from parity.load import load_json
from parity.shell import parse

SETTINGS = ".claude/settings.json"
MATCHER = "startup|resume"


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
    found = _find(groups or [], script_rel)
    if found is None:
        group_value = {"matcher": MATCHER, "hooks": [handler(script_rel)]}
        after = append_item(text, ["hooks", "SessionStart"], group_value)
        return Registration(SETTINGS, text, after, "the SessionStart hook is missing")
    g, h = found
    group = groups[g]  # type: ignore[index]
    after, reasons = text, []
    if group["hooks"][h].get("command") != hook_command(script_rel):
        pointer: list[str | int] = ["hooks", "SessionStart", g, "hooks", h, "command"]
        after = set_member(after, pointer, hook_command(script_rel))
        reasons.append("runs the script with a different command")
    # A group shared with other handlers keeps the user's matcher: changing it would change when
    # those handlers run.
    if group.get("matcher") != MATCHER and len(group["hooks"]) == 1:
        after = set_member(after, ["hooks", "SessionStart", g, "matcher"], MATCHER)
        reasons.append(f"has a matcher other than {MATCHER}")
    reason = "the SessionStart hook " + " and ".join(reasons) if reasons else ""
    return Registration(SETTINGS, text, after, reason)


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
