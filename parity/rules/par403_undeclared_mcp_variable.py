"""PAR403: a ``${VAR}`` in .mcp.json that the declared cloud environment does not provide."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.load import Document
from parity.model import Kind, Scope
from parity.rules._secrets import committed, walk_strings
from parity.rules._settings import dotted
from parity.rules.base import Context, Rule
from parity.secrets import references

# Fields of a server that the client expands (claude-code.md §4).
_EXPANDED = frozenset({"command", "args", "env", "url", "headers", "headersHelper"})

# Set in every cloud session without being declared (claude-code.md §6.2), or substituted by
# the client itself (a plugin's .mcp.json). CLAUDE_PROJECT_DIR without a default is PAR1's.
PROVIDED = frozenset(
    {
        "CLAUDE_PROJECT_DIR",
        "CLAUDE_PLUGIN_ROOT",
        "CLAUDE_PLUGIN_DATA",
        "HOME",
        "PATH",
        "USER",
        "SHELL",
        "PWD",
        "TMPDIR",
        "LANG",
        "TERM",
        "CLAUDE_CODE_REMOTE",
        "CLAUDE_CODE_REMOTE_SESSION_ID",
        "GH_TOKEN",  # the placeholder the GitHub proxy replaces
        "GITHUB_TOKEN",
    }
)


def settings_env(ctx: Context) -> set[str]:
    """Names the committed project settings put in the client's environment (``env``)."""
    names: set[str] = set()
    for cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        env = doc.value.get("env") if doc.ok and isinstance(doc.value, dict) else None
        if committed(cf) and isinstance(env, dict):
            names.update(str(k) for k in env)
    return names


def variable_references(
    doc: Document,
) -> Iterator[tuple[str, tuple[str | int, ...], str, str | None]]:
    """Each ``${VAR}`` the client expands in an .mcp.json: server, place, name, default."""
    servers = doc.value.get("mcpServers") if doc.ok and isinstance(doc.value, dict) else None
    if not isinstance(servers, dict):
        return
    for server, spec in servers.items():
        if not isinstance(spec, dict):
            continue
        for field, value in spec.items():
            if field not in _EXPANDED:
                continue
            base = ("mcpServers", str(server), str(field))
            for parts, _key, text in walk_strings(value, base):
                for name, default, _s, _e in references(text):
                    yield str(server), parts, name, default


def check(ctx: Context) -> Iterator[Violation]:
    """Compare each reference without a default with every declared environment's ``env``."""
    declared = list(ctx.config.environments.values())
    given = PROVIDED | settings_env(ctx)
    for cf, doc in ctx.documents(Kind.MCP):
        if not committed(cf):
            continue
        for server, parts, name, default in variable_references(doc):
            if default is not None or name in given:
                continue
            lacking = [e.name for e in declared if name not in e.env]
            if declared and not lacking:
                continue
            yield Violation(
                doc.locate(parts),
                f"${{{name}}} at {dotted(parts)} {_not_provided(lacking)}: the client leaves "
                f'the text ${{{name}}} as it is and server "{server}" runs without the value.',
                fix=_fix(name, lacking),
            )


def _not_provided(lacking: list[str]) -> str:
    """Which declared environments lack the variable, or that none is declared."""
    if not lacking:
        return (
            "is not known to be set in a cloud session (the repository declares no cloud "
            "environment in [tool.parity.environments])"
        )
    if len(lacking) == 1:
        return f'is not provided by the declared cloud environment "{lacking[0]}"'
    return "is not provided by the declared cloud environments " + ", ".join(
        f'"{name}"' for name in lacking
    )


def _fix(name: str, lacking: list[str]) -> str:
    table = (
        f"[tool.parity.environments.{lacking[0]}]"
        if lacking
        else ("a [tool.parity.environments.<name>] table (`parity init` writes one)")
    )
    return (
        f"Set {name} in the cloud environment's settings on claude.ai and list "
        f'"{name}" in env of {table}, or give a default: ${{{name}:-…}}.'
    )


RULE = Rule(
    code="PAR403",
    name="undeclared-mcp-variable",
    severity=Severity.WARNING,
    summary="A ${VAR} in .mcp.json that the declared cloud environment does not provide.",
    fix=(
        "Set the variable in the cloud environment's settings and list it in "
        "[tool.parity.environments.<name>] env."
    ),
    tags=("secrets", "mcp", "environment"),
    check=check,
    docs="""
## What it does
Finds `${VAR}` references without a default in the fields of `.mcp.json` servers the client
expands (`command`, `args`, `env`, `url`, `headers`) whose variable a cloud session is not known
to have: not in the `env` list of each environment declared in
`[tool.parity.environments.<name>]` (the message names the ones that lack it, or says that the
repository declares none), not in the committed `.claude/settings.json` `env`, and not one the
cloud sets itself (`HOME`, `PATH`, `CLAUDE_CODE_REMOTE`, `GH_TOKEN` / `GITHUB_TOKEN`).

## Why is this bad?
Locally the variable comes from your shell. In a cloud session it exists only if the cloud
environment's settings define it; otherwise the client keeps the literal text `${VAR}` (it only
reports "Missing environment variables" in `claude mcp list`), and the server starts with a
wrong token or URL.

## Example
```json
{"mcpServers": {"search": {"type": "http", "url": "https://mcp.example.com/mcp",
  "headers": {"Authorization": "Bearer ${SEARCH_TOKEN}"}}}}
```

## Fix
Set `SEARCH_TOKEN` in the cloud environment's settings and declare it:
```toml
[tool.parity.environments.default]
env = ["SEARCH_TOKEN"]
```
""",
)
