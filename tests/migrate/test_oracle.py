"""The real client accepts the migrated repository: valid settings, servers at project scope."""

from __future__ import annotations

from pathlib import Path

import pytest

from parity.apply import apply
from tests.migrate.conftest import PARTIAL, REALISTIC, install
from tests.oracle.client import AVAILABLE, SKIP_REASON, doctor_problems, run_client

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]


def test_client_accepts_the_migrated_repository(tmp_path: Path, fake_home: Path) -> None:
    setup = install(tmp_path, fake_home, REALISTIC, PARTIAL)
    migration = setup.plan()
    apply(migration.plan, setup.repo)
    # The client runs with its own empty home, like a cloud session: only the repository counts.
    client_home, client_tmp = tmp_path / "client-home", tmp_path / "client-tmp"
    problems = doctor_problems(setup.repo, client_home, client_tmp)
    # The only thing missing is what the cloud environment must set, and the plan names it.
    expected = [
        f"{setup.repo}/.mcp.json \u203a mcpServers.github: "
        "Missing environment variables: GITHUB_TOKEN"
    ]
    assert problems == expected
    assert "GITHUB_TOKEN" in migration.environment
    listing = run_client(["mcp", "list"], setup.repo, tmp_path / "h2", client_tmp, trust=False)
    for name in ("github", "postgres", "memory"):
        assert f"{name}:" in listing, listing
    assert "MCP config diagnostics" not in listing or "[Error]" not in listing
    scoped = run_client(["mcp", "get", "github"], setup.repo, tmp_path / "h3", client_tmp)
    assert "Project config" in scoped, scoped
