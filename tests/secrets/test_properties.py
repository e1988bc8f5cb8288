"""Properties of the scanner over arbitrary input: it never raises and never shows a secret."""

from __future__ import annotations

import itertools
import math
import re
import string
from collections import Counter

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from parity import secrets
from parity.secrets import (
    _ANCHORS_PAY,
    _ANY_KEY_SHAPE,
    _BY_KEYWORD,
    _KEY_SHAPE,
    _KEYWORDS,
    _LONG,
    _NOT_CREDENTIAL_WORDS,
    _PLACEHOLDER_WORDS,
    _PREFIXES,
    _PROVIDER_ANCHORS,
    _PROVIDER_NEEDLES,
    _SECRET_WORDS,
    _SEQUENCES,
    _WORD_ANCHORS,
    SecretMatch,
    _alternation,
    _any_hit,
    _any_needle,
    _ascii_lower,
    _entropy,
    _entropy_at_least,
    _keyword_matches,
    _looks_random,
    _needle_positions,
    _occurrences,
    _provider_matches,
    _shape_matches,
    _without_overlaps,
    _word_hits,
    _word_positions,
    is_placeholder,
    is_secret_key,
    mask,
    might_contain_secret,
    redact,
    scan_text,
    scan_value,
)
from tests.helpers import SHARED
from tests.secrets.canaries import body, canaries, fragments

# Text made of the pieces the scanner reacts to, so that its slow paths are exercised.
PIECES = [
    "sk-ant-api03-",
    "ghp_",
    "AKIA",
    "xoxb-1234567890-",
    "eyJ",
    "://",
    "@",
    ":",
    "=",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----END RSA PRIVATE KEY-----",
    "API_KEY",
    "token",
    "Authorization: Bearer ",
    "${",
    "}",
    ":-",
    "\\n",
    "\n",
    '"',
    " ",
    "AA",
    "T3BlbkFJ",
]
texts = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(min_size=0, max_size=40)), max_size=30
).map("".join)
LONGEST_PREFIX = max(len(p) for p in _PREFIXES)


@settings(max_examples=300, deadline=None)
@given(texts)
def test_scan_text_never_raises_and_offsets_are_inside(text: str) -> None:
    found = scan_text(text)
    last = 0
    for m in found:
        assert last <= m.start < m.end <= len(text)
        assert m.confidence in ("high", "medium")
        last = m.end


@settings(max_examples=200, deadline=None)
@given(texts, st.one_of(st.none(), st.sampled_from(["API_KEY", "token", "Authorization", "x"])))
def test_scan_value_never_raises_and_offsets_are_inside(value: str, key: str | None) -> None:
    for refs in (True, False):
        m = scan_value(value, key=key, references=refs)
        if m is not None:
            assert 0 <= m.start < m.end <= len(value)


@settings(max_examples=300, deadline=None)
@given(st.text(min_size=0, max_size=300))
def test_mask_shows_no_more_than_a_short_prefix(secret: str) -> None:
    masked = mask(secret)
    suffix = f"…({len(secret)} chars)"
    assert masked.endswith(suffix)
    prefix = masked[: -len(suffix)]
    assert secret.startswith(prefix)
    assert len(prefix) <= min(LONGEST_PREFIX, len(secret) // 4)


@settings(max_examples=100, deadline=None)
@given(texts, st.sampled_from(sorted(canaries().values())), texts)
def test_redact_leaves_no_piece_of_a_secret(before: str, secret: str, after: str) -> None:
    out = redact(f"{before} {secret} {after}")
    for piece in fragments(secret):
        assert piece not in out


def _greedy_reference(found: list[SecretMatch]) -> list[SecretMatch]:
    # The ranking spelled out the slow way: every candidate against every match kept so far.
    ranked = sorted(found, key=lambda m: (m.confidence != "high", -(m.end - m.start), m.start))
    kept: list[SecretMatch] = []
    for m in ranked:
        if all(m.end <= k.start or m.start >= k.end for k in kept):
            kept.append(m)
    return sorted(kept, key=lambda m: m.start)


spans = st.lists(
    st.tuples(st.integers(0, 200), st.integers(1, 40), st.sampled_from(["high", "medium"])).map(
        lambda t: SecretMatch("k", t[0], t[0] + t[1], t[2])
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(spans)
def test_overlap_removal_keeps_what_the_ranking_keeps(found: list[SecretMatch]) -> None:
    # Sort and sweep (n log n) must choose exactly what the quadratic greedy ranking chose.
    assert _without_overlaps(list(found)) == _greedy_reference(list(found))


def _plain_without_overlaps(found: list[SecretMatch]) -> list[SecretMatch]:
    # _without_overlaps as it was: sorted by (start, end) first, then the same sweep.
    if len(found) < 2:
        return found
    ordered = sorted(found, key=lambda m: (m.start, m.end))
    if all(a.end <= b.start for a, b in itertools.pairwise(ordered)):
        return ordered
    kept: list[SecretMatch] = []
    run = [ordered[0]]
    reach = ordered[0].end
    for m in ordered[1:]:
        if m.start >= reach:
            kept.extend(secrets._best_of(run))
            run = []
        run.append(m)
        reach = max(reach, m.end)
    kept.extend(secrets._best_of(run))
    return kept


# Matches that touch, share a start or are empty, each told apart by its kind (its place in the
# list): the order among matches of one span must not change either.
touching = st.lists(
    st.tuples(st.integers(0, 12), st.integers(0, 3), st.sampled_from(["high", "medium"])),
    max_size=12,
).map(lambda ts: [SecretMatch(f"k{i}", s, s + n, c) for i, (s, n, c) in enumerate(ts)])


@settings(max_examples=1000, deadline=None)
@given(st.one_of(touching, spans))
@example([SecretMatch("a", 3, 5, "high"), SecretMatch("b", 3, 3, "high")])
@example([SecretMatch("a", 3, 3, "high"), SecretMatch("b", 3, 3, "medium")])
@example([SecretMatch("a", 5, 9, "high"), SecretMatch("b", 1, 5, "medium")])
def test_overlap_removal_orders_as_sorting_by_start_and_end(found: list[SecretMatch]) -> None:
    # Sorted by start alone, and by (start, end) only when something overlaps: the same list.
    # (Equal matches hold their kind, so this compares the order of one span's matches too.)
    assert _without_overlaps(list(found)) == _plain_without_overlaps(list(found))


def test_a_file_dense_with_secrets_reports_each_of_them() -> None:
    # Thousands of hits in one text: every one reported once, in order (the case that was
    # quadratic before; bench/ measures its cost against a text without secrets).
    lines = [f"export API_KEY_{i}=Zq8{i:05d}xT4vLm9Rk2Wp7Nc3Hb6Jd" for i in range(3000)]
    text = "\n".join(lines)
    found = scan_text(text)
    assert len(found) == 3000
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_ascii_lowering_changes_nothing_the_patterns_see() -> None:
    # Lowered through UTF-32 bytes, every character stays one character: an ASCII one becomes
    # its lower case, any other stays non-ASCII and keeps being a space or not (the keyword
    # patterns tell non-ASCII characters apart by that alone). Every code point, surrogates too.
    every = "".join(map(chr, range(0x110000)))
    lowered = _ascii_lower(every)
    assert len(lowered) == len(every)
    assert lowered[:128] == every[:128].lower()
    assert all(ord(c) >= 128 for c in lowered[128:])
    space = re.compile(r"\s")
    assert [m.start() for m in space.finditer(lowered)] == [
        m.start() for m in space.finditer(every)
    ]


@settings(max_examples=300, deadline=None)
@given(texts)
def test_a_short_text_finds_what_every_pass_finds(text: str) -> None:
    # scan_text first searches a short text once for anything a pass could start from: it must
    # never skip a pass that would have found something.
    assert scan_text(text) == _without_overlaps(_every_pass(text))


# The keyword shapes, one pattern per word: what the scanner's merged passes must find.
_SHAPES = {word: re.compile(word + _KEY_SHAPE) for word in _KEYWORDS}


def _every_pass(text: str) -> list[SecretMatch]:
    # The scanner the simple way: every occurrence of every provider keyword, then every match
    # of every keyword's shape, each searched for on its own.
    every = {keyword: _occurrences(text, keyword) for keyword in _BY_KEYWORD}
    low = _ascii_lower(text)
    starts = sorted(m.start() for shape in _SHAPES.values() for m in shape.finditer(low))
    return [*_provider_matches(text, every), *_keyword_matches(text, starts)]


# Pieces around every needle and anchor of the merged passes, near misses and real formats.
_NEEDLE_PIECES = [
    *_BY_KEYWORD,
    *(needle for needle, _, _ in _PROVIDER_NEEDLES),
    *_KEYWORDS,
    *(word.upper() for word in _KEYWORDS),
    *_PROVIDER_ANCHORS,
    *_WORD_ANCHORS,
    "xoxox",
    "ACCACCA",
    "high",
    "AKIA",
    "XIA",
    "=",
    ": ",
    '"',
    "abcdefgh1",
    "secret_",
    *canaries().values(),
    # The keywords found only with what their formats need around them, as real formats.
    *(f"gh{c}_" + body(c, 36) for c in "pousr"),
    *(f"gl{t}-" + body(t, 20) for t in ("pat", "dt", "rt")),
    *(f"A{c}IA" + body(c, 16, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for c in "KSB"),
]
needle_texts = st.lists(
    st.one_of(st.sampled_from(_NEEDLE_PIECES), st.text(max_size=8)), max_size=40
).map("".join)


@settings(max_examples=500, deadline=None)
@given(needle_texts)
def test_merged_passes_find_what_a_search_per_keyword_finds(text: str) -> None:
    every = {keyword: _occurrences(text, keyword) for keyword in _BY_KEYWORD}
    assert list(_provider_matches(text, _needle_positions(text))) == list(
        _provider_matches(text, every)
    )
    low = _ascii_lower(text)
    starts = sorted(m.start() for shape in _SHAPES.values() for m in shape.finditer(low))
    assert _word_positions(low) == starts
    # The passes capture separator and value; their shapes end where the plain ones end.
    spans = sorted(m.span() for shape in _SHAPES.values() for m in shape.finditer(low))
    assert [(start, end) for start, _, _, _, end in _word_hits(low)] == spans


@settings(max_examples=500, deadline=None)
@given(needle_texts)
def test_a_short_text_of_needles_finds_what_every_pass_finds(text: str) -> None:
    # A short text is searched once for every needle (not for every keyword: "high" holds "gh")
    # before any provider keyword is looked for: no format may be missed.
    assert scan_text(text) == _without_overlaps(_every_pass(text))


@pytest.mark.parametrize("piece", _NEEDLE_PIECES)
def test_a_short_text_of_one_needle_finds_what_every_pass_finds(piece: str) -> None:
    for text in (piece, f"high {piece} token: {piece}"):
        assert scan_text(text) == _without_overlaps(_every_pass(text))
        assert might_contain_secret(text) or not scan_text(text)


@settings(max_examples=300, deadline=None)
@given(needle_texts)
def test_the_prefilter_passes_every_text_the_scanner_finds_something_in(text: str) -> None:
    # redact skips scan_text when might_contain_secret says no (texts of 4 KiB or more).
    assert might_contain_secret(text) or not scan_text(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["ab", "abc", "b", "a", "x", "-", "."]), max_size=6).map("".join))
def test_a_tree_of_prefixes_matches_where_the_words_start(text: str) -> None:
    for words in (["ab", "abc", "b"], ["abc", "a.", "x-"], list(_KEYWORDS)):
        tree = re.compile(_alternation(words))
        plain = re.compile("|".join(map(re.escape, words)))
        assert [i for i in range(len(text) + 1) if tree.match(text, i)] == [
            i for i in range(len(text) + 1) if plain.match(text, i)
        ]


@settings(max_examples=500, deadline=None)
@given(needle_texts)
def test_the_anchors_find_a_needle_where_the_tree_does(text: str) -> None:
    # A short text is searched for a needle through the tree or, once that many texts have been,
    # through the anchors of _any_hit(): the answer must not depend on which.
    assert (_any_hit().search(text) is None) == (
        _any_needle().search(text) is None and _ANY_KEY_SHAPE.search(_ascii_lower(text)) is None
    )


@pytest.mark.parametrize("piece", _NEEDLE_PIECES)
def test_the_anchors_find_every_needle_piece_the_tree_finds(piece: str) -> None:
    for text in (piece, f"high {piece} token: {piece}", piece[1:], piece[:-1]):
        assert (_any_hit().search(text) is None) == (
            _any_needle().search(text) is None and _ANY_KEY_SHAPE.search(_ascii_lower(text)) is None
        )


@pytest.mark.parametrize("piece", _NEEDLE_PIECES)
def test_a_short_text_searched_through_the_anchors_finds_what_every_pass_finds(
    piece: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(secrets, "_short_searches", itertools.count(_ANCHORS_PAY))
    for text in (piece, f"high {piece} token: {piece}"):
        assert scan_text(text) == _without_overlaps(_every_pass(text))


def test_a_text_of_ascii_and_ellipses_is_lowered_as_through_utf32() -> None:
    every_ascii = "".join(map(chr, range(128)))
    odd = ("K…\u017f", "\u0130…", "\u212a…")  # (?i) folds the long s and the Kelvin sign
    for text in (every_ascii, f"…{every_ascii}…", "sk_live_…(32 chars) KEY…", "…", *odd):
        raw = text.encode("utf-32-le", "surrogatepass").lower().decode("utf-32-le")
        assert _ascii_lower(text) == raw


def test_the_short_searches_start_from_every_needle_and_word() -> None:
    assert all(_any_needle().match(needle) for needle, _, _ in _PROVIDER_NEEDLES)
    assert _ANY_KEY_SHAPE.pattern == _alternation(_KEYWORDS) + _KEY_SHAPE


def test_a_long_text_finds_what_every_pass_finds() -> None:
    # Past _LONG characters scan_text takes the merged provider passes.
    pieces = [*_NEEDLE_PIECES, "API_KEY=", "token: ", "\n"]
    text = " ".join(pieces[i * 7 % len(pieces)] for i in range(_LONG // 8))
    assert len(text) >= _LONG
    found = scan_text(text)
    assert len(found) > 100
    assert found == _without_overlaps(_every_pass(text))


def _can_meet(a: str, i: int, b: str, j: int) -> bool:
    """Whether needle ``a`` with its anchor at ``i`` and ``b`` with its at ``j`` can both be
    in a text with their anchors at one place: they agree wherever they overlap."""
    shift = i - j  # b's offset within a's frame
    return all(a[k] == b[k - shift] for k in range(len(a)) if 0 <= k - shift < len(b))


def test_needles_of_one_anchor_never_meet() -> None:
    # A pass reports one branch per place: two needles that could both be there would hide one.
    for needles, anchors in (
        ([needle for needle, _, _ in _PROVIDER_NEEDLES], _PROVIDER_ANCHORS),
        (list(_KEYWORDS), _WORD_ANCHORS),
    ):
        placed = [(n, next(c for c in anchors if c in n)) for n in needles]
        for a, anchor in placed:
            for b, other in placed:
                if a != b and anchor == other:
                    assert not _can_meet(a, a.index(anchor), b, b.index(anchor)), (a, b)


# The keyword shape as plain backtracking regex: the scanner's possessive and atomic parts must
# find exactly what it finds.
_PLAIN_SHAPE = (
    r"[a-z0-9_.-]*[\"']?(?:\s*(?::-|:=|=>|=|:)\s*|[ \t]+)[\"'`]?"
    r"(?:(?:bearer|basic|token)[ \t]+)?[^\s\"'`,;<>(){}\[\]|&\\]{8,}"
)
_SHAPE_PIECES = ["_1", ".", "-", '"', "'", "`", " ", "\t", "\n", ":", "=", ":-", ":=", "=>"]
_VALUE_PIECES = ["bearer ", "basic\t", "token ", "abcdefgh", "abc", "x", "(", ";", "\\", "\u2003"]
shape_texts = st.lists(
    st.sampled_from([*_KEYWORDS, *_SHAPE_PIECES, *_VALUE_PIECES]), max_size=25
).map("".join)


@settings(max_examples=500, deadline=None)
@given(shape_texts)
def test_keyword_shapes_match_what_plain_patterns_match(text: str) -> None:
    for word, shape in _SHAPES.items():
        plain = re.compile(word + _PLAIN_SHAPE)
        assert [m.span() for m in shape.finditer(text)] == [m.span() for m in plain.finditer(text)]


# The per-value tests as they were written before the scanner shared work between them: the
# faster ones must give the same answer on every value.
_PLAIN_NOT_SECRET = re.compile(
    rf"(?i)(?:[_.-]|\b)(?:{_NOT_CREDENTIAL_WORDS})$"
    r"|^(?:max|min|num|use|enable|disable|is|has|skip|no)[_-]"
)
_PLAIN_PLACEHOLDER_WORD = re.compile("|".join(map(re.escape, _PLACEHOLDER_WORDS)))
_PLAIN_UUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_PLAIN_HEX = re.compile(r"^[0-9a-fA-F]+$")
_PLAIN_PLACEHOLDER_SHAPES = re.compile(
    r"^(?:\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|@[A-Za-z_]\w*@|\{[^}]*\}|<[^>]*>|\[[^\]]*\])$"
    r"|\.\.\.$|\.{3,}|^[xX*#._-]+$"
)


def _plain_is_secret_key(key: str) -> bool:
    name = key.strip().lstrip("-")
    return bool(_SECRET_WORDS.search(name)) and not _PLAIN_NOT_SECRET.search(name)


def _plain_is_placeholder(value: str) -> bool:
    v = value.strip().strip("\"'")
    if len(set(v)) <= 3 or _PLAIN_PLACEHOLDER_SHAPES.search(v):
        return True
    low = v.lower()
    if _PLAIN_PLACEHOLDER_WORD.search(low):
        return True
    return len(low) >= 6 and any(low in seq for seq in _SEQUENCES)


def _plain_looks_random(value: str, min_length: int) -> bool:
    n = len(value)
    if n < min_length or n > 4096 or _plain_is_placeholder(value):
        return False
    if value.startswith(("/", "./", "~", "http:", "https:")) or "://" in value:
        return False
    if _PLAIN_UUID.match(value):
        return False
    if _PLAIN_HEX.match(value):
        return n >= 20 and _entropy(value) >= 3.0 and not value.isdigit()
    classes = sum(
        (
            any(c.islower() for c in value),
            any(c.isupper() for c in value),
            any(c.isdigit() for c in value),
        )
    )
    if classes < 2:
        return False
    if classes == 2 and n < 24 and not any(c.isdigit() for c in value):
        return False
    return _entropy(value) >= max(3.0, min(4.0, math.log2(n) - 0.7))


_NAME_PIECES = [
    *_NOT_CREDENTIAL_WORDS.replace("?", "").split("|"),
    *_KEYWORDS,
    "API",
    "KEY",
    "max",
    "is",
    "no",
    "_",
    "-",
    ".",
    "1",
    "42",
    "publishable",
    "\u212a",  # the Kelvin sign: a "k" to (?i)
    "\u017f",  # the long s: an "s" to (?i)
]
names = st.lists(st.one_of(st.sampled_from(_NAME_PIECES), st.text(max_size=3)), max_size=8).map(
    "".join
)


@settings(max_examples=500, deadline=None)
@given(names)
def test_secret_key_names_are_judged_as_by_one_plain_pattern(key: str) -> None:
    assert is_secret_key(key) == _plain_is_secret_key(key)


_VALUE_PIECES_RANDOM = [
    *_PLACEHOLDER_WORDS,
    "...",
    "$VAR",
    "<x>",
    "{a}",
    "xxxx",
    "abcdefgh",
    "0123456789",
    "deadbeef" * 3,
    "12345678-1234-1234-1234-123456789abc",
    "https://",
    "/",
    '"',
    " ",
    "\n",
    body("v", 40),
    body("h", 30, "0123456789abcdef"),
]
values = st.lists(
    st.one_of(st.sampled_from(_VALUE_PIECES_RANDOM), st.text(min_size=1, max_size=12)), max_size=6
).map("".join)


@settings(max_examples=1000, deadline=None)
@given(values, st.sampled_from([12, 16]))
def test_random_looking_values_are_judged_as_by_the_plain_tests(value: str, least: int) -> None:
    assert is_placeholder(value) == _plain_is_placeholder(value)
    assert _looks_random(value, min_length=least) == _plain_looks_random(value, least)


@settings(max_examples=1000, deadline=None)
@given(st.text(alphabet=st.sampled_from("aabbbcdefgh0123456789XYZ_-"), min_size=1, max_size=80))
def test_entropy_bounds_give_the_counted_answer(value: str) -> None:
    for bits in (3.0, 3.5, 4.0, math.log2(len(value)) if len(value) > 1 else 0.0):
        assert _entropy_at_least(value, bits, len(set(value))) == (_entropy(value) >= bits)


def _plain_entropy(value: str | bytes) -> float:
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in Counter(value).values())


@settings(max_examples=1000, deadline=None)
@given(st.one_of(values, st.text(alphabet="aabbbcdefgh0123456789XYZ_-", min_size=1, max_size=80)))
@example("0123456789GHIJKL" * 2)  # 4 bits exactly
@example("aaaaaa0123456789BCDEFG")
def test_entropy_is_summed_as_by_counter_in_the_same_order(value: str) -> None:
    # The same float, to the last bit (a verdict on a bound turns on it), for a str and its bytes.
    if value:
        assert _entropy(value) == _plain_entropy(value)
        if value.isascii():
            assert _entropy(value.encode()) == _plain_entropy(value)


@pytest.mark.parametrize("word", _NOT_CREDENTIAL_WORDS.replace("?", "").split("|"))
def test_every_describing_word_is_judged_as_by_one_plain_pattern(word: str) -> None:
    # Each word at the end of a credential-like name, after each separator, in each case.
    for key in (f"API_TOKEN_{word}", f"token.{word}", f"secret-{word}", f"AUTH{word}"):
        for name in (key, key.upper(), f"{key}2", f"max_{key}", f"x{key}"):
            assert is_secret_key(name) == _plain_is_secret_key(name), name


def test_digits_are_judged_as_by_one_plain_pattern() -> None:
    # Digits are all alike to the name patterns, but not like letters.
    for key in ("author1", "authora", "auth0r", "key_1", "api_key9", "user1_token", "token_id2"):
        assert is_secret_key(key) == _plain_is_secret_key(key), key


# The per-hit work as it was written before it was made cheaper (a format's pattern through
# its own attributes, the body copied and lower-cased for every stand-in test, the key's name
# walked back one character at a time, a set of the value's characters): the scanner must find
# exactly what these find, in the same order.
def _plain_provider_matches(text: str, positions: dict[str, list[int]]) -> list[SecretMatch]:
    found = []
    n = len(text)
    for keyword, places in positions.items():
        nxt = 0
        for pos in places:
            if pos < nxt:
                continue
            nxt = pos + len(keyword)
            for fmt in _BY_KEYWORD[keyword]:
                lo = max(0, pos - fmt.back)
                hi = min(n, nxt + fmt.span)
                regex = re.compile(fmt.pattern)
                m = regex.search(text, lo, hi) if fmt.back else regex.match(text, pos, hi)
                if m is None or not m.start() <= pos < m.end():
                    continue
                start, end = m.span(fmt.group)
                secret, low = text[start:end], text[start:end].lower()
                if fmt.kind == "password in URL":
                    stand_in = secrets._stub_credentials(text[m.start() : m.end() + 8])
                elif fmt.kind == "private key":
                    stand_in = "..." in secret or "…" in secret or "xxxx" in low
                else:
                    stand_in = _PLAIN_BODY_STAND_IN.search(low) is not None
                if not stand_in:
                    found.append(SecretMatch(fmt.kind, start, end, fmt.confidence))
                nxt = max(nxt, m.end())
                break
    return found


_PLAIN_BODY_STAND_IN = re.compile(
    r"example|xxxxx|\*\*\*\*\*|\.\.\.\.\.|your|redacted|placeholder|dummy|changeme"
)
_PLAIN_IDENT = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_PLAIN_AUTH_HEADER = re.compile(r"(?i)^(?:authorization|proxy-authorization)$")


def _plain_keyword_matches(text: str, hits: list[int]) -> list[SecretMatch]:
    found = []
    n = len(text)
    done = 0
    for pos in hits:
        if pos < done:
            continue
        kstart, floor = pos, max(0, pos - 64)
        while kstart > floor and text[kstart - 1] in _PLAIN_IDENT:
            kstart -= 1
        m = secrets._ASSIGN.match(text, kstart, min(n, pos + 600))
        if m is None:
            continue
        done = m.end("key")
        key, sep, value = m.group("key", "sep", "value")
        if not sep.strip() and not key.startswith("-") and not _PLAIN_AUTH_HEADER.match(key):
            continue
        if not _plain_is_secret_key(key):
            continue
        vstart = m.start("value")
        value = value.rstrip(".:")
        if value.startswith("$") or not _plain_looks_random(value, 16):
            continue
        done = vstart + len(value)
        name = key.lstrip("-")
        found.append(SecretMatch(f"high-entropy value of {name}", vstart, done, "medium", name))
    return found


def _captured_matches(text: str) -> list[SecretMatch]:
    # The keyword matches as scan_text finds them: from the separators and values the word
    # passes captured, in an ASCII text (else, and past _ASSIGN's limits, matched again).
    low = _ascii_lower(text)
    return list(_shape_matches(text, _word_hits(low), low))


_ASSIGN_PIECES = [
    "API_KEY",
    "api_key_12",
    "--password",
    "Authorization",
    "x" * 70,
    "token",
    "SECRET",
    "auth",
    "author",
    "key_url",
    "=",
    ": ",
    " ",
    "\t",
    '"',
    "'",
    ":-",
    "Bearer ",
    "$HOME",
    "...",
    ".:",
    "\u212a",
    "\u0130",
    body("a", 32),
    body("h", 24, "0123456789abcdef"),
    "12345678-1234-1234-1234-123456789abc",
    "YOUR_API_KEY_HERE_0123",
    # Provider formats whose body is a stand-in in capitals (AWS's documented example key).
    "AKIAIOSFODNN7EXAMPLE",
    "ghp_YourToken" + "0" * 27,
    "sk_live_DUMMY" + "1" * 20,
]
assign_texts = st.lists(
    st.one_of(st.sampled_from(_ASSIGN_PIECES), st.text(max_size=6)), max_size=30
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.one_of(needle_texts, assign_texts))
def test_each_hit_is_judged_as_by_the_plain_per_hit_code(text: str) -> None:
    every = {keyword: list(_occurrences(text, keyword)) for keyword in _BY_KEYWORD}
    assert list(_provider_matches(text, every)) == _plain_provider_matches(text, every)
    low = _ascii_lower(text)
    starts = sorted(m.start() for shape in _SHAPES.values() for m in shape.finditer(low))
    assert list(_keyword_matches(text, starts)) == _plain_keyword_matches(text, starts)
    assert _captured_matches(text) == _plain_keyword_matches(text, starts)


# Assignments at _ASSIGN's limits: names around 128 characters from where the walk back stops
# (64 before the keyword), values ending around 600 characters after the keyword, quotes and
# scheme words around the separator.
_LIMIT_PIECES = [
    *_ASSIGN_PIECES,
    "x" * 60,
    "_" * 63,
    "-" * 64,
    "y" * 120,
    body("v", 560),
    body("w", 590),
    "Bearer\t ",
    "token  ",
    "basic",
    "'",
    '"',
    "`",
]
limit_texts = st.lists(
    st.one_of(st.sampled_from(_LIMIT_PIECES), st.text(max_size=4)), max_size=16
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(assign_texts, limit_texts))
@example("API_KEY" + "_x" * 61 + "=" + body("a", 32))  # the name: 129 characters
@example("API_KEY" + "_x" * 60 + "=" + body("a", 32))  # 127
@example("x" * 70 + "_API_KEY" + "=" + body("a", 32))  # the walk back stops at 64
@example("API_KEY=" + body("a", 596))  # the value ends at the window's end
@example("API_KEY=" + body("a", 597))  # one past it
@example('"API_KEY": "' + body("a", 32) + '"')
@example("auth_token: Bearer\t " + body("b", 40))
@example("key =abcdefg")
def test_the_word_passes_capture_what_the_assignment_pattern_matches(text: str) -> None:
    # Where scan_text reads a key's end, separator and value from the word pass's groups,
    # _ASSIGN (matched where the name starts, in its window) finds the same ones; past its
    # limits, or in a text that is not ASCII, it is matched again: the matches are the same.
    low = _ascii_lower(text)
    hits = _word_hits(low)
    for pos, sep_start, sep_end, vstart, vend in hits:
        floor = max(0, pos - 64)
        kstart = floor + len(text[floor:pos].rstrip(secrets._IDENT_CHARS))
        kend = sep_start - (text[sep_start - 1] in "\"'")
        m = secrets._ASSIGN.match(text, kstart, pos + 600)
        if vend <= pos + 600 and kend - kstart <= 128:
            assert m is not None
            assert (m.end(1), m.span(2), m.span(3)) == (kend, (sep_start, sep_end), (vstart, vend))
    starts = [hit[0] for hit in hits]
    assert _captured_matches(text) == _plain_keyword_matches(text, starts)


def test_a_text_dense_with_keys_is_judged_as_by_the_plain_per_hit_code() -> None:
    # Every provider format and credential-like assignment, hundreds of times over, past _LONG.
    pieces = [*canaries().values(), *_ASSIGN_PIECES, *_NEEDLE_PIECES]
    forms = ("API_KEY_{}={}", "--password {}{}", "my-api-key.{}: {}", "Authorization: Bearer {}{}")
    lines = [
        f"- {pieces[i % len(pieces)]} {i}: " + forms[i % 4].format(i, body(str(i), 32))
        for i in range(2000)
    ]
    text = "\n".join(lines)
    assert len(text) >= _LONG
    every = {keyword: list(_occurrences(text, keyword)) for keyword in _BY_KEYWORD}
    found = list(_provider_matches(text, every))
    assert len(found) > 200
    assert found == _plain_provider_matches(text, every)
    low = _ascii_lower(text)
    starts = _word_positions(low)
    found = list(_keyword_matches(text, starts))
    assert len(found) > 1500
    assert found == _plain_keyword_matches(text, starts)
    assert _captured_matches(text) == found
    # (A tuple of the same fields compares equal to a SecretMatch: the class is checked apart.)
    assert {type(m) for m in _captured_matches(text)} == {SecretMatch}


def test_a_match_is_built_as_its_class_builds_it() -> None:
    made = secrets._new_match(("k", 1, 5, "medium", "KEY"))
    assert type(made) is SecretMatch
    assert made == SecretMatch("k", 1, 5, "medium", "KEY")
    assert repr(made) == repr(SecretMatch("k", 1, 5, "medium", "KEY"))
    assert made.key == "KEY"
    assert made.masked("0123456") == SecretMatch("k", 1, 5, "medium").masked("0123456")


def test_each_format_is_tried_with_its_own_window_and_test() -> None:
    for keyword, formats in _BY_KEYWORD.items():
        tries = secrets._tries(keyword)
        assert len(tries) == len(formats)
        for each, fmt in zip(tries, formats, strict=True):
            find, back, reach, group, kind, confidence, test = each
            assert find.__self__.pattern == fmt.pattern  # type: ignore[attr-defined]
            assert find.__name__ == ("search" if fmt.back else "match")
            assert (back, reach, group, kind, confidence) == (
                fmt.back,
                len(keyword) + fmt.span,
                fmt.group,
                fmt.kind,
                fmt.confidence,
            )
            assert (test is None) == (fmt.kind not in ("password in URL", "private key"))


def test_the_engine_cuts_a_window_to_the_text() -> None:
    # A format's window starts at pos - back (negative near the start of a text) and ends past
    # the text near its end: the engine reads both as cut to the text, lookbehinds included.
    pattern = re.compile(r"(?<![A-Za-z0-9])ab(?![A-Za-z0-9_-])")
    for text in ("ab", "xab", " ab ", "ab-", "abab", ""):
        for lo in range(-3, len(text) + 1):
            for hi in range(len(text), len(text) + 4):
                cut = (max(0, lo), min(len(text), hi))
                found = pattern.search(text, lo, hi)
                assert (found and found.span()) == ((m := pattern.search(text, *cut)) and m.span())


def test_the_assignment_groups_are_key_sep_value() -> None:
    assert secrets._ASSIGN.groupindex == {"key": 1, "sep": 2, "value": 3}
    assert secrets._ASSIGN.groups == 3


@settings(max_examples=1000, deadline=None)
@given(st.one_of(values, st.text(), st.text(alphabet=st.characters(max_codepoint=127))))
def test_characters_are_counted_and_classed_as_by_sets(value: str) -> None:
    assert secrets._distinct(value) == len(set(value))
    assert secrets._classes(value) == (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
    )


def test_a_body_is_searched_for_stand_in_words_in_the_lowered_text_as_in_its_lower_case() -> None:
    # _provider_matches looks for a body's stand-in words in _ascii_lower(text), in place: the
    # same as in body.lower() because the only characters beyond ASCII whose lower case holds
    # an ASCII character are the dotted I and the Kelvin sign, whose "i" and "k" no word holds,
    # and because the pattern has no anchor or lookaround to see past the window.
    every = map(chr, range(0x110000))
    beyond = {c for c in every if not c.isascii() and any(x.isascii() for x in c.lower())}
    assert beyond == {"\u0130", "\u212a"}
    words = secrets._BODY_STAND_IN_WORDS
    assert "|".join(map(re.escape, words)) == _PLAIN_BODY_STAND_IN.pattern
    assert not any(c in word for word in words for c in "ik")
    for piece in ("EXAMPLE", "xXxXx", "Y\u0130OUR", "\u212aDUMMY", "ChangeMe", "re\u0130dacted"):
        text = f"ab {piece} cd"
        start, end = 3, 3 + len(piece)
        assert (not secrets._stand_ins([_ascii_lower(text)[start:end]])) == (
            _PLAIN_BODY_STAND_IN.search(piece.lower()) is None
        )


# Bodies made of stand-in words, their halves (a word split between two bodies is in neither),
# newlines and other characters.
_BODY_PIECES = [
    *secrets._BODY_STAND_IN_WORDS,
    *(word[: len(word) // 2] for word in secrets._BODY_STAND_IN_WORDS),
    *(word[len(word) // 2 :] for word in secrets._BODY_STAND_IN_WORDS),
    "xxxx",
    "****",
    "....",
    "\n",
    "a",
    "Z9_-",
]
bodies = st.lists(
    st.lists(st.one_of(st.sampled_from(_BODY_PIECES), st.text(max_size=3)), max_size=6).map(
        "".join
    ),
    max_size=12,
)


@settings(max_examples=1000, deadline=None)
@given(bodies)
@example(["exa", "mple", "x", "xxxx", "your"])
@example(["", "", "dummy"])
@example(["changeme", ""])
@example(["ab", "x*****", "...."])  # a word whose first character only one body holds
@example(["*...*", "..", "...", "*****."])
def test_the_bodies_searched_together_hold_the_words_each_holds(texts: list[str]) -> None:
    assert secrets._stand_ins(texts) == {
        i for i, text in enumerate(texts) if _PLAIN_BODY_STAND_IN.search(text)
    }


# Values whose verdict turns on each test _looks_random makes: placeholder words in either case,
# stand-in shapes, paths and URLs, hex and UUIDs, keyboard runs, the classes of characters, and
# lengths around 16, 20 and 24 (with entropy near the bounds: repeated pieces).
_KEYWORD_VALUE_PIECES = [
    *_PLACEHOLDER_WORDS,
    *(word.upper() for word in _PLACEHOLDER_WORDS),
    "Example",
    "...",
    "://",
    "/",
    "./",
    "~",
    "http:",
    "https:",
    "HTTPS:",
    *"$%@{}<>[]xX*#._-:",
    "abcdefghijklmnopqrstuvwxyz",
    "ABCDEFGHIJKLMNOPQRSTUVWXYZ"[2:20],
    "0123456789",
    "qwertyuiop",
    "12345678-1234-1234-1234-123456789abc",
    "DEADBEEF-1234-1234-1234-123456789ABC",
    "deadbeef",
    "0123",
    body("k", 16),
    body("k", 8),
    body("h", 12, "0123456789abcdef"),
    body("d", 10, "0123456789"),
    body("l", 12, "abcdefghijklmnopqrstuvwxyz"),
    body("u", 12, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    "\u212a",  # the Kelvin sign: "k" to str.lower
    "\u0130",
    "é",
]
keyword_values = st.lists(
    st.one_of(
        st.sampled_from(_KEYWORD_VALUE_PIECES),
        st.text(alphabet="abcxyzABCXYZ0189._-/:~+=$", max_size=8),
    ),
    min_size=1,
    max_size=6,
).map("".join)


# Values near the length and entropy limits: hex digits around 20, letters around 24.
near_limits = st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=14, max_size=26),
    st.text(alphabet="0123456789", min_size=18, max_size=22),
    st.text(alphabet="abcdefghijKLMNOPQRST", min_size=14, max_size=30),
    st.text(alphabet="aaabbcdeFF0", min_size=14, max_size=40),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(st.one_of(keyword_values, near_limits), min_size=1, max_size=6), st.booleans())
@example([p + body("k", 20) for p in ("/", "./", "~", "http:", "https:", "HTTP:", "a://")], True)
@example(
    ["abcdefghijklmNOPQRSTUVWXYZ", "bcdefghijkLMNOPQRSTUVWXY", "cdeFGHIJKLMNOPQRSTUVWXYZ"], True
)
@example([body("m", n, string.ascii_letters) for n in (20, 23, 24, 25)], True)
@example([body("q", 30, string.ascii_lowercase), body("q", 30, string.ascii_uppercase)], True)
# On the entropy bounds: the least a value of 22 characters and 17 distinct ones can have
# (3.754 bits, 3.759 needed), and 16 characters twice each (4 bits, 4 needed).
@example(["aaaaaa0123456789BCDEFG", "0123456789GHIJKL" * 2], True)
@example(["fa\u212ae" + body("k", 20)], True)  # "fake" to str.lower, not to the ASCII lowering
# A value that starts with "$" (a shell variable) is never one, whatever follows.
@example(["$" + body("s", 20) + "-x", "#" + body("s", 24), "$-" + body("t", 30)], True)
@example(["\u00e9" + body("l", 19, "abcdefghijklmnopqrstuvwxyz") + "ABCD"], True)
def test_each_keyword_value_is_judged_as_by_the_plain_tests(values: list[str], ascii: bool) -> None:
    # _keyword_matches tests an ASCII value by two patterns and the entropy, any other one by
    # _looks_random: both must say what the plain tests say, in an ASCII text and in another.
    lines = [f"API_KEY_{i}={value}" for i, value in enumerate(values)]
    text = "\n".join(lines if ascii else ["é", *lines])
    low = _ascii_lower(text)
    starts = _word_positions(low)
    assert list(_keyword_matches(text, starts, low)) == _plain_keyword_matches(text, starts)
    assert _captured_matches(text) == _plain_keyword_matches(text, starts)


def test_a_value_of_letters_and_digits_may_hold_only_the_bytes_its_count_deletes() -> None:
    # _shape_matches counts the distinct bytes of a value that bytes.isalnum() accepts by deleting
    # them from _ALNUM_BYTES: it must hold every byte such a value may hold, once.
    accepted = [b for b in range(256) if bytes([b]).isalnum()]
    assert sorted(secrets._ALNUM_BYTES) == accepted


def test_the_odd_words_left_out_are_those_no_tested_value_holds() -> None:
    # _odd_word() is searched for in the ASCII values of key shapes (or of _ASSIGN) only: the
    # placeholder words it leaves out are those no such value can hold.
    for word in (*_PLACEHOLDER_WORDS, "...", "://"):
        value = f"ab{word}cdefgh"
        held = (
            word.isascii()
            and re.fullmatch(secrets._SHAPE_VALUE, value) is not None
            and secrets._ASSIGN.fullmatch(f"key={value}") is not None
        )
        assert (word in secrets._ODD_WORDS) == held, word
    assert len(secrets._ODD_WORDS) == len(_PLACEHOLDER_WORDS) + 2 - 4  # "<", "${", "{{", "…"


# Values of letters and digits, whose shape _keyword_matches reads from str methods rather than
# _random_shape(): hex digits around 20 characters (digits alone, one case, both), letters
# around 24 (one case, both, all "x"), letters with digits.
alnum_values = st.one_of(
    st.text(alphabet="0123456789abcdefABCDEF", min_size=16, max_size=24),
    st.text(alphabet="0123456789", min_size=16, max_size=24),
    st.text(alphabet="abcdefxyzABCXYZ", min_size=16, max_size=30),
    st.text(alphabet="xX", min_size=16, max_size=30),
    st.text(alphabet="xX0", min_size=16, max_size=30),
    st.text(alphabet=string.ascii_letters + string.digits, min_size=16, max_size=40),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(alnum_values, min_size=1, max_size=6))
@example([body("h", n, "0123456789abcdef") for n in (19, 20, 21)])
@example([body("H", 20, "0123456789ABCDEF"), "0" * 19 + "1", "12345678901234567890"])
@example(["x" * 24, "X" * 25, "xX" * 13, "x" * 23 + "y", body("l", 23, string.ascii_letters)])
@example([body("m", n, string.ascii_letters) for n in (23, 24, 25)])
@example(["abcdefabcdefabcdefab", "abcdef0123456789abcdefg"])
def test_the_shape_of_letters_and_digits_is_read_as_the_pattern_reads_it(values: list[str]) -> None:
    lines = [f"API_KEY_{i}={value}" for i, value in enumerate(values)]
    text = "\n".join(lines)
    starts = _word_positions(_ascii_lower(text))
    assert _captured_matches(text) == _plain_keyword_matches(text, starts)


# Names that differ only in their digits, or in where a digit is, in one text: _shape_matches
# judges a name once by its bytes with every digit made "0", never by another name's verdict
# (`x.key` holds a credential's name, `x.key1` does not).
_DIGIT_NAME_PIECES = ["API", "KEY", "key", "x.", "_", "-", "--", "token", "auth", "Authorization"]
digit_names = st.lists(
    st.sampled_from([*_DIGIT_NAME_PIECES, "url", *"01942"]), min_size=1, max_size=6
).map("".join)


@settings(max_examples=500, deadline=None)
@given(st.lists(digit_names, min_size=1, max_size=8), st.sampled_from(["=", ": ", " ", "\t"]))
@example(["x.key", "x.key1", "key", "key9", "key_1", "1key"], "=")
@example(["Authorization", "Authorization1", "--key", "--key2", "key"], " ")
def test_names_that_differ_in_their_digits_are_each_judged_as_by_the_plain_tests(
    names: list[str], separator: str
) -> None:
    lines = [f"{name}{separator}{body(str(i), 32)}" for i, name in enumerate(names)]
    text = "\n".join(lines)
    starts = _word_positions(_ascii_lower(text))
    assert _captured_matches(text) == _plain_keyword_matches(text, starts)


@pytest.mark.skipif(not (SHARED / "corpus").is_dir(), reason="needs the shared corpus")
def test_the_keyword_values_of_every_corpus_file_are_judged_as_by_the_plain_tests() -> None:
    judged = 0
    for path in sorted((SHARED / "corpus").rglob("*")):
        if path.is_file():
            text = path.read_text("utf-8", "replace")
            low = _ascii_lower(text)
            starts = _word_positions(low)
            plain = _plain_keyword_matches(text, starts)
            assert list(_keyword_matches(text, starts, low)) == plain, path
            assert _captured_matches(text) == plain, path
            judged += len(starts)
    assert judged > 40


def test_a_text_is_lowered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    # scan_text hands its ASCII-lowered text to the keyword tests rather than have them
    # lower the text again (a 0.78 MB text: 3 M instructions).
    calls = []

    def lower(text: str) -> str:
        calls.append(len(text))
        return _ascii_lower(text)

    monkeypatch.setattr(secrets, "_ascii_lower", lower)
    text = f"API_KEY={body('x', 32)}\n" * 200
    assert len(scan_text(text)) == 200
    assert calls == [len(text)]
