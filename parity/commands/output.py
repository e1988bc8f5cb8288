"""Shared output plumbing for commands: where to write and whether to use colour."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click


def use_color(output: Path | None) -> bool:
    """Colour only on a terminal, never with NO_COLOR set or into a file; FORCE_COLOR forces it."""
    if output is not None or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return sys.stdout.isatty()


def emit(text: str, output: Path | None) -> None:
    """Write ``text`` to ``output`` atomically, or to standard output."""
    if output is None:
        click.echo(text, nl=False)
        return
    from parity.fsutil import atomic_write

    atomic_write(output, text.encode("utf-8"))
