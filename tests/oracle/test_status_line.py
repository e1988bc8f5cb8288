"""The real client runs no status line in a headless (cloud) session, but does run its hooks.

A cloud session is a headless worker (``--sdk-url`` needs ``--input-format`` and
``--output-format stream-json``, which need ``--print``); the status line belongs to the terminal
interface. PAR102 therefore reports a home path in ``statusLine`` as advice, not as a failure.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.oracle.client import AVAILABLE, SKIP_REASON, run_headless

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]


def test_a_headless_cloud_session_runs_hooks_but_no_status_line(tmp_path: Path) -> None:
    project = tmp_path / "project"
    status, hook = tmp_path / "status-ran", tmp_path / "hook-ran"
    settings = {
        "statusLine": {"type": "command", "command": f"touch {status}; echo status"},
        "hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": f"touch {hook}"}]}]},
    }
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    run_headless(project, tmp_path / "home", tmp_path / "tmp", CLAUDE_CODE_REMOTE="true")
    assert hook.exists()  # the settings loaded and the session started
    assert not status.exists()
