"""``parity status``: the parity table for a repository and a user, in every format."""

from __future__ import annotations

import json
import os
from pathlib import Path

from tests.helpers import FIXTURES, install_home, make_repo, run, write

EXPECTED = FIXTURES / "status"


def _partial(tmp_path: Path, home: Path) -> Path:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    install_home(FIXTURES / "homes" / "realistic", home, repo)
    return repo


def expected(name: str, output: str) -> str:
    """The expected output file (``PARITY_UPDATE_EXPECTED=1`` regenerates it; review the diff)."""
    path = EXPECTED / name
    if os.environ.get("PARITY_UPDATE_EXPECTED"):
        path.write_text(output, encoding="utf-8")
    return path.read_text(encoding="utf-8")


def test_markdown_is_exact(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    result = run(["status", "--format", "markdown", str(repo)])
    assert result.code == 0, result.err
    assert result.out == expected("partial-realistic.md", result.out)


def test_text_is_exact(tmp_path: Path, fake_home: Path) -> None:
    repo = _partial(tmp_path, fake_home)
    result = run(["status", str(repo)])
    assert result.code == 0, result.err
    assert result.out == expected("partial-realistic.txt", result.out)


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


def test_the_migrated_claude_md_section_reaches_the_cloud(tmp_path: Path, fake_home: Path) -> None:
    # Issue 20.9: after a migrate, ~/.claude/CLAUDE.md was still marked as not reaching the cloud.
    from tests.helpers import git

    repo = _partial(tmp_path, fake_home)
    assert run(["migrate", "--apply", "--only", "claude-md,rules"], cwd=repo).code == 0

    def row() -> dict[str, object]:
        doc = json.loads(run(["status", "--format", "json", str(repo)]).out)
        return next(r for r in doc["items"] if r["name"] == "~/.claude/CLAUDE.md")

    assert (row()["in_cloud"], row()["fix"]) == (False, "git add CLAUDE.md and commit it")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "migrated")
    assert (row()["in_cloud"], row()["where"], row()["fix"]) == (True, ["user", "project"], None)
    # The user's file changes: the section is out of date, and migrate would update it.
    claude_md = fake_home / ".claude" / "CLAUDE.md"
    claude_md.write_text(claude_md.read_text() + "- Never force-push.\n")
    assert (row()["in_cloud"], row()["fix"]) == (False, "parity migrate --only claude-md")


def test_the_fix_column_is_what_migrate_does(tmp_path: Path, fake_home: Path) -> None:
    # Issue 20.9: status said "set it in the cloud environment" for an env var that migrate
    # moves into the settings. Every fix that names `parity migrate --only KIND` is an item that
    # this very command moves, and the others say why migrate leaves it.
    repo = _partial(tmp_path, fake_home)
    write(repo, ".claude/settings.local.json", '{"env": {"DEBUG": "1"}}')
    settings = fake_home / ".claude" / "settings.json"
    value = json.loads(settings.read_text())
    value["hooks"]["Stop"] = [{"hooks": [{"type": "command", "command": "say $(cat ~/.motd)"}]}]
    settings.write_text(json.dumps(value))
    doc = json.loads(run(["status", "--format", "json", str(repo)]).out)
    fixes = {(r["kind"], r["name"]): r["fix"] for r in doc["items"] if not r["in_cloud"]}
    assert fixes[("env", "EDITOR")] == "parity migrate --only env"
    assert fixes[("env", "DEBUG")] == "parity migrate --include-local --only env"
    assert fixes[("hooks", "Stop: say")] == (
        "parity migrate leaves it: the command uses files in the home that parity cannot move"
    )
    for (kind, name), fix in fixes.items():
        if fix.startswith("parity migrate") and "leaves it" not in fix:
            args = fix.removeprefix("parity ").split()
            plan = json.loads(run([*args, "--format", "json"], cwd=repo).out)
            assert name in {a["item"] for a in plan["actions"] if a["kind"] == kind}, fix
