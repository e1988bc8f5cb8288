"""``parity status``: the parity table for a repository and a user, in every format."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import FIXTURES, install_home, make_repo, run, write

EXPECTED = FIXTURES / "status"


def _partial(tmp_path: Path, home: Path) -> Path:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    install_home(FIXTURES / "homes" / "realistic", home, repo)
    return repo


def test_markdown_is_exact(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    result = run(["status", "--format", "markdown", str(repo)])
    assert result.code == 0, result.err
    assert result.out == (EXPECTED / "partial-realistic.md").read_text(encoding="utf-8")


def test_text_is_exact(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    result = run(["status", str(repo)])
    assert result.code == 0, result.err
    assert result.out == (EXPECTED / "partial-realistic.txt").read_text(encoding="utf-8")


def test_json_rows(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    doc = json.loads(run(["status", "--format", "json", str(repo)]).out)
    assert doc["version"] == 1
    rows = {(r["kind"], r["name"]): r for r in doc["items"]}
    assert rows[("mcp", "memory")]["where"] == ["user", "project"]
    assert rows[("mcp", "memory")]["in_cloud"] is True
    assert rows[("mcp", "memory")]["path"] == ".mcp.json"
    assert rows[("mcp", "postgres")]["where"] == ["local"]
    assert rows[("env", "LINEAR_API_KEY")]["in_cloud"] is False
    assert doc["summary"] == {"items": 14, "in_cloud": 3, "missing": 11}


def test_no_secret_value_in_any_format(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    write(
        repo,
        ".claude/settings.json",
        '{"hooks": {"Stop": [{"hooks": [{"type": "command", '
        '"command": "curl -H \'Authorization: Bearer sk-live-SECRETsecret123\' https://x.example"}]}]}}',
    )
    for fmt in ("text", "json", "markdown"):
        out = run(["status", "--format", fmt, str(repo)]).out
        for value in ("lin_api_", "ghp_", "SECRET"):
            assert value not in out, fmt
        assert "LINEAR_API_KEY" in out


def test_fail_on_missing(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    assert run(["status", "--fail-on-missing", str(repo)]).code == 1
    clean = make_repo(tmp_path / "clean", FIXTURES / "repos" / "partial")
    (fake_home / ".claude").rename(tmp_path / "gone")
    (fake_home / ".claude.json").unlink()
    assert run(["status", "--fail-on-missing", str(clean)]).code == 0


def test_uncommitted_plugin_market_and_setup_script(tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    write(repo, ".claude/settings.json", '{"enabledPlugins": {"fmt@acme": true}}\n')
    write(repo, "pyproject.toml", '[tool.parity.environments.web]\nsetup-script = "setup.sh"\n')
    from tests.helpers import git

    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "plugin")
    write(repo, ".claude/skills/new/SKILL.md", "---\ndescription: New.\n---\nx\n")
    doc = json.loads(run(["status", "--format", "json", str(repo)]).out)
    rows = {(r["kind"], r["name"]): r for r in doc["items"]}
    plugin = rows[("plugins", "fmt@acme")]
    assert plugin["in_cloud"] is False
    assert "acme" in plugin["fix"]
    assert rows[("skills", "new")]["where"] == ["not committed"]
    assert rows[("skills", "new")]["fix"] == "git add .claude/skills/new/SKILL.md"
    script = rows[("setup-script", "setup.sh (web)")]
    assert script["where"] == ["missing"]
    assert script["in_cloud"] is False


def test_migrated_hook_counts_as_the_same_item(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    write(
        repo,
        ".claude/settings.json",
        '{"hooks": {"SessionStart": [{"matcher": "startup", "hooks": [{"type": "command", '
        '"command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/load-context.sh"}]}]}}\n',
    )
    write(repo, ".claude/hooks/load-context.sh", "#!/bin/sh\n", mode=0o755)
    from tests.helpers import git

    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "migrated")
    doc = json.loads(run(["status", "--format", "json", str(repo)]).out)
    hooks = [r for r in doc["items"] if r["kind"] == "hooks" and "SessionStart" in r["name"]]
    assert len(hooks) == 1
    assert hooks[0]["where"] == ["user", "project"]
    assert hooks[0]["in_cloud"] is True


def test_bad_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run(["status", str(tmp_path / "nope")])
    assert result.code == 2
    assert "Traceback" not in result.err


def test_status_over_the_corpus_never_crashes(tmp_path: Path, fake_home: Path) -> None:
    import csv
    import shutil

    import pytest

    from tests.helpers import SHARED, git

    corpus = SHARED / "corpus"
    if not (corpus / "manifest.tsv").is_file():
        pytest.skip("../shared/corpus is absent (developers and CI have it)")
    places = {
        "user-settings": ".claude/settings.json",
        "user-claude-md": ".claude/CLAUDE.md",
        "user-claude-json": ".claude.json",
    }
    with (corpus / "manifest.tsv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    # One repository and one home holding every file (the first of each place wins): status
    # reads them all, whatever their shape.
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    for row in rows:
        kind, rel = row["kind"], row["path"]
        target = fake_home / places[kind] if kind in places else repo / rel
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(corpus / row["local_file"], target)
        if kind in places:
            continue
        result = run(["status", "--format", "json", str(repo)])
        assert result.code == 0, (row["local_file"], result.err)
        shutil.rmtree(repo / ".claude", ignore_errors=True)
        for name in ("CLAUDE.md", ".mcp.json"):
            (repo / name).unlink(missing_ok=True)
    for fmt in ("text", "markdown", "json"):
        result = run(["status", "--format", fmt, str(repo)])
        assert result.code == 0, result.err


def test_unreadable_files_are_named_with_what_they_hold(tmp_path: Path, fake_home: Path) -> None:
    # Issue 20.6: a stray comma made status leave every user hook, plugin and env var out silently.
    repo = _partial(tmp_path, fake_home)
    settings = fake_home / ".claude" / "settings.json"
    settings.write_text(settings.read_text().replace('"vim",', '"vim",,', 1))
    (fake_home / ".claude.json").write_text('{"mcpServers": {"github": {"type": "ht')
    result = run(["status", str(repo)])
    assert result.code == 0
    assert result.err == (
        "warning: ~/.claude/settings.json:3:21: Invalid JSON: expecting property name enclosed "
        "in double quotes; its hooks, enabled plugins, env vars and settings cannot be read; "
        "they are not in this table\n"
        "warning: ~/.claude.json:1:36: Invalid JSON: unterminated string (the string that starts "
        "here is never closed); its MCP servers (user scope, and local scope of each project) "
        "cannot be read; they are not in this table\n"
    )
    doc = json.loads(run(["status", "--format", "json", str(repo)]).out)
    assert [(u["path"], u["line"], u["left_out"]) for u in doc["unreadable"]] == [
        ("~/.claude/settings.json", 3, "hooks, enabled plugins, env vars and settings"),
        ("~/.claude.json", 1, "MCP servers (user scope, and local scope of each project)"),
    ]
    markdown = run(["status", "--format", "markdown", str(repo)]).out
    assert "> **Warning:** \\~/.claude/settings.json:3:21: Invalid JSON" in markdown
    assert run(["status", "--fail-on-missing", str(repo)]).code == 1
