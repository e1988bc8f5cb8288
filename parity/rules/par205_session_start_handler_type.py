"""PAR205: a ``prompt``, ``agent`` or ``http`` handler on SessionStart or Setup (never runs)."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.hooks import iter_hooks
from parity.rules.base import Context, Rule

_EVENTS = ("SessionStart", "Setup")
_UNSUPPORTED = ("prompt", "agent", "http")


def check(ctx: Context) -> Iterator[Violation]:
    """Report handlers of a type the client does not run for SessionStart and Setup."""
    for hook in iter_hooks(ctx.inventory):
        if hook.event in _EVENTS and hook.type in _UNSUPPORTED:
            article = "An" if hook.type in ("agent", "http") else "A"
            yield Violation(
                hook.locate("type"),
                f'{article} "{hook.type}" handler on {hook.event} never does its job: the client '
                f'runs only "command" and "mcp_tool" handlers for {hook.event} (a "prompt" one '
                "fails when the session starts), locally and in the cloud.",
                fix='Use a "command" handler (a script printing the context you want to add) or '
                'an "mcp_tool" handler.',
            )


RULE = Rule(
    code="PAR205",
    name="session-start-handler-type",
    severity=Severity.ERROR,
    summary='A "prompt", "agent" or "http" hook on SessionStart or Setup, which never runs.',
    fix='Use a "command" or "mcp_tool" handler.',
    tags=("correctness", "hooks"),
    check=check,
    docs="""
## What it does
Reports `prompt`, `agent` and `http` handlers registered under `SessionStart` or `Setup` in any
settings file that is checked.

## Why is this bad?
Claude Code 2.1.330 accepts these handlers when it loads the file but runs only `command` and
`mcp_tool` handlers for SessionStart and Setup; a `prompt` handler fails at run time. The setup
or context the hook was meant to provide never happens, in the cloud or locally.

## Example
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "prompt", "prompt": "Summarise TODO.md"}]}]}}
```

## Fix
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "cat TODO.md"}]}]}}
```
A SessionStart command's plain standard output is added to Claude's context.
""",
)
