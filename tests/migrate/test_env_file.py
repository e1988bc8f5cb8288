"""``parity migrate --env-file``: values land in the file (mode 0600) and nowhere else."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.helpers import git, make_repo, run, write

GITHUB_PAT = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
LINEAR_KEY = "lin_api_" + "abcdefghijklmnopqrstuvwxyz0123456789ABCD"
DB_PASSWORD = "S3cr3t" + "Passw0rdXyZ"
SHELL_TOKEN = "sntrys_" + "eyJpYXQiOjE3MDAwMDAwMDB9_abcdefghijklmnopqrstuvwxyz012345"
SECRETS = (GITHUB_PAT, LINEAR_KEY, DB_PASSWORD, SHELL_TOKEN)
MCP = {
    "mcpServers": {
        "linear": {
            "type": "http",
            "url": "https://mcp.linear.app/mcp",
            "headers": {"Authorization": "Bearer ${LINEAR_API_KEY}"},
        },
        "sentry": {
            "command": "npx",
            "args": ["-y", "sentry-mcp@1.0.0"],
            "env": {"SENTRY_AUTH_TOKEN": "${SENTRY_AUTH_TOKEN}", "SENTRY_DSN": "${SENTRY_DSN}"},
        },
    }
}


@pytest.fixture
def repo(tmp_path: Path, fake_home: Path) -> Path:
    """A repository needing three variables, and a home holding values for some of them."""
    project = tmp_path / "repo"
    write(project, ".mcp.json", json.dumps(MCP, indent=2) + "\n")
    write(project, ".gitignore", "*.env\n")
    make_repo(project)
    user = {
        "mcpServers": {
            "github": {
                "command": "npx",
                "args": ["-y", "@modelcontextprotocol/server-github@2025.4.8"],
                "env": {"GITHUB_PERSONAL_ACCESS_TOKEN": GITHUB_PAT},
            },
            "pg": {
                "command": "npx",
                "args": [
                    "-y",
                    "@modelcontextprotocol/server-postgres@0.6.2",
                    f"postgres://admin:{DB_PASSWORD}@db.acme.example:5432/app",
                ],
            },
        }
    }
    write(fake_home, ".claude.json", json.dumps(user))
    write(fake_home, ".claude/settings.json", json.dumps({"env": {"LINEAR_API_KEY": LINEAR_KEY}}))
    return project


def _no_secret(*texts: str) -> None:
    for text in texts:
        for secret in SECRETS:
            assert secret not in text


def test_values_go_to_the_file_only(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENTRY_AUTH_TOKEN", SHELL_TOKEN)
    target = tmp_path / "out" / "cloud.env"
    target.parent.mkdir()
    result = run(["migrate", "--env-file", str(target), str(repo)])
    assert result.code == 0, result.err
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert target.read_text(encoding="utf-8") == (
        f"GITHUB_PERSONAL_ACCESS_TOKEN={GITHUB_PAT}\n"
        f"LINEAR_API_KEY={LINEAR_KEY}\n"
        f"PG_PASSWORD={DB_PASSWORD}\n"
        f"SENTRY_AUTH_TOKEN={SHELL_TOKEN}\n"
    )
    _no_secret(result.out, result.err)
    assert result.out.startswith(f"Wrote 4 variables to {target} (mode 0600).")
    assert (
        '  GITHUB_PERSONAL_ACCESS_TOKEN  from ~/.claude.json, server "github", env '
        "GITHUB_PERSONAL_ACCESS_TOKEN\n" in result.out
    )
    assert "  LINEAR_API_KEY                from ~/.claude/settings.json, env\n" in result.out
    assert (
        '  PG_PASSWORD                   from ~/.claude.json, server "pg", password in URL\n'
        in (result.out)
    )
    assert "  SENTRY_AUTH_TOKEN             from the current environment\n" in result.out
    assert (
        "Not written (set these in the cloud environment by hand):\n"
        '  SENTRY_DSN                    no value found here; needed by .mcp.json (server "sentry")'
    ) in result.out
    # Long-lived credentials are named with the advice to prefer short-lived tokens.
    assert "Long-lived credentials (prefer short-lived or narrowly scoped tokens):" in result.out
    assert "  GITHUB_PERSONAL_ACCESS_TOKEN: the cloud's GitHub proxy" in result.out
    # Nothing was written into the repository.
    assert git(repo, "status", "--porcelain") == ""


def test_json_lists_names_and_sources_never_values(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "cloud.env"
    result = run(["migrate", "--env-file", str(target), "--format", "json", str(repo)])
    assert result.code == 0, result.err
    _no_secret(result.out, result.err)
    doc = json.loads(result.out)
    assert doc["written"] == 3
    by_name = {v["name"]: v for v in doc["variables"]}
    assert by_name["SENTRY_DSN"]["written"] is False
    assert by_name["SENTRY_DSN"]["source"] is None
    assert by_name["PG_PASSWORD"]["needed_by"].startswith("parity migrate")
    assert by_name["LINEAR_API_KEY"]["long_lived"]


def test_the_current_environment_wins(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_from_the_shell_0000000000000000000000")
    target = tmp_path / "cloud.env"
    run(["migrate", "--env-file", str(target), str(repo)])
    assert "LINEAR_API_KEY=lin_api_from_the_shell_" in target.read_text(encoding="utf-8")


def test_an_existing_file_needs_force(repo: Path, tmp_path: Path) -> None:
    target = tmp_path / "cloud.env"
    target.write_text("KEEP=1\n", encoding="utf-8")
    target.chmod(0o644)
    result = run(["migrate", "--env-file", str(target), str(repo)])
    assert result.code == 2
    assert "exists; pass --force to replace it" in result.err
    assert target.read_text(encoding="utf-8") == "KEEP=1\n"
    result = run(["migrate", "--env-file", str(target), "--force", str(repo)])
    assert result.code == 0, result.err
    assert "KEEP=1" not in target.read_text(encoding="utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_path_in_the_repository_must_be_ignored(repo: Path) -> None:
    committed = repo / "cloud-vars.txt"
    result = run(["migrate", "--env-file", str(committed), str(repo)])
    assert result.code == 2
    assert "inside the repository and not ignored by git" in result.err
    assert not committed.exists()
    for inside_git in (repo / ".git" / "cloud.env",):
        result = run(["migrate", "--env-file", str(inside_git), str(repo)])
        assert result.code == 2
        assert not inside_git.exists()
    ignored = repo / "cloud.env"  # *.env is in .gitignore
    result = run(["migrate", "--env-file", str(ignored), str(repo)])
    assert result.code == 0, result.err
    assert stat.S_IMODE(ignored.stat().st_mode) == 0o600


def test_a_value_on_several_lines_is_not_written(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SENTRY_DSN", "line one\nline two")
    target = tmp_path / "cloud.env"
    result = run(["migrate", "--env-file", str(target), str(repo)])
    assert "SENTRY_DSN" not in target.read_text(encoding="utf-8")
    assert "SENTRY_DSN                    it spans several lines: paste it by hand" in result.out
    assert "line two" not in result.out


def test_env_file_with_apply_or_undo_is_a_usage_error(repo: Path, tmp_path: Path) -> None:
    for extra in ("--apply", "--undo"):
        result = run(["migrate", "--env-file", str(tmp_path / "x.env"), extra, str(repo)])
        assert result.code == 2
        assert not (tmp_path / "x.env").exists()
