"""PAR401: a literal secret in a JSON configuration value (settings, .mcp.json, tasks)."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.model import Kind
from parity.rules._secrets import committed, env_name, fix_for, severity, walk_strings
from parity.rules._settings import dotted
from parity.rules.base import Context, Rule
from parity.secrets import scan_value


def check(ctx: Context) -> Iterator[Violation]:
    """Scan every string value of the committed JSON configuration files."""
    for cf, doc in ctx.documents(Kind.SETTINGS, Kind.MCP, Kind.SCHEDULED_TASKS):
        if not committed(cf) or not doc.ok or doc.empty:
            continue
        mcp = cf.kind is Kind.MCP
        for parts, key, value in walk_strings(doc.value):
            match = scan_value(value, key=key, references=mcp)
            if match is None:
                continue
            owner = str(parts[1]) if mcp and len(parts) > 1 and parts[0] == "mcpServers" else None
            name = env_name(match, key, owner)
            yield Violation(
                doc.locate(parts),
                f"{match.kind} ({match.masked(value)}) written literally at {dotted(parts)}: "
                "it is committed with the repository, readable by everyone who can clone it.",
                fix=fix_for(match, mcp=mcp, key=key, where=parts, name=name),
                severity=severity(match),
            )


RULE = Rule(
    code="PAR401",
    name="literal-secret",
    severity=Severity.ERROR,
    summary="A credential written literally in settings, .mcp.json or scheduled tasks.",
    fix=(
        "Move the value to the cloud environment's settings and reference it as ${NAME} in "
        ".mcp.json, or use apiKeyHelper for the API key."
    ),
    tags=("security", "secrets"),
    check=check,
    docs="""
## What it does
Scans every string value of the repository's `.claude/settings.json`, `.mcp.json` and
`.claude/scheduled_tasks.json` (and of `.claude/settings.local.json` when it is tracked) for
credentials: the known provider formats first (Anthropic, Claude Code OAuth, OpenAI, GitHub,
GitLab, Slack, AWS, Google, Stripe, npm, PyPI, Hugging Face, private keys, JWTs, passwords in
URLs), then random-looking values stored under credential-like names (`*_API_KEY`, `*_TOKEN`,
`*SECRET*`, `PASSWORD`, an `Authorization` header, the value after `--api-key`). Placeholders
(`your-api-key-here`, `<TOKEN>`, `xxxx`, `changeme`) are not secrets, and in `.mcp.json`
`${VAR}` is a reference the client expands (a `${VAR:-default}` default is still scanned).
Provider formats are errors; entropy hits are warnings. The value itself is never printed: a
finding shows its kind and a masked prefix such as `sk-ant-…(108 chars)`.

## Why is this bad?
Whatever is committed is readable by everyone who can clone the repository, forever (it stays
in the history). A cloud session needs no key in the repository: it takes its variables from the
cloud environment's settings, and `.mcp.json` expands `${NAME}` from them. Settings `env` takes
values literally, so it is never the place for a credential.

## Example
```json
{"mcpServers": {"search": {"command": "npx", "args": ["-y", "search-mcp@1.2.0"],
  "env": {"SEARCH_API_KEY": "q8Zr3LmX7vT2kP9wN4bY6cH1jD5fG0sA"}}}}
```

## Fix
Set `SEARCH_API_KEY` in the cloud environment's settings (and locally), declare it in
`[tool.parity.environments.<name>] env`, and reference it:
```json
{"mcpServers": {"search": {"command": "npx", "args": ["-y", "search-mcp@1.2.0"],
  "env": {"SEARCH_API_KEY": "${SEARCH_API_KEY}"}}}}
```
For the Anthropic API key use `apiKeyHelper`; then rotate the leaked value.
""",
)
