"""The routines gate: ``parity check`` narrowed to routine and scheduled-task files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path, PurePosixPath

from parity.check import CheckOptions, run_check
from parity.discover import discover_repo, locate
from parity.errors import UsageError
from parity.findings import Severity
from parity.model import Inventory, Kind, classify, classify_named
from parity.report import Report

KINDS = (Kind.ROUTINES, Kind.SCHEDULED_TASKS)
# The PAR5 rules, plus the file rules (does not parse, duplicate key, byte-order mark): a
# routines file that does not load must fail the gate, not pass it with nothing to check.
SELECT = ("PAR5", "PAR001", "PAR002", "PAR003")


def is_schedule_file(path: str) -> bool:
    """True for a routines file or a ``.claude/scheduled_tasks.json`` (by place or by name)."""
    placed = classify(path)
    if placed is not None:
        return placed[0] in KINDS
    return classify_named(Path(PurePosixPath(path).name)) in KINDS


def _named(paths: Sequence[Path]) -> None:
    for path in paths:
        if path.is_dir():
            continue
        if not is_schedule_file(path.as_posix()):
            raise UsageError(
                f"{path}: not a routines file (.claude/routines.yaml, .claude/routines/*.yaml, "
                "routines*.yaml) or .claude/scheduled_tasks.json"
            )


def run_routines_check(
    paths: Sequence[Path],
    *,
    cwd: Path | None = None,
    config_file: Path | None = None,
    fail_on: Severity | None = None,
) -> Report:
    """The findings of ``parity check --select PAR5`` (and the file rules) for these files."""
    _named(paths)
    options = CheckOptions(
        paths=tuple(paths), config_file=config_file, select=SELECT, fail_on=fail_on
    )
    report = run_check(options, cwd)
    kept = tuple(
        f for f in report.findings if f.code.startswith("PAR5") or is_schedule_file(f.path)
    )
    return report._replace(findings=kept)


def schedule_inventory(paths: Sequence[Path], *, cwd: Path | None = None) -> Inventory:
    """The inventory ``parity routines next`` reads: the repository, or only the named files."""
    _named(paths)
    root, named, top = locate(paths, cwd or Path.cwd())
    repo = discover_repo(root, top)
    inventory = Inventory.build(repo, None, extra=named)
    if named:
        wanted = {repo.rel(p) or p.as_posix() for p in named}
        inventory.files = [cf for cf in inventory.files if cf.display in wanted]
    return inventory


def parse_now(text: str | None) -> datetime | None:
    """``--now``: an ISO 8601 time with a zone, or None for the real clock."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise UsageError(f"--now: {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise UsageError(f"--now: {text!r} has no zone; add Z or an offset such as +02:00")
    return moment
