"""The real client's init event: which agents, skills and commands of each fixture load.

Each folder of ``tests/fixtures/frontmatter`` is a project with one agent, skill or command, and
``client.json``: the agents, skills and slash commands client 2.1.330 loaded from it.  This test
runs the client on every case and checks the record; ``tests/rules/test_frontmatter_client.py``
checks parity against the same records (without needing the client).  After a deliberate change
of fixtures, rewrite the records with ``PARITY_UPDATE_CLIENT_RECORDS=1``.
"""

from __future__ import annotations

import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FRONTMATTER_CASES, git
from tests.oracle.client import AVAILABLE, SKIP_REASON, loaded

pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not AVAILABLE, reason=SKIP_REASON)]

CASES = sorted(p.name for p in FRONTMATTER_CASES.iterdir() if p.is_dir())
UPDATE = os.environ.get("PARITY_UPDATE_CLIENT_RECORDS") == "1"


def _ask(case: str, root: Path) -> dict[str, Any]:
    project = root / "project"
    shutil.copytree(FRONTMATTER_CASES / case, project, ignore=shutil.ignore_patterns("*.json"))
    git(project, "init", "-q")
    return asdict(loaded(project, root / "home", root / "tmp"))


@pytest.fixture(scope="module")
def answers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    roots = [tmp_path_factory.mktemp("client") for _ in CASES]
    with ThreadPoolExecutor(max_workers=4) as pool:
        return dict(zip(CASES, pool.map(_ask, CASES, roots), strict=True))


def test_there_are_enough_cases() -> None:
    kinds = [case.split("-", 1)[0] for case in CASES]
    assert len(CASES) >= 20
    assert {"agent", "skill", "command"} <= set(kinds)


@pytest.mark.parametrize("case", CASES)
def test_the_record_is_what_the_client_loads(case: str, answers: dict[str, dict[str, Any]]) -> None:
    record = FRONTMATTER_CASES / case / "client.json"
    if UPDATE:
        record.write_text(json.dumps(answers[case], indent=2, ensure_ascii=False) + "\n")
    assert json.loads(record.read_text(encoding="utf-8")) == answers[case]
