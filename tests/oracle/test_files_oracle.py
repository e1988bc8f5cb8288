"""The real client and parity agree on which files a session loads: links, nested .mcp.json,
committed local settings, CLAUDE.md imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, git, make_repo, run, write
from tests.oracle.client import (
    AVAILABLE,
    SKIP_REASON,
    doctor_problems,
    init_only,
    loaded,
    mcp_servers,
    memory_files,
)

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

LINKS = FIXTURES / "rules" / "PAR111"


def _codes(repo: Path) -> set[str]:
    result = run(["check", "--select", "ALL", "--format", "json", "--exit-zero", str(repo)])
    return {f["code"] for f in json.loads(result.out)["findings"]}


def test_the_client_follows_links_that_stay_inside_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", LINKS / "pass")
    assert "lint" in loaded(repo, tmp_path / "home", tmp_path / "tmp").skills
    memory = memory_files(repo, tmp_path / "home2", tmp_path / "tmp2")
    assert memory.get(str(repo / "CLAUDE.md"), 0) > 0
    # parity reads them too, as the files their names say they are.
    assert not _codes(repo) & {"PAR001", "PAR111"}


def test_the_client_finds_nothing_behind_a_link_that_dangles(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", LINKS / "fail")
    found = loaded(repo, tmp_path / "home", tmp_path / "tmp")
    assert "release" not in found.skills
    assert not any("review" in a for a in found.agents)
    assert "PAR111" in _codes(repo)


def test_a_nested_mcp_file_loads_only_in_its_folder_as_par112_says(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "rules" / "PAR112" / "fail")
    at_root = mcp_servers(repo, tmp_path / "h1", tmp_path / "t1")
    in_backend = mcp_servers(repo / "backend", tmp_path / "h2", tmp_path / "t2")
    assert at_root == ["docs"]
    assert in_backend == ["docs", "postgres"]
    result = run(["check", "--select", "PAR112", "--format", "json", "--exit-zero", str(repo)])
    assert [f["path"] for f in json.loads(result.out)["findings"]] == ["backend/.mcp.json"]


def test_a_fresh_clone_reads_a_committed_local_settings_file(tmp_path: Path) -> None:
    source = tmp_path / "source"
    write(
        source,
        ".claude/settings.local.json",
        json.dumps(
            {
                "model": 5,
                "hooks": {
                    "SessionStart": [
                        {
                            "hooks": [
                                {"type": "command", "command": 'touch "$CLAUDE_PROJECT_DIR/ran"'}
                            ]
                        }
                    ]
                },
            }
        ),
    )
    make_repo(source)
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(source), str(clone))
    # doctor validates it: the client reads the file a fresh clone has.
    problems = doctor_problems(clone, tmp_path / "h1", tmp_path / "t1")
    assert any("settings.local.json" in p and "model" in p for p in problems), problems
    # Its SessionStart hook runs in a cloud session start too.
    (clone / ".claude" / "settings.local.json").write_text(
        json.dumps(
            {"hooks": json.loads((source / ".claude/settings.local.json").read_text())["hooks"]}
        )
    )
    init_only(clone, tmp_path / "h2", tmp_path / "t2", env={"CLAUDE_CODE_REMOTE": "true"})
    assert (clone / "ran").exists()
    # parity checks it as the repository's own settings (PAR010 on the model, PAR106's advice).
    assert {"PAR010", "PAR106"} <= _codes(source)


def _parity_memory(repo: Path) -> set[str]:
    """The memory files parity expects a session at ``repo`` to load: CLAUDE.md files and what
    their imports bring in, as far as the client follows them."""
    from parity.config import Config
    from parity.discover import discover_repo
    from parity.model import Inventory
    from parity.rules._imports import MAX_HOPS, import_graph, roots
    from parity.rules.base import Context

    ctx = Context(Inventory.build(discover_repo(repo)), Config())
    loaded = {cf.rel for cf, _doc in roots(ctx) if cf.rel is not None}
    loaded |= {
        imp.target
        for imp in import_graph(ctx)
        if imp.target is not None
        and imp.hops <= MAX_HOPS
        and imp.is_text
        and ctx.repo.exists(imp.target)
    }
    return loaded


@pytest.mark.parametrize("side", ["pass", "fail"])
def test_the_client_loads_the_imports_parity_follows(side: str, tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "rules" / "PAR113" / side)
    client = memory_files(repo, tmp_path / "home", tmp_path / "tmp")
    assert {Path(p).relative_to(repo).as_posix() for p in client} == _parity_memory(repo)


def test_a_linked_settings_file_is_read_through_the_link_by_both(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, "config/claude-settings.json", json.dumps({"model": 5}))
    (repo / ".claude").mkdir()
    (repo / ".claude" / "settings.json").symlink_to("../config/claude-settings.json")
    make_repo(repo)
    problems = doctor_problems(repo, tmp_path / "home", tmp_path / "tmp")
    assert any(".claude/settings.json" in p and "model" in p for p in problems), problems
    result = run(["check", "--select", "PAR010", "--format", "json", "--exit-zero", str(repo)])
    assert [f["path"] for f in json.loads(result.out)["findings"]] == [".claude/settings.json"]
