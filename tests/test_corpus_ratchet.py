"""The precision ratchet: how many findings each rule produces on ``../shared/corpus``.

``tests/corpus_counts.json`` records the count per rule and severity (a rule that moves a
finding from error to warning, because the client loads the file after all, shows there too).
A change to a rule that moves a count fails this test until the file is regenerated in the same
commit, so a new false positive (or a lost true one) is a visible, reviewed decision rather than
drift. Regenerate with::

    PARITY_UPDATE_CORPUS_COUNTS=1 python -m pytest -q tests/test_corpus_ratchet.py
"""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path

import pytest

from parity.findings import Severity
from parity.rules import get
from tests.helpers import git, run
from tests.test_corpus import CORPUS, REPOS, USER_PLACES

COUNTS = Path(__file__).with_name("corpus_counts.json")
UPDATE = os.environ.get("PARITY_UPDATE_CORPUS_COUNTS") == "1"

pytestmark = pytest.mark.skipif(
    not (CORPUS / "manifest.tsv").is_file(),
    reason="../shared/corpus is absent (developers and CI have it)",
)


def _count_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Rebuild every corpus repository (repo files in place, user files in its own home), check
    it with every rule selected, and count the findings per rule code."""
    counts: Counter[str] = Counter()
    for index, (source, files) in enumerate(REPOS.items()):
        base = tmp_path / str(index)
        repo, home = base / "repo", base / "home"
        repo.mkdir(parents=True)
        home.mkdir()
        git(repo, "init", "-q")
        for kind, rel, local in files:
            target = home / USER_PLACES[kind] if kind in USER_PLACES else repo / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copyfile(local, target)
        git(repo, "add", "-A")
        monkeypatch.setenv("HOME", str(home))
        result = run(["check", "--user", "--select", "ALL", "--format", "json", str(repo)])
        assert result.code in (0, 1), f"{source}: {result.err}"
        findings = json.loads(result.out)["findings"]
        counts.update(f"{f['code']} {f['severity']}" for f in findings)
        # Real configurations, too, get only the severities the rules declare (rules/base.py).
        drift = [
            (f["code"], f["severity"])
            for f in findings
            if Severity.parse(f["severity"]) not in get(f["code"]).severities
        ]
        assert not drift, f"{source}: severities not declared by the rules: {drift}"
    return dict(sorted(counts.items()))


def test_rule_counts_on_the_corpus_match_the_recorded_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counts = _count_findings(tmp_path, monkeypatch)
    if UPDATE:
        COUNTS.write_text(json.dumps(counts, indent=2) + "\n", encoding="utf-8")
    recorded = json.loads(COUNTS.read_text(encoding="utf-8"))
    moved = {
        code: (recorded.get(code, 0), counts.get(code, 0))
        for code in sorted(set(recorded) | set(counts))
        if recorded.get(code, 0) != counts.get(code, 0)
    }
    assert not moved, (
        "findings per rule on the corpus changed (recorded, now): "
        f"{moved}; if intended, regenerate tests/corpus_counts.json "
        "(PARITY_UPDATE_CORPUS_COUNTS=1) in the same commit and say why in its message"
    )
