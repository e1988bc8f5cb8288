"""PAR110: ``CLAUDE_PLUGIN_ROOT`` in a SessionStart hook, where the client leaves it empty."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from parity.findings import Severity, Violation
from parity.load import Document, load_json
from parity.rules._scope import repo_hooks
from parity.rules.base import Context, Rule

# Without a ``:-`` fallback; ``${CLAUDE_PLUGIN_ROOT:-…}`` is a deliberate guard.
_BARE = re.compile(r"\$\{CLAUDE_PLUGIN_ROOT\}|\$CLAUDE_PLUGIN_ROOT(?![A-Za-z0-9_])")
_FIX = (
    'Resolve the path without the variable (the script\'s own location, "$(dirname "$0")"), or '
    'give it a fallback: "${CLAUDE_PLUGIN_ROOT:-<path>}".'
)


def check(ctx: Context) -> Iterator[Violation]:
    """SessionStart handlers in settings files and in the repository's plugin hook files."""
    for hook in repo_hooks(ctx, user=True):
        if hook.event == "SessionStart" and hook.command and _BARE.search(hook.command):
            yield Violation(
                hook.locate(),
                "This SessionStart hook uses CLAUDE_PLUGIN_ROOT, which is set only for plugin "
                "hooks and not at all here: the path starts at / and the hook fails.",
                fix=_FIX,
            )
    # The indexed glob: a monorepo is not walked file by file.
    for rel in ctx.repo.glob("hooks/hooks.json", ".claude-plugin/plugin.json"):
        pointer: tuple[str, ...] = ("hooks",)
        safe = ctx.repo.safe_path(rel)
        if safe is None or not safe.is_file():
            continue
        doc = load_json(safe, rel)
        hooks = doc.value.get("hooks") if doc.ok and isinstance(doc.value, dict) else None
        if isinstance(hooks, dict):
            yield from _plugin_hooks(doc, hooks.get("SessionStart"), (*pointer, "SessionStart"))


def _plugin_hooks(doc: Document, groups: Any, base: tuple[str, ...]) -> Iterator[Violation]:
    if not isinstance(groups, list):
        return
    for g, group in enumerate(groups):
        handlers = group.get("hooks") if isinstance(group, dict) else None
        if not isinstance(handlers, list):
            continue
        for i, handler in enumerate(handlers):
            command = handler.get("command") if isinstance(handler, dict) else None
            if isinstance(command, str) and _BARE.search(command):
                yield Violation(
                    doc.locate((*base, g, "hooks", i, "command")),
                    "This plugin SessionStart hook uses CLAUDE_PLUGIN_ROOT, which the client does "
                    "not set for SessionStart (anthropics/claude-code#27145): the path starts at / "
                    "and the hook fails at every session start.",
                    fix=_FIX,
                )


RULE = Rule(
    code="PAR110",
    name="plugin-root-in-session-start",
    severity=Severity.ERROR,
    summary="A SessionStart hook relies on CLAUDE_PLUGIN_ROOT, which is empty there.",
    fix="Resolve the path from the script's own location, or give the variable a fallback.",
    tags=("parity", "hooks", "plugins"),
    check=check,
    docs="""
## What it does
Reports `$CLAUDE_PLUGIN_ROOT` / `${CLAUDE_PLUGIN_ROOT}` (without a `:-` fallback) in SessionStart
hook commands: in settings files, where the variable is never set, and in the repository's plugin
hook files (`hooks/hooks.json`, `.claude-plugin/plugin.json` `hooks`).

## Why is this bad?
The client sets `CLAUDE_PLUGIN_ROOT` for plugin hooks on tool events but not for SessionStart, and
never for hooks from settings files. The command runs `/scripts/…`, fails, and the session (local
or cloud) starts without its setup.

## Example
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command",
  "command": "node \\"${CLAUDE_PLUGIN_ROOT}/scripts/session-start.js\\""}]}]}}
```

## Fix
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command",
  "command": "bash \\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/session-start.sh"}]}]}}
```
or let a committed script find its own folder with `"$(dirname "$0")"`.
""",
)
