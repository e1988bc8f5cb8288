"""The one search of a short text once a check has masked many (secrets._any_hit).

The engine masks every finding's message and fix: a check of a file dense with keys masks
thousands of short texts, and past the first _ANCHORS_PAY of them each is searched once, as it
is, for the anchors of the provider needles and of the keyword shapes in either case. That
search must find something exactly where the tree of needles or the keyword shape in the
ASCII-lowered text does, or a message holding a key would go out unmasked.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity import secrets
from parity.secrets import (
    _ANCHORS_PAY,
    _ANY_KEY_SHAPE,
    _KEY_SHAPE,
    _KEY_SHAPE_EITHER_CASE,
    _KEYWORDS,
    _PROVIDER_NEEDLES,
    _SAME_DIGITS,
    _any_hit,
    _any_needle,
    _ascii_lower,
    redact,
    scan_text,
)
from tests.secrets.canaries import body, canaries


def _two_searches(text: str) -> bool:
    # What a short text was searched for before: a needle, or a keyword shape lower-cased.
    return (
        _any_needle().search(text) is not None
        or _ANY_KEY_SHAPE.search(_ascii_lower(text)) is not None
    )


def _one_search(text: str) -> bool:
    return _any_hit().search(text) is not None


def _cases(word: str) -> list[str]:
    return [word, word.upper(), word.title(), word.swapcase().title(), word[:-1] + word[-1].upper()]


# Every keyword and scheme in several cases, what a shape is made of, characters that lower to
# something else or fold under (?i) (Kelvin sign, long s, dotted I), spaces that are not ASCII,
# and the provider needles cut and whole.
_PIECES = [
    *(case for word in (*_KEYWORDS, "bearer", "basic") for case in _cases(word)),
    *(needle for needle, _, _ in _PROVIDER_NEEDLES),
    *(needle[1:] for needle, _, _ in _PROVIDER_NEEDLES),
    *(needle.lower() for needle, _, _ in _PROVIDER_NEEDLES),
    "_1",
    ".",
    "-",
    '"',
    "'",
    "`",
    " ",
    "\t",
    "\n",
    ":",
    "=",
    ":-",
    ":=",
    "=>",
    "abcdefgh",
    "ABCDEFGH",
    "abc",
    "Ab1",
    "(",
    ")",
    ";",
    ",",
    "{",
    "\\",
    "$",
    "…",
    "\u2003",
    "\xa0",
    "\x1c",
    "\u212a",
    "\u017f",
    "\u0130",
    "\u0141",
]
texts = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=30).map("".join)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_the_one_search_finds_something_where_the_two_searches_did(text: str) -> None:
    assert _one_search(text) == _two_searches(text)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_the_shape_in_either_case_matches_where_the_lowered_shape_does(text: str) -> None:
    # At every place, the same match (same end) in the text as in its lower-cased copy.
    either = re.compile(_KEY_SHAPE_EITHER_CASE)
    lowered = re.compile(_KEY_SHAPE)
    low = _ascii_lower(text)
    for at in range(len(text) + 1):
        a, b = either.match(text, at), lowered.match(low, at)
        assert (a and a.end()) == (b and b.end())


@pytest.mark.parametrize("word", _KEYWORDS)
def test_each_keyword_in_any_case_is_found_with_a_value(word: str) -> None:
    for case in _cases(word):
        for text in (
            f"{case}=abcdefgh12",
            f"x {case}_ID: 'Abcdefgh12'",
            f"--{case} Bearer Q1w2e3r4t5",
        ):
            assert _one_search(text)
            assert _two_searches(text)
        for text in (f"{case} (abcdefgh12)", f"{case}=abc", f"{case}; abcdefgh12"):
            assert not _one_search(text)
            assert not _two_searches(text)


# Characters that (?i) matches with an ASCII letter but _ascii_lower leaves as they are.
_UNICODE_FOLDS = {"k": "\u212a", "s": "\u017f", "i": "\u0130"}


@pytest.mark.parametrize("word", [*_KEYWORDS, "bearer", "basic"])
def test_a_letter_that_folds_only_under_unicode_rules_is_not_that_letter(word: str) -> None:
    for at, letter in enumerate(word):
        if letter in _UNICODE_FOLDS:
            odd = word[:at] + _UNICODE_FOLDS[letter] + word[at + 1 :]
            for text in (
                f"{odd}=abcdefgh12",
                f"--key {odd} Q1w2e3r4t5y6",
                f"token: {odd} Q1w2e3r4t5y6",
            ):
                assert _one_search(text) == _two_searches(text)


def _dense_messages(tmp_path: Path) -> list[str]:
    # The messages and fixes PAR402 makes for a file dense with keys, as the engine masks them.
    from parity.load import load_text
    from parity.rules._secrets import text_violations

    lines = []
    for n, secret in enumerate([*canaries().values()] * 3):
        lines.append(f"- token {n} for the deploy: {secret}")
        lines.append(f"- export API_KEY_{n}={body(str(n), 32)}")
        lines.append(f"- my-{n}.Password: {body(str(n), 20)}")
    path = tmp_path / "CLAUDE.md"
    path.write_text("\n".join(lines) + "\n")
    found = list(text_violations(load_text(path, "CLAUDE.md")))
    assert len(found) > 100
    return [text for v in found for text in (v.message, v.fix) if text]


def test_the_messages_of_a_dense_file_are_searched_as_before(tmp_path: Path) -> None:
    texts = _dense_messages(tmp_path)
    assert [_one_search(text) for text in texts] == [_two_searches(text) for text in texts]
    # Some of them hold a needle (the masked value keeps a format's prefix): searched again and
    # masked as before.
    assert any(map(_one_search, texts))


def test_past_the_first_texts_a_short_text_is_scanned_as_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [
        *_dense_messages(tmp_path),
        *(f"note: {secret} and API_KEY={body('k', 24)}" for secret in canaries().values()),
        "Authorization: Bearer " + body("b", 40),
        "TOKEN=" + body("t", 20),
        "nothing to see here",
    ]
    before = [(scan_text(text), redact(text)) for text in texts]
    monkeypatch.setattr(secrets, "_short_searches", itertools.count(_ANCHORS_PAY))
    after = [(scan_text(text), redact(text)) for text in texts]
    assert after == before
    assert sum(1 for found, _ in after if found) > len(canaries())


def test_a_check_that_masks_a_few_hundred_texts_never_compiles_the_one_search(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Its compile (~29 M instructions) is paid back over about a thousand texts; a monorepo of
    # eleven setups masks about 800 messages and fixes.
    compiled: list[int] = []
    monkeypatch.setattr(secrets, "_any_hit", lambda: compiled.append(1) or _any_hit())
    monkeypatch.setattr(secrets, "_short_searches", itertools.count())
    for n in range(800):
        redact(f"packages/p{n}/.claude/settings.json:{n}: unknown key 'x{n}' in permissions")
    assert not compiled


# ASCII texts with digits: numbered names, lengths, and the one needle that holds a digit.
_DIGIT_PIECES = [
    "T3BlbkFJ",
    "T0BlbkFJ",
    "T7BlbkFJ",
    "API_KEY_12",
    "=",
    ": ",
    " ",
    "(32 chars)",
    "abc",
    "0123456789",
    "3",
    "9",
    "AKIA",
    "ghp_",
    "sk-ant-api03-",
]
ascii_texts = st.lists(
    st.one_of(
        st.sampled_from(_DIGIT_PIECES), st.text(st.characters(max_codepoint=127), max_size=4)
    ),
    max_size=20,
).map("".join)


def test_only_digits_that_no_needle_holds_are_made_alike() -> None:
    needle_digits = {c for needle, _, _ in _PROVIDER_NEEDLES for c in needle if c.isdigit()}
    assert needle_digits  # (else this test would check nothing)
    for digit in "0123456789":
        same = bytes([_SAME_DIGITS[ord(digit)]]).decode()
        assert (same == digit) if digit in needle_digits else same not in needle_digits
    assert bytes(range(256)).translate(_SAME_DIGITS).decode("latin-1").translate(
        str.maketrans("", "", "0123456789")
    ) == bytes(range(256)).decode("latin-1").translate(str.maketrans("", "", "0123456789"))


@settings(max_examples=1000, deadline=None)
@given(ascii_texts)
def test_texts_that_differ_only_in_such_digits_get_one_answer(text: str) -> None:
    alike = text.encode().translate(_SAME_DIGITS).decode()
    assert _one_search(text) == _one_search(alike)


@settings(max_examples=1000, deadline=None)
@given(texts, texts)
def test_a_text_holds_a_hit_when_the_part_before_its_last_paren_or_the_rest_does(
    before: str, after: str
) -> None:
    text = f"{before})" + after.replace(")", "")
    cut = text.rfind(")")
    assert _one_search(text) == (
        _any_hit().search(text, 0, cut) is not None or _one_search(text[cut:])
    )


@settings(max_examples=1000, deadline=None)
@given(texts, texts, texts)
def test_a_text_holds_a_hit_when_a_part_around_its_parens_does(
    head: str, middle: str, tail: str
) -> None:
    # Cut at the first "(" and at the last ")": before, between (searched in place), from.
    text = head.replace("(", "") + "(" + middle + ")" + tail.replace(")", "")
    start, cut = text.find("("), text.rfind(")")
    assert _one_search(text) == (
        _one_search(text[:start])
        or _any_hit().search(text, start, cut) is not None
        or _one_search(text[cut:])
    )


def test_what_is_remembered_masks_as_searching_each_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Clear texts first (remembered), then texts like them that hold a secret: each masked as
    # searching it on its own masks it.
    monkeypatch.setattr(secrets, "_ANCHORS_PAY", 10**9)  # each text searched on its own
    openai = canaries()["OpenAI API key"]
    github = canaries()["GitHub token"]
    value = body("v", 32)
    clear = [text for text in _dense_messages(tmp_path) if not _two_searches(text)]
    clear += [f"set API_KEY_{n} to {openai.replace('T3BlbkFJ', f'T{n}BlbkFJ')}" for n in (0, 7)]
    clear += [f"API key (x…(3 chars)) note {value}", "token: (x…(3 chars)) tail"]
    assert all(not _two_searches(text) for text in clear)
    secret = [
        *(f"set API_KEY_{n} to {openai}" for n in (0, 7)),  # differs from a clear one in a 3
        f"API key (x…(3 chars)) token: {value}",  # ends as a clear one after its last space
        f"token: {value} (x…(3 chars)) tail",  # starts as a clear one before its first space
        *(text.replace("API_KEY_1", f"API_KEY_1={value}") for text in clear),
        *(text.replace("(", f"({github} ", 1) for text in clear),
        *(text.replace(" value", f" value token: {value}", 1) for text in clear),
    ]
    secret = [text for text in secret if redact(text) != text]
    assert len(secret) > len(clear)
    texts = [*clear, *(text.replace("1", "7") for text in clear), *secret, *clear]
    alone = [redact(text) for text in texts]
    monkeypatch.setattr(secrets, "_ANCHORS_PAY", 0)
    monkeypatch.setattr(secrets, "_clear_texts", set())
    monkeypatch.setattr(secrets, "_clear_tails", set())
    assert [redact(text) for text in texts] == alone
    assert secrets._clear_texts
    assert secrets._clear_tails
