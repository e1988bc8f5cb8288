"""The command line: parse options, call one function, map its result to an exit code."""

from __future__ import annotations

import gc
import os
import sys

from parity import __version__
from parity.errors import ParityError

# Not typing's: `parity --version` imports nothing it does not need (typing, functools,
# collections and click are a good part of its time).
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

    import click

EXIT_INTERNAL = 3
BUG_HINT = "this is a bug in parity; please report it with the command you ran"

# Subcommand name -> "module:attribute" of its click command, imported only when invoked so that
# `parity --version` and `parity check` start fast.
COMMANDS: dict[str, tuple[str, str]] = {
    "check": ("parity.commands.check:check", "Lint the Claude Code configuration of a repository."),
    "status": (
        "parity.commands.status:status",
        "Show which config items of this repo and user reach a cloud session.",
    ),
    "rule": ("parity.commands.meta:rule", "List the rules, or explain one."),
    "schema": ("parity.commands.meta:schema", "List or print the bundled JSON schemas."),
    "init": ("parity.commands.meta:init", "Add a commented [tool.parity] block to pyproject.toml."),
    "cloud-init": ("parity.commands.cloud_init:cloud_init", "Generate the SessionStart setup."),
    "migrate": ("parity.commands.migrate:migrate", "Move user-scope config into the repository."),
    "emulate": ("parity.commands.emulate:emulate", "Run a cloud session start locally."),
    "preflight": (
        "parity.commands.preflight:preflight",
        "Check that a cloud session will clone what this checkout has.",
    ),
    "routines": ("parity.commands.routines:routines", "Check routines; preview when they fire."),
}


_GROUP: list[click.Group] = []


def cli() -> click.Group:
    """The ``parity`` command group (click is imported here, not when this module is)."""
    if _GROUP:
        return _GROUP[0]
    import importlib

    import click

    class LazyGroup(click.Group):
        """A group whose subcommands are imported on first use."""

        def list_commands(self, ctx: click.Context) -> list[str]:
            return sorted(COMMANDS)

        def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
            spec = COMMANDS.get(cmd_name)
            if spec is None:
                return None
            module, _, attr = spec[0].partition(":")
            command: click.Command = getattr(importlib.import_module(module), attr)
            return command

        def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
            # Help text comes from the table, so `parity --help` imports no command module.
            rows = [(name, COMMANDS[name][1]) for name in self.list_commands(ctx)]
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    @click.group(
        name="cli",
        cls=LazyGroup,
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        epilog="Exit codes: 0 clean, 1 findings (or a failed check), 2 usage or input error, "
        "3 internal error. Rules: PAR0 files and schema, PAR1 scope parity, PAR2 cloud image, "
        "PAR3 network, PAR4 secrets, PAR5 routines, PAR6 permissions.",
    )
    @click.version_option(__version__, "-V", "--version", prog_name="parity")
    def group() -> None:
        """Make a repository work the same in a Claude Code cloud session as on your machine."""

    _GROUP.append(group)
    return group


def main(
    argv: Sequence[str] | None = None,
    *,
    command: click.Command | None = None,
    prog_name: str = "parity",
) -> int:
    """Run the CLI and return its exit code; the one place that maps errors to exit codes.

    ``command`` runs another click command under the same error handling (the GitHub Action's
    entry points use it).
    """
    args = list(sys.argv[1:] if argv is None else argv)
    if argv is None and args[:1] == ["check"]:
        # A check of the process's own command line runs to its end and the process exits: the
        # cyclic garbage collector, which the rules and the reporters already run without (see
        # parity.report.CollectorPaused), stays off for the imports and the walk of the tree
        # too. Its collections there walk every object the imports made and free nothing:
        # about 5% of a check of an empty repository, 2% of a typical one; peak memory on the
        # benchmark's inputs within 0.5 MB. An in-process caller keeps collecting.
        gc.disable()
    code = _dispatch(args, command, prog_name)
    if argv is None:
        # The process exits next (a console script). What is alive now stays alive until then:
        # freezing it spares the interpreter's last garbage collection a walk over every object
        # the imports made (jsonschema's metaschemas, click, PyYAML), about 4% of a typical
        # check. Only for the process's own command line: an in-process caller keeps collecting.
        gc.freeze()
    return code


def _dispatch(args: list[str], command: click.Command | None, prog_name: str) -> int:
    if command is None and args in (["--version"], ["-V"]):
        # What click's version option prints, without importing click (`parity --version` is
        # how tools and people probe for parity: it should cost little more than Python).
        sys.stdout.write(f"{prog_name}, version {__version__}\n")
        return 0
    if command is None and args[:1] == ["check"]:
        # A warm `parity check` prints what the same invocation printed last time when nothing
        # it read has changed (parity.replay), without importing click.
        from parity import replay

        found = replay.lookup(args, prog_name)
        if found is not None:
            try:
                code = replay.replay(*found)
            except BrokenPipeError:
                return _closed_pipe()
            if code is not None:
                return code
        replay.pending = found
        try:
            return _main(args, command, prog_name)
        finally:
            replay.pending = None
            replay.forget_listing()
    return _main(args, command, prog_name)


def _main(args: list[str], command: click.Command | None, prog_name: str) -> int:
    import click

    try:
        result = (command or cli()).main(args=args, prog_name=prog_name, standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except ParityError as exc:
        # The message may quote a value or a path from the user's files.
        from parity.text import clean

        click.echo(f"parity: error: {clean(str(exc))}", err=True)
        return exc.exit_code
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        return 130
    except BrokenPipeError:
        return _closed_pipe()
    except Exception as exc:
        if os.environ.get("PARITY_DEBUG"):
            raise
        from parity.text import clean

        click.echo(f"parity: internal error: {exc.__class__.__name__}: {clean(str(exc))}", err=True)
        click.echo(f"parity: {BUG_HINT} (set PARITY_DEBUG=1 for the traceback)", err=True)
        return EXIT_INTERNAL
    return result if isinstance(result, int) else 0


def _closed_pipe() -> int:
    # Output piped into `head` and closed: not an error of ours.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return 0
