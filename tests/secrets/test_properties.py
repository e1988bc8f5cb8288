"""Properties of the scanner over arbitrary input: it never raises and never shows a secret."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from parity.secrets import _PREFIXES, mask, redact, scan_text, scan_value
from tests.secrets.canaries import canaries, fragments

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
