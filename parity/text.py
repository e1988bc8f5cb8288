"""Untrusted text made display-safe: secrets masked, control characters made visible, then cut.

Names, values and paths from a repository are untrusted: they end up in terminals, XML, SARIF,
GitHub workflow commands and Markdown, each of which interprets some characters.  Everything
parity shows that quotes repository content goes through this module:

- :func:`display` escapes what another program would interpret or cannot encode: C0 and C1
  control characters, DEL, lone surrogates, bidirectional overrides, line and paragraph
  separators and the two non-characters XML forbids (``\\x1b``, ``\\u009b``, ``\\ud800``).
- :func:`clean` and :func:`quote` mask secrets first, on the whole value, and only then escape
  and shorten it: a key cut in two no longer matches its format, so shortening first would show
  the part before the cut.

Every limit a caller shortens to is declared here (:data:`LIMITS`), so the no-leak tests can
place keys across each of them.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Sequence
from typing import Any

__all__ = [
    "HANDLER_LIMIT",
    "LIMITS",
    "NAME_LIMIT",
    "RULE_LIMIT",
    "VALUE_LIMIT",
    "clean",
    "display",
    "dumps",
    "md_code",
    "md_text",
    "quote",
]

VALUE_LIMIT = 60  # a configuration value quoted in a schema message
RULE_LIMIT = 80  # a permission rule quoted in a message
NAME_LIMIT = 60  # a name in a table row or a step line
HANDLER_LIMIT = 200  # a hook handler quoted whole in a note
LIMITS = tuple(sorted({VALUE_LIMIT, RULE_LIMIT, NAME_LIMIT, HANDLER_LIMIT}))

ELLIPSIS = "…"

# C0, DEL, C1; the bidi marks, embeddings, overrides and isolates (they reorder what a reader
# sees); U+2028/U+2029 (line breaks to JavaScript and some log viewers); every surrogate (a
# Python str holds a pair as one code point, so any surrogate here is a lone one, which no UTF
# encoder accepts); U+FFFE/U+FFFF (not characters, and forbidden in XML 1.0).
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
_UNSAFE = f"[\x00-\x1f{_BEYOND_C0}]"
# In JSON text C0 characters are only layout (json.dumps escapes them inside strings).
_UNSAFE_IN_JSON = f"[{_BEYOND_C0}]"
_NAMED = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# One escape this module writes (or JSON notation writes), or a run of other characters: a
# cut falls between tokens, never inside an escape.
_PIECE = r"(?s)\\(?:u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)|[^\\]+|\\"
_MAX_DEPTH = 32  # how deep a quoted value is searched for keyed secrets


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled the first time it is needed: most text is printable, and most
    messages are short, so most checks need none of this module's patterns (those of character
    classes beyond Latin-1 take half a millisecond each to compile)."""
    return re.compile(pattern)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    named = _NAMED.get(char)
    if named is not None:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x80 else f"\\u{code:04x}"


# Short texts display() found printable, up to a bound (then it starts over): a report shows
# each finding's message and fix, which the check displayed already (parity.check), and a
# text's hash is kept with it, so the second test is a lookup (a file dense with keys has
# thousands of them).
_PRINTABLE: set[str] = set()
_PRINTABLE_KEPT = 1 << 14
_PRINTABLE_LONGEST = 1024


# The ASCII characters isprintable() refuses: C0 controls and DEL.
_ASCII_CONTROLS = bytes([*range(0x20), 0x7F])


def display(text: str) -> str:
    """``text`` with every character another program would interpret shown as an escape.

    ESC becomes ``\\x1b``, a newline ``\\n``, CSI (U+009B) ``\\u009b``, a lone surrogate
    ``\\ud800``; everything else, other scripts and emoji included, is kept.  The result is
    safe for a terminal, XML 1.0, SARIF, workflow commands and UTF-8, and ``display`` of it is
    itself (backslashes already there are left alone).
    """
    if type(text) is str and text in _PRINTABLE:  # (a subclass may say it equals anything)
        return text
    if text.isascii():
        # (isprintable() of ASCII text: no C0 control and no DEL. As bytes, deleting them is
        # twice as fast as isprintable() testing each character.)
        raw = text.encode("ascii")
        printable = len(raw.translate(None, _ASCII_CONTROLS)) == len(raw)
    else:
        printable = text.isprintable()
    if printable:
        # Every character _UNSAFE matches is one isprintable() refuses (tests/test_text.py
        # checks each code point), and this test runs twice as fast as the search.
        if len(text) <= _PRINTABLE_LONGEST and type(text) is str:
            if len(_PRINTABLE) >= _PRINTABLE_KEPT:
                _PRINTABLE.clear()
            _PRINTABLE.add(text)
        return text
    unsafe = _compiled(_UNSAFE)
    return unsafe.sub(_escape, text) if unsafe.search(text) else text


def _json_escape(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def dumps(doc: object, *, indent: int | None = 2) -> str:
    """``doc`` as JSON for output: exact (every string round-trips), but nothing raw in it that
    a terminal or a strict reader would interpret or refuse.

    ``json.dumps`` escapes C0 controls only; DEL, C1 controls, bidi overrides, line separators
    and lone surrogates (a file name that is not UTF-8) would go out raw, and the last ones make
    writing the output fail.  They can only occur inside strings, so they become ``\\uXXXX``
    escapes there.
    """
    if indent is None:
        text = json.dumps(doc, ensure_ascii=False)
    else:
        try:
            text = _indented(doc, " " * indent)
        except _Unusual:
            text = json.dumps(doc, indent=indent, ensure_ascii=False)
    if text.isascii() and "\x7f" not in text:  # DEL is the one ASCII character it matches
        return text
    unsafe = _compiled(_UNSAFE_IN_JSON)
    return unsafe.sub(_json_escape, text) if unsafe.search(text) else text


class _Unusual(Exception):
    """What :func:`_indented` leaves to ``json.dumps``: a type other than JSON's own (a
    subclass, a set), a key that is not a string, a container inside itself."""


_FLAT = frozenset({str, int, float, bool, type(None)})
_STR = frozenset({str})
_encode_str = json.encoder.encode_basestring


def _indented(doc: object, step: str) -> str:
    """``json.dumps(doc, indent=len(step), ensure_ascii=False)``: the same text, faster.

    ``json`` indents with its pure-Python encoder (the C one cannot indent): a generator per
    container, a chunk per value. Here each container that holds no container (a finding of a
    report) is one call of the C encoder, with the line break and indentation as its item
    separator; only the nesting is walked in Python. tests/test_text.py compares the two.
    """
    out: list[str] = []
    _write(doc, "\n", step, out, set())
    return "".join(out)


def _write(value: object, nl: str, step: str, out: list[str], open_: set[int]) -> None:
    kind = type(value)
    if isinstance(value, str) and kind is str:
        out.append(_encode_str(value))
    elif kind in _FLAT:
        out.append("".join(_flat_encoder(",")(value, 0)))
    elif kind is dict or kind is list or kind is tuple:
        _write_container(value, nl, step, out, open_)  # type: ignore[arg-type]
    else:
        raise _Unusual


def _write_container(
    value: dict[object, object] | list[object] | tuple[object, ...],
    nl: str,
    step: str,
    out: list[str],
    open_: set[int],
) -> None:
    is_dict = type(value) is dict
    if not value:
        out.append("{}" if is_dict else "[]")
        return
    inner = nl + step
    members = value.values() if isinstance(value, dict) else value
    if is_dict and not _STR.issuperset(map(type, value)):
        raise _Unusual
    if _FLAT.issuperset(map(type, members)):
        # One call of the C encoder: "{" + members separated by "," and the line break + "}".
        text = "".join(_flat_encoder("," + inner)(value, 0))
        out.append(text[0] + inner + text[1:-1] + nl + text[-1])
        return
    if id(value) in open_:
        raise _Unusual  # json.dumps raises "Circular reference detected"
    open_.add(id(value))
    sep = inner
    if isinstance(value, dict):
        out.append("{")
        for key, item in value.items():
            out.append(sep + _encode_str(str(key)) + ": ")  # (every key is a str)
            _write(item, inner, step, out, open_)
            sep = "," + inner
        out.append(nl + "}")
    else:
        out.append("[")
        for item in value:
            out.append(sep)
            _write(item, inner, step, out, open_)
            sep = "," + inner
        out.append(nl + "]")
    open_.discard(id(value))


def _unusual(value: object) -> object:
    raise _Unusual


@functools.cache
def _flat_encoder(item_separator: str) -> Callable[[object, int], Sequence[str]]:
    """json's C encoder (as ``json.dumps(ensure_ascii=False)`` uses it) with ``item_separator``
    between the members of a container."""
    make = json.encoder.c_make_encoder  # type: ignore[attr-defined]
    if make is None:  # a Python without the C accelerator
        raise _Unusual
    return make(None, _unusual, _encode_str, None, ": ", item_separator, False, False, True)  # type: ignore[no-any-return]


def _shorten(text: str, limit: int) -> str:
    """Display text cut to at most ``limit`` characters, ``…`` last, never inside an escape."""
    if len(text) <= limit:
        return text
    room = max(limit - len(ELLIPSIS), 0)
    out: list[str] = []
    used = 0
    for token in _compiled(_PIECE).finditer(text):
        piece = token.group()
        if used + len(piece) > room:
            if piece[0] != "\\":  # a run of plain characters may be cut anywhere
                out.append(piece[: room - used])
            break
        out.append(piece)
        used += len(piece)
    return "".join(out) + ELLIPSIS


def clean(text: str, limit: int | None = None, *, key: str | None = None) -> str:
    """Repository text for a message: secrets masked, then :func:`display`, then shortened.

    ``key`` is the name the text is stored under (an env variable, a header), when there is
    one: a credential-like name makes a random-looking value a secret even with no known format.
    """
    from parity.secrets import redact

    shown = display(redact(_mask_keyed(text, key) if key else text))
    return shown if limit is None else _shorten(shown, limit)


def quote(value: object, limit: int = VALUE_LIMIT, *, key: str | None = None) -> str:
    """A configuration value as a message quotes it: JSON notation, masked, escaped, shortened.

    ``"Bash(npm *)"``, ``["a", "b"]``, ``42``.  Strings found under a credential-like key (the
    value's own ``key``, or an object member's name inside it) are masked by that context as
    well as by their format, before the value is written out and long before it is cut.
    """
    from parity.secrets import redact

    masked = _mask_tree(value, key, 0)
    try:
        text = dumps(masked, indent=None)  # escapes in JSON's own notation: \\u001b, \\u009b
    except (TypeError, ValueError):  # not JSON data (a date from YAML, a set): its repr
        text = repr(masked)
    return _shorten(display(redact(text)), limit)


def _mask_keyed(text: str, key: str | None) -> str:
    from parity.secrets import scan_value

    match = scan_value(text, key=key, references=False)
    if match is None:
        return text
    return text[: match.start] + match.masked(text) + text[match.end :]


def _mask_tree(value: Any, key: str | None, depth: int) -> Any:
    """``value`` with every string that is a secret by its key replaced by the secret's mask."""
    if isinstance(value, str):
        return _mask_keyed(value, key) if key else value
    if depth >= _MAX_DEPTH:
        return value
    if isinstance(value, dict):
        return {k: _mask_tree(v, str(k), depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask_tree(v, _flag(value, i) or key, depth + 1) for i, v in enumerate(value)]
    return value


def _flag(items: list[Any], i: int) -> str | None:
    """The ``--flag`` right before ``items[i]`` (``["--api-key", "…"]``), if there is one."""
    prev = items[i - 1] if i > 0 else None
    return prev if isinstance(prev, str) and prev.startswith("-") else None


# Markdown (GitHub-flavoured, as the job summary renders it): every ASCII punctuation character
# with a meaning inline, HTML's included, gets a backslash (CommonMark shows it literally then).
_MD_SPECIAL = r"([\\`*_\[\]<>!|~&#()])"
_BACKTICKS = "`+"


def md_text(text: str) -> str:
    """``text`` for a Markdown table cell: one line, shown as written, never markup or HTML."""
    return _compiled(_MD_SPECIAL).sub(r"\\\1", display(text))


def md_code(text: str) -> str:
    """``text`` as a Markdown code span that no backtick or pipe inside it can end early."""
    shown = display(text).replace("|", "\\|")
    if not shown:
        return ""
    fence = "`" * (max((len(run) for run in _compiled(_BACKTICKS).findall(shown)), default=0) + 1)
    pad = " " if shown[0] in "` " or shown[-1] in "` " else ""
    return f"{fence}{pad}{shown}{pad}{fence}"
