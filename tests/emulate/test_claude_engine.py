"""--engine claude: the real client runs the hooks; its results match the local engine's."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from parity.emulate import CloudSession, Status
from parity.emulate.claude_engine import parse_debug_log
from parity.emulate.hookrun import HookSpec
from tests.emulate.conftest import EMULATE_FIXTURES, options
from tests.helpers import git, make_repo, write

CLIENT = os.environ.get("PARITY_CLAUDE_BIN", "")
needs_client = pytest.mark.skipif(
    not (CLIENT and os.access(CLIENT, os.X_OK)),
    reason="the Claude Code client is not installed (PARITY_CLAUDE_BIN)",
)

HOOKS = [
    {"type": "command", "command": 'echo "export FIRST=1" >> "$CLAUDE_ENV_FILE"; echo context'},
    {"type": "command", "command": "echo failing >&2; exit 2"},
    {"type": "prompt", "prompt": "Summarise the repository."},
    {"type": "command", "command": 'echo "export SECOND=2" >> "$CLAUDE_ENV_FILE"; exit 1'},
    {"type": "command", "command": "sleep 20", "timeout": 1},
    {"type": "command", "command": "terraform version"},
]


def _comparable(session: CloudSession) -> list[tuple[str, Status, int | None, tuple[str, ...]]]:
    return [(h.name, h.status, h.exit_code, h.env_exports) for h in session.hook_results]


@pytest.mark.oracle
@needs_client
def test_client_and_local_engine_agree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(
        repo,
        ".claude/settings.json",
        json.dumps(
            {
                "hooks": {
                    "SessionStart": [
                        {"matcher": "startup|resume", "hooks": HOOKS},
                        {"matcher": "compact", "hooks": [{"type": "command", "command": "true"}]},
                    ]
                }
            }
        ),
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    with CloudSession(options(repo)) as local:
        expected = _comparable(local)
        local_run = local.run('echo "$FIRST $SECOND"').stdout
    with CloudSession(options(repo, engine="claude", claude_bin=CLIENT)) as client:
        got = _comparable(client)
        client_run = client.run('echo "$FIRST $SECOND"').stdout
    # The client's timed-out hook has no exit code; neither has ours.
    assert got == expected
    assert client_run == local_run == "1 2\n"


@pytest.mark.oracle
@needs_client
def test_client_engine_on_the_ready_fixture(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "ready")
    values = {"APP_MODE": "test"}
    with CloudSession(options(repo, env_values=values)) as local:
        expected = _comparable(local)
    with CloudSession(
        options(repo, env_values=values, engine="claude", claude_bin=CLIENT)
    ) as client:
        assert _comparable(client) == expected
        assert client.run("python3 run_tests.py").exit_code == 0
        assert client.result().exit_code == 0


def test_parse_debug_log_maps_numbered_hooks() -> None:
    chosen = [
        HookSpec("startup", {"type": "command", "command": "a"}),
        HookSpec("startup", {"type": "prompt", "prompt": "p"}),
        HookSpec("startup", {"type": "command", "command": "b"}),
        HookSpec("startup", {"type": "command", "command": "c", "timeout": 1}),
    ]
    log = "\n".join(
        [
            "2026-11-22T04:25:41.745Z [ERROR] Hook failed to run (SessionStart:startup): "
            "prompt-type hooks are not supported for SessionStart events (no conversation "
            "context is available).",
            "2026-11-22T04:25:41.774Z [DEBUG] Hooks: SessionStart:startup [command hook 1] "
            "finished with status 0 (41ms)",
            "2026-11-22T04:25:41.775Z [DEBUG] Hooks: SessionStart:startup [b] finished with "
            "status 127 (35ms)",
            "2026-11-22T04:25:42.777Z [DEBUG] Hooks: SessionStart:startup [command hook 3] "
            "timed out after 1000ms (1037ms)",
        ]
    )
    results = parse_debug_log(log, chosen, [])
    assert [(r.name, r.status, r.exit_code) for r in results] == [
        ("a", Status.OK, 0),
        ("prompt hook", Status.FAILED, None),
        ("b", Status.FAILED, 127),
        ("c", Status.TIMEOUT, None),
    ]
    assert results[0].duration == 0.041


@pytest.mark.oracle
@needs_client
def test_client_engine_on_the_not_ready_fixture(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "not-ready")
    with CloudSession(options(repo)) as local:
        expected = _comparable(local)
        local_result = local.result()
    with CloudSession(options(repo, engine="claude", claude_bin=CLIENT)) as client:
        got = _comparable(client)
        client_result = client.result()
    assert got == expected
    # The client runs every hook at once: what they asked for is charged to its run.
    [engine] = client_result.steps_of("engine")
    assert engine.blocked_hosts == local_result.blocked_hosts == ("schemas.internal.example.com",)
    assert engine.missing_commands == local_result.missing_commands == ("terraform",)
    assert engine.broken_commands == ("bun",)
    assert client_result.exit_code == local_result.exit_code == 1


@pytest.mark.oracle
@needs_client
def test_only_the_root_settings_hooks_run(tmp_path: Path) -> None:
    # A package's own .claude/settings.json in a monorepo is not loaded by a session started at
    # the repository's root: the client does not run its hooks, and neither does the emulation.
    root_hook = {"type": "command", "command": 'touch "$CLAUDE_PROJECT_DIR/root-ran"'}
    nested_hook = {"type": "command", "command": 'touch "$CLAUDE_PROJECT_DIR/nested-ran"'}
    repo = make_repo(tmp_path / "repo", commit=False)
    for rel, hook in ((".claude", root_hook), ("packages/app/.claude", nested_hook)):
        settings = {"hooks": {"SessionStart": [{"hooks": [hook]}]}}
        write(repo, f"{rel}/settings.json", json.dumps(settings))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    for engine in ("local", "claude"):
        with CloudSession(options(repo, engine=engine, claude_bin=CLIENT)) as session:
            assert (session.project / "root-ran").exists(), engine
            assert not (session.project / "nested-ran").exists(), engine
            assert [h.name for h in session.hook_results] == [root_hook["command"]], engine
