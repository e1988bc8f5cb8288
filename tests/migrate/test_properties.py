"""Property tests over generated user configurations: the migration guarantees hold for all."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parity.apply import apply, undo
from parity.discover import Home, discover_repo
from parity.items import build_items
from parity.migrate import plan_migration, render_json, render_text
from parity.model import Inventory, Scope
from tests.helpers import make_repo, write
from tests.migrate.conftest import tree_hash

NAMES = st.sampled_from(["alpha", "beta", "gamma", "delta"])
ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# Provider-shaped tokens the scanner knows; drawn fresh so no two examples share one.
SECRETS = st.one_of(
    st.text(ALNUM, min_size=36, max_size=36).map(lambda s: "ghp_" + s),
    st.text(ALNUM, min_size=24, max_size=24).map(lambda s: "xoxb-1234567890-" + s),
)
PLAIN = st.sampled_from(["fast", "1", "vim", "https://example.org/x", ""])


@st.composite
def servers(draw: st.DrawFn) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in draw(st.lists(NAMES, unique=True, max_size=3)):
        secret = draw(SECRETS)
        where = draw(st.sampled_from(["env", "header", "arg", "url", "none"]))
        if where == "header":
            out[name] = {
                "type": "http",
                "url": "https://m.example.com/mcp",
                "headers": {"Authorization": f"Bearer {secret}"},
            }
        elif where == "url":
            out[name] = {"type": "sse", "url": f"https://m.example.com/sse?token={secret}"}
        elif where == "arg":
            out[name] = {"command": "srv", "args": ["--api-key", secret]}
        else:
            env = {"API_TOKEN": secret} if where == "env" else {}
            out[name] = {
                "type": "stdio",
                "command": "srv",
                "args": [],
                "env": {**env, "MODE": draw(PLAIN)},
            }
    return out


@st.composite
def user_configs(draw: st.DrawFn) -> dict[str, Any]:
    env = {f"VAR_{i}": draw(PLAIN) for i in range(draw(st.integers(0, 2)))}
    if draw(st.booleans()):
        env["SERVICE_API_KEY"] = draw(SECRETS)
    return {
        "user_mcp": draw(servers()),
        "local_mcp": draw(servers()),
        "env": env,
        "skills": draw(st.lists(NAMES, unique=True, max_size=2)),
        "commands": draw(st.lists(NAMES, unique=True, max_size=2)),
        "hooks": draw(st.lists(st.sampled_from(["Stop", "PreToolUse"]), unique=True, max_size=2)),
        "claude_md": draw(st.booleans()),
        "repo_mcp": draw(st.sampled_from(["none", "same", "other"])),
        "repo_skill_conflict": draw(st.booleans()),
    }


def build(base: Path, cfg: dict[str, Any]) -> tuple[Path, Path]:
    repo = make_repo(base / "repo", commit=False)
    home = base / "home"
    global_config: dict[str, Any] = {"mcpServers": cfg["user_mcp"]}
    global_config["projects"] = {str(repo.resolve()): {"mcpServers": cfg["local_mcp"]}}
    write(home, ".claude.json", json.dumps(global_config, indent=2))
    hooks: dict[str, Any] = {}
    for event in cfg["hooks"]:
        write(home, f".claude/hooks/{event}.sh", f"#!/bin/sh\necho {event}\n", mode=0o755)
        hooks[event] = [{"hooks": [{"type": "command", "command": f"~/.claude/hooks/{event}.sh"}]}]
    write(home, ".claude/settings.json", json.dumps({"env": cfg["env"], "hooks": hooks}, indent=2))
    for name in cfg["skills"]:
        write(home, f".claude/skills/{name}/SKILL.md", f"---\nname: {name}\n---\nDo {name}.\n")
        write(home, f".claude/skills/{name}/ref.md", "More.\n")
    for name in cfg["commands"]:
        write(home, f".claude/commands/{name}.md", f"Run {name}.\n")
    if cfg["claude_md"]:
        write(home, ".claude/CLAUDE.md", "- Be brief.\n")
    repo_servers: dict[str, Any] = {}
    if cfg["repo_mcp"] != "none":
        for name, spec in list(cfg["user_mcp"].items())[:1]:
            same = cfg["repo_mcp"] == "same" and not secrets_of(spec)
            repo_servers[name] = spec if same else {"command": "other"}
        write(repo, ".mcp.json", json.dumps({"mcpServers": repo_servers}, indent=4) + "\n")
    if cfg["repo_skill_conflict"] and cfg["skills"]:
        write(repo, f".claude/skills/{cfg['skills'][0]}/SKILL.md", "Theirs.\n")
    write(repo, "README.md", "hi\n")
    return repo, home


def secrets_of(cfg: Any) -> list[str]:
    text = json.dumps(cfg)
    found = []
    for prefix in ("ghp_", "xoxb-"):
        start = text.find(prefix)
        while start >= 0:
            end = start
            while end < len(text) and (text[end].isalnum() or text[end] in "_-"):
                end += 1
            found.append(text[start:end])
            start = text.find(prefix, end)
    return found


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(cfg=user_configs())
def test_migration_guarantees(cfg: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    base = Path(tempfile.mkdtemp(prefix="parity-migrate-"))
    try:
        repo, home_dir = build(base, cfg)
        monkeypatch.setenv("HOME", str(home_dir))
        home = Home.from_env()
        home_before = tree_hash(home_dir)
        repo_before = tree_hash(repo)
        inventory = Inventory.build(discover_repo(repo), home)
        migration = plan_migration(inventory)

        # Nothing lost: every user/local item is moved or skipped with a reason.
        accounted = {(m.kind, m.item) for m in migration.moves} | {
            (s.kind, s.item) for s in migration.skipped if s.reason
        }
        for item in build_items(inventory):
            if item.scope in (Scope.USER, Scope.LOCAL):
                assert (item.kind.value, item.name) in accounted, item.name

        outputs = render_json(migration) + render_text(migration, repo)
        apply(migration.plan, repo)
        written = "".join(
            p.read_text() for p in repo.rglob("*") if p.is_file() and ".git" not in p.parts
        )
        for secret in secrets_of(cfg):
            assert secret not in written
            assert secret not in outputs

        again = plan_migration(Inventory.build(discover_repo(repo), home))
        assert again.plan.actions == ()
        assert again.moves == ()

        assert (undo(repo) is None) == (not migration.plan.actions)
        assert tree_hash(repo) == repo_before
        assert tree_hash(home_dir) == home_before
    finally:
        shutil.rmtree(base)
