"""``parity check``: lint the repository's Claude Code configuration."""

from __future__ import annotations

from pathlib import Path

import click

from parity.commands.output import emit, use_color
from parity.findings import Severity
from parity.report import FORMATS


def _codes(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--user", is_flag=True, help="Also check the user scope (~/.claude, ~/.claude.json).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    envvar="PARITY_OUTPUT_FORMAT",
    show_default=True,
    help="Output format.",
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help="Config file.")
@click.option(
    "--select", multiple=True, help="Only these rules (codes or prefixes, comma-separated)."
)
@click.option("--ignore", multiple=True, help="Skip these rules (codes or prefixes).")
@click.option("--extend-select", multiple=True, help="Add these rules to the selection.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning", "info"]),
    help="Exit 1 on findings at or above this severity [default: warning].",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--changed-since", metavar="REV", help="Only report files changed since REV.")
@click.option("--baseline", type=click.Path(path_type=Path), help="Skip findings recorded here.")
@click.option("--write-baseline", is_flag=True, help="Record the current findings as the baseline.")
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write the report to a file.")
@click.option("--statistics", is_flag=True, help="Print a count per rule instead of findings.")
@click.option(
    "--no-cache",
    is_flag=True,
    help="Neither read nor write the results cache (also PARITY_NO_CACHE=1).",
)
def check(
    paths: tuple[Path, ...],
    user: bool,
    output_format: str,
    config_file: Path | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    extend_select: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    changed_since: str | None,
    baseline: Path | None,
    write_baseline: bool,
    output: Path | None,
    statistics: bool,
    no_cache: bool,
) -> int:
    """Lint the Claude Code configuration of a repository (default: the git root of the cwd).

    Files named as PATHS are the trigger (pre-commit passes staged files): they are checked as
    what they are, every rule still sees the whole repository, and only their findings are shown.
    """
    from parity.check import CheckOptions, run_check
    from parity.report import renderer
    from parity.report import statistics as stats

    options = CheckOptions(
        paths=paths,
        user=user,
        config_file=config_file,
        select=_codes(select) or None,
        ignore=_codes(ignore),
        extend_select=_codes(extend_select),
        fail_on=Severity.parse(fail_on) if fail_on else None,
        changed_since=changed_since,
        baseline=baseline,
        write_baseline=write_baseline,
        no_cache=no_cache,
    )
    report = run_check(options)
    if statistics:
        emit(stats(report), output)
    else:
        emit(
            renderer(output_format)(report, color=use_color(output) and output_format == "text"),
            output,
        )
    return report.exit_code(exit_zero=exit_zero)
