"""``parity migrate``: plan (and apply, or undo) the move of user-scope config into the repo."""

from __future__ import annotations

from pathlib import Path

import click

from parity.commands.output import emit


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--apply", "do_apply", is_flag=True, help="Write the plan into the repository.")
@click.option("--undo", is_flag=True, help="Revert the last apply from its journal.")
@click.option(
    "--only",
    multiple=True,
    metavar="KIND,...",
    help="Only these kinds: claude-md, mcp, hooks, skills, agents, commands, rules, plugins, env.",
)
@click.option("--exclude", multiple=True, metavar="ITEM", help="Leave this item where it is.")
@click.option(
    "--include-local",
    is_flag=True,
    help="Also move the personal local scope (.claude/settings.local.json): hooks, env, plugins.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format of the plan.",
)
def migrate(
    path: Path | None,
    do_apply: bool,
    undo: bool,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    include_local: bool,
    output_format: str,
) -> int:
    """Move user- and local-scope config (~/.claude, ~/.claude.json) into the repository.

    Without --apply it is a dry run: the plan is shown as a diff (exit 0). Everything that stays
    (conflicts, secrets, personal settings such as permissions and model) is listed with the
    reason; the home is never written. A config file that does not parse stops it (exit 2).
    """
    from parity.apply import apply
    from parity.apply import undo as undo_last
    from parity.check import resolve_root
    from parity.discover import Home, discover_repo
    from parity.errors import UsageError
    from parity.migrate import (
        MigrateOptions,
        plan_migration,
        render_applied,
        render_json,
        render_text,
    )
    from parity.model import Inventory

    if undo and (do_apply or only or exclude or include_local):
        raise UsageError("--undo takes no other option")
    root, _ = resolve_root((path,) if path else (), Path.cwd())
    if undo:
        journal = undo_last(root)
        if journal is None:
            click.echo("parity migrate: nothing to undo")
        else:
            click.echo(f"parity migrate: undone; restored {len(journal.changed)} change(s)")
        return 0
    options = MigrateOptions.parse(only, exclude, include_local=include_local)
    inventory = Inventory.build(discover_repo(root), Home.from_env())
    migration = plan_migration(inventory, options)
    if output_format == "json":
        emit(render_json(migration), None)
    elif not do_apply:
        emit(render_text(migration, root), None)
    if do_apply:
        journal = apply(migration.plan, root)
        if output_format == "text":
            click.echo(render_applied(migration, len(set(journal.changed))), nl=False)
    return 0
