"""--probe-mcp: each stdio server is started and sent an MCP initialize request."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.emulate import CloudSession, Status
from parity.emulate.mcp import McpServer, expand, probe
from tests.emulate.conftest import EMULATE_FIXTURES, options
from tests.helpers import make_repo

pytestmark = pytest.mark.usefixtures("sandbox_mode")


def test_probe_reports_ok_failed_missing_and_skipped(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "mcp")
    with CloudSession(options(repo, probe_mcp=True)) as session:
        steps = {s.name: s for s in session.steps if s.kind == "mcp"}
        result = session.result()
    assert steps["echo"].status is Status.OK
    assert steps["echo"].messages == ("initialized: echo (protocol 2025-06-18)",)
    assert steps["crashes"].status is Status.FAILED
    assert steps["crashes"].messages == (
        "exited (3) before answering initialize",
        "stderr: no config",
    )
    assert steps["not-installed"].status is Status.FAILED
    assert steps["not-installed"].missing_commands == ("some-mcp-server-the-image-lacks",)
    assert steps["docs"].status is Status.SKIPPED
    assert result.exit_code == 1


def test_probe_times_out_and_kills_the_server(tmp_path: Path) -> None:
    server = McpServer("sleepy", {"command": "sleep", "args": ["30"]})
    log_dir = tmp_path / "log"
    log_dir.mkdir()
    step = probe(
        server,
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin"},
        log_dir=log_dir,
        timeout=0.5,
    )
    assert step.status is Status.TIMEOUT
    assert step.messages[0] == "no answer to initialize within 0.5s"
    assert step.failed


def test_expand_follows_the_client_rules() -> None:
    env = {"A": "1"}
    assert expand("${A}-${B:-two}-${C}-$A", env) == "1-two-${C}-$A"
