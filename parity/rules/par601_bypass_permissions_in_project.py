"""PAR601: a permission mode in project settings that a cloud session ignores."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.model import Kind, Scope
from parity.rules.base import Context, Rule

# Reference §3.2 / §6.1: the cloud honours only acceptEdits, plan, default (manual) and auto.
_IGNORED_IN_CLOUD = frozenset({"bypassPermissions", "dontAsk"})


def check(ctx: Context) -> Iterator[Violation]:
    """``permissions.defaultMode`` of project settings files."""
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        value = doc.value if doc.ok and isinstance(doc.value, dict) else {}
        perms = value.get("permissions")
        mode = perms.get("defaultMode") if isinstance(perms, dict) else None
        if mode not in _IGNORED_IN_CLOUD:
            continue
        yield Violation(
            doc.locate(("permissions", "defaultMode")),
            f'defaultMode "{mode}" is ignored in a cloud session (only acceptEdits, plan, default '
            "and auto are honoured there): the session asks as in default mode, and on your "
            "machine every teammate who opens the repository gets it.",
            fix='Use "acceptEdits" (or explicit allow rules) in .claude/settings.json; keep '
            f'"{mode}" for yourself in .claude/settings.local.json if you must.',
        )


RULE = Rule(
    code="PAR601",
    name="bypass-permissions-in-project",
    severity=Severity.WARNING,
    summary="Project settings set defaultMode bypassPermissions (or dontAsk), which the cloud "
    "ignores.",
    fix='Use "acceptEdits" plus allow rules for what the project needs.',
    tags=("permissions", "safety"),
    check=check,
    docs="""
## What it does
Reports `permissions.defaultMode` set to `bypassPermissions` or `dontAsk` in the project's
`.claude/settings.json`.

## Why is this bad?
A cloud session honours only `acceptEdits`, `plan`, `default` and `auto`, so a repository that
relies on bypassing prompts does not get it there. Locally the setting turns off every permission
check for everyone who opens the repository: a safety decision that belongs to each person, not
to the project.

## Example
```json
{"permissions": {"defaultMode": "bypassPermissions"}}
```

## Fix
```json
{"permissions": {"defaultMode": "acceptEdits", "allow": ["Bash(npm test *)", "Bash(npm run lint)"]}}
```
""",
)
