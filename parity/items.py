"""Config items of every scope (one row per CLAUDE.md, MCP server, hook, skill, plugin, …).

This is the model stage's item view: ``parity status`` shows it, ``parity migrate`` moves it, and
the scope-parity rules compare the user's items with the repository's.
"""

from __future__ import annotations

import enum
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from parity._lazy import lazy_compile
from parity.findings import Location
from parity.hooks import iter_hooks
from parity.load import Document, MarkdownDocument
from parity.model import ConfigFile, Inventory, Kind, Scope
from parity.secrets import scan_text


class ItemKind(str, enum.Enum):
    """What a config item is (the ``--only`` names of ``parity migrate``)."""

    CLAUDE_MD = "claude-md"
    MCP = "mcp"
    HOOK = "hooks"
    SKILL = "skills"
    AGENT = "agents"
    COMMAND = "commands"
    RULE = "rules"
    PLUGIN = "plugins"
    MARKETPLACE = "marketplaces"
    ENV = "env"
    SETUP_SCRIPT = "setup-script"
    SETTING = "settings"  # any other top-level settings key (permissions, model, ...)


# Which scope word ``parity status`` shows for an item that is in the project but not committed.
NOT_COMMITTED = "not committed"
_KNOWN = "known_marketplaces.json"


@dataclass(frozen=True)
class Item:
    """One configuration item, where it lives, and whether a cloud session gets it."""

    kind: ItemKind
    name: str
    scope: Scope
    file: ConfigFile
    location: Location
    committed: bool
    data: Any = field(default=None, compare=False, repr=False)  # the definition, for migrate
    # Identity when it differs from the name (hooks: the command with paths made scope-neutral).
    ident: str = field(default="", compare=False)

    @property
    def key(self) -> tuple[str, str]:
        """Identity across scopes: the same key in user and project scope is the same item."""
        return (self.kind.value, self.ident or self.name)

    @property
    def label(self) -> str:
        """The name to show: for hooks only event, matcher and the script or program run.

        A hook's command line may hold a token, so no output shows it whole.
        """
        if self.kind is not ItemKind.HOOK:
            return self.name
        from parity.hooks import HookHandler, script_refs

        hook = self.data
        if not isinstance(hook, HookHandler):
            return self.name.split(":", 1)[0]
        matcher = f"[{hook.matcher}]" if hook.matcher else ""
        what = hook.type or "command"
        commands = hook.commands()
        if commands:
            refs = [r for c in commands for r in script_refs(c)]
            named = [c.name for c in commands if c.argv]
            what = refs[0].text if refs else (named[0] if named else what)
        return f"{hook.event}{matcher}: {what}"

    @property
    def in_cloud(self) -> bool:
        """True when a cloud session (fresh clone, empty home) gets this item.

        A committed ``.claude/settings.local.json`` is in every clone, and the client reads it.
        """
        return self.scope in (Scope.PROJECT, Scope.LOCAL) and self.committed

    @property
    def where(self) -> str:
        """``user``, ``local``, ``project``, ``managed`` or ``not committed``."""
        if self.scope is Scope.PROJECT and not self.committed:
            return NOT_COMMITTED
        return self.scope.value


# What each kind of JSON file holds, for a file that does not parse: the --only kinds of
# ``parity migrate`` it feeds, and the words that say what was left out.
_HOLDS: dict[Kind, tuple[tuple[str, ...], str]] = {
    Kind.SETTINGS: (("hooks", "plugins", "env"), "hooks, enabled plugins, env vars and settings"),
    Kind.GLOBAL_CONFIG: (("mcp",), "MCP servers (user scope, and local scope of each project)"),
    Kind.MCP: (("mcp",), "MCP servers"),
    Kind.PLUGINS: (("plugins",), "plugin marketplaces"),
}


@dataclass(frozen=True)
class Unreadable:
    """A configuration file that does not parse, so none of its items can be read."""

    file: ConfigFile
    location: Location
    problem: str
    kinds: tuple[str, ...]  # the ``parity migrate --only`` kinds it holds
    holds: str  # what it holds, in words ("MCP servers")

    @property
    def message(self) -> str:
        """One line: where, what is wrong, and what is left out because of it."""
        from parity.text import display

        loc = self.location
        return (
            f"{display(loc.display)}:{loc.line}:{loc.column}: {display(self.problem)}; its "
            f"{self.holds} cannot be read"
        )


def unreadable_files(inventory: Inventory, scopes: list[Scope] | None = None) -> list[Unreadable]:
    """The JSON configuration files that do not parse or are not an object at the top level.

    Their items are missing from :func:`build_items`: whoever shows or moves items must say so.
    """
    found = []
    for cf, doc in inventory.documents(*_HOLDS, scopes=scopes):
        if cf.kind is Kind.PLUGINS and cf.path.name != _KNOWN:
            continue
        kinds, holds = _HOLDS[cf.kind]
        if not doc.ok:
            issue = next(i for i in doc.issues if i.fatal)
            found.append(Unreadable(cf, issue.location, issue.message, kinds, holds))
        elif doc.value is not None and not isinstance(doc.value, dict):
            problem = "the top level is not a JSON object"
            found.append(Unreadable(cf, doc.locate(()), problem, kinds, holds))
    return found


def build_items(inventory: Inventory) -> list[Item]:
    """Every item of every file in the inventory, in a stable order."""
    items: list[Item] = []
    for cf, doc in inventory.documents():
        items.extend(_items_of(inventory, cf, doc))
    items.extend(_hooks(inventory))
    return sorted(items, key=lambda i: (i.kind.value, i.name, i.scope.value, i.file.display))


def _committed(inventory: Inventory, cf: ConfigFile) -> bool:
    return cf.rel is not None and inventory.repo.in_clone(cf.rel)


def _items_of(inventory: Inventory, cf: ConfigFile, doc: Document) -> Iterator[Item]:
    committed = _committed(inventory, cf)

    def item(
        kind: ItemKind, name: str, loc: Location, data: Any = None, scope: Scope | None = None
    ) -> Item:
        return Item(kind, name, scope or cf.scope, cf, loc, committed, data)

    value = doc.value if doc.ok else None
    if cf.kind is Kind.MEMORY:
        name = "CLAUDE.local.md" if cf.display.endswith("CLAUDE.local.md") else cf.display
        if cf.scope is Scope.USER:
            name = "~/.claude/CLAUDE.md"
        yield item(ItemKind.CLAUDE_MD, name, doc.locate(()), None)
    elif cf.kind is Kind.RULE:
        yield item(ItemKind.RULE, _rel_under(cf, "rules"), doc.locate(()), None)
    elif cf.kind is Kind.SKILL:
        yield item(ItemKind.SKILL, PurePosixPath(cf.path.as_posix()).parent.name, doc.locate(()))
    elif cf.kind is Kind.COMMAND:
        yield item(ItemKind.COMMAND, _rel_under(cf, "commands").removesuffix(".md"), doc.locate(()))
    elif cf.kind is Kind.AGENT:
        front = doc.frontmatter if isinstance(doc, MarkdownDocument) else None
        agent = front.get("name") if isinstance(front, dict) else None
        if isinstance(agent, str) and agent:
            yield item(ItemKind.AGENT, agent, doc.locate(()))
    elif cf.kind is Kind.MCP and isinstance(value, dict) and cf.rel in (None, ".mcp.json"):
        # A nested .mcp.json loads only for sessions started in its folder (PAR112): its servers
        # are not items a session at the root, or a cloud session, has.
        yield from _servers(doc, value.get("mcpServers"), ("mcpServers",), item)
    elif cf.kind is Kind.GLOBAL_CONFIG and isinstance(value, dict):
        yield from _servers(doc, value.get("mcpServers"), ("mcpServers",), item)
        projects = value.get("projects")
        root = str(inventory.repo.root)
        if isinstance(projects, dict) and isinstance(projects.get(root), dict):
            local = projects[root].get("mcpServers")
            yield from _servers(doc, local, ("projects", root, "mcpServers"), item, Scope.LOCAL)
    elif cf.kind is Kind.SETTINGS and isinstance(value, dict):
        yield from _settings_items(doc, value, item)
    elif (
        cf.kind is Kind.PLUGINS
        and isinstance(value, dict)
        and cf.path.name == "known_marketplaces.json"
    ):
        for name, spec in value.items():
            yield item(ItemKind.MARKETPLACE, str(name), doc.locate((name,)), _strip_state(spec))


def _rel_under(cf: ConfigFile, folder: str) -> str:
    parts = PurePosixPath(cf.path.as_posix()).parts
    if folder in parts:
        i = len(parts) - 1 - parts[::-1].index(folder)
        return "/".join(parts[i + 1 :])
    return cf.path.name


def _servers(
    doc: Document, servers: Any, base: tuple[str, ...], item: Any, scope: Scope | None = None
) -> Iterator[Item]:
    if not isinstance(servers, dict):
        return
    for name, spec in servers.items():
        yield item(ItemKind.MCP, str(name), doc.locate((*base, name), key=True), spec, scope)


def _settings_items(doc: Document, value: dict[str, Any], item: Any) -> Iterator[Item]:
    plugins = value.get("enabledPlugins")
    if isinstance(plugins, dict):
        for name, enabled in plugins.items():
            yield item(
                ItemKind.PLUGIN, str(name), doc.locate(("enabledPlugins", name), key=True), enabled
            )
    markets = value.get("extraKnownMarketplaces")
    if isinstance(markets, dict):
        for name, spec in markets.items():
            yield item(
                ItemKind.MARKETPLACE,
                str(name),
                doc.locate(("extraKnownMarketplaces", name), key=True),
                spec,
            )
    env = value.get("env")
    if isinstance(env, dict):
        for name in env:
            # The value stays in data for migrate; status and reports show names only.
            yield item(ItemKind.ENV, str(name), doc.locate(("env", name), key=True), env[name])
    for key, setting in value.items():
        if key not in _ITEMIZED:
            yield item(ItemKind.SETTING, str(key), doc.locate((key,), key=True), setting)


# Settings keys whose entries are items of their own (hooks come from iter_hooks).
_ITEMIZED = frozenset({"hooks", "env", "enabledPlugins", "extraKnownMarketplaces", "$schema"})


def marketplace_declaration(spec: Any) -> tuple[dict[str, Any] | None, str]:
    """What ``extraKnownMarketplaces`` of the repository should hold for a marketplace the user
    scope declares as ``spec`` (its ``source``, nothing else), or None and why it cannot:
    ``"is declared nowhere parity can read"``, ``"is a local path a cloud session cannot
    read"``, ``"declaration holds a secret"``. ``parity migrate`` and PAR107's fix both use it.
    """
    if not isinstance(spec, dict) or "source" not in spec:
        return None, "is declared nowhere parity can read"
    source = spec["source"]
    if isinstance(source, dict) and source.get("source") in ("directory", "file"):
        return None, "is a local path a cloud session cannot read"
    declaration = {"source": source}
    if scan_text(repr(declaration)):
        return None, "declaration holds a secret"
    return declaration, ""


def _strip_state(spec: Any) -> Any:
    """A known_marketplaces.json entry without the bookkeeping (install path, dates)."""
    if isinstance(spec, dict):
        return {k: v for k, v in spec.items() if k == "source"}
    return spec


def _hooks(inventory: Inventory) -> Iterator[Item]:
    home = inventory.home.home if inventory.home is not None else None
    for hook in iter_hooks(inventory):
        cf = hook.file
        label = (
            hook.command if hook.command is not None else json.dumps(hook.handler, sort_keys=True)
        )
        matcher = f"[{hook.matcher}]" if hook.matcher else ""
        yield Item(
            ItemKind.HOOK,
            f"{hook.event}{matcher}: {label}",
            cf.scope,
            cf,
            hook.locate(),
            _committed(inventory, cf),
            hook,
            ident=f"{hook.event}{matcher}: {hook_identity(label, home)}",
        )


_QUOTES = lazy_compile(r"[\"']")
# A file elsewhere in the home (not ~/.claude): migrate copies it to .claude/hooks/<name>.
_HOME_SCRIPT = lazy_compile(r"(?<![\w/<>.-])(?:~|\$HOME|\$\{HOME\})/(?:\S*/)?([^\s/]+)")
_ROOTS = lazy_compile(
    r"\$\{CLAUDE_PROJECT_DIR(?::-[^}]*)?\}/|\$CLAUDE_PROJECT_DIR/"
    r"|(?:~|\$HOME|\$\{HOME\})/(?=\.claude/)"
)


def hook_identity(command: str, home: Path | None = None) -> str:
    """A hook command with quoting and the script's root made scope-neutral.

    ``~/.claude/hooks/x.sh`` (user scope) and ``"$CLAUDE_PROJECT_DIR"/.claude/hooks/x.sh`` (the
    same hook once ``parity migrate`` moved it into the repository) give the same identity; so
    do ``~/bin/notify.sh`` (or ``/home/me/bin/notify.sh`` with ``home``) and
    ``.claude/hooks/notify.sh``, where migrate puts a script from elsewhere in the home.
    """
    text = _QUOTES.sub("", command)
    if home is not None:
        text = text.replace(f"{home.as_posix().rstrip('/')}/", "~/")
    text = _ROOTS.sub("<root>/", text)
    text = _HOME_SCRIPT.sub(r"<root>/.claude/hooks/\1", text)
    text = re.sub(r"(?<![\w/<>.-])\./(?=\.claude/)", "<root>/", text)
    text = re.sub(r"(?<![\w/<>.-])(?=\.claude/)", "<root>/", text)
    return " ".join(text.split())


def counterparts(items: list[Item]) -> dict[tuple[str, str], list[Item]]:
    """Items grouped by identity (kind, name), to find a user item's counterpart in the repo."""
    grouped: dict[tuple[str, str], list[Item]] = {}
    for it in items:
        grouped.setdefault(it.key, []).append(it)
    return grouped
