"""PAR112: a nested .mcp.json, which a session started at the repository root does not load."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from parity.findings import Location, Severity, Violation
from parity.model import Kind
from parity.rules._scope import plugin_mcp_config
from parity.rules.base import Context, Rule
from parity.text import NAME_LIMIT, clean

ROOT_MCP = ".mcp.json"


def check(ctx: Context) -> Iterator[Violation]:
    """Each committed or to-be-committed ``.mcp.json`` below the root, with its server names."""
    for cf, doc in ctx.documents(Kind.MCP):
        if not cf.shared or cf.rel is None or cf.rel == ROOT_MCP or cf.path.name != ROOT_MCP:
            continue
        if plugin_mcp_config(ctx, cf, doc):
            continue  # a plugin's servers: they load with the plugin, wherever a session starts
        folder = PurePosixPath(cf.rel).parent.as_posix() + "/"
        servers = doc.value.get("mcpServers") if doc.ok and isinstance(doc.value, dict) else None
        names = sorted(servers) if isinstance(servers, dict) else []
        what = f"its servers ({', '.join(clean(n, NAME_LIMIT) for n in names)})" if names else "it"
        yield Violation(
            Location(cf.display),
            f"{cf.rel} is read only by sessions started in {folder} or below (the client reads "
            f".mcp.json from the session's folder and its parents): a cloud session starts at "
            f"the repository root and does not load {what}.",
            fix=f"If cloud sessions need them, define the servers in {ROOT_MCP} at the repository "
            f"root; this file keeps working for sessions started in {folder}.",
        )


RULE = Rule(
    code="PAR112",
    name="mcp-config-not-at-root",
    severity=Severity.INFO,
    summary="A .mcp.json below the repository root, which a cloud session does not load.",
    fix="Define the servers cloud sessions need in .mcp.json at the repository root.",
    tags=("parity", "mcp"),
    check=check,
    docs="""
## What it does
Lists each `.mcp.json` that sits in a sub-folder of the repository (`backend/.mcp.json`), with
the names of its servers. Every other rule checks these files as it checks the root one (shape,
secrets, commands, hosts): they load whenever a session starts in their folder. A plugin's own
`.mcp.json` (next to `.claude-plugin/`, or using `${CLAUDE_PLUGIN_ROOT}`) loads with the plugin
and is not listed.

## Why is this bad?
The client reads `.mcp.json` from the folder a session starts in and from every parent folder
(checked with client 2.1.330: `claude mcp list` in `backend/` shows the servers of both
`.mcp.json` and `backend/.mcp.json`; at the root only the first). A cloud session starts at the
repository root, so servers defined only in a sub-folder are missing there, although they work
for whoever starts `claude` in that folder. That may be intended; this is information, not a
fault.

## Example
`backend/.mcp.json` defines `postgres`; the root has no `.mcp.json`.

## Fix
Define the servers the cloud sessions need in the root `.mcp.json` (or ignore PAR112 when the
sub-folder servers are for local work only).
""",
)
