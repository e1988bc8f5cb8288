"""The real client refuses an agent handler on an event that runs without the conversation.

PAR122 (and PAR205) rest on the client's hook dispatcher: such handlers are accepted when the
file loads and fail when the event fires. SessionStart is the one such event that fires without
a signed-in session, so it stands for the others here.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run
from tests.oracle.client import AVAILABLE, SKIP_REASON, run_headless

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]


def test_an_agent_handler_without_the_conversation_fails(tmp_path: Path) -> None:
    project = tmp_path / "project"
    settings = {"hooks": {"SessionStart": [{"hooks": [{"type": "agent", "prompt": "Say hi"}]}]}}
    (project / ".claude").mkdir(parents=True)
    (project / ".claude" / "settings.json").write_text(json.dumps(settings), encoding="utf-8")
    out = run_headless(project, tmp_path / "home", tmp_path / "tmp")
    responses = [
        event
        for event in map(json.loads, filter(None, out.splitlines()))
        if event.get("subtype") == "hook_response"
    ]
    (response,) = responses
    assert response["outcome"] == "error"
    assert "agent-type hooks are not supported for SessionStart" in response["output"]
    assert "no conversation context" in response["output"]
    findings = json.loads(run(["check", "--format", "json", str(project)]).out)["findings"]
    assert "PAR205" in {f["code"] for f in findings}
