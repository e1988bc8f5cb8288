"""Run the PAR4xx rules over the shared corpus of real configuration files (helper, not a test)."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from parity.check import CheckOptions, run_check
from parity.findings import Finding
from tests.helpers import SHARED

CORPUS = SHARED / "corpus"

# Where a file of each corpus folder lives in a repository; None: named on the command line.
PLACES: dict[str, str | None] = {
    "project-settings": ".claude/settings.json",
    "local-settings": ".claude/settings.json",  # the content matters, not the scope
    "user-settings": ".claude/settings.json",
    "mcp": ".mcp.json",
    "session-start": ".claude/hooks/session-start.sh",
    "scheduled-tasks": ".claude/scheduled_tasks.json",
    "skill": ".claude/skills/corpus/SKILL.md",
    "claude-md": "CLAUDE.md",
    "user-claude-md": "CLAUDE.md",
    "plugin-json": None,
    "marketplace-json": None,
    "user-claude-json": None,
}


def corpus_files() -> Iterator[tuple[str, Path]]:
    """Each corpus file with its folder name."""
    for folder in sorted(PLACES):
        for path in sorted((CORPUS / folder).glob("*")):
            if path.is_file():
                yield folder, path


def findings_for(folder: str, path: Path, select: str = "PAR4") -> list[Finding]:
    """The findings of the rules selected on one corpus file placed where its kind lives."""
    with tempfile.TemporaryDirectory() as tmp:
        repo = Path(tmp) / "repo"
        repo.mkdir()
        place = PLACES[folder]
        target = repo / (place if place is not None else f"named/{path.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
        # A plain folder, not a git repository: hundreds of `git init` would dominate the run.
        paths = (repo,) if place is not None else (target,)
        report = run_check(CheckOptions(paths=paths, select=(select,)), cwd=repo)
        return list(report.findings)
