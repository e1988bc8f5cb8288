"""Scope-parity and permission rules end to end: every anti-pattern found, a ready repo clean."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import FIXTURES, install_home, make_repo, run

# A repository of its own: the shared anti-patterns repository declares a config (network level,
# environments) whose other rules would also fire on these files.
ANTI = FIXTURES / "repos" / "anti-patterns-scope"
READY = FIXTURES / "repos" / "cloud-ready" / "scope-permissions"
HOME = FIXTURES / "homes" / "anti-patterns-scope"


def test_every_anti_pattern_is_reported_at_its_line_with_a_fix(
    tmp_path: Path, fake_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", ANTI)
    install_home(HOME, fake_home, repo)
    result = run(["check", "--user", "--select", "PAR1,PAR6", "--format", "json", str(repo)])
    assert result.code == 1, result.err
    findings = json.loads(result.out)["findings"]
    got = sorted(f"{f['code']} {f['path']}:{f['line']}:{f['column']}" for f in findings)
    expected = ANTI.with_suffix(".expected").read_text(encoding="utf-8").split("\n")
    assert got == sorted(line for line in expected if line)
    assert all(f["fix"] for f in findings)
    codes = {f["code"] for f in findings}
    every = {f"PAR1{n:02d}" for n in range(1, 11)} | {"PAR601", "PAR602", "PAR603"}
    assert codes == every


def test_cloud_ready_repo_has_nothing_at_warning_or_above(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", READY)
    result = run(["check", "--user", "--select", "ALL", "--format", "json", str(repo)])
    assert result.code == 0, result.out
    findings = json.loads(result.out)["findings"]
    assert [f for f in findings if f["severity"] in ("warning", "error")] == []


def test_cloud_ready_repo_status_is_all_in_cloud(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", READY)
    result = run(["status", "--fail-on-missing", "--format", "json", str(repo)])
    assert result.code == 0, result.out
    assert json.loads(result.out)["summary"]["missing"] == 0


def test_nested_project_hooks_resolve_scripts_from_their_own_folder(tmp_path: Path) -> None:
    from tests.helpers import write

    repo = tmp_path / "repo"
    write(
        repo,
        "web/.claude/settings.json",
        '{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "bash .claude/hooks/x.sh"},'
        ' {"type": "command", "command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/y.sh"}]}]}}\n',
    )
    write(repo, "web/.claude/hooks/x.sh", "#!/bin/sh\n")
    write(repo, "web/.claude/hooks/y.sh", "#!/bin/sh\n")
    make_repo(repo)
    result = run(["check", "--select", "PAR104,PAR105", "--format", "json", str(repo)])
    found = {(f["code"], f["line"], f["column"]) for f in json.loads(result.out)["findings"]}
    # x.sh runs through bash; y.sh is run directly and is not executable in the index.
    assert found == {("PAR105", 1, 122)}
