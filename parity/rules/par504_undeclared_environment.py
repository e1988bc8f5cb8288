"""PAR504: a routine that names a cloud environment the repository does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._routines import at, routines
from parity.rules.base import Context, Rule
from parity.validate import did_you_mean


def check(ctx: Context) -> Iterator[Violation]:
    """Routine ``environment`` names against ``[tool.parity.environments]``, when declared."""
    declared = list(ctx.config.environments)
    if not declared:
        return
    for routine in routines(ctx):
        name = routine.environment
        if name is None or name in declared:
            continue
        hint = did_you_mean(name, declared)
        guess = f' (did you mean "{hint}"?)' if hint else ""
        yield Violation(
            at(routine.doc, (*routine.pointer, "environment")),
            f'Routine "{routine.name}": environment "{name}" is not declared{guess}; the '
            f"declared environments are {', '.join(declared)}. Its network level, variables and "
            "setup script are unknown, so nothing about them can be checked.",
            fix=f'Use "{hint}".'
            if hint
            else f"Use one of {', '.join(declared)}, or declare [tool.parity.environments.{name}].",
        )


RULE = Rule(
    code="PAR504",
    name="undeclared-environment",
    severity=Severity.ERROR,
    summary="A routine names a cloud environment the repository does not declare.",
    fix="Declare the environment under [tool.parity.environments.<name>], or fix the name.",
    tags=("correctness", "routines"),
    check=check,
    docs="""
## What it does
When the toolkit config declares cloud environments (`[tool.parity.environments.<name>]`),
reports routines whose `environment` is none of them. With no environment declared, every
routine is checked against the implicit default (Trusted network) and this rule is silent.

## Why is this bad?
A routine runs in one cloud environment of the claude.ai account; its network level, variables
and setup script decide whether the prompt can do its job. A misspelt name usually means the
routine was set up against an environment that was renamed or never made.

## Example
```yaml
routines:
  - name: nightly-audit
    environment: defualt
```

## Fix
```yaml
routines:
  - name: nightly-audit
    environment: default
```
""",
)
