"""PAR108: ``${VAR}`` in a settings ``env`` value, which the client sets literally."""

from __future__ import annotations

from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Severity, Violation
from parity.rules._settings import settings_documents
from parity.rules.base import Context, Rule

_REFERENCE = lazy_compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-=?+][^}]*)?\}")


def check(ctx: Context) -> Iterator[Violation]:
    """Each ``env`` value of a settings file that contains a ``${VAR}`` reference."""
    for _cf, doc in settings_documents(ctx):
        env = doc.value.get("env") if isinstance(doc.value, dict) else None
        if not isinstance(env, dict):
            continue
        for name, value in env.items():
            if not isinstance(value, str):
                continue
            found = _REFERENCE.search(value)
            if found is None:
                continue
            yield Violation(
                doc.locate(("env", name)),
                f'env "{name}" contains {found.group(0)}, but settings env values are not '
                f"expanded: the variable is set to that literal text, in a cloud session too.",
                fix=f'Set "{name}" in the cloud environment\'s variables (and locally in your '
                "shell) and remove it here, or write the literal value if it is not a secret.",
            )


RULE = Rule(
    code="PAR108",
    name="env-reference-in-settings",
    severity=Severity.WARNING,
    summary="A settings env value uses ${VAR}, which the client takes literally.",
    fix="Set the variable in the cloud environment instead of referencing it in settings env.",
    tags=("parity", "env"),
    check=check,
    docs="""
## What it does
Reports `${VAR}` (and `${VAR:-default}`) inside values of the `env` object of settings files.

## Why is this bad?
Only `.mcp.json` expands `${VAR}`. In `settings.json` `env` the client sets the variable to the
text as written, so tools receive the string `${GITHUB_TOKEN}` instead of a token, locally and in
the cloud.

## Example
```json
{"env": {"GITHUB_TOKEN": "${GITHUB_TOKEN}"}}
```

## Fix
Remove the entry and set `GITHUB_TOKEN` in the cloud environment's variables (declare the name in
`[tool.parity.environments.<name>] env`); locally export it in your shell.
""",
)
