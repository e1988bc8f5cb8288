"""PAR603: a hook (or a script it runs) starts Claude with permission checks turned off."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._scope import hook_scripts, line_location, repo_hooks, script_commands
from parity.rules.base import Context, Rule
from parity.shell import SimpleCommand

_FLAGS = frozenset({"--dangerously-skip-permissions", "--allow-dangerously-skip-permissions"})
_MESSAGE = (
    "{what} runs a command with {flag}: every tool call of that nested session runs without a "
    "permission check, started automatically by a hook (in the cloud too)."
)
_FIX = 'Drop the flag; give the nested run narrow rules with --allowedTools "Bash(npm test *)".'


def _flag(cmd: SimpleCommand) -> str | None:
    for i, word in enumerate(cmd.argv):
        if word in _FLAGS:
            return word
        if word == "--permission-mode" and cmd.argv[i + 1 : i + 2] == ("bypassPermissions",):
            return "--permission-mode bypassPermissions"
        if word == "--permission-mode=bypassPermissions":
            return word
    return None


def check(ctx: Context) -> Iterator[Violation]:
    """Hook commands of every settings file checked, and the repository scripts they run."""
    seen: set[str] = set()
    for hook in repo_hooks(ctx, user=True):
        for cmd in hook.commands():
            flag = _flag(cmd)
            if flag:
                yield Violation(
                    hook.locate(), _MESSAGE.format(what="This hook", flag=flag), fix=_FIX
                )
        for script in hook_scripts(hook):
            rel = script.rel
            if rel in seen:
                continue
            seen.add(rel)
            parsed = script_commands(ctx, rel)
            if parsed is None:
                continue
            doc, commands = parsed
            for cmd in commands:
                flag = _flag(cmd)
                if flag:
                    yield Violation(
                        line_location(doc, cmd.line),
                        _MESSAGE.format(
                            what=f"This script (run by a {hook.event} hook)", flag=flag
                        ),
                        fix=_FIX,
                    )


RULE = Rule(
    code="PAR603",
    name="skip-permissions-in-hook",
    severity=Severity.ERROR,
    summary="A hook runs claude with --dangerously-skip-permissions.",
    fix="Drop the flag and allow only the tools the nested run needs.",
    tags=("permissions", "safety", "hooks"),
    check=check,
    docs="""
## What it does
Parses hook commands (and the shell scripts in the repository that they run) and reports
`--dangerously-skip-permissions`, `--allow-dangerously-skip-permissions` and
`--permission-mode bypassPermissions`.

## Why is this bad?
A hook fires on its own: on every session start, every edit, every stop. A nested `claude -p`
started from it with permission checks off can do anything, with nobody watching, on your machine
and in the cloud.

## Example
```json
{"hooks": {"Stop": [{"hooks": [{"type": "command",
  "command": "claude -p 'review the diff' --dangerously-skip-permissions"}]}]}}
```

## Fix
```json
{"hooks": {"Stop": [{"hooks": [{"type": "command",
  "command": "claude -p 'review the diff' --allowedTools 'Bash(git diff *)' Read"}]}]}}
```
""",
)
