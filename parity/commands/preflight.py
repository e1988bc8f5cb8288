"""``parity preflight``: will a cloud session see what this checkout has?"""

from __future__ import annotations

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
    show_default=True,
    help="Output format.",
)
@config_option
@click.option(
    "--no-lint",
    is_flag=True,
    help="Skip linting the pushed tree against HEAD (the slowest check).",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
def preflight(
    path: Path | None,
    output_format: str,
    config_file: Path | None,
    no_lint: bool,
    output: Path | None,
) -> int:
    """Check what a cloud session (`claude --remote`, the web, a routine) would clone from
    PATH's repository against what the checkout has: the GitHub remote (or the bundle seed),
    unpushed or missing commits, findings of the pushed tree that differ from HEAD, uncommitted
    configuration, the variables the repository needs (names only) and the routines' needs.

    Reads only; nothing is fetched (remote branches are as of your last fetch).
    Exit 0 when a cloud session gets what the checkout has, 1 when it would not.
    """
    from parity.config import load_config
    from parity.preflight import render, run_preflight

    root = (path or Path.cwd()).absolute()
    if not root.is_dir():
        raise click.BadParameter(f"{root}: not a directory", param_hint="PATH")
    report = run_preflight(root, load_config(root, config_file), lint=not no_lint)
    emit(render(report, output_format, color=use_color(output) and output_format == "text"), output)
    return 1 if report.failed else 0
