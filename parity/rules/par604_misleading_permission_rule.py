"""PAR604: a permission rule the client accepts but does not apply as written."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.permissions import RuleWarning, warnings
from parity.rules._settings import permission_rules
from parity.rules.base import Context, Rule

# Warnings about rules that never match anything, against those that match something else.
_NEVER = frozenset({"never-consulted", "raw-field", "unknown-tool"})
_NOTHING = {
    "allow": "it allows nothing",
    "ask": "this ask rule never asks",
    "deny": "this deny rule protects nothing",
}


def check(ctx: Context) -> Iterator[Violation]:
    """Every accepted rule of permissions.allow/ask/deny that the client warns about at start-up."""
    for doc, kind, index, text in permission_rules(ctx):
        found = warnings(text, kind)
        if any(w.kind == "never-consulted" for w in found):
            # `MultiEdit(x)`: an unknown name too, but the path-rule warning has the better fix.
            found = [w for w in found if w.kind != "unknown-tool"]
        for warning in found:
            yield Violation(
                doc.locate(("permissions", kind, index)),
                _message(warning, kind),
                fix=_fix(warning, kind),
            )


def _message(warning: RuleWarning, kind: str) -> str:
    if warning.kind in _NEVER:
        return (
            f"{warning.message}; {_NOTHING[kind]}. The client accepts the rule and warns about "
            "it only at start-up."
        )
    if warning.kind in ("wildcard-before-rest", "wildcard-in-variable"):
        return (
            f"{warning.message}, without a prompt (the client warns about this allow rule at "
            "start-up)."
        )
    return f"{warning.message}. The client accepts the rule and warns about it only at start-up."


def _fix(warning: RuleWarning, kind: str) -> str:
    if warning.replacement is not None:
        return f'Write "{warning.replacement}" instead.'
    if warning.kind == "unknown-tool":
        return "Fix the tool name (see the tool list in the permissions docs), or remove the rule."
    if warning.kind in ("wildcard-before-rest", "wildcard-in-variable"):
        return (
            "Replace that * with the exact value you mean, or put * only after the subcommand "
            '("Bash(git status *)").'
        )
    if warning.kind == "literal-star":
        return 'Drop the :* and use * as the wildcard: "Bash(npm run *)".'
    if warning.kind == "misplaced-prefix":
        return 'Put :* only at the end ("Bash(git push:*)"), or write * for a wildcard.'
    return "Rewrite the rule as the client reads it."


RULE = Rule(
    code="PAR604",
    name="misleading-permission-rule",
    severity=Severity.WARNING,
    summary="A permission rule the client accepts but does not apply as written.",
    fix='Use Edit(path) for file writes and Read(path) for file reads: "Edit(**/.env)".',
    tags=("permissions", "safety"),
    check=check,
    docs="""
## What it does
Reports the permission rules that Claude Code 2.1.330 accepts but warns about when a session
starts (checked against the client, `tests/oracle/test_permission_rules.py`):

- a path rule on a tool that file permission checks never consult: `Write(...)`,
  `NotebookEdit(...)`, `MultiEdit(...)` (only `Edit(path)` rules guard file edits) and
  `Glob(...)` (only `Read(path)` rules guard file reads);
- a deny or ask rule naming a tool the client does not know (`Frobnicate`, `MultiEdit`);
- content that names the tool's input field (`Bash(command:rm *)`, `Read(file_path:.env)`):
  the client compares the text as it is, so the rule never matches;
- `:*` anywhere but at the end (`Bash(:* --force)`), or mixed with `*` (`Bash(npm * run:*)`):
  the matcher reads the rule differently from how it looks;
- allow rules whose `*` sits before the rest of a command (`Bash(git * main)`) or inside a
  variable's value (`Bash(FOO=* npm test)`): they approve more than they seem to.

The worst case is a deny rule: `"deny": ["Write(**/.env)"]` protects nothing, since file edits
are checked against `Edit(...)` rules only, while the file reads as if it were protected.

## Why is this bad?
The client accepts these rules and says so once, in a start-up line nobody reads in a cloud
session or a routine. An allow rule that never matches means prompts where none were expected;
a deny or ask rule that never matches leaves the files or commands it names unguarded.

## Example
```json
{"permissions": {"deny": ["Write(**/.env)", "Glob(secrets/**)", "Bash(command:rm -rf *)"]}}
```

## Fix
```json
{"permissions": {"deny": ["Edit(**/.env)", "Read(secrets/**)", "Bash(rm -rf *)"]}}
```
""",
)
