"""The item model: one row per config item of every scope, with where it lives."""

from __future__ import annotations

from pathlib import Path

from parity.discover import Home, discover_repo
from parity.items import NOT_COMMITTED, ItemKind, build_items, counterparts
from parity.model import Inventory, Scope
from tests.helpers import FIXTURES, install_home, make_repo, write


def _items(repo: Path, home: Path | None) -> list[tuple[str, str, str, bool]]:
    inv = Inventory.build(discover_repo(repo), Home.from_env() if home else None)
    return [(i.kind.value, i.name, i.where, i.in_cloud) for i in build_items(inv)]


def test_realistic_home_and_partial_repo(tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    install_home(FIXTURES / "homes" / "realistic", fake_home, repo)
    write(repo, "CLAUDE.local.md", "local notes\n")
    rows = _items(repo, fake_home)
    assert ("claude-md", "~/.claude/CLAUDE.md", "user", False) in rows
    assert ("claude-md", "CLAUDE.md", "project", True) in rows
    assert ("claude-md", "CLAUDE.local.md", "local", False) in rows
    assert ("mcp", "github", "user", False) in rows
    assert ("mcp", "postgres", "local", False) in rows
    assert ("mcp", "memory", "project", True) in rows
    assert ("mcp", "memory", "user", False) in rows
    assert ("skills", "pr-review", "user", False) in rows
    assert ("agents", "test-writer", "user", False) in rows
    assert ("commands", "ship", "user", False) in rows
    assert ("rules", "python-style.md", "user", False) in rows
    assert ("plugins", "formatter@acme-tools", "user", False) in rows
    assert ("marketplaces", "acme-tools", "user", False) in rows
    assert ("env", "LINEAR_API_KEY", "user", False) in rows
    assert (
        "hooks",
        "SessionStart[startup]: ~/.claude/hooks/load-context.sh",
        "user",
        False,
    ) in rows
    kinds = {r[0] for r in rows}
    assert kinds >= {k.value for k in ItemKind} - {"setup-script"}


def test_user_scope_only_with_home(tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    install_home(FIXTURES / "homes" / "realistic", fake_home, repo)
    assert all(where != "user" for _, _, where, _ in _items(repo, None))


def test_uncommitted_project_file_is_not_in_cloud(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    write(repo, ".claude/skills/new/SKILL.md", "---\ndescription: new\n---\nx\n")
    rows = _items(repo, None)
    assert ("skills", "new", NOT_COMMITTED, False) in rows


def test_counterparts_group_by_identity(tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    install_home(FIXTURES / "homes" / "realistic", fake_home, repo)
    items = build_items(Inventory.build(discover_repo(repo), Home.from_env()))
    memory = counterparts(items)[("mcp", "memory")]
    assert sorted(i.scope for i in memory) == sorted([Scope.PROJECT, Scope.USER])


def test_hook_identity_survives_the_migrate_rewrite() -> None:
    from parity.items import hook_identity

    user = hook_identity("~/.claude/hooks/x.sh --fast")
    assert user == hook_identity('"$CLAUDE_PROJECT_DIR"/.claude/hooks/x.sh --fast')
    assert user == hook_identity("${CLAUDE_PROJECT_DIR:-.}/.claude/hooks/x.sh --fast")
    assert user == hook_identity("$HOME/.claude/hooks/x.sh  --fast")
    assert user != hook_identity("~/.claude/hooks/y.sh --fast")
    assert hook_identity("~/bin/x.sh") != hook_identity("$CLAUDE_PROJECT_DIR/bin/x.sh")


def test_migrated_hook_is_a_counterpart(tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "partial")
    install_home(FIXTURES / "homes" / "realistic", fake_home, repo)
    write(
        repo,
        ".claude/settings.local.json",
        '{"hooks": {"SessionStart": [{"matcher": "startup", "hooks": [{"type": "command", '
        '"command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/load-context.sh"}]}]}}',
    )
    items = build_items(Inventory.build(discover_repo(repo), Home.from_env()))
    hooks = [i for i in items if i.kind is ItemKind.HOOK and i.name.startswith("SessionStart")]
    assert len(hooks) == 2
    assert hooks[0].key == hooks[1].key
    assert sorted(i.label for i in hooks) == [
        "SessionStart[startup]: $CLAUDE_PROJECT_DIR/.claude/hooks/load-context.sh",
        "SessionStart[startup]: ~/.claude/hooks/load-context.sh",
    ]
