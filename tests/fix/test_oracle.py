"""The real client accepts every file ``parity check --fix`` writes (client 2.1.330).

For each fix case (``tests/fixtures/fix/``): ``claude doctor`` lists no invalid settings for the
fixed settings files, and ``claude mcp list`` loads every server of a fixed ``.mcp.json``
without a diagnostic. The variables a fix declares (PAR401's ``${NAME}`` references) are set, as
the fix tells the user to; unset, the client names each one missing.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.fix.test_fixes import CASES, CASES_DIR, _args, _code, _setup
from tests.helpers import run
from tests.oracle.client import AVAILABLE, SKIP_REASON, doctor_problems, run_client

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

JSON_CASES = [
    case
    for case in CASES
    if any(
        p.name in ("settings.json", "settings.local.json", ".mcp.json")
        for p in (CASES_DIR / case / "after").rglob("*")
    )
]


@pytest.mark.parametrize("case", JSON_CASES)
def test_the_client_accepts_the_fixed_files(case: str, tmp_path: Path, fake_home: Path) -> None:
    repo = _setup(case, tmp_path, fake_home)
    result = run(["check", "--select", _code(case), "--fix", *_args(case), str(repo)])
    assert result.code in (0, 1), result.err
    client_home, client_tmp = tmp_path / "client-home", tmp_path / "client-tmp"
    declared = _declared(result.out)
    unset = doctor_problems(repo, client_home, client_tmp)
    assert [p for p in unset if "Missing environment variables" not in p] == []
    assert all(any(name in p for p in unset) for name in declared)  # references, expanded
    variables = dict.fromkeys(declared, "set-in-the-environment")
    assert doctor_problems(repo, client_home, client_tmp, variables) == []
    mcp = repo / ".mcp.json"
    if (CASES_DIR / case / "after" / ".mcp.json").is_file():
        listing = run_client(
            ["mcp", "list"], repo, tmp_path / "h2", client_tmp, trust=False, env=variables
        )
        assert "MCP config diagnostics" not in listing, listing
        for name in json.loads(mcp.read_text(encoding="utf-8"))["mcpServers"]:
            assert f"{name}:" in listing, listing


def _declared(out: str) -> list[str]:
    """The variables ``--fix`` says it replaced literal values with (its ``Set …`` line)."""
    for line in out.splitlines():
        if line.startswith("Set ") and " in the cloud environment's settings" in line:
            return line[4 : line.index(" in the cloud")].split(", ")
    return []
