"""The parity table: one row per config item, where it lives, whether a cloud session gets it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from shlex import quote

from parity.config import Config
from parity.discover import Home, Repo
from parity.items import (
    NOT_COMMITTED,
    Item,
    ItemKind,
    Unreadable,
    build_items,
    counterparts,
    unreadable_files,
)
from parity.model import Inventory, Scope
from parity.rules._scope import BUILTIN_MARKETPLACES
from parity.secrets import redact
from parity.text import clean, dumps, md_code, md_text

STATUS_VERSION = 1
KIND_LABEL = {
    ItemKind.CLAUDE_MD: "CLAUDE.md",
    ItemKind.MCP: "MCP server",
    ItemKind.HOOK: "hook",
    ItemKind.SKILL: "skill",
    ItemKind.AGENT: "agent",
    ItemKind.COMMAND: "command",
    ItemKind.RULE: "rule file",
    ItemKind.PLUGIN: "plugin",
    ItemKind.ENV: "env var",
    ItemKind.SETUP_SCRIPT: "setup script",
}
_KIND_ORDER = list(KIND_LABEL)
_WHERE_ORDER = ["managed", "user", "local", "project", NOT_COMMITTED]
_MIGRATE = "parity migrate --only {kind}"


@dataclass(frozen=True)
class Row:
    """One config item of the table (items of several scopes with one identity share a row)."""

    kind: ItemKind
    name: str
    where: tuple[str, ...]
    in_cloud: bool
    fix: str | None
    path: str
    line: int
    column: int

    @property
    def label(self) -> str:
        """The kind as shown in the table (``MCP server``, ``env var`` …)."""
        return KIND_LABEL[self.kind]


@dataclass(frozen=True)
class StatusTable:
    """The whole table for one repository and one user."""

    root: Path
    rows: tuple[Row, ...]
    # Files that do not parse: their items are not in ``rows``.
    unreadable: tuple[Unreadable, ...] = ()

    @property
    def missing(self) -> tuple[Row, ...]:
        """Rows a cloud session does not get."""
        return tuple(r for r in self.rows if not r.in_cloud)


def build_status(repo: Repo, home: Home, config: Config) -> StatusTable:
    """Read the repository and the user scope (read-only) and build the parity table."""
    inventory = Inventory.build(repo, home)
    items = [i for i in build_items(inventory) if i.kind in KIND_LABEL]
    # A plugin turned off (false) is not configuration in effect.
    items = [i for i in items if not (i.kind is ItemKind.PLUGIN and i.data is not True)]
    markets = {
        i.name for i in build_items(inventory) if i.kind is ItemKind.MARKETPLACE and i.in_cloud
    } | BUILTIN_MARKETPLACES
    rows = [_row(group, markets) for group in counterparts(items).values()]
    rows.extend(_setup_scripts(inventory, config))
    rows.sort(key=lambda r: (_KIND_ORDER.index(r.kind), r.name, r.where))
    return StatusTable(repo.root, tuple(rows), tuple(unreadable_files(inventory)))


def _row(group: list[Item], markets: set[str]) -> Row:
    # The row points at the copy a cloud session gets, else at the most personal one.
    first = sorted(group, key=lambda i: (not i.in_cloud, _WHERE_ORDER.index(i.where)))[0]
    where = tuple(sorted({i.where for i in group}, key=_WHERE_ORDER.index))
    in_cloud = any(i.in_cloud for i in group)
    fix = None if in_cloud else _fix(first)
    if in_cloud and first.kind is ItemKind.PLUGIN:
        market = first.name.rpartition("@")[2]
        if market not in markets:
            in_cloud = False
            fix = (
                f'declare marketplace "{market}" in extraKnownMarketplaces of .claude/settings.json'
            )
    loc = first.location
    name, path = clean(first.label), redact(loc.display)
    return Row(first.kind, name, where, in_cloud, _fix_text(fix), path, loc.line, loc.column)


def _fix_text(fix: str | None) -> str | None:
    # A fix names paths and marketplaces from the user's files: masked and display-safe.
    return clean(fix) if fix is not None else None


def _fix(item: Item) -> str:
    kind = item.kind
    if item.where == NOT_COMMITTED:
        return f"git add {quote(item.file.rel)}" if item.file.rel else "commit it"
    if kind is ItemKind.ENV:
        return "set it in the cloud environment's variables"
    if item.scope is Scope.LOCAL:
        if kind is ItemKind.CLAUDE_MD:
            return "move what the project needs into CLAUDE.md"
        if kind is ItemKind.MCP:
            return _MIGRATE.format(kind=kind.value)
        return "move it to .claude/settings.json"
    if item.scope is Scope.MANAGED:
        return "ask for it in the claude.ai server-managed settings"
    return _MIGRATE.format(kind=kind.value)


def _setup_scripts(inventory: Inventory, config: Config) -> list[Row]:
    rows = []
    for env in config.environments.values():
        if env.setup_script is None:
            continue
        rel = env.setup_script.removeprefix("./")
        repo = inventory.repo
        committed = repo.in_clone(rel)
        exists = repo.exists(rel)
        where = ("project",) if committed else ((NOT_COMMITTED,) if exists else ("missing",))
        fix = (
            None
            if committed
            else (f"git add {quote(rel)}" if exists else f"write {rel} (parity cloud-init)")
        )
        name = clean(f"{rel} ({env.name})")
        shown = redact(rel)
        rows.append(Row(ItemKind.SETUP_SCRIPT, name, where, committed, _fix_text(fix), shown, 1, 1))
    return rows


# --------------------------------------------------------------------------------------------
# Rendering


def _summary(table: StatusTable) -> str:
    total, missing = len(table.rows), len(table.missing)
    return (
        f"{total} config item{'s' if total != 1 else ''}: {total - missing} reach a cloud "
        f"session, {missing} do{'es' if missing == 1 else ''} not."
    )


def render_json(table: StatusTable) -> str:
    """The table as JSON (stable: ``version`` changes when a field changes meaning)."""
    doc = {
        "version": STATUS_VERSION,
        "root": str(table.root),
        "summary": {
            "items": len(table.rows),
            "in_cloud": len(table.rows) - len(table.missing),
            "missing": len(table.missing),
        },
        "unreadable": [
            {
                "path": bad.location.display,
                "line": bad.location.line,
                "column": bad.location.column,
                "problem": bad.problem,
                "left_out": bad.holds,
            }
            for bad in table.unreadable
        ],
        "items": [
            {
                "kind": r.kind.value,
                "label": r.label,
                "name": r.name,
                "where": list(r.where),
                "in_cloud": r.in_cloud,
                "fix": r.fix,
                "path": r.path,
                "line": r.line,
                "column": r.column,
            }
            for r in table.rows
        ],
    }
    return dumps(doc) + "\n"


def render_markdown(table: StatusTable) -> str:
    """The table as GitHub-flavoured Markdown (the Action's job summary uses this)."""
    lines = ["### Cloud parity", "", _summary(table), ""]
    for bad in table.unreadable:
        lines += [f"> **Warning:** {md_text(bad.message)}; they are not in this table.", ""]
    if table.rows:
        lines += ["| Item | Kind | Where | Cloud | Fix |", "|---|---|---|---|---|"]
        for r in table.rows:
            cloud = "✅ yes" if r.in_cloud else "❌ no"
            fix = (
                md_code(r.fix)
                if r.fix and r.fix.startswith(("parity ", "git "))
                else md_text(r.fix or "")
            )
            lines.append(
                f"| {md_code(r.name)} | {r.label} | {md_text(', '.join(r.where))} | {cloud} "
                f"| {fix} |"
            )
    return "\n".join(lines) + "\n"


def render_text(table: StatusTable, *, color: bool = False, width: int = 120) -> str:
    """The table for a terminal (rich)."""
    import io

    from rich.console import Console
    from rich.table import Table

    out = io.StringIO()
    console = Console(
        file=out,
        width=width,
        color_system="standard" if color else None,
        force_terminal=color,
        highlight=False,
        emoji=False,
    )
    grid = Table(title=None, show_lines=False, expand=False)
    for column in ("Item", "Kind", "Where", "Cloud", "Fix"):
        grid.add_column(column, overflow="fold")
    for r in table.rows:
        cloud = "[green]yes[/green]" if r.in_cloud else "[red]no[/red]"
        grid.add_row(_escape(r.name), r.label, ", ".join(r.where), cloud, _escape(r.fix or ""))
    console.print(grid)
    console.print(_summary(table))
    return out.getvalue()


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


def render(table: StatusTable, output_format: str, *, color: bool = False, width: int = 120) -> str:
    """Render ``table`` as ``text``, ``json`` or ``markdown``."""
    if output_format == "json":
        return render_json(table)
    if output_format == "markdown":
        return render_markdown(table)
    return render_text(table, color=color, width=width)


FORMATS: Sequence[str] = ("text", "json", "markdown")
