"""Severity follows the client: what it rejects or skips is an error in parity, and nothing else.

For every settings fixture, ``claude -p --bare --strict-mcp-config --setting-sources project``
(reference §2.2) says whether the file did not load, whether entries were skipped, or neither.
The rules that speak for the client (a file rejected, an entry skipped) must report an error
exactly when it does; where the client accepts the file (silently dropping a value, ignoring an
unknown key or a key of another scope, warning about a permission rule), parity reports at most a
warning. The same holds for ``.mcp.json`` and ``claude mcp list`` (``[Error]`` a file the client
cannot use, ``[Warning]`` a server it skips).
"""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, SHARED, run
from tests.oracle.client import (
    AVAILABLE,
    REJECTED,
    SKIP_REASON,
    SKIPPED,
    run_client,
    start_messages,
)

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

# Rules whose findings say "the client rejects the file" or "the client skips this entry".
CLIENT_RULES = frozenset({"PAR001", "PAR010", "PAR011", "PAR012", "PAR014", "PAR020", "PAR604"})


def _cases() -> list[tuple[str, Path]]:
    cases: list[tuple[str, Path]] = []
    for kind, target in (("settings", ".claude/settings.json"), ("mcp", ".mcp.json")):
        for validity in ("valid", "invalid"):
            for path in sorted((FIXTURES / "schemas" / kind / validity).glob("*.json")):
                cases.append((target, path))
    for folder in sorted((FIXTURES / "rules").glob("PAR0*/*")) + sorted(
        (FIXTURES / "rules").glob("PAR6*/*")
    ):
        for target in (".claude/settings.json", ".mcp.json"):
            if (folder / target).is_file():
                cases.append((target, folder / target))
    for validity in ("positive", "negative"):
        for path in sorted((SHARED / "schemastore" / validity).glob("*.json")):
            cases.append((".claude/settings.json", path))
    return cases


CASES = _cases()


def _client(case: tuple[str, Path], root: Path) -> tuple[str, Path]:
    """The client's verdict on the file: rejected, skipped or loaded; and the project."""
    target, source = case
    project = root / "project"
    (project / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, project / target)
    if target == ".mcp.json":
        out = run_client(["mcp", "list"], project, root / "home", root / "tmp", trust=False)
        lines = [
            line
            for line in out.splitlines()
            if ("[Error]" in line or "[Warning]" in line)
            and "Missing environment variables" not in line  # the environment's concern: PAR403
        ]
        if any("[Error]" in line for line in lines):
            return "rejected", project
        return ("skipped" if lines else "loaded"), project
    stderr = start_messages(project, root / "home", root / "tmp")
    if REJECTED in stderr:
        return "rejected", project
    return ("skipped" if SKIPPED in stderr else "loaded"), project


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, Path]]:
    roots = [tmp_path_factory.mktemp("severity") for _ in CASES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_client, CASES, roots))
    return {str(source): result for (_, source), result in zip(CASES, results, strict=True)}


def _ids() -> list[str]:
    return [p.relative_to(p.parents[2]).as_posix() for _, p in CASES]


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_errors_exactly_where_the_client_rejects_or_skips(
    case: tuple[str, Path], verdicts: dict[str, tuple[str, Path]]
) -> None:
    verdict, project = verdicts[str(case[1])]
    result = run(["check", "--select", "ALL", "--format", "json", "--exit-zero", str(project)])
    findings = [f for f in json.loads(result.out)["findings"] if f["code"] in CLIENT_RULES]
    errors = [f"{f['code']} {f['message']}" for f in findings if f["severity"] == "error"]
    if verdict == "loaded":
        assert not errors, f"the client loads this file whole, parity says: {errors}"
    else:
        assert errors, f"the client says {verdict}, parity has no error: {findings}"
