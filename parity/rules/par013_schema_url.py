"""PAR013: a ``$schema`` that is not SchemaStore's Claude Code settings schema."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Fix, Safety, Severity, Violation
from parity.rules._fixes import json_value
from parity.rules._settings import settings_documents
from parity.rules.base import ALWAYS, Autofix, Context, Rule

SETTINGS_SCHEMA_URL = "https://json.schemastore.org/claude-code-settings.json"


def check(ctx: Context) -> Iterator[Violation]:
    """Report settings files whose ``$schema`` points elsewhere."""
    for _cf, doc in settings_documents(ctx):
        value = doc.value
        if not isinstance(value, dict) or "$schema" not in value:
            continue
        url = value["$schema"]
        if url != SETTINGS_SCHEMA_URL:
            edit = json_value(doc, ("$schema",), SETTINGS_SCHEMA_URL)
            yield Violation(
                doc.locate(("$schema",)),
                '"$schema" is not the Claude Code settings schema; editors will validate this '
                "file against the wrong rules (the client itself ignores the key).",
                fix=f'Set "$schema" to "{SETTINGS_SCHEMA_URL}".',
                autofix=Fix('Set "$schema" to the settings schema', (edit,)) if edit else None,
            )


RULE = Rule(
    code="PAR013",
    name="settings-schema-url",
    severity=Severity.INFO,
    summary='"$schema" in a settings file is not the SchemaStore Claude Code settings URL.',
    fix=f'Use "{SETTINGS_SCHEMA_URL}".',
    tags=("editor",),
    check=check,
    autofix=Autofix(ALWAYS, Safety.SAFE, 'Sets "$schema" to the SchemaStore URL.'),
    docs=f"""
## What it does
Reports a `$schema` in a settings file that is not `{SETTINGS_SCHEMA_URL}`.

## Why is this bad?
Editors use `$schema` for completion and validation. A wrong or outdated URL gives wrong
completions and hides real mistakes; the client itself ignores the key.

## Example
```json
{{"$schema": "https://example.com/old-claude-schema.json"}}
```

## Fix
```json
{{"$schema": "{SETTINGS_SCHEMA_URL}"}}
```
""",
)
