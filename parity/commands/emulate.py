"""``parity emulate``: run a cloud session start locally, then optionally a command inside it."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from parity.commands.output import config_option, emit, use_color
from parity.config import NETWORK_LEVELS

if TYPE_CHECKING:
    from parity.emulate import EmulationResult
    from parity.emulate.render import LiveProgress


def _command_streams(output_format: str) -> tuple[int | None, int | None]:
    """Where the command's output goes: the terminal, or stderr when stdout carries JSON."""
    try:
        out, err = sys.stdout.fileno(), sys.stderr.fileno()
    except (AttributeError, OSError, ValueError):
        return None, None  # not a real file (tests run the CLI in-process): capture it
    sys.stdout.flush()
    return (err if output_format == "json" else out), err


@click.command(context_settings={"ignore_unknown_options": False})
@click.option(
    "--network",
    type=click.Choice(NETWORK_LEVELS),
    help="Network level [default: the environment's].",
)
@click.option(
    "--allow", multiple=True, metavar="DOMAIN", help="Allow this domain too ('*.x.com' ok)."
)
@click.option("--environment", metavar="NAME", help="Declared environment [default: the first].")
@click.option("--image", metavar="PROFILE", help="Image profile [default: the environment's].")
@click.option(
    "--source",
    type=click.Choice(["startup", "resume", "clear", "compact", "fork"]),
    default="startup",
    show_default=True,
    help="SessionStart source the hook matchers see.",
)
@click.option("--ref", metavar="REV", help="Clone this commit [default: HEAD].")
@click.option("--staged", is_flag=True, help="Clone the staged index instead of a commit.")
@click.option(
    "--env-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="KEY=value lines: the cloud environment's variables.",
)
@click.option("--probe-mcp", is_flag=True, help="Start each stdio MCP server and initialize it.")
@click.option(
    "--engine",
    type=click.Choice(["local", "claude"]),
    default="local",
    show_default=True,
    help="Who runs the hooks: parity, or the real client (claude --init-only).",
)
@click.option(
    "--sandbox",
    type=click.Choice(["auto", "required", "off"]),
    default=None,
    help="Run the steps in a bubblewrap sandbox: auto (when it can start), required, off "
    "[default: auto, or $PARITY_EMULATE_SANDBOX].",
)
@click.option(
    "--limits",
    is_flag=True,
    help="Limit the sandbox to the cloud VM's size: 4 CPUs, 16 GB memory, 30 GB per file.",
)
@click.option("--keep", is_flag=True, help="Keep the temporary folders and print where they are.")
@config_option
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    envvar="PARITY_OUTPUT_FORMAT",
    show_default=True,
    help="Output format.",
)
@click.argument("command", nargs=-1, type=click.UNPROCESSED)
def emulate(
    network: str | None,
    allow: tuple[str, ...],
    environment: str | None,
    image: str | None,
    source: str,
    ref: str | None,
    staged: bool,
    env_file: Path | None,
    probe_mcp: bool,
    engine: str,
    sandbox: str | None,
    limits: bool,
    keep: bool,
    config_file: Path | None,
    output_format: str,
    command: tuple[str, ...],
) -> int:
    """Run a cloud session start locally: a fresh clone, an empty home, the image's commands, a
    proxy enforcing the network allowlist, the setup script and the SessionStart hooks; then
    `-- CMD` inside it (the hooks' CLAUDE_ENV_FILE exports applied).

    On Linux the steps run in a bubblewrap sandbox: the proxy is the only way out, programs the
    image lacks are absent also by full path, and nothing of your home or working tree is there.
    Without bubblewrap (macOS, --sandbox off) it is an imitation, not a security boundary: the
    steps run on this machine, as you, and a warning says what is not enforced. Exit 1 when a
    step failed, a blocked host or a direct connection was tried, or a command the image lacks
    was invoked.
    """
    from parity.emulate import EmulateOptions
    from parity.emulate import emulate as run_emulation

    options = EmulateOptions(
        repo=Path.cwd(),
        network=network,
        allow=allow,
        environment=environment,
        image=image,
        source=source,
        ref=ref,
        staged=staged,
        env_file=env_file,
        probe_mcp=probe_mcp,
        engine=engine,
        keep=keep,
        config_file=config_file,
        limits=limits,
    )
    if sandbox is not None:
        options = replace(options, sandbox=sandbox)
    stdout, stderr = _command_streams(output_format) if command else (None, None)
    live = _live_progress()
    try:
        result = run_emulation(
            options,
            command,
            stdout=stdout if stdout is not None else subprocess.PIPE,
            stderr=stderr if stderr is not None else subprocess.PIPE,
            listener=live,
            report=lambda result: _report(result, output_format, live),
            interrupted=lambda what: _interrupted(what, live),
            cleanup_budget=1.0,
        )
    except KeyboardInterrupt:
        return 130
    finally:
        if live is not None:
            live.stop()
    return result.exit_code


def _live_progress() -> LiveProgress | None:
    """Progress on a terminal (standard error), not when it is a file or a pipe."""
    if not sys.stderr.isatty() or os.environ.get("TERM") == "dumb":
        return None
    from rich.console import Console

    from parity.emulate.render import LiveProgress

    return LiveProgress(Console(stderr=True)).start()


def _report(result: EmulationResult, output_format: str, live: LiveProgress | None) -> None:
    from parity.emulate.render import render_json, render_text

    if live is not None:
        live.stop()
    if output_format == "json":
        emit(render_json(result), None)
    else:
        emit(render_text(result, color=use_color(None)), None)


def _interrupted(what: str, live: LiveProgress | None) -> None:
    if live is not None:
        live.stop()
    click.echo(f"parity emulate: interrupted: {what}", err=True)
