"""The image, tooling and network rules never crash on real configurations (../shared corpus)."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path, PurePosixPath

import pytest

from tests.helpers import SHARED, make_repo, run

CORPUS = SHARED / "corpus"
KINDS = ("session-start", "project-settings", "mcp")
_REGISTER = {
    "hooks": {
        "SessionStart": [
            {"matcher": "startup|resume", "hooks": [{"type": "command", "command": ""}]}
        ]
    }
}


def corpus_projects() -> dict[str, list[tuple[str, Path]]]:
    """Corpus files of KINDS grouped by project (repository and folder): project path -> files."""
    groups: dict[str, list[tuple[str, Path]]] = {}
    with (CORPUS / "manifest.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["kind"] not in KINDS:
                continue
            path = PurePosixPath(row["path"])
            parts = path.parts
            cut = parts.index(".claude") if ".claude" in parts else len(parts) - 1
            prefix = "/".join(parts[:cut])
            rel = "/".join(parts[cut:])
            key = f"{row['repo']}/{prefix}"
            groups.setdefault(key, []).append((rel, CORPUS / row["local_file"]))
    return groups


def place(dest: Path, files: list[tuple[str, Path]]) -> Path:
    """Write a project's corpus files at their paths; register a lone SessionStart script."""
    for rel, source in files:
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        target.chmod(0o755 if rel.endswith(".sh") else 0o644)
    scripts = [rel for rel, _ in files if rel.endswith(".sh")]
    settings = dest / ".claude/settings.json"
    if scripts and not settings.exists():
        register = json.loads(json.dumps(_REGISTER))
        register["hooks"]["SessionStart"][0]["hooks"][0]["command"] = (
            f'"$CLAUDE_PROJECT_DIR"/{scripts[0]}'
        )
        settings.write_text(json.dumps(register), encoding="utf-8")
    return make_repo(dest)


@pytest.mark.skipif(not (CORPUS / "manifest.tsv").is_file(), reason="needs ../shared/corpus")
def test_corpus_configurations_never_crash_the_check(tmp_path: Path) -> None:
    projects = corpus_projects()
    assert projects
    for n, (key, files) in enumerate(sorted(projects.items())):
        repo = place(tmp_path / str(n), files)
        result = run(["check", "--select", "ALL", "--format", "json", str(repo)])
        assert result.code in (0, 1), f"{key}: exit {result.code}: {result.err}"
        json.loads(result.out)
