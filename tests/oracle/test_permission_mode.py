"""PAR601 says which permission modes the client ignores, and where; the client agrees.

Each mode goes into ``.claude/settings.json`` (project) or ``.claude/settings.local.json``
(local); the client starts a session (``claude -p``, no API call) and its init event names the
mode it runs in. A second start with ``CLAUDE_CODE_REMOTE=true``, as in a cloud session, shows in
the debug log which modes are refused there. parity must report the mode as ignored everywhere
exactly when the local session does not run in it, and as ignored in the cloud exactly when only
the cloud start refuses it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import git, make_repo, run, write
from tests.oracle.client import AVAILABLE, SKIP_REASON, mode_start

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

MODES = ("bypassPermissions", "auto", "dontAsk", "acceptEdits", "plan", "default")
FILES = {"project": ".claude/settings.json", "local": ".claude/settings.local.json"}


def _settings(mode: str) -> str:
    return json.dumps({"permissions": {"defaultMode": mode}})


def _parity(tmp_path: Path, where: str, mode: str) -> str:
    """What PAR601 says about the mode: "everywhere", "cloud" or "" (nothing)."""
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, FILES[where], _settings(mode))
    if where == "project":
        # A committed project file: the cloud gets it.
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", "settings")
    result = run(["check", "--select", "PAR601", "--format", "json", str(repo)])
    findings = json.loads(result.out)["findings"]
    if not findings:
        return ""
    (finding,) = findings
    return "cloud" if "ignored in a cloud session" in finding["message"] else "everywhere"


@pytest.mark.parametrize("where", sorted(FILES))
@pytest.mark.parametrize("mode", MODES)
def test_par601_matches_the_mode_the_client_runs_in(where: str, mode: str, tmp_path: Path) -> None:
    project = tmp_path / "client"
    write(project, FILES[where], _settings(mode))
    event, _ = mode_start(project, tmp_path / "home", tmp_path / "tmp")
    assert event is not None, "the client emitted no init event"
    honoured_locally = event["permissionMode"] == mode
    _, remote_log = mode_start(project, tmp_path / "home2", tmp_path / "tmp2", remote=True)
    refused_in_cloud = f'settings defaultMode "{mode}"' in remote_log
    ours = _parity(tmp_path, where, mode)
    if not honoured_locally:
        assert ours == "everywhere", (event["permissionMode"], ours)
        assert refused_in_cloud
    elif refused_in_cloud and where == "project":
        assert ours == "cloud"
    else:
        assert ours == ""
