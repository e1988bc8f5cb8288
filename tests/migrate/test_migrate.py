"""parity migrate: what moves where, conflicts, secrets, symlinks, idempotence and undo."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from parity.apply import WriteFile, apply, undo
from parity.migrate import MigrateOptions, Migration
from tests.helpers import git, run, write
from tests.migrate.conftest import MIGRATE, PARTIAL, REALISTIC, Setup, install, tree_hash


@pytest.fixture
def realistic(tmp_path: Path, fake_home: Path) -> Setup:
    return install(tmp_path, fake_home, REALISTIC, PARTIAL)


def by_item(migration: Migration) -> dict[tuple[str, str], str]:
    skipped = migration.skipped
    return {(s.kind, s.item): s.reason for s in skipped}


def test_realistic_plan_moves_everything_without_secrets(realistic: Setup) -> None:
    home_before = tree_hash(realistic.home)
    repo_before = tree_hash(realistic.repo)
    migration = realistic.plan()
    moved = {(m.kind, m.item): m.target for m in migration.moves}
    assert moved == {
        ("rules", "python-style.md"): ".claude/rules/python-style.md",
        ("skills", "pr-review"): ".claude/skills/pr-review/",
        ("agents", "test-writer"): ".claude/agents/test-writer.md",
        ("commands", "ship"): ".claude/commands/ship.md",
        ("claude-md", "~/.claude/CLAUDE.md"): "CLAUDE.md",
        ("mcp", "github"): ".mcp.json",
        ("mcp", "postgres"): ".mcp.json",
        ("hooks", "SessionStart[startup]: ~/.claude/hooks/load-context.sh"): (
            ".claude/settings.json"
        ),
        ("plugins", "formatter@acme-tools"): ".claude/settings.json",
        # Declared with the plugin that needs it: moved, never "skipped" (issue 20.7).
        ("marketplaces", "acme-tools"): ".claude/settings.json",
        ("env", "EDITOR"): ".claude/settings.json",
        ("env", "LINEAR_API_KEY"): "[environments]",
        ("env", "GITHUB_TOKEN, LINEAR_API_KEY"): "parity.toml",
    }
    assert set(by_item(migration)) == {
        ("mcp", "memory"),
        ("hooks", 'PostToolUse[Edit|Write]: npx prettier --write "$(jq -r .tool_input.file_path)"'),
    }
    assert migration.environment == ("GITHUB_TOKEN", "LINEAR_API_KEY")
    assert tree_hash(realistic.home) == home_before
    assert tree_hash(realistic.repo) == repo_before  # planning only reads

    apply(migration.plan, realistic.repo)
    repo = realistic.repo
    mcp = json.loads((repo / ".mcp.json").read_text())["mcpServers"]
    assert mcp["github"] == {
        "type": "http",
        "url": "https://api.githubcopilot.com/mcp/",
        "headers": {"Authorization": "Bearer ${GITHUB_TOKEN}"},
    }
    assert list(mcp["postgres"]) == ["type", "command", "args"]  # no empty "env": {}
    settings = json.loads((repo / ".claude/settings.json").read_text())
    assert settings["hooks"]["SessionStart"] == [
        {
            "matcher": "startup",
            "hooks": [
                {
                    "type": "command",
                    "command": '"$CLAUDE_PROJECT_DIR"/.claude/hooks/load-context.sh',
                }
            ],
        }
    ]
    assert settings["env"] == {"EDITOR": "vim"}
    assert settings["enabledPlugins"] == {"formatter@acme-tools": True}
    assert settings["extraKnownMarketplaces"] == {
        "acme-tools": {"source": {"source": "github", "repo": "acme/claude-plugins"}}
    }
    assert (repo / ".claude/hooks/load-context.sh").stat().st_mode & 0o111
    claude_md = (repo / "CLAUDE.md").read_text()
    assert "@.claude/rules/python-style.md" in claude_md
    assert claude_md.startswith("# Partial project\n\nRun `npm test`.\n\n<!-- parity:migrate begin")
    assert (repo / "parity.toml").read_text() == (
        '[environments.default]\nenv = ["GITHUB_TOKEN", "LINEAR_API_KEY"]\n'
    )
    everything = "".join(
        p.read_text(errors="replace")
        for p in repo.rglob("*")
        if p.is_file() and ".git" not in p.parts
    )
    assert "ghp_" not in everything
    assert "lin_api_" not in everything
    assert tree_hash(realistic.home) == home_before

    again = realistic.plan()
    assert again.plan.actions == ()
    assert again.moves == ()
    assert undo(realistic.repo) is not None
    assert tree_hash(realistic.repo) == repo_before


def test_check_user_agrees_after_migration(realistic: Setup) -> None:
    before = run(["check", "--user", "--select", "PAR1", "--format", "json"], cwd=realistic.repo)
    assert before.code == 1
    apply(realistic.plan().plan, realistic.repo)
    git(realistic.repo, "add", "-A")
    git(realistic.repo, "commit", "-q", "-m", "migrated")
    after = run(["check", "--user", "--select", "PAR1", "--format", "json"], cwd=realistic.repo)
    assert after.code == 0, after.out


def test_conflicts_are_skipped_with_reasons(tmp_path: Path, fake_home: Path) -> None:
    setup = install(
        tmp_path, fake_home, MIGRATE / "conflicts" / "home", MIGRATE / "conflicts" / "repo"
    )
    migration = setup.plan()
    skipped = by_item(migration)
    assert skipped[("mcp", "docs")] == "conflict: .mcp.json defines 'docs' differently (it stays)"
    assert skipped[("mcp", "same")] == (
        "shadowed by this repository's local-scope server of that name"
    )
    assert "in the home" in skipped[("mcp", "laptop")]
    assert "url without a type" in skipped[("mcp", "broken")]
    assert skipped[("env", "EDITOR")] == (
        "conflict: .claude/settings.json sets EDITOR differently (it stays)"
    )
    assert "home" in skipped[("env", "TOOLS")]
    assert skipped[("hooks", "Stop: ~/.claude/hooks/notify.sh")] == (
        "conflict: .claude/hooks/notify.sh already exists with different content "
        "(the repository's stays)"
    )
    assert "does not exist" in skipped[("hooks", "PreToolUse[Bash]: ~/.claude/hooks/missing.sh")]
    assert "local path" in skipped[("plugins", "local-fmt@my-dir")]
    assert "declared nowhere" in skipped[("plugins", "nowhere@unknown-market")]
    assert "differently" in skipped[("plugins", "lint@team")]
    assert skipped[("marketplaces", "team")].startswith("not moved")
    assert skipped[("skills", "review")].startswith("conflict: .claude/skills/review/SKILL.md")
    assert skipped[("agents", "helper")] == (
        "conflict: the repository defines agent 'helper' in .claude/agents/team-helper.md"
    )
    moved = {(m.kind, m.item): m for m in migration.moves}
    assert set(moved) == {
        ("mcp", "same"),
        ("env", "PAGER"),
        ("plugins", "review@claude-plugins-official"),
        ("claude-md", "~/.claude/CLAUDE.md"),
    }
    apply(migration.plan, setup.repo)
    # Existing files keep their indentation (4 spaces, tabs) and what they had.
    assert (setup.repo / ".mcp.json").read_text() == (
        '{\n    "mcpServers": {\n        "docs": {\n            "type": "http",\n'
        '            "url": "https://docs.example.com/other"\n        },\n'
        '        "same": {\n            "type": "stdio",\n            "command": "uvx",\n'
        '            "args": [\n                "same-mcp==2.0.0"\n            ]\n'
        "        }\n    }\n}\n"
    )
    settings = (setup.repo / ".claude/settings.json").read_text()
    assert settings == (
        '{\n\t"env": {\n\t\t"EDITOR": "vim",\n\t\t"PAGER": "less"\n\t},\n\t"enabledPlugins": {\n'
        '\t\t"lint@team": false,\n\t\t"review@claude-plugins-official": true\n\t}\n}\n'
    )
    assert (setup.repo / ".claude/CLAUDE.md").read_text() == (
        "<!-- parity:migrate begin ~/.claude/CLAUDE.md -->\n# Me\n\n@imports/notes/style.md\n"
        "<!-- parity:migrate end ~/.claude/CLAUDE.md -->\n"
    )
    assert (setup.repo / ".claude/imports/notes/style.md").read_text() == "Short lines.\n"
    assert setup.plan().plan.actions == ()


def test_secrets_in_every_position_become_references(tmp_path: Path, fake_home: Path) -> None:
    gh = "ghp_" + "Zq8" * 12
    slack = "xoxb-" + "1234567890-" + "aB3" * 8
    anthropic = "sk-ant-api03-" + "Qx7_" * 20 + "AA"
    setup = install(tmp_path, fake_home, None, PARTIAL)
    config = {
        "mcpServers": {
            "envs": {"command": "srv", "env": {"API_TOKEN": gh, "MODE": "fast"}},
            "head": {"type": "http", "url": "https://h.example.com", "headers": {"X-Key": slack}},
            "argv": {"command": "srv", "args": ["--api-key", anthropic, f"--token={gh}"]},
            "link": {"type": "sse", "url": f"https://u.example.com/sse?key={slack}&x=1"},
            "dflt": {"command": "srv", "env": {"K": "${MY_KEY:-" + gh + "}"}},
        }
    }
    write(fake_home, ".claude.json", json.dumps(config))
    write(fake_home, ".claude/settings.json", json.dumps({"env": {"OPENAI_API_KEY": anthropic}}))
    migration = setup.plan()
    result = run(["migrate", "--format", "json"], cwd=setup.repo)
    text = run(["migrate"], cwd=setup.repo)
    apply(migration.plan, setup.repo)
    written = "".join(
        p.read_text() for p in setup.repo.rglob("*") if p.is_file() and ".git" not in p.parts
    )
    for secret in (gh, slack, anthropic):
        for output in (written, result.out, result.err, text.out, text.err):
            assert secret not in output
    servers = json.loads((setup.repo / ".mcp.json").read_text())["mcpServers"]
    assert servers["envs"]["env"] == {"API_TOKEN": "${API_TOKEN}", "MODE": "fast"}
    assert servers["head"]["headers"] == {"X-Key": "${HEAD_X_KEY}"}
    assert servers["argv"]["args"] == ["--api-key", "${ARGV_API_KEY}", "--token=${ARGV_TOKEN}"]
    assert servers["link"]["url"] == "https://u.example.com/sse?key=${LINK_KEY}&x=1"
    assert servers["dflt"]["env"] == {"K": "${MY_KEY}"}
    assert set(migration.environment) == {
        "API_TOKEN",
        "HEAD_X_KEY",
        "ARGV_API_KEY",
        "ARGV_TOKEN",
        "LINK_KEY",
        "MY_KEY",
        "OPENAI_API_KEY",
    }
    assert json.loads(result.out)["environment"] == list(migration.environment)
    settings = setup.repo / ".claude/settings.json"
    assert "OPENAI_API_KEY" not in settings.read_text()


def test_files_holding_secrets_stay_home(tmp_path: Path, fake_home: Path) -> None:
    setup = install(tmp_path, fake_home, None, None)
    token = "ghp_" + "Zq8" * 12
    write(fake_home, ".claude/commands/deploy.md", f"Deploy with GH_TOKEN={token}\n")
    write(
        fake_home,
        ".claude/hooks/x.sh",
        f"#!/bin/sh\ncurl -H 'Authorization: {token}'\n",
        mode=0o755,
    )
    write(
        fake_home,
        ".claude/settings.json",
        json.dumps(
            {
                "hooks": {
                    "Stop": [{"hooks": [{"type": "command", "command": "~/.claude/hooks/x.sh"}]}]
                }
            }
        ),
    )
    migration = setup.plan()
    assert migration.plan.actions == ()
    reasons = by_item(migration)
    assert "contains a secret" in reasons[("commands", "deploy")]
    assert "contains a secret" in reasons[("hooks", "Stop: ~/.claude/hooks/x.sh")]
    out = run(["migrate"], cwd=setup.repo).out
    assert token not in out


def test_hook_handlers_holding_secrets_stay_home(tmp_path: Path, fake_home: Path) -> None:
    """An http hook's headers (object or array) once went into the repository, key and all."""
    setup = install(tmp_path, fake_home, None, None)
    key = "sk-ant-api03-" + "Qx7_" * 23 + "bAA"
    random = "q8Zr2LmXv9TnB4kW7yHsP3"
    http = {"type": "http", "url": "https://h.example.com"}
    hooks = {
        "Stop": [{"hooks": [{**http, "headers": {"Authorization": f"Bearer {random}"}}]}],
        "SessionEnd": [{"hooks": [{**http, "headers": [f"Authorization: Bearer {key}"]}]}],
        "PreCompact": [{"hooks": [{**http, "url": f"https://h.example.com/?key={key}"}]}],
        "Notification": [{"hooks": [{**http, "headers": {"X-Trace": "on"}}]}],
    }
    write(fake_home, ".claude/settings.json", json.dumps({"hooks": hooks}))
    migration = setup.plan()
    reasons = {item: reason for (kind, item), reason in by_item(migration).items()}
    held = [r for r in reasons.values() if r == "the hook holds a secret; move it by hand"]
    assert len(held) == 3
    apply(migration.plan, setup.repo)
    written = (setup.repo / ".claude/settings.json").read_text()
    assert key not in written
    assert random not in written
    assert "X-Trace" in written  # the hook without a secret moved


def test_symlinks_in_home_and_repo(tmp_path: Path, fake_home: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret-notes.md").write_text("private\n")
    setup = install(tmp_path, fake_home, None, None)
    write(fake_home, ".claude/skills/linked/SKILL.md", "---\nname: linked\n---\nx\n")
    (fake_home / ".claude/skills/linked/notes.md").symlink_to(outside / "secret-notes.md")
    write(fake_home, ".claude/agents/a.md", "---\nname: a\ndescription: d\n---\nx\n")
    migration = setup.plan()
    assert "symlink leading out of the home" in by_item(migration)[("skills", "linked")]
    # A repository whose .claude/ leads out of it: nothing is planned into it.
    (setup.repo / ".claude").symlink_to(outside, target_is_directory=True)
    migration = setup.plan()
    assert migration.plan.actions == ()
    assert "symlink leads out" in by_item(migration)[("agents", "a")]
    assert sorted(p.name for p in outside.iterdir()) == ["secret-notes.md"]


def test_only_and_exclude(realistic: Setup) -> None:
    only = realistic.plan(MigrateOptions.parse(["mcp,skills"]))
    assert {m.kind for m in only.moves} == {"mcp", "skills", "env"}  # env: the names declared
    excluded = realistic.plan(MigrateOptions.parse([], ["github", "skills:pr-review"]))
    assert by_item(excluded)[("mcp", "github")] == "excluded (--exclude)"
    assert by_item(excluded)[("skills", "pr-review")] == "excluded (--exclude)"
    assert "GITHUB_TOKEN" not in excluded.environment


def test_cli_plan_apply_undo(realistic: Setup) -> None:
    before = tree_hash(realistic.repo)
    home = tree_hash(realistic.home)
    plan = run(["migrate"], cwd=realistic.repo)
    assert plan.code == 0
    assert "+++ b/.mcp.json" in plan.out
    assert "--- /dev/null" in plan.out
    assert tree_hash(realistic.repo) == before
    applied = run(["migrate", "--apply"], cwd=realistic.repo)
    assert applied.code == 0, applied.err
    assert "GITHUB_TOKEN" in applied.out
    assert run(["migrate"], cwd=realistic.repo).out.startswith("Nothing to move")
    undone = run(["migrate", "--undo"], cwd=realistic.repo)
    assert undone.code == 0
    assert "undone" in undone.out
    assert tree_hash(realistic.repo) == before
    assert tree_hash(realistic.home) == home
    assert run(["migrate", "--undo"], cwd=realistic.repo).out == "parity migrate: nothing to undo\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--only", "mcp,bogus"], "unknown kind 'bogus'"),
        (["--undo", "--apply"], "--undo takes no other option"),
    ],
)
def test_bad_input_exits_2(realistic: Setup, args: list[str], message: str) -> None:
    result = run(["migrate", *args], cwd=realistic.repo)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_exact_diff_output(tmp_path: Path, fake_home: Path) -> None:
    setup = install(tmp_path, fake_home, None, None)
    write(setup.repo, ".claude/settings.json", '{\n  "env": {\n    "A": "1"\n  }\n}')
    git(setup.repo, "add", "-A")
    git(setup.repo, "commit", "-q", "-m", "settings")
    write(fake_home, ".claude/commands/hi.md", "Say hi.\n")
    write(
        fake_home, ".claude/settings.json", '{"env": {"B": "2", "DEPLOY_TOKEN": "t0k3n-Value-9"}}'
    )
    result = run(["migrate"], cwd=setup.repo)
    assert result.code == 0
    assert result.out == (
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/.claude/commands/hi.md\n"
        "@@ -0,0 +1 @@\n"
        "+Say hi.\n"
        "--- a/.claude/settings.json\n"
        "+++ b/.claude/settings.json\n"
        "@@ -1,5 +1,6 @@\n"
        " {\n"
        '   "env": {\n'
        '-    "A": "1"\n'
        '+    "A": "1",\n'
        '+    "B": "2"\n'
        "   }\n"
        " }\n"
        "\\ No newline at end of file\n"
        "new file mode 100644\n"
        "--- /dev/null\n"
        "+++ b/parity.toml\n"
        "@@ -0,0 +1,2 @@\n"
        "+[environments.default]\n"
        '+env = ["DEPLOY_TOKEN"]\n'
        "\n"
        "Set these in the cloud environment's settings (names only, never here):\n"
        "  DEPLOY_TOKEN\n"
        "\n"
        "4 item(s) to move into 3 file(s). "
        "Dry run: `parity migrate --apply` writes it, `--undo` reverts.\n"
    )
    assert "t0k3n" not in result.out


# Issue 20.6: a file that does not parse used to be skipped without a word (its items left out,
# exit 0), and a broken .claude/settings.json made --apply write part of the plan.
BROKEN = {
    "stray comma in ~/.claude/settings.json": (
        "home",
        ".claude/settings.json",
        lambda text: text.replace('"vim",', '"vim",,', 1),
        "~/.claude/settings.json:3:21: Invalid JSON",
    ),
    "truncated ~/.claude.json": (
        "home",
        ".claude.json",
        lambda text: text[:200],
        "~/.claude.json:7:",
    ),
    "broken .claude/settings.json": (
        "repo",
        ".claude/settings.json",
        lambda text: text.rstrip().rstrip("}"),
        ".claude/settings.json:",
    ),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
@pytest.mark.parametrize("args", [[], ["--apply"], ["--format", "json"]])
def test_unreadable_config_stops_migrate_before_anything(
    realistic: Setup, case: str, args: list[str]
) -> None:
    where, rel, breaks, named = BROKEN[case]
    base = realistic.home if where == "home" else realistic.repo
    path = base / rel
    path.write_text(breaks(path.read_text()))
    repo_before, home_before = tree_hash(realistic.repo), tree_hash(realistic.home)
    result = run(["migrate", *args], cwd=realistic.repo)
    assert result.code == 2, result.out
    assert result.out == ""
    assert result.err.startswith("parity: error: cannot plan: ")
    assert result.err.count("\n") == 1  # one line
    assert named in result.err
    assert "nothing was written" in result.err
    assert "Traceback" not in result.err
    assert tree_hash(realistic.repo) == repo_before
    assert tree_hash(realistic.home) == home_before


def test_unreadable_file_of_another_kind_does_not_stop_only(realistic: Setup) -> None:
    settings = realistic.home / ".claude/settings.json"
    settings.write_text(settings.read_text().replace('"vim",', '"vim",,', 1))
    failed = run(["migrate"], cwd=realistic.repo)
    assert "(--only rules,skills,agents,commands,claude-md,mcp)" in failed.err
    result = run(["migrate", "--only", "skills,mcp"], cwd=realistic.repo)
    assert result.code == 0, result.err
    assert "+++ b/.claude/skills/pr-review/SKILL.md" in result.out


# Issue 20.7: "nothing is lost" -------------------------------------------------------------


def test_every_user_setting_that_stays_is_listed_with_its_reason(realistic: Setup) -> None:
    settings = realistic.home / ".claude" / "settings.json"
    value = json.loads(settings.read_text())
    value.update(
        {
            "permissions": {"allow": ["Bash(npm test)"], "deny": ["Read(./.env)"]},
            "model": "opus",
            "pluginConfigs": {},
            "statusLine": {"type": "command", "command": "~/.claude/statusline.sh"},
        }
    )
    settings.write_text(json.dumps(value, indent=2))
    migration = realistic.plan()
    left = {s.item: s.reason for s in migration.skipped if s.kind == "settings"}
    assert set(left) == {"permissions", "model", "pluginConfigs", "statusLine"}
    assert left["permissions"].startswith("your permissions (1 allow, 1 deny rules) stay personal")
    assert "a deny rule you rely on no longer protects anything" in left["permissions"]
    assert left["model"].startswith("your model choice stays personal")
    assert left["pluginConfigs"] == (
        "honoured in user settings only: the repository's settings cannot carry it"
    )
    assert "copy it into .claude/settings.json" in left["statusLine"]
    # Every top-level key is accounted for: moved as items, or listed with a reason.
    moved_as_items = {"env", "hooks", "enabledPlugins", "extraKnownMarketplaces"}
    assert set(value) == moved_as_items | set(left)
    out = run(["migrate"], cwd=realistic.repo).out
    assert "  settings permissions (~/.claude/settings.json): your permissions" in out
    # Only a full plan lists them: --only asks about some kinds, not about settings.
    assert not [
        s for s in realistic.plan(MigrateOptions.parse(["mcp"])).skipped if s.kind == "settings"
    ]


def test_a_migrated_marketplace_is_not_reported_skipped(realistic: Setup) -> None:
    out = run(["migrate"], cwd=realistic.repo).out
    assert "marketplaces acme-tools" not in out
    moves = {
        (m.kind, m.source): m.reason for m in realistic.plan().moves if m.kind == "marketplaces"
    }
    assert moves == {
        ("marketplaces", "~/.claude/plugins/known_marketplaces.json"): (
            "declared for formatter@acme-tools"
        ),
        ("marketplaces", "~/.claude/settings.json"): "declared for formatter@acme-tools",
    }


def test_local_settings_stay_personal_unless_include_local(realistic: Setup) -> None:
    hooks = {"Notification": [{"hooks": [{"type": "command", "command": "notify-send Claude"}]}]}
    write(realistic.repo, ".claude/settings.local.json", json.dumps({"hooks": hooks}))
    default = realistic.plan()
    assert by_item(default)[("hooks", "Notification: notify-send Claude")] == (
        ".claude/settings.local.json is personal; --include-local moves it"
    )
    written = [a.content.decode() for a in default.plan.actions if isinstance(a, WriteFile)]
    assert written
    assert not any("notify-send" in text for text in written)
    included = realistic.plan(MigrateOptions.parse(include_local=True))
    assert ("hooks", "Notification: notify-send Claude") in {
        (m.kind, m.item) for m in included.moves
    }
    applied = run(["migrate", "--apply", "--include-local"], cwd=realistic.repo)
    assert applied.code == 0, applied.err
    assert "notify-send Claude" in (realistic.repo / ".claude/settings.json").read_text()


def test_apply_says_which_hooks_now_run_twice_and_the_lines_to_remove(realistic: Setup) -> None:
    home = tree_hash(realistic.home)
    result = run(["migrate", "--apply"], cwd=realistic.repo)
    assert result.code == 0, result.err
    assert (
        "These hooks are now in .claude/settings.json and still in ~/.claude/settings.json, so "
        "they run twice in your own sessions. parity never edits ~/.claude/settings.json; remove "
        "them there (with the comma that separates each from its neighbour):\n"
        "  /hooks/SessionStart/0 (lines 8-11):\n"
        "       8 |       {\n"
        '       9 |         "matcher": "startup",\n'
        '      10 |         "hooks": [{ "type": "command", "command": '
        '"~/.claude/hooks/load-context.sh" }]\n'
        "      11 |       }\n"
    ) in result.out
    assert tree_hash(realistic.home) == home
    # The lines are exactly the group: removing them leaves valid JSON without the hook.
    text = (realistic.home / ".claude/settings.json").read_text().splitlines(keepends=True)
    rest = json.loads("".join(text[:7] + text[11:]))
    assert rest["hooks"]["SessionStart"] == []


def test_one_of_two_handlers_of_a_group_is_pointed_at_alone(
    tmp_path: Path, fake_home: Path
) -> None:
    setup = install(tmp_path, fake_home, None, None)
    write(fake_home, ".claude/hooks/a.sh", "#!/bin/sh\necho a\n", mode=0o755)
    handlers = [
        {"type": "command", "command": "~/.claude/hooks/a.sh"},
        {"type": "command", "command": "say $(cat ~/.token)"},  # uses the home: stays
    ]
    write(
        fake_home,
        ".claude/settings.json",
        json.dumps({"hooks": {"Stop": [{"hooks": handlers}]}}, indent=1),
    )
    (dup,) = setup.plan().duplicates
    assert dup.pointer == "/hooks/Stop/0/hooks/0"
    assert dup.lines == (
        (6, "     {"),
        (7, '      "type": "command",'),
        (8, '      "command": "~/.claude/hooks/a.sh"'),
        (9, "     },"),
    )


def test_servers_that_will_not_work_are_reported_while_planning(realistic: Setup) -> None:
    migration = realistic.plan()
    notices = {(n.item): n.message for n in migration.notices}
    assert notices["postgres"].startswith(
        "reaches localhost (args[1]): a cloud session has no such service"
    )
    assert notices["github"].startswith(
        "reaches api.githubcopilot.com (url), which the Trusted allowlist does not allow"
    )
    assert "PAR302" in notices["github"]
    out = run(["migrate"], cwd=realistic.repo).out
    assert "\nWarnings (these move, but will not work in a cloud session as they are):\n" in out
    # What planning says is what the linter says once the server is moved.
    apply(migration.plan, realistic.repo)
    found = run(["check", "--select", "PAR302", "--format", "json"], cwd=realistic.repo)
    hosts = {
        f["message"].split(" reaches ")[1].split(",")[0] for f in json.loads(found.out)["findings"]
    }
    assert hosts == {"api.githubcopilot.com"}


def test_secret_names_come_from_what_the_secret_is(tmp_path: Path, fake_home: Path) -> None:
    setup = install(tmp_path, fake_home, None, None)
    gh = "ghp_" + "Zq8" * 12
    config = {
        "mcpServers": {
            "postgres": {
                "command": "pg-mcp",
                "args": ["postgresql://app:S3cretPassw0rd@db.internal:5432/app"],
            },
            "github": {"command": "gh-mcp", "args": [gh]},
            "ci": {"command": "ci-mcp", "args": ["--verbose", gh]},
        }
    }
    write(fake_home, ".claude.json", json.dumps(config))
    migration = setup.plan()
    assert set(migration.environment) == {"POSTGRES_PASSWORD", "GITHUB_TOKEN", "CI_GITHUB_TOKEN"}
    apply(migration.plan, setup.repo)
    servers = json.loads((setup.repo / ".mcp.json").read_text())["mcpServers"]
    assert servers["postgres"]["args"] == [
        "postgresql://app:${POSTGRES_PASSWORD}@db.internal:5432/app"
    ]
    assert servers["github"] == {"type": "stdio", "command": "gh-mcp", "args": ["${GITHUB_TOKEN}"]}
    assert "env" not in servers["ci"]  # no empty "env": {}


# Issue 20.9: what to commit ------------------------------------------------------------------


def test_apply_ends_with_what_to_commit(realistic: Setup) -> None:
    result = run(["migrate", "--apply"], cwd=realistic.repo)
    last = result.out.rstrip("\n").splitlines()[-1]
    assert last == (
        "to commit: git add --chmod=+x .claude/hooks/load-context.sh && git add "
        ".claude/rules/python-style.md .claude/skills/pr-review/SKILL.md "
        ".claude/agents/test-writer.md .claude/commands/ship.md CLAUDE.md .mcp.json "
        ".claude/settings.json parity.toml"
    )
    import subprocess

    subprocess.run(["bash", "-c", last.removeprefix("to commit: ")], cwd=realistic.repo, check=True)
    unstaged = [
        line for line in git(realistic.repo, "status", "--porcelain").splitlines() if line[1] != " "
    ]
    assert unstaged == []
    assert git(realistic.repo, "ls-files", "-s", ".claude/hooks/load-context.sh").startswith(
        "100755"
    )


# Issue 20.8: undo says what it reverts, and how to get past a refusal ------------------------


UNDO_HEAD = re.compile(
    r"^parity migrate: the last change is `(?P<command>[^`]+)` of "
    r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((?P<files>\d+) files?\); undoing it will:$"
)


def test_undo_names_the_command_its_time_and_each_file(realistic: Setup) -> None:
    assert run(["migrate", "--apply", "--only", "mcp"], cwd=realistic.repo).code == 0
    assert run(["cloud-init", "--write"], cwd=realistic.repo).code == 0
    first = run(["migrate", "--undo"], cwd=realistic.repo)
    lines = first.out.splitlines()
    head = UNDO_HEAD.match(lines[0])
    assert head is not None, lines[0]
    assert (head["command"], head["files"]) == ("parity cloud-init --write", "2")
    assert lines[1:] == [
        "  .claude/hooks/session-start.sh: delete (it created the file)",
        "  .claude/settings.json: restore the version from before",
        "parity migrate: undone; restored 2 files",
    ]
    second = run(["migrate", "--undo"], cwd=realistic.repo).out.splitlines()
    head = UNDO_HEAD.match(second[0])
    assert head is not None
    assert head["command"] == "parity migrate --apply --only mcp"
    assert "  .mcp.json: restore the version from before" in second


def test_refused_undo_offers_force_which_keeps_a_backup(realistic: Setup) -> None:
    before = tree_hash(realistic.repo)
    assert run(["migrate", "--apply"], cwd=realistic.repo).code == 0
    mcp = realistic.repo / ".mcp.json"
    mcp.write_text(mcp.read_text().replace("postgres", "pg"))
    mine = mcp.read_text()
    refused = run(["migrate", "--undo"], cwd=realistic.repo)
    assert refused.code == 2
    assert "parity: error: .mcp.json changed after that apply" in refused.err
    assert "`parity migrate --undo --force` saves a copy of each changed file first" in (
        refused.err
    )
    assert mcp.read_text() == mine  # nothing undone
    forced = run(["migrate", "--undo", "--force"], cwd=realistic.repo)
    assert forced.code == 0, forced.err
    saved = re.search(r"saved your version of \.mcp\.json to (\S+)", forced.out)
    assert saved is not None
    assert (realistic.repo / saved[1]).read_text() == mine
    after = tree_hash(realistic.repo)
    assert {k: v for k, v in after.items() if not k.startswith(".git")} == before
    assert run(["migrate", "--force"], cwd=realistic.repo).code == 2  # --force needs --undo


def test_undo_of_committed_changes_says_so(realistic: Setup) -> None:
    assert run(["migrate", "--apply", "--only", "skills"], cwd=realistic.repo).code == 0
    git(realistic.repo, "add", "-A")
    git(realistic.repo, "commit", "-qm", "migrated")
    result = run(["migrate", "--undo"], cwd=realistic.repo)
    assert "note: git shows these files as committed" in result.out


def test_scripts_from_elsewhere_in_the_home_count_as_moved(tmp_path: Path, fake_home: Path) -> None:
    # Issue 17.7: hooks running ~/bin/… (or /home/<me>/bin/…) are copied to .claude/hooks/;
    # afterwards `check --user` must see them in the repository, and a new plan moves nothing.
    write(fake_home, "bin/claude-notify.sh", "#!/bin/sh\nnotify-send done\n", mode=0o755)
    write(
        fake_home, "scripts/format-edited.sh", '#!/bin/sh\nnpx prettier --write "$1"\n', mode=0o755
    )
    settings = {
        "hooks": {
            "Stop": [{"hooks": [{"type": "command", "command": "~/bin/claude-notify.sh"}]}],
            "PostToolUse": [
                {
                    "matcher": "Edit",
                    "hooks": [
                        {"type": "command", "command": f"{fake_home}/scripts/format-edited.sh -q"}
                    ],
                }
            ],
        }
    }
    write(fake_home, ".claude/settings.json", json.dumps(settings))
    setup = install(tmp_path, fake_home, None, None)
    before = run(["check", "--user", "--select", "PAR101", "--format", "json"], cwd=setup.repo)
    assert len(json.loads(before.out)["findings"]) == 2
    migration = setup.plan()
    assert {m.item for m in migration.moves} == {
        "Stop: ~/bin/claude-notify.sh",
        f"PostToolUse[Edit]: {fake_home}/scripts/format-edited.sh -q",
    }
    apply(migration.plan, setup.repo)
    git(setup.repo, "add", "-A")
    git(setup.repo, "commit", "-q", "-m", "migrated")
    assert git(setup.repo, "ls-files", "-s", ".claude/hooks").split()[0] == "100755"
    after = run(["check", "--user", "--select", "PAR1", "--format", "json"], cwd=setup.repo)
    assert after.code == 0, after.out
    assert setup.plan().moves == ()


def test_a_home_file_that_is_not_utf8_is_still_searched_for_secrets(
    tmp_path: Path, fake_home: Path
) -> None:
    # One Latin-1 "é" once made the secret test pass a file without reading it: the key went
    # into the repository's CLAUDE.md (and a command file) with everything else.
    setup = install(tmp_path, fake_home, None, None)
    key = "sk-ant-api03-" + "Qx7_" * 23 + "bAA"
    (fake_home / ".claude").mkdir(exist_ok=True)
    (fake_home / ".claude/CLAUDE.md").write_bytes(b"# Caf\xe9\n\nANTHROPIC_API_KEY=" + key.encode())
    (fake_home / ".claude/commands").mkdir()
    (fake_home / ".claude/commands/ship.md").write_bytes(b"Caf\xe9: deploy with " + key.encode())
    migration = setup.plan()
    assert migration.plan.actions == ()
    reasons = by_item(migration)
    assert "contains a secret" in reasons[("claude-md", "~/.claude/CLAUDE.md")]
    assert "contains a secret" in reasons[("commands", "ship")]


def _repo_holding(tmp_path: Path, fake_home: Path, rel: str, data: bytes) -> Setup:
    """A repository whose file ``rel`` holds ``data`` (added to the index)."""
    setup = install(tmp_path, fake_home, None, None)
    (setup.repo / rel).write_bytes(data)
    git(setup.repo, "add", "-A")
    return setup


def test_a_repository_claude_md_that_is_not_utf8_is_left_as_it_is(
    tmp_path: Path, fake_home: Path
) -> None:
    # Its text cannot be edited without changing its other bytes: the user's CLAUDE.md stays
    # home, with the reason, where planning once stopped with an internal error (status too).
    setup = _repo_holding(tmp_path, fake_home, "CLAUDE.md", b"# Caf\xe9\n")
    write(fake_home, ".claude/CLAUDE.md", "Prefer small commits.\n")
    before = tree_hash(setup.repo)
    migration = setup.plan()
    assert migration.plan.actions == ()
    assert by_item(migration)[("claude-md", "~/.claude/CLAUDE.md")] == (
        "CLAUDE.md is not UTF-8 text (it stays as it is; save it as UTF-8 first)"
    )
    for args in (["migrate"], ["migrate", "--apply"], ["status", "--format", "json"]):
        result = run(args, cwd=setup.repo)
        assert result.code in (0, 1), (args, result.err)
    assert tree_hash(setup.repo) == before


def test_status_beside_a_repository_mcp_json_that_is_not_utf8(
    tmp_path: Path, fake_home: Path
) -> None:
    # migrate refuses to plan (the file's servers cannot be read: exit 2, one line); status,
    # which plans leniently, says the user's server stays instead of stopping with an internal
    # error.
    setup = _repo_holding(tmp_path, fake_home, ".mcp.json", b'{"mcpServers": {}, "x": "\xe9"}\n')
    server = {"type": "stdio", "command": "npx", "args": ["-y", "@example/server"]}
    write(fake_home, ".claude.json", json.dumps({"mcpServers": {"tools": server}}))
    refused = run(["migrate"], cwd=setup.repo)
    assert refused.code == 2
    assert "not valid UTF-8" in refused.err
    assert len(refused.err.strip().splitlines()) == 1
    result = run(["status", "--format", "json"], cwd=setup.repo)
    assert result.code in (0, 1), result.err
    items = {item["name"]: item for item in json.loads(result.out)["items"]}
    assert items["tools"]["in_cloud"] is False
    assert "not UTF-8" in items["tools"]["fix"]
