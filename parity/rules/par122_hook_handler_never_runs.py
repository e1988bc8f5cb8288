"""PAR122: a ``prompt`` or ``agent`` handler on an event that never runs one."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.hooks import iter_hooks
from parity.rules.base import Context, Rule

# From client 2.1.330. Events dispatched outside the conversation loop answer prompt and agent
# handlers with "… stop hooks are not yet supported outside REPL".
_OUTSIDE_LOOP = frozenset(
    {
        *("Notification", "SessionEnd", "StopFailure", "PreCompact", "PostCompact"),
        *("Elicitation", "ElicitationResult", "ConfigChange", "WorktreeCreate"),
        *("WorktreeRemove", "InstructionsLoaded", "CwdChanged", "FileChanged", "DirectoryAdded"),
    }
)
# Events run without the conversation: "<type>-type hooks are not supported for <event> events
# (no conversation context is available)". SessionStart and Setup are PAR205's.
_NO_CONTEXT = frozenset({"SubagentStart", "PreModelSwitch", "PostModelSwitch", "MessageDisplay"})
# An agent answers ok or not ok; a permission request needs allow or deny.
_NO_AGENT = frozenset({"PermissionRequest"})


def never_runs(event: str, handler_type: str) -> str | None:
    """Why a handler of ``handler_type`` on ``event`` never runs, or None when it can."""
    if handler_type not in ("prompt", "agent"):
        return None
    if event in _OUTSIDE_LOOP:
        return (
            f"the client runs {event} hooks outside the conversation, where only command, "
            "http and mcp_tool handlers run"
        )
    if event in _NO_CONTEXT:
        article = "an" if handler_type == "agent" else "a"
        return (
            f"{event} hooks run without the conversation, which {article} {handler_type} "
            "handler needs"
        )
    if event in _NO_AGENT and handler_type == "agent":
        return "an agent answers ok or not ok, and a permission request needs allow or deny"
    return None


def check(ctx: Context) -> Iterator[Violation]:
    """Report prompt and agent handlers the client refuses for their event."""
    for hook in iter_hooks(ctx.inventory):
        why = never_runs(hook.event, hook.type)
        if why is None:
            continue
        article = "An" if hook.type == "agent" else "A"
        yield Violation(
            hook.locate("type"),
            f'{article} "{hook.type}" handler on {hook.event} never runs: {why}. The hook fails '
            "every time, locally and in the cloud.",
            fix='Use a "command" handler (a script, or `claude -p` inside it), or move the '
            "handler to an event that runs it (Stop, PreToolUse, PostToolUse, UserPromptSubmit).",
        )


RULE = Rule(
    code="PAR122",
    name="hook-handler-never-runs",
    severity=Severity.ERROR,
    summary='A "prompt" or "agent" hook handler on an event that never runs one.',
    fix='Use a "command" handler, or an event that runs prompt and agent handlers.',
    tags=("correctness", "hooks"),
    check=check,
    docs="""
## What it does
Reports `prompt` and `agent` handlers on events that never run them in Claude Code 2.1.330:

- events the client runs outside the conversation loop: Notification, SessionEnd, StopFailure,
  PreCompact, PostCompact, Elicitation, ElicitationResult, ConfigChange, WorktreeCreate,
  WorktreeRemove, InstructionsLoaded, CwdChanged, FileChanged, DirectoryAdded (only `command`,
  `http` and `mcp_tool` handlers run there);
- events that run without the conversation, which both handler types need: SubagentStart,
  PreModelSwitch, PostModelSwitch, MessageDisplay (SessionStart and Setup are PAR205's);
- `agent` handlers on PermissionRequest (an agent answers ok or not ok; a permission request
  needs allow or deny).

The client accepts such a file without a word; the handler fails when the event fires. The
lists come from the client's hook dispatcher (2.1.330); the oracle test
(tests/oracle/test_hook_handlers.py) watches the client refuse an agent handler that runs
without the conversation, on SessionStart, the one such event that fires without a login.

## Why is this bad?
The check, summary or review the handler was meant to do never happens, in a cloud session or
locally, and nothing says so at load time.

## Example
```json
{"hooks": {"PreCompact": [{"hooks": [{"type": "agent",
  "prompt": "Save a summary of the open tasks to NOTES.md"}]}]}}
```

## Fix
```json
{"hooks": {"PreCompact": [{"hooks": [{"type": "command",
  "command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/save-notes.sh"}]}]}}
```
""",
)
