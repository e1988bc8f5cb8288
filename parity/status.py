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
from parity.migrate import NAMES_ONLY, Migration, Outcome, outcome_of
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
    """Read the repository and the user scope (read-only) and build the parity table.

    The fix of a user or local item is what ``parity migrate`` would do with it (the plan is
    made, never applied), so the two always agree.
    """
    from parity.migrate import plan_migration

    inventory = Inventory.build(repo, home, exclude=config.excluded)
    every = build_items(inventory)
    items = [i for i in every if i.kind in KIND_LABEL]
    # A plugin turned off (false) is not configuration in effect.
    items = [i for i in items if not (i.kind is ItemKind.PLUGIN and i.data is not True)]
    markets = {
        i.name for i in every if i.kind is ItemKind.MARKETPLACE and i.in_cloud
    } | BUILTIN_MARKETPLACES
    migration = plan_migration(inventory, strict=False)
    rows = [_row(group, markets, migration, repo) for group in counterparts(items).values()]
    rows.extend(_setup_scripts(inventory, config))
    rows.sort(key=lambda r: (_KIND_ORDER.index(r.kind), r.name, r.where))
    return StatusTable(repo.root, tuple(rows), tuple(unreadable_files(inventory)))


def _row(group: list[Item], markets: set[str], migration: Migration, repo: Repo) -> Row:
    # The row points at the copy a cloud session gets, else at the most personal one.
    first = sorted(group, key=lambda i: (not i.in_cloud, _WHERE_ORDER.index(i.where)))[0]
    where = tuple(sorted({i.where for i in group}, key=_WHERE_ORDER.index))
    in_cloud = any(i.in_cloud for i in group)
    fix = None
    if not in_cloud:
        outcome = outcome_of(migration, first)
        copy = outcome.target if outcome is not None and outcome.present else None
        if copy is not None and not copy.endswith("/") and repo.in_clone(copy):
            # In the repository under another name (the marked CLAUDE.md section).
            if _committed_as_is(repo, copy):
                in_cloud = True
                where = (*where, "project")
            else:
                fix = f"git add {quote(copy)} and commit it"
        else:
            fix = _fix(group, first, outcome)
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


def _committed_as_is(repo: Repo, rel: str) -> bool:
    """True when ``rel`` in HEAD is byte for byte the file in the working tree."""
    path = repo.safe_path(rel)
    tree = repo.worktree
    if path is None or tree is None:
        return False
    proc = tree.run("show", "--no-textconv", f"HEAD:{tree.path(rel)}")
    try:
        return proc.returncode == 0 and proc.stdout == path.read_bytes()
    except OSError:
        return False


def _fix(group: list[Item], item: Item, outcome: Outcome | None) -> str:
    """How to get ``item`` into a cloud session: what ``parity migrate`` does with it."""
    kind = item.kind
    uncommitted = next((i for i in group if i.where == NOT_COMMITTED), None)
    if uncommitted is not None:
        rel = uncommitted.file.rel
        return f"git add {quote(rel)}" if rel else "commit it"
    if item.scope is Scope.MANAGED:
        return "ask for it in the claude.ai server-managed settings"
    if outcome is None:  # not something parity migrate plans (it always plans user and local)
        return _MIGRATE.format(kind=kind.value)
    if outcome.target == NAMES_ONLY:
        declared = "declared in [environments]" if outcome.present else None
        return (
            f"set {item.name} in the cloud environment's variables "
            f"({declared or '`parity migrate --only env` declares the name'})"
        )
    if outcome.moved:
        return _MIGRATE.format(kind=kind.value)
    if outcome.present:
        return f"git add {quote(outcome.target)}"
    if "--include-local" in outcome.reason:
        return f"parity migrate --include-local --only {kind.value}"
    return f"parity migrate leaves it: {outcome.reason}"


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
                if r.fix and r.fix.startswith(("parity migrate --", "parity cloud-init", "git "))
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
