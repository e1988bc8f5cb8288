"""PAR011: a settings key the client does not know (accepted and ignored), with a did-you-mean."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase
from typing import Any

from parity._lazy import lazy_compile
from parity._resources import load_schema
from parity.findings import Severity, Violation
from parity.rules._settings import dotted, settings_documents
from parity.rules.base import Context, Rule
from parity.validate import did_you_mean, resolve_ref

_ENV_NAME = lazy_compile(r"^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$")
# Objects whose keys are names chosen by the user, not setting names.
_FREE_FORM = frozenset(
    {"env", "enabledPlugins", "extraKnownMarketplaces", "hooks", "modelOverrides"}
)


def _known(schema: dict[str, Any]) -> dict[str, Any]:
    props = schema.get("properties")
    return props if isinstance(props, dict) else {}


def _resolve(node: Any, root: dict[str, Any]) -> Any:
    ref = node.get("$ref") if isinstance(node, dict) else None
    return resolve_ref(ref, root) if isinstance(ref, str) else node


def check(ctx: Context) -> Iterator[Violation]:
    """Compare the keys of each settings object with the keys the client knows."""
    root = load_schema("settings")
    top = _known(root)
    allowed = ctx.config.allow_unknown_settings
    for _cf, doc in settings_documents(ctx):
        value = doc.value
        if not isinstance(value, dict):
            continue
        yield from _compare(doc, value, top, (), allowed)
        for key, sub in value.items():
            if key in _FREE_FORM or key not in top or not isinstance(sub, dict):
                continue
            props = _known(_resolve(top[key], root))
            if props:
                yield from _compare(doc, sub, props, (key,), allowed)


def _compare(
    doc: Any,
    value: dict[str, Any],
    known: dict[str, Any],
    base: tuple[str, ...],
    allowed: tuple[str, ...],
) -> Iterator[Violation]:
    for key in value:
        if key in known:
            continue
        where = dotted((*base, key))
        if any(fnmatchcase(where, pattern) for pattern in allowed):
            continue  # an extension key the configuration accepts (allow-unknown-settings)
        hint = did_you_mean(key, list(known))
        message = f'Unknown setting "{where}": the client accepts it and ignores it'
        fix = f'Rename it to "{hint}".' if hint else "Remove it, or check the spelling in the docs."
        if hint:
            message += f'; did you mean "{hint}"?'
        elif not base and key == "mcpServers":
            message += "; MCP servers are read from .mcp.json and ~/.claude.json, not settings."
            fix = 'Move the servers to .mcp.json (project) under "mcpServers".'
        elif not base and _ENV_NAME.match(key):
            message += "; it looks like an environment variable."
            fix = f'Move it under "env": {{"{key}": ...}}.'
        else:
            message += "."
        yield Violation(doc.locate((*base, key), key=True), message, fix=fix)


RULE = Rule(
    code="PAR011",
    name="unknown-settings-key",
    severity=Severity.WARNING,
    summary="A settings key the client does not know: accepted silently and ignored.",
    fix="Fix the spelling (a did-you-mean is given) or remove the key.",
    tags=("correctness",),
    check=check,
    docs="""
## What it does
Reports keys in settings files (top level and inside known objects such as `permissions`,
`sandbox`, `statusLine`) that Claude Code 2.1.330 does not know, and suggests the closest known
key.

Keys a repository adds on purpose (an extension read by its own tooling) can be accepted with
`allow-unknown-settings` in `[tool.parity]`: names as this rule reports them (`myKey` at the top
level, `permissions.myKey` inside an object), with `*` and `?` as wildcards:

```toml
[tool.parity]
allow-unknown-settings = ["x-*", "permissions.teamNote"]
```

## Why is this bad?
The client accepts unknown keys without a word, so a typo like `"permisions"` or `"alow"` turns
off what the author meant to configure, locally and in the cloud, with nothing to show for it.

## Example
```json
{"permissions": {"alow": ["Bash(npm test)"]}}
```

## Fix
Rename the key to the one suggested (`"allow"`), or remove it.
""",
)
