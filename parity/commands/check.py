"""``parity check``: lint the repository's Claude Code configuration."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import click

from parity import replay
from parity.commands.output import config_option, emit, use_color
from parity.errors import UsageError
from parity.findings import Severity
from parity.report import FORMATS

if TYPE_CHECKING:
    from parity.cache import Recorder
    from parity.check import CheckOptions
    from parity.fix import FixRun
    from parity.report import Report


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
@config_option
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
@click.option(
    "--fix/--no-fix",
    "fix",
    default=None,
    help="Apply the safe fixes, then report what is left [default: the config's `fix`].",
)
@click.option(
    "--unsafe-fixes", is_flag=True, help="Also apply the unsafe fixes (with --fix, --diff)."
)
@click.option(
    "--diff",
    is_flag=True,
    help="Print the diff of what --fix would write, write nothing (exit 1 when there is one).",
)
@click.option("--fix-only", is_flag=True, help="Apply the fixes and report nothing else.")
@click.option("--undo-fix", is_flag=True, help="Revert the last --fix (from its journal).")
@click.option(
    "--show-all",
    is_flag=True,
    help="List every finding in text output (repeats of one kind are folded by default).",
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
    fix: bool | None,
    unsafe_fixes: bool,
    diff: bool,
    fix_only: bool,
    undo_fix: bool,
    show_all: bool,
) -> int:
    """Lint the Claude Code configuration of a repository (default: the git root of the cwd).

    Files named as PATHS are the trigger (pre-commit passes staged files): they are checked as
    what they are, every rule still sees the whole repository, and only their findings are shown.
    """
    from parity.check import CheckOptions, run_check

    if undo_fix:
        return _undo(paths)

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
    if write_baseline and (fix or diff or fix_only):
        raise UsageError("--write-baseline records findings; it cannot be combined with fixing")
    fixing = FixMode(diff=diff, only=fix_only, unsafe=unsafe_fixes)
    if fix or diff or fix_only:
        return _fix(options, fixing, output_format, output, statistics, exit_zero, show_all)
    stored = not (no_cache or write_baseline or output is not None or changed_since is not None)
    if replay.pending and stored:
        return _replayable(options, fixing, fix, output_format, statistics, exit_zero, show_all)
    report = run_check(options)
    if fix is None and report.fix_by_default:
        return _fix(options, fixing, output_format, output, statistics, exit_zero, show_all)
    _show(report, output_format, output, statistics, show_all)
    return report.exit_code(exit_zero=exit_zero)


def _replayable(
    options: CheckOptions,
    fixing: FixMode,
    fix: bool | None,
    output_format: str,
    statistics: bool,
    exit_zero: bool,
    show_all: bool,
) -> int:
    """A check that writes nothing to files, stored to be replayed by the next identical
    invocation (parity.replay) while all it read is unchanged."""
    from parity import check as checking

    # What finds the repository is recorded too: a replay that knows it unchanged need not ask
    # git to list the tree again (parity.replay). A replay that found the listing changed has
    # just made it.
    found: Recorder | None
    relisted = replay.relisted(options.paths)
    if relisted is not None:
        repo, named, found = relisted
    else:
        with replay.recording() as found:
            repo, named = checking.discover(options)
    with replay.recording() as recorder:
        report = checking.check_repo(options, repo, named)
        writes = fix is None and report.fix_by_default  # the config's `fix = true`
        text = "" if writes else _render(report, output_format, None, statistics, show_all)
    if writes:
        return _fix(options, fixing, output_format, None, statistics, exit_zero, show_all)
    code = report.exit_code(exit_zero=exit_zero)
    replay.store(
        recorder, found=found, paths=options.paths, repo=repo, named=named, text=text, code=code
    )
    emit(text, None)
    return code


class FixMode(NamedTuple):
    """How to fix: show the diff only, report nothing else, include the unsafe fixes."""

    diff: bool = False
    only: bool = False
    unsafe: bool = False


def _show(
    report: Report, output_format: str, output: Path | None, statistics: bool, show_all: bool
) -> None:
    emit(_render(report, output_format, output, statistics, show_all), output)


def _render(
    report: Report, output_format: str, output: Path | None, statistics: bool, show_all: bool
) -> str:
    from parity.report import renderer
    from parity.report import statistics as stats

    if statistics:
        return stats(report)
    if output_format == "text":
        return renderer("text")(report, color=use_color(output), show_all=show_all)
    return renderer(output_format)(report, color=False)


def _fix(
    options: CheckOptions,
    mode: FixMode,
    output_format: str,
    output: Path | None,
    statistics: bool,
    exit_zero: bool,
    show_all: bool,
) -> int:
    """Plan the fixes; print the diff, or write them and report what is left."""
    from parity import fix as fixing
    from parity.check import run_check

    planned = fixing.plan_fixes(options, unsafe=mode.unsafe)
    if not planned.converged:
        click.echo(
            f"parity: warning: fixes still changed files after {fixing.MAX_PASSES} passes; "
            "run it again and look at the result",
            err=True,
        )
    if mode.diff:
        emit(fixing.render_diff(planned), output)
        click.echo(_count_line("Would fix", planned), err=True)
        return 0 if planned.empty else 1
    if not planned.empty:
        fixing.write(planned)
    if mode.only:
        click.echo(_count_line("Fixed", planned))
        _echo_names(planned, err=False)
        return 0
    # What is left, checked afresh: a fix run neither reads nor writes the results cache.
    report = run_check(options._replace(no_cache=True))
    _show(report, output_format, output, statistics, show_all)
    line = _count_line("Fixed", planned, remaining=len(report.findings))
    # Machine-readable reports keep standard output to themselves.
    machine = output_format != "text" or output is not None or statistics
    click.echo(line, err=machine)
    _echo_names(planned, err=machine)
    return report.exit_code(exit_zero=exit_zero)


def _echo_names(planned: FixRun, *, err: bool) -> None:
    """After a fix that turned values into references: the variables the user must now set."""
    names = planned.plan.environment
    if names:
        click.echo(
            f"Set {', '.join(names)} in the cloud environment's settings and in your own "
            "environment: the fixes replaced literal values with references to them.",
            err=err,
        )


def _count_line(verb: str, planned: FixRun, remaining: int | None = None) -> str:
    """``Fixed 3 problems (1 remaining).``, ``Would fix 1 problem.``, with the unsafe ones left."""
    n = len(planned.fixed)
    word = "problem" if n == 1 else "problems"
    notes = []
    if remaining is not None:
        notes.append(f"{remaining} remaining")
    if planned.hidden:
        notes.append(f"{planned.hidden} more with `--unsafe-fixes`")
    tail = f" ({', '.join(notes)})" if notes else ""
    if n == 0 and verb == "Would fix":
        return f"Nothing to fix{tail}."
    return f"{verb} {n} {word}{tail}."


def _undo(paths: tuple[Path, ...]) -> int:
    from parity.discover import resolve_root
    from parity.fix import undo_fix

    root, _ = resolve_root(paths, Path.cwd())
    journal = undo_fix(root)
    if journal is None:
        click.echo("Nothing to undo: parity has no journal of a fix here.")
        return 0
    from parity.text import display

    changed = list(dict.fromkeys(journal.changed))
    click.echo(f"Reverted the last fix: {len(changed)} file(s) restored.")
    for rel in changed:
        click.echo(f"  {display(rel)}")
    return 0
