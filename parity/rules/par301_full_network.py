"""PAR301: a declared cloud environment with Full network access."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity.findings import Location, Severity, Violation
from parity.rules.base import Context, Rule


def _locate(ctx: Context, name: str) -> Location:
    """The ``network`` value of environment ``name`` in the configuration file."""
    source = ctx.config.source
    if source is None:
        return Location("parity.toml")
    rel = ctx.repo.rel(source)
    doc = ctx.inventory.repo_file(rel) if rel is not None else None
    display = rel if rel is not None else str(source)
    lines = doc.text.splitlines() if doc is not None and doc.ok else []
    quoted = "[\"']?" + re.escape(name) + "[\"']?"
    header = re.compile(r"^\s*\[\s*(?:tool\.parity\.)?environments\." + quoted + r"\s*\]")
    dotted = re.compile(r"^\s*(?:tool\.parity\.)?environments\." + quoted + r"\.network\s*=\s*")
    key = re.compile(r"^\s*network\s*=\s*")
    inside = False
    for n, line in enumerate(lines, start=1):
        match = dotted.match(line)
        if match is None and header.match(line):
            inside = True
            continue
        if inside and line.lstrip().startswith("["):
            inside = False
        if match is None and inside:
            match = key.match(line)
        if match is not None:
            return Location(display, n, match.end() + 1)
    return Location(display)


def check(ctx: Context) -> Iterator[Violation]:
    """Report each declared environment whose network level is ``full``."""
    for env in ctx.config.environments.values():
        if env.network == "full":
            yield Violation(
                _locate(ctx, env.name),
                f'Environment "{env.name}" declares network = "full": sessions in it can reach '
                "any host, so a prompt injection in a fetched page or issue can send code and "
                "the environment's variables anywhere.",
                fix='Use network = "trusted", or "custom" with `allow` listing the extra domains '
                "the repository needs (`parity check` reports the hosts it finds).",
            )


RULE = Rule(
    code="PAR301",
    name="full-network",
    severity=Severity.WARNING,
    summary='A declared cloud environment allows every host (network = "full").',
    fix='Declare network = "trusted", or "custom" with an `allow` list.',
    tags=("cloud", "network", "security"),
    check=check,
    docs="""
## What it does
Reports environments in `[tool.parity.environments.*]` (or `parity.toml`) declared with
`network = "full"`.

## Why is this bad?
The Trusted level lets package registries, source hosts and cloud APIs through and blocks the
rest. Full access removes that boundary: anything the session reads (web pages, issues, package
READMEs) can steer it into sending the repository or the environment's variables to any server.
Most repositories need a few extra domains, not all of them.

## Example
```toml
[tool.parity.environments.default]
network = "full"
```

## Fix
```toml
[tool.parity.environments.default]
network = "custom"
allow = ["registry.npmjs.org", "api.example.com"]
```
""",
)
