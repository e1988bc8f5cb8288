"""PAR020: an MCP server configuration the client rejects (whole file) or skips (one server)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parity.findings import Fix, Safety, Severity, Violation
from parity.load import Document
from parity.model import Kind, Scope
from parity.rules._fixes import json_insert_first
from parity.rules._settings import dotted
from parity.rules.base import SOMETIMES, Autofix, Context, Rule
from parity.validate import CONSEQUENCE, REJECT, problems

MAX_VALIDATED = 5_000
_NO_TYPE = (
    'MCP server "{name}" has a "url" but no "type"; the client skips it. Add "type": "http" '
    '(or "sse" / "ws") to this entry'
)


def check(ctx: Context) -> Iterator[Violation]:
    """Validate ``.mcp.json`` files, and with ``--user`` the servers in ``~/.claude.json``."""
    for _cf, doc in ctx.documents(Kind.MCP):
        if doc.ok and not doc.empty:
            yield from _check_file(doc)
    if not ctx.user:
        return
    for _cf, doc in ctx.documents(Kind.GLOBAL_CONFIG, scopes=[Scope.USER]):
        if not doc.ok or not isinstance(doc.value, dict):
            continue
        servers = doc.value.get("mcpServers")
        if servers is not None:
            yield from _check_servers(doc, servers, ("mcpServers",))
        projects = doc.value.get("projects")
        key = str(ctx.repo.root)
        if isinstance(projects, dict) and isinstance(projects.get(key), dict):
            local = projects[key].get("mcpServers")
            if local is not None:
                yield from _check_servers(doc, local, ("projects", key, "mcpServers"))


def _check_file(doc: Document) -> Iterator[Violation]:
    value = doc.value
    if isinstance(value, dict) and "mcpServers" not in value:
        found = next(
            (k for k in ("servers", "mcp_servers", "mcp", "context_servers") if k in value), None
        )
        hint = f' — found "{found}" instead (that is another client\'s format)' if found else ""
        yield Violation(
            doc.locate((found,) if found else (), key=bool(found)),
            f'Missing "mcpServers"{hint}. The client loads no server from this file.',
            fix='Put the servers under a top-level "mcpServers" object.',
        )
        return
    if isinstance(value, dict):
        yield from _check_servers(doc, value["mcpServers"], ("mcpServers",))
        return
    for problem in problems("mcp", value):
        yield Violation(doc.locate(problem.path), f"{problem.message}. {CONSEQUENCE[REJECT]}")


def _check_servers(doc: Document, servers: Any, base: tuple[str, ...]) -> Iterator[Violation]:
    if not isinstance(servers, dict):
        found = "array" if isinstance(servers, list) else type(servers).__name__
        yield Violation(
            doc.locate(base),
            f'"mcpServers" must be an object mapping names to servers, not {found}. '
            "The client loads no server from this file.",
            fix='Write {"mcpServers": {"name": {...}}}.',
        )
        return
    no_type = {
        name
        for name, server in servers.items()
        if isinstance(server, dict)
        and "url" in server
        and "type" not in server
        and "command" not in server
    }
    for name in no_type:
        yield Violation(
            doc.locate((*base, name, "url"), key=True),
            _NO_TYPE.format(name=name) + ".",
            fix='Add "type": "http" (or "sse" / "ws").',
            autofix=_add_type(doc, (*base, name), servers[name].get("url")),
        )
    checked = servers
    if len(servers) > MAX_VALIDATED:
        # Schema validation costs about a millisecond per server; a file with thousands of
        # servers is generated, not written, and is validated in part rather than for a minute.
        checked = dict(list(servers.items())[:MAX_VALIDATED])
        yield Violation(
            doc.locate(base),
            f"This file defines {len(servers):,} MCP servers; only the first {MAX_VALIDATED:,} "
            "were checked against the schema.",
            fix="Split the servers across fewer, smaller files, or check them in parts.",
            severity=Severity.INFO,
        )
    # One validation of the whole map: a call per server would walk the schema once each.
    for problem in problems("mcp", {"mcpServers": checked}):
        if len(problem.path) < 2 or problem.path[1] in no_type:
            continue
        name = str(problem.path[1])
        path = (*base, *problem.path[1:])
        label = dotted(path[len(base) - 1 :])
        yield Violation(
            doc.locate(path, key=problem.on_key),
            f'{label}: {problem.message}. The client skips server "{name}".',
            fix=problem.fix,
        )


def transport(url: object) -> str | None:
    """The transport a server URL makes certain: ``ws`` for ws(s)://, ``sse`` for an http(s)
    URL whose path ends in ``/sse``, ``http`` for one ending in ``/mcp``; None otherwise."""
    if not isinstance(url, str):
        return None
    scheme, sep, rest = url.partition("://")
    if not sep:
        return None
    if scheme.lower() in ("ws", "wss"):
        return "ws"
    if scheme.lower() not in ("http", "https"):
        return None
    path = rest.split("?", 1)[0].split("#", 1)[0].rstrip("/")
    last = path.rsplit("/", 1)[-1].lower() if "/" in path else ""
    return {"sse": "sse", "mcp": "http"}.get(last)


def _add_type(doc: Document, server: tuple[str, ...], url: object) -> Fix | None:
    kind = transport(url)
    edit = json_insert_first(doc, server, "type", kind) if kind else None
    return Fix(f'Add "type": "{kind}"', (edit,)) if edit else None


RULE = Rule(
    code="PAR020",
    name="mcp-schema",
    severity=Severity.ERROR,
    variants=((Severity.INFO, "when a file has more servers than parity validates"),),
    summary="An MCP server entry the client skips, or a .mcp.json it cannot use at all.",
    fix='Follow the .mcp.json shape: {"mcpServers": {"name": {"type": "stdio", "command": ...}}}.',
    tags=("correctness", "mcp"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.SAFE,
        'Adds the "type" a server\'s URL makes certain to a server that has a "url" and no type.',
        when="a ws:// or wss:// URL is `ws`; an http(s) URL whose path ends in /sse is `sse`, "
        "in /mcp `http`; any other URL could be either, and is left to you",
    ),
    docs="""
## What it does
Validates `.mcp.json` (and, with `--user`, the user- and local-scope servers in `~/.claude.json`)
against the MCP server shapes Claude Code 2.1.330 accepts: `mcpServers` present and an object;
stdio servers with a non-empty `command`; `http`/`streamable-http`/`sse`/`ws` servers with a `url`
and a `type`; string arrays and string maps where expected.

## Why is this bad?
A server with a `url` but no `type`, an empty `command` or an `args` string is skipped with only a
line in `claude mcp list`; a file that uses another client's `servers` key loads nothing. In a
cloud session the tools simply are not there.

## Example
```json
{"servers": {"docs": {"url": "https://mcp.example.com/mcp"}}}
```

## Fix
```json
{"mcpServers": {"docs": {"type": "http", "url": "https://mcp.example.com/mcp"}}}
```
""",
)
