"""PAR110: a settings-file hook that uses ``CLAUDE_PLUGIN_ROOT`` or ``CLAUDE_PLUGIN_DATA``."""

from __future__ import annotations

from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Severity, Violation
from parity.rules._scope import repo_hooks
from parity.rules.base import Context, Rule

_VARIABLES = ("CLAUDE_PLUGIN_ROOT", "CLAUDE_PLUGIN_DATA")
# `$NAME` without braces: the shell expands it, to nothing. `${NAME:-…}` is a deliberate guard.
_BARE = lazy_compile(r"\$(CLAUDE_PLUGIN_ROOT|CLAUDE_PLUGIN_DATA)(?![A-Za-z0-9_])")
_FIX = (
    'Point at the script from the project, "$CLAUDE_PROJECT_DIR"/<path>, or move the hook into '
    "the plugin's hooks/hooks.json, where the client sets the variable."
)


def check(ctx: Context) -> Iterator[Violation]:
    """Hooks of settings files (any event) whose command names a plugin-only variable."""
    for hook in repo_hooks(ctx, user=True):
        texts = [hook.handler.get("command"), *_strings(hook.handler.get("args"))]
        words = [t for t in texts if isinstance(t, str)]
        braced = next((v for v in _VARIABLES if any("${" + v + "}" in t for t in words)), None)
        if braced is not None:
            yield Violation(
                hook.locate(),
                f"This {hook.event} hook uses ${{{braced}}}, which the client provides only to "
                "hooks of a plugin (hooks/hooks.json): it refuses to run a settings-file hook "
                "that names it, so the hook fails every time.",
                fix=_FIX,
            )
            continue
        command = hook.handler.get("command")
        # Exec form (``args``) runs no shell: only the braced form means anything there.
        if not isinstance(command, str) or "args" in hook.handler:
            continue
        bare = _BARE.search(command)
        if bare is not None:
            yield Violation(
                hook.locate(),
                f"This {hook.event} hook uses ${bare.group(1)}, which is set only for hooks of a "
                "plugin: here it expands to nothing, so the path starts at / and the hook fails.",
                fix=_FIX,
            )


def _strings(value: object) -> list[object]:
    return list(value) if isinstance(value, list) else []


RULE = Rule(
    code="PAR110",
    name="plugin-root-outside-plugin",
    severity=Severity.ERROR,
    summary="A settings-file hook uses CLAUDE_PLUGIN_ROOT or CLAUDE_PLUGIN_DATA, which only "
    "plugin hooks get.",
    fix="Point at the script from the project directory, or move the hook into the plugin.",
    tags=("parity", "hooks", "plugins"),
    check=check,
    docs="""
## What it does
Reports `${CLAUDE_PLUGIN_ROOT}` and `${CLAUDE_PLUGIN_DATA}` (and their unbraced forms
`$CLAUDE_PLUGIN_ROOT`, `$CLAUDE_PLUGIN_DATA`) in the hooks of settings files
(`.claude/settings.json`, `.claude/settings.local.json`, and `~/.claude/settings.json` with
`--user`), for every hook event. A `${CLAUDE_PLUGIN_ROOT:-<path>}` fallback is left alone.

Hooks of plugins (`hooks/hooks.json`, the `hooks` of `.claude-plugin/plugin.json`) are not
reported: the client sets both variables for them, SessionStart included.

## Why is this bad?
Checked with Claude Code 2.1.330 (`claude --init-only --debug-file LOG`, with and without
`CLAUDE_CODE_REMOTE=true`, a plugin loaded with `--plugin-dir`):

- in a plugin's SessionStart hook both variables are set (the plugin's folder and its data
  folder under `~/.claude/plugins/data/`), in local and in cloud sessions alike;
- a settings-file hook whose command contains `${CLAUDE_PLUGIN_ROOT}` or
  `${CLAUDE_PLUGIN_DATA}` is not run at all: the client fails it ("Hook command references
  ${CLAUDE_PLUGIN_ROOT} but the hook is not associated with a plugin", status 1), for
  SessionStart and Setup alike;
- written `$CLAUDE_PLUGIN_ROOT` (no braces), the variable is simply unset in a settings-file
  hook, so the path it starts becomes `/scripts/…` and the command fails.

Earlier versions of this rule (`plugin-root-in-session-start`) also reported plugins' own
SessionStart hooks, after an old upstream issue; client 2.1.330 sets the variables there.

## Example
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command",
  "command": "node \\"${CLAUDE_PLUGIN_ROOT}/scripts/session-start.js\\""}]}]}}
```

## Fix
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command",
  "command": "node \\"$CLAUDE_PROJECT_DIR\\"/scripts/session-start.js"}]}]}}
```
or move the hook into the plugin's `hooks/hooks.json`.
""",
)
