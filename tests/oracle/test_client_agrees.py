"""The real client (``claude doctor``) and ``parity check`` agree on which files are broken."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, run
from tests.oracle.client import AVAILABLE, SKIP_REASON, doctor_problems

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

SCHEMA_FIXTURES = FIXTURES / "schemas"
# The rules whose findings correspond to what doctor reports: a file rejected, an entry skipped.
BROKEN_RULES = {"PAR001", "PAR010", "PAR014", "PAR020"}


def _cases() -> list[tuple[str, Path]]:
    cases = []
    for kind, target in (("settings", ".claude/settings.json"), ("mcp", ".mcp.json")):
        for validity in ("valid", "invalid"):
            for path in sorted((SCHEMA_FIXTURES / kind / validity).glob("*.json")):
                cases.append((target, path))
    for rule in ("PAR001", "PAR010", "PAR014", "PAR020"):
        for side in ("pass", "fail"):
            folder = FIXTURES / "rules" / rule / side
            for target in (".claude/settings.json", ".mcp.json"):
                if (folder / target).is_file():
                    cases.append((target, folder / target))
    return cases


CASES = _cases()


def _parity_broken(project: Path) -> list[str]:
    result = run(["check", "--format", "json", "--exit-zero", str(project)])
    findings = json.loads(result.out)["findings"]
    # Silently dropped values are warnings in PAR010: doctor does not report them either.
    return [
        f"{f['code']} {f['message']}"
        for f in findings
        if (f["code"] in BROKEN_RULES and not (f["code"] == "PAR010" and f["severity"] != "error"))
        # The one scope problem the client reports (reference §2): managedMcpServers.
        or (f["code"] == "PAR012" and f["pointer"] == "/managedMcpServers")
    ]


def _doctor(case: tuple[str, Path], root: Path) -> tuple[list[str], Path]:
    target, source = case
    project = root / "project"
    (project / target).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, project / target)
    problems = doctor_problems(project, root / "home", root / "tmp")
    # A missing ${VAR} is a warning about the environment, not a broken file.
    return [p for p in problems if "Missing environment variables" not in p], project


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[list[str], Path]]:
    roots = [tmp_path_factory.mktemp("oracle") for _ in CASES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_doctor, CASES, roots))
    return {str(source): result for (_, source), result in zip(CASES, results, strict=True)}


@pytest.mark.parametrize("case", CASES, ids=[str(p.relative_to(FIXTURES)) for _, p in CASES])
def test_doctor_and_parity_agree(
    case: tuple[str, Path], verdicts: dict[str, tuple[list[str], Path]]
) -> None:
    doctor, project = verdicts[str(case[1])]
    ours = _parity_broken(project)
    assert bool(doctor) == bool(ours), f"doctor: {doctor}\nparity: {ours}"
