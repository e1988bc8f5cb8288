"""PAR602: an allow rule that lets every shell command run without asking."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.permissions import parse, problem
from parity.rules._settings import permission_rules
from parity.rules.base import Context, Rule


def allows_every_command(text: str) -> bool:
    """True for an allow rule the client reads as every Bash command: ``Bash``, ``Bash(*)``."""
    if problem(text, "allow") is not None:
        return False  # skipped by the client: PAR014 reports it
    value = parse(text)
    return value.tool == "Bash" and (value.content is None or set(value.content) == {"*"})


def check(ctx: Context) -> Iterator[Violation]:
    """``permissions.allow`` entries that match every Bash command."""
    for doc, kind, index, rule in permission_rules(ctx):
        if kind != "allow" or not allows_every_command(rule):
            continue
        yield Violation(
            doc.locate(("permissions", "allow", index)),
            f'"{rule}" allows every shell command without asking, including in cloud and '
            "unattended sessions (rm -rf, git push --force, curl | sh).",
            fix='List the commands the project needs: "Bash(npm test *)", '
            '"Bash(git diff *)"; use a sandbox for broad access.',
        )


RULE = Rule(
    code="PAR602",
    name="allow-all-bash",
    severity=Severity.WARNING,
    summary="An allow rule (Bash, Bash(*)) lets every shell command run without asking.",
    fix="Allow specific command prefixes instead.",
    tags=("permissions", "safety"),
    check=check,
    docs="""
## What it does
Reports `Bash`, `Bash(*)` and `Bash(**)` in `permissions.allow`.
`Bash(*:*)` is not one of them: the client reads its `*` literally (PAR604).

## Why is this bad?
`Bash` and `Bash(*)` match every command. Combined with prompt injection from a web page, an
issue or a dependency, any command runs unasked; in a cloud session or a routine nobody is
watching.

## Example
```json
{"permissions": {"allow": ["Bash(*)"]}}
```

## Fix
```json
{"permissions": {"allow": ["Bash(npm test *)", "Bash(git diff *)", "Bash(git status)"]}}
```
""",
)
