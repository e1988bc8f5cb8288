"""PAR012: a settings key placed in a file whose scope the client never reads it from."""

from __future__ import annotations

from collections.abc import Iterator

from parity._resources import load_schema
from parity.findings import Severity, Violation
from parity.rules._settings import SCOPE_WORD, settings_documents
from parity.rules.base import Context, Rule


def _where(scopes: list[str]) -> str:
    words = [s for s in ("managed", "user", "local", "project") if s in scopes]
    if words == ["managed"]:
        return "managed settings only"
    return " or ".join(f"{w} settings" for w in words)


def check(ctx: Context) -> Iterator[Violation]:
    """Compare each top-level key with the scopes the client honours it in."""
    props = load_schema("settings").get("properties", {})
    for cf, doc in settings_documents(ctx):
        if not isinstance(doc.value, dict):
            continue
        for key in doc.value:
            spec = props.get(key)
            if not isinstance(spec, dict):
                continue
            if spec.get("x-parity-global-config"):
                yield Violation(
                    doc.locate((key,), key=True),
                    f'"{key}" is read from ~/.claude.json only; in {SCOPE_WORD[cf.scope]} the '
                    "client ignores it silently.",
                    fix=f'Remove "{key}" from this file.',
                )
                continue
            scopes = spec.get("x-parity-scopes")
            if isinstance(scopes, list) and cf.scope.value not in scopes:
                managed = key == "managedMcpServers"
                yield Violation(
                    doc.locate((key,), key=True),
                    f'"{key}" is honoured in {_where(scopes)}; in {SCOPE_WORD[cf.scope]} the '
                    "client ignores it"
                    + (
                        " and skips the entry (it says so at start-up)."
                        if managed
                        else " silently."
                    ),
                    fix=f'Move "{key}" to {_where(scopes)}, or remove it.',
                    # The one key the client reports, as an entry skipped: an error, as PAR010.
                    severity=Severity.ERROR if managed else None,
                )


RULE = Rule(
    code="PAR012",
    name="key-ignored-at-scope",
    severity=Severity.WARNING,
    variants=(
        (Severity.ERROR, "for managedMcpServers, which the client reports as a skipped entry"),
    ),
    summary="A settings key sits in a file the client does not read it from.",
    fix="Move the key to a scope that honours it, or remove it.",
    tags=("correctness", "scope"),
    check=check,
    docs="""
## What it does
Reports settings keys that Claude Code honours only in some scopes (managed-only keys such as
`allowManagedHooksOnly`, user-only keys such as `pluginConfigs`, `~/.claude.json`-only keys such as
`autoConnectIde`) when they appear in a file of another scope.

## Why is this bad?
The client ignores such a key silently (only `managedMcpServers` gets a message), so a policy the
author thinks is enforced, or a preference they think is shared, is not.

## Example
```json
// .claude/settings.json
{"allowManagedHooksOnly": true}
```

## Fix
Put managed-only keys in managed settings (for the cloud: server-managed settings on claude.ai),
user-only keys in `~/.claude/settings.json`, or remove them.
""",
)
