"""PAR304: plain ``http://`` endpoints that cloud sessions reach."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._cloud import checkable_host, url_uses
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Report ``http://`` and ``ws://`` URLs to public hosts."""
    for use in url_uses(ctx):
        scheme = use.url.split(":", 1)[0].lower()
        if scheme not in ("http", "ws") or not checkable_host(use.host):
            continue
        secure = "https" if scheme == "http" else "wss"
        leak = use.secret_headers
        yield Violation(
            use.location,
            f"{use.what[0].upper()}{use.what[1:]} uses plain {scheme}:// to {use.host}: the "
            "traffic leaves the cloud VM unencrypted"
            + (", headers and tokens included, " if leak else " ")
            + "and can be read or changed on the way.",
            # Only the host is repeated: a URL's path or query may hold a token.
            fix=f"Use {secure}://{use.host}/… (the same URL over TLS).",
            severity=Severity.ERROR if leak else None,
        )


RULE = Rule(
    code="PAR304",
    name="plain-http",
    severity=Severity.WARNING,
    variants=((Severity.ERROR, "when credentials or secret headers travel over it"),),
    summary="A plain http:// (or ws://) endpoint in hooks, scripts, MCP servers or registries.",
    fix="Use https:// (wss://).",
    tags=("cloud", "network", "security"),
    check=check,
    docs="""
## What it does
Reports `http://` and `ws://` URLs to public hosts in project hook commands and `http` hooks, the
scripts hooks run, the declared setup script, MCP servers and registry settings (`.npmrc`,
`pip.conf`, `uv.toml`, `.yarnrc`). An MCP server with `headers` over plain HTTP is an error: its
credentials travel in clear text.

## Why is this bad?
Traffic from a cloud session crosses networks the author does not control. Without TLS anything
on the way can read tokens and alter responses — a package index over `http://` can serve
anything. Many servers also only redirect plain HTTP to HTTPS, which some clients do not follow.

## Example
```json
{"mcpServers": {"docs": {"type": "http", "url": "http://mcp.example-docs.io/mcp"}}}
```

## Fix
```json
{"mcpServers": {"docs": {"type": "http", "url": "https://mcp.example-docs.io/mcp"}}}
```
""",
)
