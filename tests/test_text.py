"""Display-safe text: controls escaped visibly, secrets masked before any value is shortened."""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.findings import Safety, Severity
from parity.text import (
    _UNSAFE_IN_JSON,
    ELLIPSIS,
    LIMITS,
    RULE_LIMIT,
    VALUE_LIMIT,
    _indented,
    _json_escape,
    _Unusual,
    clean,
    display,
    dumps,
    md_code,
    md_text,
    quote,
)
from tests.secrets.canaries import canaries

# Every character a terminal, an XML 1.0 parser or a UTF-8 encoder would choke on or interpret.
UNSAFE = {
    *range(0x00, 0x20),
    *range(0x7F, 0xA0),
    0x061C,
    0x200E,
    0x200F,
    *range(0x2028, 0x202F),
    *range(0x2066, 0x206A),
    *range(0xD800, 0xE000),
    0xFFFE,
    0xFFFF,
}
any_text = st.text(st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF))


def unsafe_in(text: str) -> list[str]:
    return [c for c in text if ord(c) in UNSAFE]


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("Bash(\x1b]0;TITLE\x07 x", "Bash(\\x1b]0;TITLE\\x07 x"),
        ("a\nb\rc\td", "a\\nb\\rc\\td"),
        ("\x00\x7f", "\\x00\\x7f"),
        ("csi \x9b31m", "csi \\u009b31m"),
        ("lone \ud800 x", "lone \\ud800 x"),
        ("\u202egnp.exe", "\\u202egnp.exe"),
        ("line\u2028sep", "line\\u2028sep"),
        ("\ufffe\uffff", "\\ufffe\\uffff"),
        ("café ☕ 日本 \U0001f600", "café ☕ 日本 \U0001f600"),
        ("C:\\Users\\x", "C:\\Users\\x"),
    ],
)
def test_display_escapes_visibly(raw: str, shown: str) -> None:
    assert display(raw) == shown


def test_the_patterns_match_only_what_the_fast_paths_cannot_skip() -> None:
    # display returns printable text untouched, dumps JSON text that is ASCII without DEL:
    # right only while every character the escaping patterns match is unprintable, and
    # non-ASCII or DEL.
    import re

    from parity import text

    everything = "".join(map(chr, range(0x110000)))
    unsafe = re.findall(text._UNSAFE, everything)
    assert {ord(c) for c in unsafe} == UNSAFE
    assert not [c for c in unsafe if c.isprintable()]
    in_json = re.findall(text._UNSAFE_IN_JSON, everything)
    assert not [c for c in in_json if c.isascii() and c != "\x7f"]


def test_display_leaves_safe_text_alone() -> None:
    text = "plain ascii, é, 中文, \u00a0 and a backslash \\x1b already escaped"
    assert display(text) is text


@settings(deadline=None)
@given(any_text)
def test_display_output_is_safe_and_encodable(text: str) -> None:
    shown = display(text)
    assert not unsafe_in(shown)
    shown.encode("utf-8")  # never a UnicodeEncodeError
    assert display(shown) == shown
    if not unsafe_in(text):
        assert shown == text


def test_display_passes_as_printable_only_text_with_nothing_to_escape() -> None:
    # display() returns a text isprintable() accepts as it is: no character it escapes may be
    # printable. Every code point, surrogates too.
    every = "".join(map(chr, range(0x110000)))
    escaped = {c for c in every if display(c) != c}
    assert {ord(c) for c in escaped} == UNSAFE
    assert not [c for c in escaped if c.isprintable()]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=0x7F), max_size=40))
def test_an_ascii_text_is_printable_as_isprintable_says(text: str) -> None:
    # display() tests ASCII text as bytes (no C0 control, no DEL): the same answer as
    # isprintable(), the text kept or escaped as before.
    from parity import text as module

    module._PRINTABLE.discard(text)
    shown = display(text)
    assert (shown is text) == text.isprintable()
    assert shown == "".join(map(display, text))  # (each control character escaped alone)


def test_display_remembers_printable_text_by_value_only() -> None:
    # A report displays again what the check displayed (each finding's message and fix): the
    # second time is a lookup of the text. Only a str is looked up: a subclass may claim to
    # equal a remembered text and must still be escaped.
    from parity import text as module

    plain = "PAR402 high-entropy value of API_KEY_7 (IxA…(32 chars))"
    assert display(plain) is plain
    assert plain in module._PRINTABLE

    class Liar(str):
        def __eq__(self, other: object) -> bool:
            return True

        def __hash__(self) -> int:
            return hash(plain)

    shown = display(Liar("\x1b[31mred"))
    assert str.__eq__(str(shown), "\\x1b[31mred")  # (the Liar's == says yes to anything)


def test_display_remembers_a_bounded_number_of_short_texts(monkeypatch: pytest.MonkeyPatch) -> None:
    from parity import text as module

    monkeypatch.setattr(module, "_PRINTABLE", set())
    monkeypatch.setattr(module, "_PRINTABLE_KEPT", 8)
    for n in range(50):
        assert display(f"message {n}") == f"message {n}"
        assert len(module._PRINTABLE) <= 8
    long = "x" * (module._PRINTABLE_LONGEST + 1)
    assert display(long) is long
    assert long not in module._PRINTABLE
    assert display("\x1b") == "\\x1b"
    assert "\x1b" not in module._PRINTABLE


@settings(deadline=None)
@given(any_text)
def test_display_covers_every_control_category(text: str) -> None:
    # Whatever Unicode calls a control (Cc) or a surrogate (Cs) never survives.
    assert not [c for c in display(text) if unicodedata.category(c) in ("Cc", "Cs")]


@settings(deadline=None)
@given(st.one_of(any_text, st.lists(any_text), st.dictionaries(any_text, any_text)), st.data())
def test_quote_is_safe_and_within_its_limit(value: object, data: st.DataObject) -> None:
    limit = data.draw(st.sampled_from(LIMITS))
    shown = quote(value, limit)
    assert len(shown) <= limit
    assert not unsafe_in(shown)


def test_quote_is_json_notation() -> None:
    assert quote("Bash(npm *)") == '"Bash(npm *)"'
    assert quote(["a", 1, None]) == '["a", 1, null]'
    assert quote({"k": True}) == '{"k": true}'
    assert quote(3.5) == "3.5"


def test_quote_cuts_with_an_ellipsis_never_inside_an_escape() -> None:
    value = "x" * 10 + "\x1b" * 40
    shown = quote(value, 20)
    assert shown.endswith(ELLIPSIS)
    assert shown == '"' + "x" * 10 + "\\u001b" + ELLIPSIS  # the next escape would not fit
    assert quote("\x9b" * 40, 20) == '"' + "\\u009b" * 3 + ELLIPSIS


def test_quote_of_non_json_data_uses_its_repr() -> None:
    import datetime

    assert quote(datetime.date(2024, 1, 2)) == "datetime.date(2024, 1, 2)"


@pytest.mark.parametrize("limit", LIMITS)
@pytest.mark.parametrize("kind", sorted(canaries("text")))
def test_a_secret_across_the_cut_is_masked_not_shortened(limit: int, kind: str) -> None:
    """Redact first, then shorten: a key cut in two is no longer recognised as one."""
    secret = canaries("text")[kind]
    for start in range(max(0, limit - len(secret)), limit):
        value = "x" * max(start - 2, 0) + " " + secret + " tail"
        shown = quote(value, limit)
        visible = shown.rstrip(ELLIPSIS)
        _assert_no_piece(secret, visible)
        assert len(shown) <= limit


def _assert_no_piece(secret: str, text: str, size: int = 10) -> None:
    from parity.secrets import mask

    prefix = mask(secret).split("…")[0]
    body = secret[len(prefix) :]
    for i in range(len(body) - size + 1):
        assert body[i : i + size] not in text, f"{text!r} shows part of the secret"


def test_quote_masks_by_key_context() -> None:
    token = "q8Zr2LmXv9TnB4kW7yHs"  # no provider format: a secret only by the name it has
    assert token not in quote({"Authorization": f"Bearer {token}"})
    assert token not in quote({"headers": {"X-Api-Key": token}})
    assert token not in quote(["--api-key", token])
    assert token not in quote([token], key="MY_SECRET")
    assert token in quote({"description": token})  # an unsuspicious name: shown as written


def test_clean_masks_escapes_and_shortens() -> None:
    secret = canaries("clean")["GitHub token"]
    text = f"name \x1b[2J {secret} and more"
    assert clean(text) == "name \\x1b[2J ghp_…(40 chars) and more"
    assert clean(text, 12) == "name \\x1b[2…"
    assert clean("q8Zr2LmXv9TnB4kW7yHs", key="API_TOKEN") == "q8Z…(20 chars)"


def test_limits_are_the_ones_callers_use() -> None:
    assert VALUE_LIMIT in LIMITS
    assert RULE_LIMIT in LIMITS
    assert json.dumps(LIMITS)  # plain ints, for the canary tests to place keys across


@settings(deadline=None)
@given(st.dictionaries(any_text, st.one_of(any_text, st.lists(any_text))))
def test_dumps_is_exact_json_with_nothing_raw(doc: dict[str, object]) -> None:
    text = dumps(doc)
    assert not [c for c in text if ord(c) in UNSAFE and c != "\n"]
    text.encode("utf-8")
    if not any(_pairs_up(s) for s in _strings(doc)):
        assert json.loads(text) == doc


_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),  # NaN and the infinities too: json writes NaN, Infinity
    any_text,
    st.sampled_from([Severity.ERROR, Safety.SAFE]),  # subclasses of int and str
)
_keys = st.one_of(any_text, any_text, st.integers(), st.none(), st.booleans(), st.floats())
_json_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.lists(inner, max_size=3).map(tuple),
        st.dictionaries(_keys, inner, max_size=5),
        st.dictionaries(st.text(max_size=3), inner, max_size=5),
    ),
    max_leaves=40,
)


@settings(max_examples=500, deadline=None)
@given(_json_values, st.sampled_from([0, 1, 2, 4]))
def test_indented_json_is_what_json_writes(doc: object, indent: int) -> None:
    # dumps() writes indented JSON without json's pure-Python encoder: byte for byte the same.
    expected = json.dumps(doc, indent=indent, ensure_ascii=False)
    with contextlib.suppress(_Unusual):  # (what it leaves to json.dumps)
        assert _indented(doc, " " * indent) == expected
    assert dumps(doc, indent=indent) == re.sub(_UNSAFE_IN_JSON, _json_escape, expected)


def test_indented_json_of_a_report_needs_no_fallback() -> None:
    finding = {"code": "PAR402", "line": 3, "fix": None, "ok": True, "score": 0.5, "autofix": None}
    doc = {"findings": [finding, {**finding, "autofix": {"edits": [], "environment": ["A"]}}]}
    assert _indented(doc, "  ") == json.dumps(doc, indent=2, ensure_ascii=False)


def test_indented_json_refuses_a_container_inside_itself() -> None:
    loop: list[object] = [1]
    loop.append([loop])
    with pytest.raises(ValueError, match="Circular"):
        dumps({"a": loop})


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in (k, *_strings(v))]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _pairs_up(text: str) -> bool:
    """A high surrogate right before a low one: JSON reads the two escapes back as one char."""
    return any(
        0xD800 <= ord(a) < 0xDC00 and 0xDC00 <= ord(b) < 0xE000 for a, b in itertools.pairwise(text)
    )


def _render(markdown: str) -> str:
    from markdown_it import MarkdownIt

    return MarkdownIt("commonmark", {"html": True}).enable("table").render(markdown)


@settings(deadline=None)
@given(any_text)
def test_markdown_cells_show_text_never_markup(text: str) -> None:
    row = f"| a | b |\n|---|---|\n| {md_text(text)} | {md_code(text)} |\n"
    html = _render(row)
    # One row of two cells, whatever the text: no pipe, backtick or line break ends a cell.
    assert html.count("<td>") == 2
    for tag in ("<img", "<a ", "<script", "<em>", "<strong>", "<h1"):
        assert tag not in html.split("<tbody>")[1]


def test_markdown_helpers() -> None:
    assert md_text("a|b <img src=x> [l](u) *b*") == r"a\|b \<img src=x\> \[l\]\(u\) \*b\*"
    assert md_code("x``y|z") == r"```x``y\|z```"
    assert md_code("`a") == "`` `a ``"
    assert md_code("") == ""
    assert md_code("PostToolUse[Edit|Write]: npx") == r"`PostToolUse[Edit\|Write]: npx`"


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(any_text, st.sampled_from([*canaries().values(), "\x1b[31m", "…", "API_KEY="])),
        max_size=4,
    ).map(" ".join)
)
def test_a_findings_text_is_cleaned_as_clean_does(text: str) -> None:
    # The engine masks and escapes a finding's message and fix without going through clean().
    from parity.check import _clean

    assert _clean(text) == clean(text)


def test_a_finding_is_built_with_every_field_in_order() -> None:
    # The engine builds a Finding as Finding._make does (tuple.__new__, no Python call): every
    # field in place, the applicability left for the configuration.
    from parity.check import _finding
    from parity.findings import Finding, Location, Violation
    from parity.rules import load

    rule = load("PAR402")
    loc = Location("CLAUDE.md", 3, 5, 3, 9)
    built = _finding(rule, Violation(loc, "a \x1b message", "fix it"), lambda path, line: "x  y")
    assert type(built) is Finding
    assert built == Finding(
        path="CLAUDE.md",
        line=3,
        column=5,
        code="PAR402",
        message="a \\x1b message",
        name=rule.name,
        severity=rule.severity,
        pointer="",
        fix="fix it",
        end_line=3,
        end_column=9,
        fingerprint=built.fingerprint,
        autofix=None,
        applicability=None,
    )
    assert len(built) == len(Finding._fields)


def test_a_texts_violations_are_built_with_every_field_in_order(tmp_path: Path) -> None:
    # text_violations builds each Violation as Violation._make does (tuple.__new__): every field
    # in place, no autofix.
    from parity.findings import Violation
    from parity.load import load_text
    from parity.rules._secrets import env_name, severity, text_violations
    from parity.secrets import scan_text

    text = "".join(
        f"- export API_KEY_{n}=H8xMS9BMoXOJrLo8F2nXMzqQdgCWw{n:03d}\n" for n in range(70)
    )
    path = tmp_path / "CLAUDE.md"
    path.write_text(text + "token: ghp_" + "a1B2c3D4e5F6g7H8i9J0" * 2 + "\n")
    doc = load_text(path, "CLAUDE.md")
    found = list(text_violations(doc))
    matches = scan_text(doc.text)
    assert len(found) == len(matches) == 71
    for violation, match in zip(found, matches, strict=True):
        name = env_name(match)
        assert type(violation) is Violation
        assert violation == Violation(
            location=doc.at_offset(match.start, match.end),
            message=f"{match.kind} ({match.masked(doc.text)}) written literally in this file: "
            "it is committed with the repository, readable by everyone who can clone it.",
            fix=f"Move the value to the cloud environment's settings as {name} and read it "
            f'from the environment ("${name}") here, or reference it as ${{{name}}} in '
            ".mcp.json; use apiKeyHelper for the API key. Then rotate the leaked value.",
            severity=severity(match),
            autofix=None,
        )
