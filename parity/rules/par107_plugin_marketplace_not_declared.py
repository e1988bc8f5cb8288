"""PAR107: a plugin enabled in the repository whose marketplace the repository does not declare."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parity.findings import Fix, Safety, Severity, Violation
from parity.load import Document
from parity.model import Kind, Scope
from parity.rules._fixes import json_set
from parity.rules._scope import BUILTIN_MARKETPLACES
from parity.rules.base import SOMETIMES, Autofix, Context, Rule


def _declared(ctx: Context, scopes: list[Scope]) -> set[str]:
    names: set[str] = set()
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=scopes):
        value = doc.value if doc.ok and isinstance(doc.value, dict) else {}
        markets = value.get("extraKnownMarketplaces")
        if isinstance(markets, dict):
            names.update(str(k) for k in markets)
    return names


def _user_known(ctx: Context) -> dict[str, Any]:
    """Marketplaces the user scope declares (with --user): name -> declaration, the user's
    settings first, then ``~/.claude/plugins/known_marketplaces.json``."""
    known: dict[str, Any] = {}
    if not ctx.user:
        return known
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.USER]):
        value = doc.value if doc.ok and isinstance(doc.value, dict) else {}
        markets = value.get("extraKnownMarketplaces")
        if isinstance(markets, dict):
            for name, spec in markets.items():
                known.setdefault(str(name), spec)
    for cf, doc in ctx.documents(Kind.PLUGINS, scopes=[Scope.USER]):
        if cf.path.name == "known_marketplaces.json" and doc.ok and isinstance(doc.value, dict):
            for name, spec in doc.value.items():
                known.setdefault(str(name), spec)
    return known


def _declare(doc: Document, market: str, spec: Any) -> Fix | None:
    """The user's declaration of ``market`` copied into the project settings, as migrate does."""
    # Imported here: only a fix needs it, and parity.items is costly to import.
    from parity.items import marketplace_declaration

    declaration, _why = marketplace_declaration(spec)
    if declaration is None:
        return None
    edit = json_set(doc, ("extraKnownMarketplaces", market), declaration)
    return Fix(f'Declare marketplace "{market}"', (edit,)) if edit is not None else None


def check(ctx: Context) -> Iterator[Violation]:
    """``enabledPlugins`` keys ``plugin@marketplace`` set to true in project settings."""
    declared = _declared(ctx, [Scope.PROJECT]) | BUILTIN_MARKETPLACES
    user_known: dict[str, Any] | None = None
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        value = doc.value if doc.ok and isinstance(doc.value, dict) else {}
        plugins = value.get("enabledPlugins")
        if not isinstance(plugins, dict):
            continue
        for key, enabled in plugins.items():
            name, at, market = str(key).rpartition("@")
            if enabled is not True or not at or not name or market in declared:
                continue
            if user_known is None:
                user_known = _user_known(ctx)
            where = (
                "it is declared only in your user scope"
                if market in user_known
                else "the repository does not declare it"
            )
            yield Violation(
                doc.locate(("enabledPlugins", key), key=True),
                f'Plugin "{key}" comes from marketplace "{market}", but {where}: a cloud session '
                "cannot find the marketplace and does not install the plugin.",
                fix=f'Declare "{market}" in "extraKnownMarketplaces" of .claude/settings.json '
                '(e.g. {"source": {"source": "github", "repo": "owner/repo"}}).',
                autofix=_declare(doc, market, user_known[market]) if market in user_known else None,
            )


RULE = Rule(
    code="PAR107",
    name="plugin-marketplace-not-declared",
    severity=Severity.ERROR,
    summary="A plugin enabled in the repository comes from a marketplace the repository does not "
    "declare.",
    fix='Declare the marketplace in "extraKnownMarketplaces" of .claude/settings.json.',
    tags=("parity", "plugins"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.SAFE,
        "Copies the marketplace's declaration (its `source`) from your user scope into "
        '"extraKnownMarketplaces" of the project settings, as `parity migrate` does.',
        when="with `--user`, when your settings or `~/.claude/plugins/known_marketplaces.json` "
        "declare it, and not as a local folder or with a credential in it",
    ),
    docs="""
## What it does
For each `"plugin@marketplace": true` in the project's `enabledPlugins`, checks that
`extraKnownMarketplaces` in the project settings declares the marketplace, or that it is one the
client knows without a declaration (`claude-plugins-official`, `anthropic-plugin-directory`,
`skills-dir`, `builtin`). With `--user` the message says when the marketplace is declared only in
your user scope.

## Why is this bad?
`claude plugin install --scope project` writes `enabledPlugins` into `.claude/settings.json` but
leaves the marketplace declaration in `~/.claude/settings.json`. On your machine the plugin works;
a cloud session (empty home) cannot resolve the marketplace and the plugin is not there.

## Example
```json
{"enabledPlugins": {"formatter@acme-tools": true}}
```

## Fix
```json
{"enabledPlugins": {"formatter@acme-tools": true},
 "extraKnownMarketplaces": {"acme-tools":
   {"source": {"source": "github", "repo": "acme/claude-plugins"}}}}
```
""",
)
