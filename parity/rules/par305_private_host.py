"""PAR305: a host only a private network can reach, which no cloud VM is on."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.network import private_host
from parity.rules._cloud import url_uses
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Report each use of a private-network host, whatever the declared network level."""
    for use in url_uses(ctx, any_scheme=True):
        reason = private_host(use.host)
        if reason is None:
            continue
        yield Violation(
            use.location,
            f"{use.reaches} {use.host}, {reason}: a cloud session runs on a VM outside your "
            "company or home network, so the name does not resolve (or the address is not "
            "routed) there, at every network level, Full included.",
            fix="Reach the service through a public host name (behind authentication) and allow "
            "it, or skip this step in cloud sessions "
            '(`[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] && exit 0`).',
            severity=Severity.WARNING if use.value else None,
        )


RULE = Rule(
    code="PAR305",
    name="private-network-host",
    severity=Severity.ERROR,
    variants=(
        (
            Severity.WARNING,
            "for a URL in an env value, a guess at traffic (what reads it may never run there)",
        ),
    ),
    summary="A host only a private network reaches (.internal, .local, 10.x, …), at any level.",
    fix="Use a public host name, or skip the step in cloud sessions.",
    tags=("cloud", "network"),
    check=check,
    docs="""
## What it does
Looks at the same places as PAR302 (project hooks, the scripts they run, the setup script, MCP
servers' `url`, `args` and `env`, settings `env`, registry settings), for URLs of any scheme
(`https://`, `postgres://`, `redis://`, …), and reports hosts that only a private network can
reach, whatever the declared network level, `full` included:

- names only a private DNS answers: `.internal`, `.local`, `.lan`, `.corp`, `.intranet`,
  `.home.arpa`, `.localdomain`, and single-label names (`http://jenkins:8080`);
- names reserved never to resolve: `.example`, `.test`, `.invalid`;
- private and link-local IP addresses: RFC 1918 (`10/8`, `172.16/12`, `192.168/16`),
  `169.254/16`, `100.64/10` (carrier-grade NAT, VPNs such as Tailscale), `fc00::/7`,
  `fe80::/10`.

`localhost`, `*.localhost`, `127.0.0.1`, `::1` and `0.0.0.0` are the cloud VM itself and are not
reported; nor are templates (`$HOST`, `{host}`) and stand-ins for the reader's own host
(`your-server`). A value in `env` is a warning (what reads it may not run in a cloud session).

## Why is this bad?
A cloud session runs on an Anthropic-hosted VM, outside your company network and VPN. No
network level changes that: the name does not resolve and the address is not routed, so the
hook, the MCP server or the install fails in every cloud session.

## Example
```json
{"hooks": {"Stop": [{"hooks": [{"type": "command",
  "command": "curl -fsS https://hooks.build.internal/notify"}]}]}}
```

## Fix
Expose the service on a public name behind authentication (and allow it for the environment),
or skip the step in cloud sessions:
```bash
[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] && exit 0
curl -fsS https://hooks.build.internal/notify
```
""",
)
