"""Shared output plumbing for commands: where to write and whether to use colour."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

# The --config option every command that reads [tool.parity] takes (one Option per command).
config_option = click.option(
    "--config", "config_file", type=click.Path(path_type=Path), help="Config file."
)


def use_color(output: Path | None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set or into a file; FORCE_COLOR forces it."""
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def emit(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically, or to standard output (as UTF-8, always).

    Renderers escape what they quote (parity.text); should a lone surrogate slip through all
    the same, it is written as ``\\udcff`` rather than failing the whole command.
    """
    data = text.encode("utf-8", "backslashreplace")
    if output is None:
        # color=True: click would strip the ANSI codes from a pipe, and use_color() decided.
        click.echo(data.decode("utf-8"), nl=False, color=True)
        return
    from parity.fsutil import atomic_write

    atomic_write(output, data)
