"""parity.validate.problems: a document equal to one already validated is answered from memory,
and only a document that validates the same counts as equal."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest

from parity import validate
from parity.validate import problems


@pytest.fixture(autouse=True)
def fresh_memory() -> Iterator[None]:
    validate._MEMO.clear()
    yield
    validate._MEMO.clear()


@pytest.fixture
def validations(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Every document jsonschema is asked about, in order."""
    seen: list[object] = []
    real = validate.validator_for

    class Spy:
        def __init__(self, name: str) -> None:
            self.validator = real(name)

        def iter_errors(self, instance: object) -> Any:
            seen.append(instance)
            return self.validator.iter_errors(instance)

    monkeypatch.setattr(validate, "validator_for", Spy)
    return seen


SETTINGS = {
    "permissions": {"allow": ["Bash(npm run test *)", "WebFetch(github.com)"]},
    "hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "x"}]}]},
    "cleanupPeriodDays": "30",
}


def _fresh(schema: str, doc: object) -> list[validate.SchemaProblem]:
    validate._MEMO.clear()
    return problems(schema, doc)


def test_an_equal_document_is_validated_once(validations: list[object]) -> None:
    first = problems("settings", SETTINGS)
    again = problems("settings", {**SETTINGS})  # an equal copy, not the same object
    assert validations == [SETTINGS]
    assert again == first
    assert [p.message for p in first] == [
        "Expected number, but received string",
        'WebFetch permissions must use "domain:" prefix. Use "domain:hostname" format'
        ' (got "WebFetch(github.com)")',
    ]


def test_the_same_document_against_another_schema_is_validated_again(
    validations: list[object],
) -> None:
    doc = {"name": "x", "description": "y"}
    problems("agent", doc)
    problems("skill", doc)
    assert validations == [doc, doc]


def test_the_answer_is_a_new_list_each_time() -> None:
    first = problems("settings", SETTINGS)
    first.clear()
    assert len(problems("settings", SETTINGS)) == 2


# Pairs Python calls equal (1 == True == 1.0, 0.0 == -0.0) whose reports differ.
LOOKALIKES = [
    [{"cleanupPeriodDays": 1}, {"cleanupPeriodDays": True}, {"cleanupPeriodDays": 1.0}],
    [{"theme": 0.0}, {"theme": -0.0}, {"theme": 0}, {"theme": False}],
    [{"env": {"A": "1"}}, {"env": {"A": 1}}, {"env": {"A": True}}, {"env": {"A": None}}],
]


@pytest.mark.parametrize("docs", LOOKALIKES)
def test_documents_python_calls_equal_get_their_own_answers(docs: list[Any]) -> None:
    expected = [_fresh("settings", doc) for doc in docs]
    assert len({repr(e) for e in expected}) > 1  # the case shows something
    validate._MEMO.clear()
    for _ in range(2):  # each answered after every other one was remembered
        assert [problems("settings", doc) for doc in docs] == expected


def test_a_value_outside_json_is_validated_every_time(validations: list[object]) -> None:
    # YAML frontmatter may hold a date: it is not remembered, and still gets its answer.
    doc = {"name": "x", "description": datetime.date(2024, 1, 1)}
    first = problems("agent", doc)
    assert problems("agent", doc) == first
    assert first
    assert validations == [doc, doc]
    assert not validate._MEMO


def test_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(validate, "_MEMO_LIMIT", 3)
    for days in range(1, 11):
        assert problems("settings", {"cleanupPeriodDays": days}) == []
        assert len(validate._MEMO) <= 3
