"""PAR401: a literal secret in a JSON configuration value (settings, .mcp.json, tasks)."""

from __future__ import annotations

from collections.abc import Iterator

from parity._sha256 import sha256
from parity.findings import Fix, Safety, Severity, Violation
from parity.load import Document
from parity.model import Kind
from parity.rules._fixes import json_string
from parity.rules._secrets import (
    PUBLIC_FORMATS,
    committed,
    env_name,
    fix_for,
    severity,
    text_violations,
    walk_strings,
)
from parity.rules._settings import dotted
from parity.rules.base import SOMETIMES, Autofix, Context, Rule
from parity.secrets import SecretMatch, reference_span, references, scan_value

# Where the client expands ${NAME} in a server of .mcp.json (settings env takes values as
# written, so a secret there has no reference to become).
_EXPANDED = frozenset({"command", "args", "env", "url", "headers"})


class _Names:
    """The variable names one .mcp.json gives its secrets: a name the file already references,
    or one given to another value, is never reused for a different secret (``_2`` is added)."""

    def __init__(self, doc: Document) -> None:
        self._owner: dict[str, str | None] = {
            name: None for _p, _k, v in walk_strings(doc.value) for name, *_ in references(v)
        }

    def claim(self, hint: str, secret: str) -> str:
        digest = sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()
        name, n = hint, 2
        while self._owner.setdefault(name, digest) != digest:
            name, n = f"{hint}_{n}", n + 1
        return name


def _reference(
    doc: Document, parts: tuple[str | int, ...], value: str, match: SecretMatch, name: str
) -> tuple[str, Fix | None]:
    """The secret in ``value`` replaced by a reference, its name declared (as migrate does):
    the name and the fix (None when the string cannot be edited in place)."""
    name, start, end = reference_span(value, match.start, match.end, name)
    edit = json_string(doc, parts, start, end, "${" + name + "}")
    if edit is None:
        return name, None
    return name, Fix(f"Replace the value with ${{{name}}}", (edit,), environment=(name,))


def check(ctx: Context) -> Iterator[Violation]:
    """Scan every string value of the committed JSON configuration files."""
    for cf, doc in ctx.documents(Kind.SETTINGS, Kind.MCP, Kind.SCHEDULED_TASKS):
        if not committed(cf) or doc.empty:
            continue
        if not doc.ok:
            # PAR001 reports the syntax error; the key in it is committed all the same.
            yield from text_violations(
                doc, "in this file (which does not parse, so it was read as text)"
            )
            continue
        mcp = cf.kind is Kind.MCP
        names = _Names(doc) if mcp else None
        for parts, key, value in walk_strings(doc.value):
            match = scan_value(value, key=key, references=mcp)
            if match is None:
                continue
            server = mcp and len(parts) > 2 and parts[0] == "mcpServers"
            owner = str(parts[1]) if server else None
            name = env_name(match, key, owner)
            autofix = None
            if names is not None and server and parts[2] in _EXPANDED:
                claimed = names.claim(name, value[match.start : match.end])
                name, autofix = _reference(doc, parts, value, match, claimed)
            yield Violation(
                doc.locate(parts),
                f"{match.kind} ({match.masked(value)}) written literally at {dotted(parts)}: "
                "it is committed with the repository, readable by everyone who can clone it.",
                fix=fix_for(match, mcp=mcp, key=key, where=parts, name=name),
                severity=severity(match),
                autofix=autofix,
            )


RULE = Rule(
    code="PAR401",
    name="literal-secret",
    severity=Severity.ERROR,
    variants=(PUBLIC_FORMATS,),
    summary="A credential written literally in settings, .mcp.json or scheduled tasks.",
    fix=(
        "Move the value to the cloud environment's settings and reference it as ${NAME} in "
        ".mcp.json, or use apiKeyHelper for the API key."
    ),
    tags=("security", "secrets"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.UNSAFE,
        "Replaces the value with a `${NAME}` reference (the name the finding gives) and declares "
        "NAME in the first `[tool.parity.environments]` table, as `parity migrate` does; the "
        "value is never printed, also not by `--diff`. Unsafe: the server gets nothing until you "
        "set NAME in the cloud environment's settings and in your own environment, and the value "
        "stays in the git history (rotate it).",
        when="in a server of `.mcp.json` (its `command`, `args`, `env`, `url` or `headers`, where "
        "the client expands references); settings `env` takes values as written, so a secret "
        "there is left to you",
    ),
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
Provider formats and random values under credential names are errors; the formats that are
often public or test values (Google API keys, Stripe test keys, JSON Web Tokens, passwords in
URLs) are warnings. The value itself is never printed: a
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
