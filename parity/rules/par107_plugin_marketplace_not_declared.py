"""PAR107: a plugin enabled in the repository whose marketplace the repository does not declare."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.model import Kind, Scope
from parity.rules._scope import BUILTIN_MARKETPLACES
from parity.rules.base import Context, Rule


def _declared(ctx: Context, scopes: list[Scope]) -> set[str]:
    names: set[str] = set()
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=scopes):
        value = doc.value if doc.ok and isinstance(doc.value, dict) else {}
        markets = value.get("extraKnownMarketplaces")
        if isinstance(markets, dict):
            names.update(str(k) for k in markets)
    return names


def _user_known(ctx: Context) -> set[str]:
    names = _declared(ctx, [Scope.USER]) if ctx.user else set()
    for cf, doc in ctx.documents(Kind.PLUGINS, scopes=[Scope.USER]):
        if ctx.user and cf.path.name == "known_marketplaces.json" and isinstance(doc.value, dict):
            names.update(str(k) for k in doc.value)
    return names


def check(ctx: Context) -> Iterator[Violation]:
    """``enabledPlugins`` keys ``plugin@marketplace`` set to true in project settings."""
    declared = _declared(ctx, [Scope.PROJECT]) | BUILTIN_MARKETPLACES
    user_known: set[str] | None = None
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
