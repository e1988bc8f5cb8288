"""PAR204: a SessionStart hook that installs packages without checking ``CLAUDE_CODE_REMOTE``."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._cloud import install_of, sites
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Report the first install of each unguarded SessionStart hook (in its command or script)."""
    done: set[int] = set()
    for site in sites(ctx):
        if site.event != "SessionStart" or site.hook is None or site.remote_guarded:
            continue
        install = install_of(site.cmd)
        if install is None or id(site.hook) in done:
            continue
        done.add(id(site.hook))
        where = f"script {site.script}" if site.script else "hook"
        change = "changes the machine" if install.system else "reinstalls dependencies"
        yield Violation(
            site.location,
            f"This SessionStart {where} runs `{' '.join(site.cmd.argv[:2])}` without checking "
            f"CLAUDE_CODE_REMOTE: it also runs on every local start and resume, where it {change} "
            "and slows each session down.",
            fix='Exit early outside the cloud: `[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] || exit 0` '
            "at the top of the script (`parity cloud-init` writes a guarded one).",
        )


RULE = Rule(
    code="PAR204",
    name="unguarded-session-start",
    severity=Severity.WARNING,
    summary="A SessionStart hook installs packages on every local session too.",
    fix='Start the script with `[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] || exit 0`.',
    tags=("cloud", "hooks"),
    check=check,
    docs="""
## What it does
Finds project SessionStart hooks that install packages (`npm ci`, `pip install`, `uv sync`,
`apt-get install`, `brew install`, …) — in the hook command or in the script it runs — when
neither tests `CLAUDE_CODE_REMOTE`. The finding points at the first install.

## Why is this bad?
SessionStart hooks run at every start and resume, on the developer's machine as much as in the
cloud. Without the guard, every local session reinstalls dependencies, and system installs
(`apt-get`, `brew`, global npm packages) change the developer's machine or fail without `sudo`.

## Example
```bash
#!/bin/bash
npm ci
```

## Fix
```bash
#!/bin/bash
set -euo pipefail
[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] || exit 0
npm ci
```
""",
)
