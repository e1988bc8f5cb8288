"""PAR505: a routine that runs in an environment with Full network access."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._routines import at, environment_of, routines
from parity.rules.base import Context, Rule

_FIX = (
    'Run the routine in an environment with network = "trusted", or "custom" with the few '
    "domains it needs."
)


def check(ctx: Context) -> Iterator[Violation]:
    """Each routine's environment network level."""
    for routine in routines(ctx):
        env = environment_of(ctx, routine)
        if env is None or env.network != "full":
            continue
        key = "environment" if routine.environment is not None else "name"
        how = "" if routine.environment is not None else " (the first declared; it names none)"
        yield Violation(
            at(routine.doc, (*routine.pointer, key)),
            f'Routine "{routine.name}" runs in environment "{env.name}"{how}, which has Full '
            "network access: an unattended session with no permission prompts can reach any "
            "host, so text it reads (a pull request, an issue) can make it send data anywhere.",
            fix=_FIX,
        )


RULE = Rule(
    code="PAR505",
    name="routine-full-network",
    severity=Severity.WARNING,
    summary="A routine runs in a cloud environment with Full network access.",
    fix=_FIX,
    tags=("security", "routines"),
    check=check,
    docs="""
## What it does
Reports routines whose environment (declared in `[tool.parity.environments.<name>]`; the first
declared one when the routine names none) has `network = "full"`. The environment declaration
itself is the PAR3 network rules' business; this rule is about the routine that runs there.

## Why is this bad?
A routine is a full cloud session with no permission prompts and nobody watching. Routines
triggered by GitHub events read text written by others (titles, bodies, diffs); with Full
network, a prompt injection in that text can send repository content to any host.

## Example
```toml
[tool.parity.environments.open]
network = "full"
```
```yaml
routines:
  - name: pr-review
    environment: open
```

## Fix
```toml
[tool.parity.environments.reviews]
network = "custom"
allow = ["api.github.com", "registry.npmjs.org"]
```
```yaml
routines:
  - name: pr-review
    environment: reviews
```
""",
)
