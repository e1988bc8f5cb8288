"""``parity migrate``: plan (and apply, or undo) the move of user-scope config into the repo."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from parity.commands.output import emit

if TYPE_CHECKING:
    from parity.migrate import MigrateOptions, Migration
    from parity.model import Inventory


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
@click.option("--apply", "do_apply", is_flag=True, help="Write the plan into the repository.")
@click.option(
    "--undo",
    is_flag=True,
    help="Revert the last change that parity migrate --apply or parity cloud-init --write made, "
    "from its journal (it says which first).",
)
@click.option(
    "--force",
    is_flag=True,
    help="With --undo: revert files changed since too, after saving them to a backup folder. "
    "With --env-file: replace an existing file.",
)
@click.option(
    "--env-file",
    "env_file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Write the variables the repository needs as KEY=value lines (values from your "
    "environment, your settings and your MCP servers) to this file, mode 0600, for the cloud "
    "environment's settings. Only names are printed.",
)
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
    force: bool,
    only: tuple[str, ...],
    exclude: tuple[str, ...],
    include_local: bool,
    output_format: str,
    env_file: Path | None,
) -> int:
    """Move user- and local-scope config (~/.claude, ~/.claude.json) into the repository.

    Without --apply it is a dry run: the plan is shown as a diff (exit 0). Everything that stays
    (conflicts, secrets, personal settings such as permissions and model) is listed with the
    reason; the home is never written. A config file that does not parse stops it (exit 2).
    """
    from parity.apply import apply
    from parity.discover import Home, discover_repo, resolve_root
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
        raise UsageError("--undo takes no other option but --force")
    if env_file is not None and (undo or do_apply):
        raise UsageError("--env-file writes only the variables: use it without --apply or --undo")
    if force and not (undo or env_file):
        raise UsageError("--force goes with --undo or --env-file")
    root, _ = resolve_root((path,) if path else (), Path.cwd())
    if undo:
        return _undo(root, force=force)
    options = MigrateOptions.parse(only, exclude, include_local=include_local)
    inventory = Inventory.build(discover_repo(root), Home.from_env())
    migration = plan_migration(inventory, options)
    if env_file is not None:
        return _env_file(inventory, migration, env_file, force=force, output_format=output_format)
    if output_format == "json":
        emit(render_json(migration), None)
    elif not do_apply:
        emit(render_text(migration, root), None)
    if do_apply:
        journal = apply(migration.plan, root, command=_command(options))
        if output_format == "text":
            click.echo(render_applied(migration, len(set(journal.changed))), nl=False)
    return 0


def _env_file(
    inventory: Inventory, migration: Migration, path: Path, *, force: bool, output_format: str
) -> int:
    """Write the cloud environment's variables to ``path``; print names and sources only."""
    from parity import envfile
    from parity.config import load_config

    target = envfile.check_target(path, inventory.repo.root, force=force)
    variables = envfile.collect(inventory, load_config(inventory.repo.root), migration)
    written = envfile.write(target, variables)
    render = envfile.render_json if output_format == "json" else envfile.render_text
    emit(render(variables, target, written), None)
    return 0


def _command(options: MigrateOptions) -> str:
    """The command line an apply is recorded under, for ``--undo`` to name."""
    from parity.migrate import KINDS

    words = ["parity migrate --apply"]
    if options.only is not None:
        words.append("--only " + ",".join(k for k in KINDS if k in options.only))
    words.extend(f"--exclude {name}" for name in sorted(options.exclude))
    if options.include_local:
        words.append("--include-local")
    return " ".join(words)


def _undo(root: Path, *, force: bool) -> int:
    """Say what the last journal reverts, revert it, and say what is left to do."""
    from parity.apply import changed_since, last_journal, undo
    from parity.errors import StaleError
    from parity.text import display

    journal = last_journal(root)
    if journal is None:
        click.echo("parity migrate: nothing to undo")
        return 0
    n = len(set(journal.changed))
    files = f"{n} file{'s' if n != 1 else ''}"
    if journal.command:
        when = journal.started.replace("T", " ").replace("+00:00", " UTC")
        head = f"the last change is `{journal.command}` of {when} ({files})"
    else:
        head = f"the last change is an apply by an earlier parity version ({files})"
    interrupted = "" if journal.complete else "; it was interrupted, so some may be unchanged"
    click.echo(f"parity migrate: {head}{interrupted}; undoing it will:")
    for rel, what in journal.reverts():
        click.echo(f"  {display(rel)}: {what}")
    changed = changed_since(root, journal)
    if changed and not force:
        names = ", ".join(display(c) for c in changed)
        raise StaleError(
            f"{names} changed after that apply, and undoing would lose those changes (nothing "
            "was undone). To keep them, leave things as they are; to drop them, `parity migrate "
            "--undo --force` saves a copy of each changed file first, then undoes everything."
        )
    if _committed(root, journal.changed):
        click.echo(
            "note: git shows these files as committed; undoing changes the working tree, which "
            "you then commit (or restore with git)"
        )
    done = undo(root, force=force)
    if done is None:  # another undo got there first
        return 0
    if done.backup is not None:
        where = done.backup.relative_to(root) if root in done.backup.parents else done.backup
        for rel in changed:
            click.echo(f"saved your version of {display(rel)} to {display(str(where / rel))}")
    click.echo(f"parity migrate: undone; restored {files}")
    return 0


def _committed(root: Path, paths: list[str]) -> bool:
    """True when git has every one of ``paths`` committed as it is in the working tree."""
    from parity.git import worktree

    tree = worktree(root)
    if tree is None or not paths:
        return False
    proc = tree.run("status", "--porcelain", "-z", "--", *(tree.path(p) for p in paths))
    return proc.returncode == 0 and not proc.stdout
