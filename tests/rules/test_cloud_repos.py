"""End to end: the cloud image, tooling and network rules on whole repositories."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import FIXTURES, make_repo, run

REPOS = FIXTURES / "repos"

# Every PAR2xx/PAR3xx anti-pattern of tests/fixtures/repos/anti-patterns, at its place.
ANTI_PATTERNS = {
    "PAR201 .claude/hooks/cloud-setup-unguarded.sh:5:1",
    "PAR204 .claude/hooks/cloud-setup-unguarded.sh:5:1",
    "PAR303 .claude/hooks/cloud-setup-unguarded.sh:5:1",
    "PAR303 .claude/hooks/cloud-setup-unguarded.sh:6:1",
    "PAR203 .claude/hooks/cloud-setup-unguarded.sh:7:1",
    "PAR202 .claude/hooks/cloud-setup-unguarded.sh:8:1",
    "PAR203 .claude/hooks/cloud-setup-unguarded.sh:8:1",
    "PAR207 .claude/hooks/cloud-setup-unguarded.sh:9:50",
    "PAR302 .claude/hooks/cloud-setup-unguarded.sh:10:12",
    "PAR206 .claude/settings.json:14:20",
    "PAR205 .claude/settings.json:18:28",
    "PAR202 .claude/settings.json:27:24",
    "PAR302 .claude/settings.json:27:24",
    "PAR304 .claude/settings.json:27:24",
    "PAR207 .claude/settings.json:35:42",
    "PAR208 .mcp.json:3:26",
    "PAR208 .mcp.json:4:31",
    "PAR303 .mcp.json:6:18",
    "PAR209 .mcp.json:7:22",
    "PAR201 .mcp.json:9:32",
    "PAR302 .mcp.json:12:14",
    "PAR304 .mcp.json:12:14",
    "PAR302 .npmrc:1:10",
    "PAR201 bun.lock:1:1",
    "PAR201 package.json:5:17",
    "PAR301 pyproject.toml:12:11",
}


def _check(repo: Path, *args: str) -> tuple[int, list[dict[str, object]]]:
    result = run(["check", "--format", "json", *args, str(repo)])
    assert result.code in (0, 1), result.err
    findings: list[dict[str, object]] = json.loads(result.out)["findings"]
    return result.code, findings


def test_every_anti_pattern_is_reported_at_its_place_with_a_fix(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPOS / "anti-patterns")
    code, findings = _check(repo, "--select", "PAR2,PAR3")
    assert code == 1
    got = {f"{f['code']} {f['path']}:{f['line']}:{f['column']}" for f in findings}
    assert got == ANTI_PATTERNS
    assert all(f["fix"] for f in findings)
    # Every rule of both groups is exercised by the repository.
    assert {g.split()[0] for g in got} == {f"PAR20{i}" for i in range(1, 10)} | {
        f"PAR30{i}" for i in range(1, 5)
    }


def test_cloud_ready_repository_has_nothing_at_warning_or_above(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", REPOS / "cloud-ready")
    code, findings = _check(repo, "--select", "ALL")
    assert [f for f in findings if f["severity"] in ("error", "warning")] == []
    assert code == 0


def test_a_symlinked_script_leaving_the_repository_is_not_read(tmp_path: Path) -> None:
    outside = tmp_path / "outside.sh"
    outside.write_text("#!/bin/bash\nbun install\n")
    repo = make_repo(tmp_path / "repo", REPOS / "cloud-ready", commit=False)
    hook = repo / ".claude/hooks/session-start.sh"
    hook.unlink()
    hook.symlink_to(outside)
    _code, findings = _check(repo, "--select", "PAR2,PAR3")
    assert findings == []


def test_no_url_path_or_query_is_repeated_in_findings(tmp_path: Path) -> None:
    shutil.copytree(REPOS / "cloud-ready", tmp_path / "repo")
    (tmp_path / "repo/.npmrc").write_text(
        "registry=http://npm.acme.dev/t0ps3cr3t-path?token=abc1\n"
    )
    repo = make_repo(tmp_path / "repo")
    _code, findings = _check(repo, "--select", "PAR2,PAR3")
    assert {f["code"] for f in findings} == {"PAR302", "PAR304"}
    text = json.dumps(findings)
    assert "t0ps3cr3t" not in text
    assert "abc1" not in text
