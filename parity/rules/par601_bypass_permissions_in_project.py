"""PAR601: a permission mode in project or local settings that the client does not honour."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.model import Kind, Scope
from parity.rules.base import Context, Rule

# Checked with client 2.1.330 (tests/oracle/test_permission_mode.py): these modes are granted
# only by user, managed or command-line settings; from project and local settings, files anyone
# can commit, the client ignores them and starts in default mode, locally and in the cloud.
IGNORED_FROM_REPOSITORY = ("bypassPermissions", "auto")
# Honoured locally, but a cloud session allows only acceptEdits, plan, default and auto.
IGNORED_IN_CLOUD = ("dontAsk",)
_FIX = (
    'Use "acceptEdits" with allow rules for what the project needs ("Bash(npm test *)"); to '
    "skip prompts yourself, set the mode in ~/.claude/settings.json or start Claude Code with "
    "--permission-mode."
)


def check(ctx: Context) -> Iterator[Violation]:
    """``permissions.defaultMode`` of project and local settings files."""
    for cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT, Scope.LOCAL]):
        value = doc.value if doc.ok and isinstance(doc.value, dict) else {}
        perms = value.get("permissions")
        mode = perms.get("defaultMode") if isinstance(perms, dict) else None
        where = "project" if cf.scope is Scope.PROJECT else "local"
        if mode in IGNORED_FROM_REPOSITORY:
            yield Violation(
                doc.locate(("permissions", "defaultMode")),
                f'defaultMode "{mode}" is ignored in {where} settings: the client takes '
                f"{mode} mode only from user, managed or command-line settings (project and "
                "local settings are files a repository can carry), so every session starts in "
                "default mode, on your machine and in the cloud.",
                fix=_FIX,
            )
        elif mode in IGNORED_IN_CLOUD and (cf.scope is Scope.PROJECT or cf.tracked):
            yield Violation(
                doc.locate(("permissions", "defaultMode")),
                f'defaultMode "{mode}" is ignored in a cloud session, which allows only '
                "acceptEdits, plan, default and auto and starts in default mode there; on your "
                "machine it applies to everyone who opens the repository.",
                fix=_FIX,
            )


RULE = Rule(
    code="PAR601",
    name="bypass-permissions-in-project",
    severity=Severity.WARNING,
    summary="A defaultMode the client ignores where it is set: bypassPermissions or auto in "
    "project or local settings, dontAsk in a cloud session.",
    fix='Use "acceptEdits" plus allow rules for what the project needs.',
    tags=("permissions", "safety"),
    check=check,
    docs="""
## What it does
Reports `permissions.defaultMode` set to:

- `bypassPermissions` or `auto` in `.claude/settings.json` or `.claude/settings.local.json`.
  Claude Code 2.1.330 grants these modes only from user settings (`~/.claude/settings.json`),
  managed settings or the command line; from project and local settings, which a repository can
  carry, it ignores them (its debug log says `settings defaultMode "bypassPermissions" ignored`)
  and the session starts in default mode, locally and in the cloud. Moving the mode to
  `settings.local.json` does not help: it is ignored there too.
- `dontAsk` in the project's settings: honoured on your machine, but a cloud session allows only
  `acceptEdits`, `plan`, `default` and `auto` and starts in default mode.

Checked against client 2.1.330 (`tests/oracle/test_permission_mode.py`): the permission mode of
the session it starts, with each mode in each file, with and without `CLAUDE_CODE_REMOTE=true`.

## Why is this bad?
A repository that relies on bypassing prompts does not get it: sessions stop at the first
permission prompt, and a routine or a cloud task waits for an answer nobody gives. Where the
mode does apply (`dontAsk` locally), it takes a safety decision that belongs to each person for
everyone who opens the repository.

## Example
```json
{"permissions": {"defaultMode": "bypassPermissions"}}
```

## Fix
```json
{"permissions": {"defaultMode": "acceptEdits", "allow": ["Bash(npm test *)", "Bash(npm run lint)"]}}
```
To skip prompts on your own machine, set the mode in `~/.claude/settings.json` or start
Claude Code with `--permission-mode`.
""",
)
