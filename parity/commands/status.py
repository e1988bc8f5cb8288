"""``parity status``: the parity table for this repository and this user."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import click

from parity.commands.output import config_option, emit, use_color


@click.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "markdown"]),
    default="text",
    envvar="PARITY_STATUS_FORMAT",
    show_default=True,
    help="Output format (markdown is what the GitHub job summary shows).",
)
@config_option
@click.option(
    "--fail-on-missing",
    is_flag=True,
    help="Exit 1 when some config item does not reach a cloud session.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the table to a file.")
def status(
    path: Path | None,
    output_format: str,
    config_file: Path | None,
    fail_on_missing: bool,
    output: Path | None,
) -> int:
    """Show every config item of PATH's repository and of your user scope, where it lives, and
    whether a Claude Code cloud session gets it. The user scope is only read, never changed.

    A configuration file that does not parse is named in a warning, with what it holds: its
    items cannot be listed. Exit 0; with --fail-on-missing, exit 1 when an item does not reach a
    cloud session or a file does not parse.
    """
    from parity.config import load_config
    from parity.discover import Home, discover_repo, locate
    from parity.status import build_status, render

    root, _named, top = locate([path] if path is not None else [], Path.cwd())
    repo = discover_repo(root, top)
    table = build_status(repo, Home.from_env(), load_config(repo.root, config_file))
    color = use_color(output) and output_format == "text"
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() and not output else 120
    emit(render(table, output_format, color=color, width=width), output)
    for bad in table.unreadable:
        click.echo(f"warning: {bad.message}; they are not in this table", err=True)
    # An unreadable file's items cannot be shown to reach a cloud session.
    return 1 if fail_on_missing and (table.missing or table.unreadable) else 0
