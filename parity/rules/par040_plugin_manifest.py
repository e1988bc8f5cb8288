"""PAR040: a plugin.json or marketplace.json that ``claude plugin validate`` rejects."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import Any

from parity.findings import Severity, Violation
from parity.load import Document
from parity.model import ConfigFile, Kind
from parity.rules._plugins import (
    ID_PART,
    OFFICIAL_MARKETPLACES,
    marketplace_name_problem,
    reserved_plugin_name,
)
from parity.rules.base import Context, Rule
from parity.text import NAME_LIMIT, clean, quote
from parity.validate import problems

_SCHEMAS = {Kind.PLUGIN_MANIFEST: "plugin-manifest", Kind.MARKETPLACE: "marketplace"}
# plugin.json fields that name files or folders of the plugin; the loader fails on a missing one.
_COMPONENT_PATHS = (
    "commands",
    "agents",
    "skills",
    "hooks",
    "mcpServers",
    "outputStyles",
    "lspServers",
    "themes",
    "monitors",
)
_RESERVED_FIX = 'Name it for what it does (not "claude-…", "anthropic-…" or "…-official").'


def check(ctx: Context) -> Iterator[Violation]:
    """Schema problems, refused names and missing component paths of the committed manifests."""
    for cf, doc in ctx.documents(Kind.PLUGIN_MANIFEST, Kind.MARKETPLACE):
        if not cf.shared or not doc.ok or doc.empty:
            continue  # a file that does not parse is PAR001's
        what = "plugin.json" if cf.kind is Kind.PLUGIN_MANIFEST else "marketplace.json"
        for problem in problems(_SCHEMAS[cf.kind], doc.value):
            message, fix = _explain(problem.path, problem.message, doc.value)
            yield Violation(
                doc.locate(problem.path, key=problem.on_key),
                f"{_where(problem.path)}{message} `claude plugin validate` rejects this {what}.",
                fix=fix or problem.fix or f"Correct the value as the {what} format describes it.",
            )
        if not isinstance(doc.value, dict):
            continue
        if cf.kind is Kind.PLUGIN_MANIFEST:
            yield from _plugin(ctx, cf, doc, doc.value)
        else:
            yield from _marketplace(doc, doc.value)


def _where(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path) + ": " if path else ""


def _explain(path: tuple[str | int, ...], message: str, value: Any) -> tuple[str, str | None]:
    """The schema's message, or a plainer one (and its fix) where the schema's says little."""
    node = value
    for part in path:
        if isinstance(node, dict):
            node = node.get(part)
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            node = node[part]
        else:
            node = None
    if path[-1:] == ("source",) and isinstance(node, str) and not node.startswith("./"):
        return (
            "A plugin source given as text is a path inside the marketplace's repository and "
            'must start with "./".',
            'Write "./<folder>" for a plugin in this repository, or an object for one elsewhere: '
            '{"source": "url", "url": "<git URL>"} or {"source": "github", "repo": "owner/name"}.',
        )
    return message.rstrip(".") + ".", None


def _plugin(
    ctx: Context, cf: ConfigFile, doc: Document, value: dict[str, Any]
) -> Iterator[Violation]:
    name = value.get("name")
    if isinstance(name, str) and name:
        yield from _plugin_name(doc, ("name",), name)
    root = posixpath.dirname(posixpath.dirname(cf.rel or ""))
    for field in _COMPONENT_PATHS:
        given = value.get(field)
        paths = [given] if isinstance(given, str) else given if isinstance(given, list) else []
        for i, path in enumerate(paths):
            if not isinstance(path, str) or not path.startswith("./"):
                continue
            rel = posixpath.normpath(posixpath.join(root, path))
            if rel.startswith("../") or ctx.repo.exists(rel):
                continue
            where = (field,) if isinstance(given, str) else (field, i)
            loader = (
                "the client skips a missing MCP servers file without a word, so none of its "
                "servers load"
                if field == "mcpServers"
                else "the plugin loader reports it as a load failure"
            )
            shown = clean(rel, NAME_LIMIT)
            yield Violation(
                doc.locate(where),
                f"{_where(where)}{quote(path, NAME_LIMIT)} does not exist in the plugin "
                f"({shown}): {loader}. `claude plugin validate` rejects this plugin.json.",
                fix=f"Commit {shown}, or fix the path (relative to the plugin's folder).",
            )


def _plugin_name(doc: Document, where: tuple[str | int, ...], name: str) -> Iterator[Violation]:
    if " " in name:
        yield Violation(
            doc.locate(where),
            f"{_where(where)}Plugin name {quote(name, NAME_LIMIT)} contains a space, which the "
            "client refuses.",
            fix=f"Use kebab-case: {quote('-'.join(name.lower().split()), NAME_LIMIT)}.",
        )
    elif reserved_plugin_name(name):
        yield Violation(
            doc.locate(where),
            f"{_where(where)}Plugin name {quote(name, NAME_LIMIT)} is reserved: it passes as one "
            'of Anthropic\'s own plugins (it starts with "claude-", "anthropic-", '
            '"anthropics-" or "cc-plugin-", is "claude", "anthropic", "claude-code" or '
            '"claude-mods", or puts "official" beside "claude" or "anthropic"), so the client '
            "refuses it.",
            fix=_RESERVED_FIX,
        )


def _marketplace(doc: Document, value: dict[str, Any]) -> Iterator[Violation]:
    name = value.get("name")
    if isinstance(name, str) and name:
        why = marketplace_name_problem(name)
        if why is not None:
            yield Violation(
                doc.locate(("name",)),
                f"name: Marketplace name {quote(name, NAME_LIMIT)} is refused: {why}. "
                "`claude plugin validate` rejects this marketplace.json, and nothing can be "
                "installed from it.",
                fix="Choose a kebab-case name of your own (letters, digits and hyphens).",
            )
    official = isinstance(name, str) and name.lower() in OFFICIAL_MARKETPLACES
    plugins = value.get("plugins")
    for i, entry in enumerate(plugins if isinstance(plugins, list) else []):
        plugin = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(plugin, str) or not plugin:
            continue
        where: tuple[str | int, ...] = ("plugins", i, "name")
        if " " in plugin or (not official and reserved_plugin_name(plugin)):
            yield from _plugin_name(doc, where, plugin)
        elif not ID_PART.match(plugin):
            yield Violation(
                doc.locate(where),
                f"{_where(where)}The client cannot install plugin {quote(plugin, NAME_LIMIT)}: "
                'each part of a plugin id (plugin@marketplace) may use only letters, digits, ".", '
                '"_" and "-", and must start with a letter or digit.',
                fix="Rename the plugin in kebab-case.",
            )


RULE = Rule(
    code="PAR040",
    name="plugin-manifest",
    severity=Severity.ERROR,
    summary="A plugin.json or marketplace.json that `claude plugin validate` rejects.",
    fix="Fix the manifest as the message says; check it with `claude plugin validate`.",
    tags=("correctness", "plugins"),
    check=check,
    docs="""
## What it does
Validates every committed `.claude-plugin/plugin.json` and `.claude-plugin/marketplace.json`
(invalid JSON, such as a merge-conflict marker, is PAR001):

- against SchemaStore's plugin-manifest and marketplace schemas (vendored in `schemas/`, the
  format the client's own validator generates them from): wrong types, missing required fields,
  a plugin `source` string that does not start with `./`;
- names the client refuses: a plugin name with a space, or reserved because it passes as one of
  Anthropic's own (`claude-…`, `anthropic-…`, `cc-plugin-…`, `claude-code`, "official" beside
  "claude"); a marketplace name with a space, a path separator, `..`, a control character,
  one of the client's own (`builtin`, `inline`, `skills-dir`, `synced`,
  `claude-plugin-test`), one that impersonates an official marketplace (`claude-marketplace`,
  `official-claude-…`), or characters a plugin id cannot hold;
- component paths in plugin.json (`commands`, `agents`, `skills`, `hooks`, `mcpServers`,
  `outputStyles`, `lspServers`, `themes`, `monitors`) that do not exist in the repository.

What `claude plugin validate` of client 2.1.330 only warns about (no description, no author,
a name that is not kebab-case or merely mentions "claude") is left alone.

## Why is this bad?
The client refuses the manifest: a marketplace with a bad name cannot be added and none of its
plugins can be installed, in a cloud session (which installs the plugins `.claude/settings.json`
enables at start) as anywhere else; a plugin with a reserved name or a missing component path
fails to load.

## Example
```json
{"name": "claude-helpers", "owner": {"name": "Acme"},
 "plugins": [{"name": "deploy", "source": "git@github.com:acme/deploy.git"}]}
```

## Fix
```json
{"name": "acme-tools", "owner": {"name": "Acme"},
 "plugins": [{"name": "deploy", "source": {"source": "url", "url": "https://github.com/acme/deploy.git"}}]}
```
""",
)
