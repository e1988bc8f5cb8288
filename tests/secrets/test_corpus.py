"""The PAR4xx rules over the shared corpus of real configurations (skipped when it is absent)."""

from __future__ import annotations

import re

import pytest

from parity.secrets import is_placeholder, scan_text
from tests.secrets.corpus import CORPUS, corpus_files, findings_for

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent")

_MASKED = re.compile(r"\(([^()]*…\(\d+ chars\))\)")


@pytest.mark.slow
def test_corpus_findings_are_masked_and_never_on_placeholders() -> None:
    secret_findings = 0
    for folder, path in corpus_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        lines = text.splitlines()
        for finding in findings_for(folder, path):
            if finding.code not in ("PAR401", "PAR402"):
                continue
            secret_findings += 1
            # The message carries a mask, and no piece of what the line holds after it.
            assert _MASKED.search(finding.message), finding.message
            line = lines[finding.line - 1] if finding.line <= len(lines) else ""
            for match in scan_text(line):
                value = line[match.start : match.end]
                assert value not in finding.message
                assert not is_placeholder(value)
    # The curator kept the shape of every credential it redacted: some must be found.
    assert secret_findings > 0
