"""PAR302: a host that hooks, scripts, MCP servers or registries reach, blocked by the level."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._cloud import blocked_host, env_label, level_phrase, url_uses
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Report each use of a host the declared network level does not let through."""
    for env in ctx.environments:
        if env.network == "full":
            continue
        for use in url_uses(ctx):
            host = use.host
            if not blocked_host(env, host):
                continue
            if env.network == "none":
                fix = (
                    f'Declare network = "trusted" (or "custom" with "{host}" in `allow`) for '
                    "this environment, or drop the call."
                )
            else:
                fix = (
                    f'Add "{host}" to `allow` with network = "custom" (and to the '
                    "environment's allowed domains on claude.ai), or use a host on the Trusted "
                    "list."
                )
            yield Violation(
                use.location,
                f"{use.reaches} {host}, which {level_phrase(env)}{env_label(ctx, env)} does not "
                "allow: in a cloud session the proxy answers 403 (x-deny-reason: "
                "host_not_allowed)" + (" to whatever uses it." if use.value else "."),
                fix=fix,
                # A value is only a guess at traffic: what reads it may never run there.
                severity=Severity.WARNING if use.value else None,
            )


RULE = Rule(
    code="PAR302",
    name="host-not-allowed",
    severity=Severity.ERROR,
    variants=(
        (
            Severity.WARNING,
            "for a URL in an env value, a guess at traffic (what reads it may never run there)",
        ),
    ),
    summary="A host the repository's hooks, scripts, MCP servers or registries need is blocked.",
    fix='Allow the host (network = "custom" with `allow`) or use an allowed one.',
    tags=("cloud", "network"),
    check=check,
    docs="""
## What it does
Collects the URLs that cloud sessions reach — in project hook commands and `http` hooks, the
scripts hooks run, the declared setup script, remote MCP servers (`url`) and MCP arguments, and
registry settings in `.npmrc`, `pip.conf`, `uv.toml` and `.yarnrc(.yml)` — and checks each host
against the declared environment's network level: the Trusted allowlist (with `*.` wildcards),
a Custom `allow` list, or None. Without a declared environment the default (Trusted) is assumed.
URL values of the project settings' `env` (`ANTHROPIC_BASE_URL=https://…`) and of MCP servers'
`env` are checked too, as warnings: whatever reads the variable goes there (`*_PROXY` variables
are skipped). Local, private, example and stand-in (`your-server`) hosts are skipped (private
ones are PAR305's);
github.com goes through the GitHub proxy at every level.

## Why is this bad?
Blocked hosts get `403` with `x-deny-reason: host_not_allowed` from the cloud's proxy. The hook
fails, the MCP server never connects, and installs from a private registry fail, while all of it
works on the author's machine.

## Example
```ini
# .npmrc
registry=https://npm.internal-mirror.io/
```

## Fix
```toml
[tool.parity.environments.default]
network = "custom"
allow = ["npm.internal-mirror.io"]
```
and add the same domain to the environment's allowed domains on claude.ai.
""",
)
