"""``parity routines check|next``: the CI gate for routines and scheduled tasks."""

from __future__ import annotations

from pathlib import Path

import click

from parity.commands.output import config_option, emit, use_color
from parity.findings import Severity
from parity.report import FORMATS


@click.group()
def routines() -> None:
    """Validate routine and scheduled-task configs, and preview when they fire."""


@routines.command("check")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    envvar="PARITY_OUTPUT_FORMAT",
    show_default=True,
    help="Output format.",
)
@config_option
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 on findings at or above this severity [default: warning].",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option(
    "--show-all",
    is_flag=True,
    help="List every finding in text output (repeats of one kind are folded by default).",
)
def check(
    files: tuple[Path, ...],
    output_format: str,
    config_file: Path | None,
    fail_on: str | None,
    exit_zero: bool,
    output: Path | None,
    show_all: bool,
) -> int:
    """Check routines files and .claude/scheduled_tasks.json (default: all in the repository).

    The findings are those of `parity check --select PAR5` for these files, plus files that do
    not parse.
    """
    from parity.report import renderer
    from parity.routines.gate import run_routines_check

    report = run_routines_check(
        files, config_file=config_file, fail_on=Severity.parse(fail_on) if fail_on else None
    )
    if output_format == "text":
        emit(renderer("text")(report, color=use_color(output), show_all=show_all), output)
    else:
        emit(renderer(output_format)(report, color=False), output)
    return report.exit_code(exit_zero=exit_zero)


@routines.command("next")
@click.argument("files", nargs=-1, type=click.Path(path_type=Path))
@click.option(
    "--count",
    type=click.IntRange(1, 1000),
    default=1,
    show_default=True,
    help="Fires shown per schedule.",
)
@click.option(
    "--tz",
    "tz_name",
    default="UTC",
    show_default=True,
    help="Time zone to show times in, and to read scheduled-task crons in (the client uses the "
    "machine's local zone).",
)
@click.option("--now", "now_text", metavar="TIME", help="Preview from this ISO 8601 time.")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Output format.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to a file.")
def next_(
    files: tuple[Path, ...],
    count: int,
    tz_name: str,
    now_text: str | None,
    output_format: str,
    output: Path | None,
) -> int:
    """Print when each routine schedule and scheduled task fires next, with the client's jitter."""
    from parity.errors import UsageError
    from parity.routines import schedule, upcoming
    from parity.routines.gate import parse_now, schedule_inventory

    try:
        tz = schedule.zone(tz_name)
    except ValueError:
        raise UsageError(f"--tz: unknown time zone {tz_name!r} (use an IANA name)") from None
    now = parse_now(now_text) or schedule.now()
    rows = upcoming.upcoming(schedule_inventory(files), now=now, count=count, tz=tz)
    render = upcoming.render_json if output_format == "json" else upcoming.render_text
    emit(render(rows, tz=tz, tz_name=tz_name, now=now), output)
    return 0
