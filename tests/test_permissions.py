"""Reading permission rule strings: the same answers, each rule text read once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity import permissions
from tests.helpers import make_repo, run, write


@settings(max_examples=300, deadline=None)
@given(text=st.text(st.sampled_from("()\\ab*:"), max_size=30), char=st.sampled_from("()*"))
def test_unescaped_positions_are_every_unescaped_occurrence(text: str, char: str) -> None:
    # The reading character by character it replaces (str.find now finds each occurrence).
    escaped = permissions._escaped
    expected = [i for i, c in enumerate(text) if c == char and not escaped(text, i)]
    assert permissions._unescaped_positions(text, char) == expected


def test_each_rule_text_is_split_once_however_many_rules_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # PAR014, PAR602, PAR604 and others each read every permission rule: a monorepo's every
    # .claude/ setup paid the split about five times per rule.
    rules = {"allow": ["Bash(npm run test *)", "Read(./docs/**)"], "deny": ["Read(./.env)"]}
    write(tmp_path, ".claude/settings.json", json.dumps({"permissions": rules}))
    root = make_repo(tmp_path)
    scanned: list[str] = []
    real = permissions._unescaped_positions

    def counted(text: str, char: str) -> list[int]:
        scanned.append(text)
        return real(text, char)

    monkeypatch.setattr(permissions, "_unescaped_positions", counted)
    permissions._split.cache_clear()
    assert run(["check", "--no-cache", "--exit-zero"], cwd=root).code == 0
    # One look for "(" and one for ")" per rule text.
    assert {text: scanned.count(text) for text in set(scanned)} == {
        text: 2 for group in rules.values() for text in group
    }
