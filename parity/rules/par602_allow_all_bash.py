"""PAR602: an allow rule that lets every shell command run without asking."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._settings import settings_documents
from parity.rules.base import Context, Rule

_ALL = frozenset({"Bash", "Bash(*)", "Bash(**)", "Bash(*:*)", "Bash(:*)"})


def check(ctx: Context) -> Iterator[Violation]:
    """``permissions.allow`` entries that match every Bash command."""
    for _cf, doc in settings_documents(ctx):
        perms = doc.value.get("permissions") if isinstance(doc.value, dict) else None
        allow = perms.get("allow") if isinstance(perms, dict) else None
        if not isinstance(allow, list):
            continue
        for i, rule in enumerate(allow):
            if not isinstance(rule, str) or rule.strip() not in _ALL:
                continue
            if rule.strip() == "Bash(:*)":
                continue  # malformed: PAR014 reports it, the client skips it
            yield Violation(
                doc.locate(("permissions", "allow", i)),
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
Reports `Bash` and `Bash(*)` (and equivalent spellings) in `permissions.allow`.

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
