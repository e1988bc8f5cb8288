"""parity and the client agree on which agents, skills and commands load, and on what they say.

The client's answers are recorded in ``tests/fixtures/frontmatter/*/client.json`` (kept true by
``tests/oracle/test_frontmatter_loads.py``).  The rule of the house for severities: an error
exactly when the client skips the file; at most a warning when it loads it, however degraded; a
warning too for a file in agents/ that is plainly documentation (no frontmatter at all).
"""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

import pytest

from parity.load import load_markdown
from tests.helpers import FRONTMATTER_CASES, make_repo, run

CASES = sorted(p.name for p in FRONTMATTER_CASES.iterdir() if p.is_dir())


def _case(name: str) -> tuple[str, dict[str, Any]]:
    """The case's one Markdown file (repository-relative) and the client's record."""
    folder = FRONTMATTER_CASES / name
    [path] = [p for p in folder.rglob("*.md")]
    record = json.loads((folder / "client.json").read_text(encoding="utf-8"))
    return path.relative_to(folder).as_posix(), record


def _findings(name: str, tmp_path: Path) -> list[dict[str, Any]]:
    repo = make_repo(tmp_path / "repo", FRONTMATTER_CASES / name)
    result = run(["check", "--select", "ALL", "--format", "json", "--exit-zero", str(repo)])
    findings: list[dict[str, Any]] = json.loads(result.out)["findings"]
    return findings


@pytest.mark.parametrize("case", CASES)
def test_error_exactly_when_the_client_skips_it(case: str, tmp_path: Path) -> None:
    rel, record = _case(case)
    loads = any(record[kind] for kind in ("agents", "skills", "commands"))
    findings = [f for f in _findings(case, tmp_path) if f["path"] == rel]
    errors = [f"{f['code']} {f['message']}" for f in findings if f["severity"] == "error"]
    if loads:
        assert errors == [], f"the client loads {rel}"
        return
    doc = load_markdown(FRONTMATTER_CASES / case / rel, rel)
    if not doc.text.lstrip().startswith(("---", "<!--")) and doc.misplaced is None:
        # Plain documentation in agents/: skipped, and a warning says so.
        assert [f["code"] for f in findings] == ["PAR030"]
        assert findings[0]["severity"] == "warning"
        return
    assert errors, f"the client skips {rel}, parity reports no error: {findings}"


@pytest.mark.parametrize("case", CASES)
def test_same_name_and_description(case: str) -> None:
    rel, record = _case(case)
    front = load_markdown(FRONTMATTER_CASES / case / rel, rel).frontmatter
    if record["agents"]:
        [(name, description)] = record["agents"].items()
        assert front is not None
        assert (front["name"], front["description"]) == (name, description)
    for kind in ("skills", "commands"):
        for name, shown in record[kind].items():
            assert name == Path(rel).parent.name if kind == "skills" else Path(rel).stem
            if front and isinstance(front.get("description"), str):
                assert html.unescape(shown.removesuffix(" (project)")) == front["description"]


@pytest.mark.parametrize("case", [c for c in CASES if c.startswith("skill-")])
def test_a_skill_missing_from_the_skill_list_is_reported(case: str, tmp_path: Path) -> None:
    rel, record = _case(case)
    offered = bool(record["skills"])
    warned = any(
        f["path"] == rel and "not offer it to Claude" in f["message"]
        for f in _findings(case, tmp_path)
    )
    misplaced = load_markdown(FRONTMATTER_CASES / case / rel, rel).misplaced is not None
    assert offered != (warned or misplaced)
