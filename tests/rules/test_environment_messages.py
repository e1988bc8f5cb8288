"""PAR403 names the cloud environments the repository declares, or says that it declares none."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import make_repo, run, write

MCP = {
    "mcpServers": {
        "search": {
            "type": "http",
            "url": "https://mcp.example.com/mcp",
            "headers": {"Authorization": "Bearer ${SEARCH_TOKEN}"},
        }
    }
}


def _par403(repo: Path) -> list[dict[str, str]]:
    result = run(["check", "--select", "PAR403", "--format", "json", str(repo)])
    findings: list[dict[str, str]] = json.loads(result.out)["findings"]
    return findings


def test_without_a_declared_environment_no_default_is_named(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".mcp.json", json.dumps(MCP))
    (finding,) = _par403(repo)
    assert '"default"' not in finding["message"]
    assert ".default]" not in finding["fix"]
    assert finding["message"] == (
        "${SEARCH_TOKEN} at mcpServers.search.headers.Authorization is not known to be set in a "
        "cloud session (the repository declares no cloud environment in "
        "[tool.parity.environments]): the client leaves the text "
        '${SEARCH_TOKEN} as it is and server "search" runs without the value.'
    )
    assert "[tool.parity.environments.<name>]" in finding["fix"]


def test_the_declared_environments_that_lack_it_are_named(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".mcp.json", json.dumps(MCP))
    write(
        repo,
        "parity.toml",
        '[environments.web]\nenv = ["SEARCH_TOKEN"]\n\n[environments.nightly]\nenv = []\n\n'
        "[environments.ci]\n",
    )
    (finding,) = _par403(repo)
    assert 'the declared cloud environments "nightly", "ci":' in finding["message"]
    assert "[tool.parity.environments.nightly]" in finding["fix"]
    write(repo, "parity.toml", '[environments.web]\nenv = ["SEARCH_TOKEN"]\n')
    assert _par403(repo) == []
