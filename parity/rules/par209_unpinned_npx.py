"""PAR209: an MCP server fetched by ``npx -y`` / ``uvx`` without a pinned version."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._cloud import mcp_argv, mcp_servers
from parity.rules.base import Context, Rule

_EXACT_NPM = re.compile(r"^\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.+-]+)?$")
_EXACT_PY = re.compile(r"(?:==|@)v?\d+(?:\.\d+)*(?:[-+.]?[0-9A-Za-z]+)*$|@[0-9a-f]{7,40}$")
_NPX_VALUE_FLAGS = frozenset({"-p", "--package", "-c", "--call", "--cache", "--registry"})
_UVX_VALUE_FLAGS = frozenset(
    {"--from", "--with", "-w", "--python", "-p", "--index", "--index-url", "--extra-index-url"}
)


def _npm_pinned(spec: str) -> bool:
    if spec.startswith(("file:", "./", "../", "/", "git+", "github:", "http")):
        return True
    body = spec[1:] if spec.startswith("@") else spec
    if "@" not in body:
        return False
    return bool(_EXACT_NPM.match(body.rsplit("@", 1)[1]))


def _py_pinned(spec: str) -> bool:
    return spec.startswith((".", "/", "file:")) or bool(_EXACT_PY.search(spec))


def _package(argv: tuple[str, ...]) -> tuple[str, int, str] | None:
    """(tool, index in argv, package spec) of an npx / dlx / uvx launch, or None."""
    prog = argv[0].rsplit("/", 1)[-1]
    if prog in ("pnpm", "yarn") and argv[1:2] == ("dlx",):
        start, tool, flags = 2, f"{prog} dlx", _NPX_VALUE_FLAGS
    elif prog in ("npx", "uvx"):
        start, tool = 1, prog
        flags = _NPX_VALUE_FLAGS if prog == "npx" else _UVX_VALUE_FLAGS
    elif prog == "uv" and argv[1:3] == ("tool", "run"):
        start, tool, flags = 3, "uvx", _UVX_VALUE_FLAGS
    else:
        return None
    i = start
    while i < len(argv):
        word = argv[i]
        name, eq, value = word.partition("=")
        if name in ("-p", "--package", "--from"):
            return (
                tool,
                (i if eq else i + 1),
                (value if eq else (argv[i + 1] if i + 1 < len(argv) else "")),
            )
        if word.startswith("-"):
            i += 2 if (name in flags and not eq) else 1
            continue
        return tool, i, word
    return None


def check(ctx: Context) -> Iterator[Violation]:
    """Report stdio servers launched from a package at whatever version is newest."""
    for doc, name, server in mcp_servers(ctx):
        argv = mcp_argv(server)
        found = _package(argv) if argv is not None else None
        if found is None:
            continue
        tool, index, spec = found
        if not spec or "$" in spec:
            continue
        pinned = _py_pinned(spec) if tool == "uvx" else _npm_pinned(spec)
        if pinned:
            continue
        has_args = isinstance(server.get("args"), list) and index >= 1
        location = doc.locate(
            ("mcpServers", name, "args", index - 1) if has_args else ("mcpServers", name, "command")
        )
        example = f"{spec.split('==')[0]}==1.2.3" if tool == "uvx" else f"{_bare(spec)}@1.2.3"
        yield Violation(
            location,
            f'MCP server "{name}" runs `{tool} {spec}` with no pinned version: every cloud '
            "session downloads whatever release is newest at that moment, so the server can "
            "change or break between sessions without a commit.",
            fix=f"Pin an exact version, e.g. `{example}`.",
        )


def _bare(spec: str) -> str:
    if spec.startswith("@"):
        scope_name, _, _ = spec[1:].partition("@")
        return "@" + scope_name
    return spec.partition("@")[0]


RULE = Rule(
    code="PAR209",
    name="unpinned-npx",
    severity=Severity.WARNING,
    summary="An MCP server started with npx -y, dlx or uvx at no pinned version.",
    fix="Pin the package to an exact version (pkg@1.2.3, pkg==1.2.3).",
    tags=("cloud", "mcp", "supply-chain"),
    check=check,
    docs="""
## What it does
Finds stdio servers in `.mcp.json` launched with `npx` (`-y`), `pnpm dlx`, `yarn dlx`, `uvx` or
`uv tool run` from a package spec with no exact version (`pkg`, `pkg@latest`, `pkg@^1`).

## Why is this bad?
Each cloud session starts from a fresh image and downloads the package again. Without a pinned
version every session may run a different release: a breaking change, a yanked or compromised
release reaches the session with no commit in the repository to review or revert.

## Example
```json
{"mcpServers": {"fs": {"command": "npx",
                       "args": ["-y", "@modelcontextprotocol/server-filesystem", "."]}}}
```

## Fix
```json
{"mcpServers": {"fs": {"command": "npx",
                       "args": ["-y", "@modelcontextprotocol/server-filesystem@2025.8.21", "."]}}}
```
""",
)
