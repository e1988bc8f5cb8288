"""``parity check`` on every real configuration of the shared corpus, each in its own place."""

from __future__ import annotations

import csv
import json
import shutil
from collections import defaultdict
from pathlib import Path

import pytest

from tests.helpers import SHARED, git, run

CORPUS = SHARED / "corpus"
pytestmark = pytest.mark.skipif(
    not (CORPUS / "manifest.tsv").is_file(),
    reason="../shared/corpus is absent (developers and CI have it)",
)


# User-scope files of dotfiles repositories go where the client reads them in a home.
USER_PLACES = {
    "user-settings": ".claude/settings.json",
    "user-claude-md": ".claude/CLAUDE.md",
    "user-claude-json": ".claude.json",
}


def _by_repo() -> dict[str, list[tuple[str, str, Path]]]:
    grouped: dict[str, list[tuple[str, str, Path]]] = defaultdict(list)
    with (CORPUS / "manifest.tsv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            grouped[row["repo"]].append((row["kind"], row["path"], CORPUS / row["local_file"]))
    return dict(sorted(grouped.items()))


REPOS = _by_repo() if (CORPUS / "manifest.tsv").is_file() else {}


@pytest.mark.parametrize("source", sorted(REPOS))
def test_corpus_repo_checks_without_crashing(source: str, tmp_path: Path, fake_home: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for kind, rel, local in REPOS[source]:
        target = fake_home / USER_PLACES[kind] if kind in USER_PLACES else repo / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not target.exists():
            shutil.copyfile(local, target)
    git(repo, "add", "-A")
    result = run(["check", "--user", "--format", "json", str(repo)])
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    doc = json.loads(result.out)
    for finding in doc["findings"]:
        assert finding["line"] >= 1
        assert finding["column"] >= 1


# Every place a file of each kind can be: project, local and user scope at once.
EVERY_PLACE = {
    "project-settings": (
        ".claude/settings.json",
        ".claude/settings.local.json",
        "~/.claude/settings.json",
    ),
    "local-settings": (
        ".claude/settings.json",
        ".claude/settings.local.json",
        "~/.claude/settings.json",
    ),
    "user-settings": (
        ".claude/settings.json",
        ".claude/settings.local.json",
        "~/.claude/settings.json",
    ),
    "mcp": (".mcp.json", "~/.claude.json"),
    "user-claude-json": (".mcp.json", "~/.claude.json"),
    "claude-md": ("CLAUDE.md", "CLAUDE.local.md", "~/.claude/CLAUDE.md", ".claude/rules/r.md"),
    "user-claude-md": ("CLAUDE.md", "CLAUDE.local.md", "~/.claude/CLAUDE.md"),
    "skill": (".claude/skills/s/SKILL.md", "~/.claude/skills/s/SKILL.md", ".claude/agents/a.md"),
    "scheduled-tasks": (".claude/scheduled_tasks.json",),
}


def _files() -> list[tuple[str, Path]]:
    if not (CORPUS / "manifest.tsv").is_file():
        return []
    with (CORPUS / "manifest.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    return [(r["kind"], CORPUS / r["local_file"]) for r in rows if r["kind"] in EVERY_PLACE]


FILES = _files()


@pytest.mark.parametrize(("kind", "local"), FILES, ids=[p.name for _, p in FILES])
def test_corpus_file_in_every_place(
    kind: str, local: Path, tmp_path: Path, fake_home: Path
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for place in EVERY_PLACE[kind]:
        target = fake_home / place[2:] if place.startswith("~/") else repo / place
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(local, target)
    git(repo, "add", "-A")
    result = run(["check", "--user", "--format", "json", str(repo)])
    assert result.code in (0, 1), result.err
    json.loads(result.out)
