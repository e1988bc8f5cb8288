"""Hook command details: unquoted $CLAUDE_PROJECT_DIR, handler types per event, interpreters."""

from __future__ import annotations

import pytest

from parity.hooks import interpreter, script_refs
from parity.rules.par121_unquoted_project_dir import unquoted
from parity.rules.par122_hook_handler_never_runs import never_runs
from parity.shell import parse


@pytest.mark.parametrize(
    ("command", "found"),
    [
        ("$CLAUDE_PROJECT_DIR/.claude/hooks/x.sh", "$CLAUDE_PROJECT_DIR"),
        ("bash ${CLAUDE_PROJECT_DIR}/x.sh", "${CLAUDE_PROJECT_DIR}"),
        ("node x.js --root=$CLAUDE_PROJECT_DIR", "$CLAUDE_PROJECT_DIR"),
        ("cd $CLAUDE_PROJECT_DIR && make", "$CLAUDE_PROJECT_DIR"),
        ('echo "ok" && $CLAUDE_PROJECT_DIR/x.sh', "$CLAUDE_PROJECT_DIR"),
        ('"$CLAUDE_PROJECT_DIR"/.claude/hooks/x.sh', None),
        ('"${CLAUDE_PROJECT_DIR:-.}/x.sh"', None),
        ("ROOT=$CLAUDE_PROJECT_DIR; echo done", None),
        ("[[ -d $CLAUDE_PROJECT_DIR/.git ]] && echo git", None),
        ("echo '$CLAUDE_PROJECT_DIR'", None),  # literal: another problem, left alone
        ('echo "\\"$CLAUDE_PROJECT_DIR\\""', None),
        ("$CLAUDE_PROJECT_DIRECTORY/x", None),  # another variable
    ],
)
def test_unquoted_project_dir(command: str, found: str | None) -> None:
    assert unquoted(command) == found


@pytest.mark.parametrize(
    ("event", "handler", "runs"),
    [
        ("PreCompact", "agent", False),
        ("PreCompact", "prompt", False),
        ("SessionEnd", "agent", False),
        ("Notification", "prompt", False),
        ("SubagentStart", "agent", False),
        ("PermissionRequest", "agent", False),
        ("PermissionRequest", "prompt", True),
        ("PreCompact", "command", True),
        ("PreCompact", "http", True),
        ("Stop", "agent", True),
        ("PreToolUse", "prompt", True),
        ("SubagentStop", "agent", True),
        ("SessionStart", "agent", True),  # PAR205's
    ],
)
def test_handler_types_per_event(event: str, handler: str, runs: bool) -> None:
    assert (never_runs(event, handler) is None) is runs


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("python3", "python3"),
        (".venv/bin/python", "python"),
        ("/usr/local/bin/python3.12", "python3"),
        (" ( command -v python3)", "python3"),  # "$(command -v python3)" once parsed
        ("( which node)", "node"),
        ("scripts/run.sh", None),
        ("pytest", None),
    ],
)
def test_interpreters_by_name_path_or_lookup(word: str, name: str | None) -> None:
    assert interpreter(word) == name


@pytest.mark.parametrize(
    ("command", "script"),
    [
        ('"$(command -v python3)" scripts/x.py', "scripts/x.py"),
        (".venv/bin/python scripts/check.py --fast", "scripts/check.py"),
        ("uv run python scripts/z.py", "scripts/z.py"),
        ('"$CLAUDE_PROJECT_DIR"/.venv/bin/python tools/a.py', "tools/a.py"),
    ],
)
def test_scripts_run_through_an_interpreter_are_found(command: str, script: str) -> None:
    (cmd,) = parse(command)
    assert [(r.rel, r.direct) for r in script_refs(cmd)] == [(script, False)]
