"""PAR109: ``$CLAUDE_PROJECT_DIR`` used where the variable is not set, with no fallback."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parity._lazy import lazy_compile
from parity.findings import Fix, Safety, Severity, Violation
from parity.load import Document
from parity.model import Kind, Scope
from parity.rules._fixes import json_string
from parity.rules._scope import line_location, plugin_mcp_config, script_file
from parity.rules.base import SOMETIMES, Autofix, Context, Rule

# ``${CLAUDE_PROJECT_DIR}`` or ``$CLAUDE_PROJECT_DIR``; ``${CLAUDE_PROJECT_DIR:-.}`` is fine.
_BARE = lazy_compile(r"\$\{CLAUDE_PROJECT_DIR\}|\$CLAUDE_PROJECT_DIR(?![A-Za-z0-9_])")
_SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh"})
_FALLBACK = "${CLAUDE_PROJECT_DIR:-.}"
_MCP_FIX = f"Write {_FALLBACK} (the client expands it, falling back to the cwd)."


def check(ctx: Context) -> Iterator[Violation]:
    """``.mcp.json`` command, args and env values, and the declared environment setup scripts."""
    for mcp, doc in ctx.documents(Kind.MCP, scopes=[Scope.PROJECT]):
        if mcp.rel != ".mcp.json" and plugin_mcp_config(ctx, mcp, doc):
            continue  # a plugin's MCP config: the client substitutes CLAUDE_PROJECT_DIR there
        yield from _mcp(doc)
    seen: set[str] = set()
    for env in ctx.environments:
        rel = env.setup_script
        if rel is None or rel in seen:
            continue
        seen.add(rel)
        cf = script_file(ctx, rel.removeprefix("./"))
        if cf is None:
            continue
        doc = ctx.inventory.load(cf)
        for number, line in enumerate(doc.text.split("\n"), start=1):
            if line.lstrip().startswith("#") or not _BARE.search(line):
                continue
            yield Violation(
                line_location(doc, number),
                f"The setup script of environment {env.name!r} uses $CLAUDE_PROJECT_DIR, which is "
                "not set while the cloud environment's setup script runs (before Claude Code "
                "starts): the path becomes empty.",
                fix='Use "${CLAUDE_PROJECT_DIR:-$PWD}" or the script\'s own location '
                '("$(dirname "$0")").',
            )


def _mcp(doc: Document) -> Iterator[Violation]:
    servers = doc.value.get("mcpServers") if doc.ok and isinstance(doc.value, dict) else None
    if not isinstance(servers, dict):
        return
    for name, server in servers.items():
        if not isinstance(server, dict):
            continue
        command = server.get("command")
        fields: list[tuple[tuple[Any, ...], Any]] = [(("command",), command)]
        args = server.get("args")
        shell_script = isinstance(command, str) and _runs_shell_script(command, args)
        if isinstance(args, list) and not shell_script:
            # In `bash -c '…'` the shell expands $CLAUDE_PROJECT_DIR from the server's environment.
            fields.extend((("args", i), a) for i, a in enumerate(args))
        env = server.get("env")
        if isinstance(env, dict):
            fields.extend((("env", k), v) for k, v in env.items())
        for path, value in fields:
            if not isinstance(value, str):
                continue
            found = _BARE.search(value)
            if found is None:
                continue
            where = ("mcpServers", name, *path)
            yield Violation(
                doc.locate(where),
                f'MCP server "{name}" uses {found.group(0)} in {path[0]}: the client expands '
                "variables from its own environment, where CLAUDE_PROJECT_DIR is not set, and runs "
                "no shell, so the literal text is used and the server fails to start.",
                fix=_MCP_FIX,
                autofix=_fallback(doc, where, value),
            )


def _fallback(doc: Document, where: tuple[Any, ...], value: str) -> Fix | None:
    """Every bare ``$CLAUDE_PROJECT_DIR`` of the value, given the fallback the client expands."""
    edits = [json_string(doc, where, m.start(), m.end(), _FALLBACK) for m in _BARE.finditer(value)]
    if not edits or None in edits:
        return None
    return Fix(f"Write {_FALLBACK}", tuple(e for e in edits if e is not None))


def _runs_shell_script(command: str, args: Any) -> bool:
    words = command.split()
    if not words or words[0].rsplit("/", 1)[-1] not in _SHELLS:
        return False
    rest = [*words[1:], *(a for a in args if isinstance(a, str))] if isinstance(args, list) else []
    return any(w.startswith("-") and not w.startswith("--") and "c" in w for w in rest)


RULE = Rule(
    code="PAR109",
    name="project-dir-without-fallback",
    severity=Severity.ERROR,
    summary="$CLAUDE_PROJECT_DIR is used without a fallback where the variable is not set.",
    fix="Write ${CLAUDE_PROJECT_DIR:-.} in .mcp.json, and a fallback in setup scripts.",
    tags=("parity", "mcp", "env"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.SAFE,
        f"Writes `{_FALLBACK}` for each bare `$CLAUDE_PROJECT_DIR` of the value.",
        when="in `.mcp.json`; a setup script needs a fallback only you can choose",
    ),
    docs="""
## What it does
Reports `$CLAUDE_PROJECT_DIR` and `${CLAUDE_PROJECT_DIR}` without a `:-` fallback where the
variable is not set: in `.mcp.json` `command`, `args` (except inside a `bash -c` script, which the
server's shell expands) and `env` values, and in the setup script of a declared cloud environment
(`setup-script`), which runs before Claude Code starts. Hook commands are not reported: the client
sets `CLAUDE_PROJECT_DIR` for every hook.

## Why is this bad?
The client expands `${VAR}` in `.mcp.json` from its own environment, and `CLAUDE_PROJECT_DIR` is
set only in the spawned server's environment; `$VAR` without braces is never expanded. The server
is started with the literal text and fails, in the cloud as everywhere.

## Example
```json
{"mcpServers": {"docs": {"command": "node", "args": ["${CLAUDE_PROJECT_DIR}/tools/mcp.js"]}}}
```

## Fix
```json
{"mcpServers": {"docs": {"command": "node", "args": ["${CLAUDE_PROJECT_DIR:-.}/tools/mcp.js"]}}}
```
""",
)
