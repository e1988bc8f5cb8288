"""Find literal secrets in text and configuration values, and mask them for every output."""

from __future__ import annotations

import bisect
import collections
import functools
import itertools
import math
import operator
import re
import string
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

from parity._lazy import lazy_compile

__all__ = [
    "SecretMatch",
    "is_placeholder",
    "is_secret_key",
    "mask",
    "might_contain_secret",
    "redact",
    "reference_span",
    "references",
    "scan_text",
    "scan_value",
]

HIGH = "high"
MEDIUM = "medium"


class SecretMatch(NamedTuple):
    """A secret found at ``text[start:end]``: what it looks like and how sure the scanner is.

    (A NamedTuple: a file dense with keys makes thousands, and a frozen dataclass takes four
    times as long to build.)
    """

    kind: str
    start: int
    end: int
    confidence: str  # "high" (a provider's token format) or "medium" (entropy, context)
    key: str | None = None  # the name that made an entropy hit suspicious, when there is one

    def masked(self, text: str) -> str:
        """The secret in ``text`` shown safely: a short prefix and its length."""
        return mask(text[self.start : self.end])


# --------------------------------------------------------------------------------------------
# Provider formats (reference: ecosystem.md §5.1). Each is found by a literal keyword first
# (str.find runs at memory speed), and its regex runs only in a window around each hit.


class _Format(NamedTuple):
    kind: str
    keyword: str
    pattern: str
    confidence: str = HIGH
    back: int = 0  # how far before the keyword the match may start
    span: int = 400  # how far after the keyword it may end
    group: int = 0  # the regex group holding the secret itself

    @property
    def regex(self) -> re.Pattern[str]:
        # Compiled on the first hit of the keyword: most texts hold few of them, and start-up
        # time is part of `parity check`'s budget (and of a scan's: a NamedTuple, not a
        # dataclass, whose module costs more to import than a 5 MB scan takes to compile).
        return _compiled(self.pattern)


@functools.cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_B = r"(?<![A-Za-z0-9])"  # no letter or digit right before: not inside a longer token
_E = r"(?![A-Za-z0-9_-])"


def _f(
    kind: str,
    keyword: str,
    body: str,
    confidence: str = HIGH,
    *,
    back: int = 0,
    span: int = 400,
    group: int = 0,
) -> _Format:
    return _Format(kind, keyword, body, confidence, back, span, group)


_ANTHROPIC = "Anthropic API key"
_GITHUB = "GitHub token"
_SLACK = "Slack token"
_PRIVATE = "private key"

_FORMATS: tuple[_Format, ...] = (
    _f(_ANTHROPIC, "sk-ant-", _B + r"sk-ant-api\d\d-[A-Za-z0-9_-]{93}AA" + _E),
    _f("Anthropic admin key", "sk-ant-", _B + r"sk-ant-admin\d\d-[A-Za-z0-9_-]{93}AA" + _E),
    _f("Claude Code OAuth token", "sk-ant-", _B + r"sk-ant-o[ar]t\d\d-[A-Za-z0-9_-]{40,}" + _E),
    _f(
        "OpenAI API key",
        "T3BlbkFJ",
        _B + r"sk-(?:(?:proj|svcacct|admin)-[A-Za-z0-9_-]{20,74}|[A-Za-z0-9]{20})"
        r"T3BlbkFJ[A-Za-z0-9_-]{20,74}" + _E,
        back=90,
    ),
    _f(_GITHUB, "gh", _B + r"gh[pousr]_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
    _f(_GITHUB, "github_pat_", _B + r"github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59}(?![A-Za-z0-9])"),
    _f(
        "GitLab token",
        "gl",
        _B + r"gl(?:pat|dt|rt)-[A-Za-z0-9_-]{20,}(?:\.[a-z0-9]{2,}){0,2}" + _E,
    ),
    _f(_SLACK, "xox", _B + r"xox[abeoprs]-\d{6,}-[A-Za-z0-9-]{8,}" + _E),
    _f(_SLACK, "xox", _B + r"xoxe(?:\.xox[bp])?-1-[A-Za-z0-9]{60,}" + _E),
    _f(_SLACK, "xapp-", _B + r"xapp-\d-[A-Z0-9]{6,}-\d{6,}-[a-z0-9]{32,}" + _E),
    _f(
        "Slack webhook URL",
        "hooks.slack.com/",
        r"https?://hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/"
        r"[A-Z0-9/]{6,}[A-Za-z0-9]{20,}",
        back=8,
    ),
    _f("AWS access key ID", "IA", _B + r"A[KSB]IA[A-Z2-7]{16}(?![A-Za-z0-9])", back=2),
    _f("AWS access key ID", "ACCA", _B + r"ACCA[A-Z2-7]{16}(?![A-Za-z0-9])"),
    _f("Google API key", "AIza", _B + r"AIza[A-Za-z0-9_-]{35}" + _E, MEDIUM),
    _f("Stripe secret key", "k_live_", _B + r"[sr]k_live_[A-Za-z0-9]{10,99}" + _E, back=1),
    _f("Stripe test key", "sk_test_", _B + r"sk_test_[A-Za-z0-9]{10,99}" + _E, MEDIUM),
    _f("npm token", "npm_", _B + r"npm_[A-Za-z0-9]{36}(?![A-Za-z0-9])"),
    _f(
        "PyPI token",
        "pypi-Ag",
        _B + r"pypi-Ag(?:EIcHlwaS5vcmc|ENdGVzdC5weXBpLm9yZw)[A-Za-z0-9_-]{50,}",
    ),
    _f("Hugging Face token", "hf_", _B + r"hf_[A-Za-z]{34}(?![A-Za-z0-9])"),
    _f("Hugging Face token", "api_org_", _B + r"api_org_[A-Za-z]{34}(?![A-Za-z0-9])"),
    _f(
        _PRIVATE,
        "PRIVATE KEY",
        r"-----BEGIN[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----"
        r"(?:(?:\\[nr]|[\s:A-Za-z0-9+/=,-]){64,12000}?"
        r"-----END[ A-Z0-9]{0,24}PRIVATE KEY(?: BLOCK)?-----"
        r"|(?:\\[nr]|[\sA-Za-z0-9+/=]){64,})",
        back=40,
        span=13000,
    ),
    _f(_PRIVATE, "PuTTY-User-Key-File-", r"PuTTY-User-Key-File-[23]: [a-z0-9-]+", span=60),
    _f(
        "JSON Web Token",
        "eyJ",
        _B + r"eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}" + _E,
        MEDIUM,
        span=8000,
    ),
    _f(
        "password in URL",
        "://",
        r"://[^\s:/@\"'<>`]{1,64}:([^\s:/@\"'<>`$]{3,128})@[A-Za-z0-9.\[\]-]+",
        MEDIUM,
        span=300,
        group=1,
    ),
)

_BY_KEYWORD: dict[str, tuple[_Format, ...]] = {}
for _fmt in _FORMATS:
    _BY_KEYWORD[_fmt.keyword] = (*_BY_KEYWORD.get(_fmt.keyword, ()), _fmt)

# Literal prefixes a mask may show: they say what the secret is and carry none of it.
_PREFIXES = (
    "sk-ant-",
    "sk-proj-",
    "sk-svcacct-",
    "sk-admin-",
    "github_pat_",
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "glpat-",
    "gldt-",
    "glrt-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "xoxr-",
    "xoxs-",
    "xoxo-",
    "xoxe-",
    "xapp-",
    "AKIA",
    "ASIA",
    "AIza",
    "sk_live_",
    "rk_live_",
    "sk_test_",
    "npm_",
    "pypi-",
    "hf_",
    "api_org_",
    "eyJ",
    "https://hooks.slack.com/",
    "-----BEGIN",
    "PuTTY-",
    "sk-",
)
# The first of them ``secret`` starts with (an alternation tries its branches in order).
_PREFIX = lazy_compile("|".join(map(re.escape, _PREFIXES)))

# --------------------------------------------------------------------------------------------
# Context: names of keys, flags and headers whose values are credentials.

_SECRET_WORDS = lazy_compile(
    r"(?i)(?:api[_-]?key|apikey|secret|token|passw(?:or)?d|passwd|pwd|credential|"
    r"auth(?!or(?:s|ed|ing)?(?![a-z]))|bearer|cookie|private[_-]?key|"
    r"(?<!public)(?<!publishable)(?<!pub)[_.-]key$)"
)
# Names that hold something about a credential, not the credential itself: a name that ends
# with one of these words, or starts with one of those prefixes.
_NOT_CREDENTIAL_WORDS = (
    r"ids?|url|uri|urls|host|hosts|path|paths|file|files|dir|directory|"
    r"name|names|model|type|types|helper|command|cmd|endpoint|region|user|username|"
    r"email|expiry|expires|expiration|ttl|timeout|length|max|min|count|limit|env|var|"
    r"header|headers|method|mode|scope|scopes|provider|format|enabled|disabled|"
    r"required|version|tokens|audience|issuer|server|port|strategy|flow"
)
_NOT_SECRET_SUFFIX = lazy_compile(rf"(?i)(?:[_.-]|\b)(?:{_NOT_CREDENTIAL_WORDS})$")
_NOT_SECRET_PREFIX = lazy_compile(r"(?i)(?:max|min|num|use|enable|disable|is|has|skip|no)[_-]")
# A suffix starts at most this far from the end of a name: it is searched for from there only,
# not tried at every character of the name (the search still sees the character before, for
# the word boundary).
_SUFFIX_REACH = 1 + max(map(len, _NOT_CREDENTIAL_WORDS.split("|")))
_KEYWORDS = ("key", "token", "secret", "passw", "pwd", "auth", "credential", "bearer", "cookie")
_IDENT_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-"
_ASSIGN = lazy_compile(
    r"(?P<key>[A-Za-z0-9_.-]{1,128})[\"']?(?P<sep>\s*(?::-|:=|=>|=|:)\s*|[ \t]+)[\"'`]?"
    r"(?:(?i:bearer|basic|token)[ \t]+)?(?P<value>[^\s\"'`,;<>(){}\[\]|&\\]{8,})"
)
# A credential-like word, a separator and a long value, in ASCII-lowercased text.
# Where the engine allows it (Python 3.11), the name's characters, the quotes and the scheme
# word are never given back (possessive, atomic): whatever they gave back, the part after them
# could not start with. The same matches, without retrying each split of "key_12": "npm run"
# before failing. (The separator may give back: `key =abcdefg` matches with the value "=abcdefg".)
_P, _A = ("+", "?>") if sys.version_info >= (3, 11) else ("", "?:")
_SHAPE_SEPARATOR = r"\s*(?::-|:=|=>|=|:)\s*|[ \t]+"
_SHAPE_SCHEME = r"(?:bearer|basic|token)[ \t]+"
_SHAPE_VALUE = r"[^\s\"'`,;<>(){}\[\]|&\\]{8,}"


def _key_shape(separator: str, scheme: str, value: str) -> str:
    return rf"[a-z0-9_.-]*{_P}[\"']?{_P}{separator}[\"'`]?{_P}{scheme}{value}"


_KEY_SHAPE = _key_shape(f"(?:{_SHAPE_SEPARATOR})", f"({_A}{_SHAPE_SCHEME})?", _SHAPE_VALUE)
# The same shape with its separator (group 1) and its value (group 2) captured: the word passes
# hand them to _keyword_matches, which then need not match the assignment again (_ASSIGN). The
# scheme word is one branch of an alternation with nothing, not a repeat: the same matches (a
# value cannot start with the scheme word it follows, which a space ends: it would be shorter
# than 8), and the engine does not save the captured marks each time it enters it.
_KEY_SHAPE_CAPTURED = _key_shape(
    f"({_SHAPE_SEPARATOR})", f"({_A}{_SHAPE_SCHEME}|)", f"({_SHAPE_VALUE})"
)


def _alternation(words: Iterable[str]) -> str:
    """A pattern that matches where one of ``words`` starts, as a tree of their prefixes
    (``g(?:h(?:o_|p_)|l…)``): the engine tries one branch per character instead of every word."""
    by_first: dict[str, list[str]] = {}
    for word in sorted(set(words)):
        by_first.setdefault(word[:1], []).append(word[1:])
    branches = [re.escape(first) + _alternation(rest) for first, rest in by_first.items() if first]
    if not branches:
        return ""
    tree = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{tree})?" if "" in by_first else tree


# In a short text (a message, a value) one search for any keyword's shape comes first; in a
# long one, an alternation of words would be tried at every character (see _word_passes).
_ANY_KEY_SHAPE = lazy_compile(_alternation(_KEYWORDS) + _KEY_SHAPE)
_REFERENCE = lazy_compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")
_AUTH_SCHEME = lazy_compile(r"^(?i:bearer|basic|token|bot|apikey)\s+")

# --------------------------------------------------------------------------------------------
# Placeholders (ecosystem.md §5.2): forms people write where the real value goes later.

_PLACEHOLDER_WORDS = (
    "your",
    "example",
    "changeme",
    "change_me",
    "change-me",
    "replace",
    "placeholder",
    "dummy",
    "redacted",
    "insert",
    "paste",
    "xxxx",
    "****",
    "....",
    "…",
    "<",
    "${",
    "{{",
    "%s",
    "todo",
    "fixme",
    "sample",
    "not-a-real",
    "notreal",
    "fake",
)
# Matched at the start of a value (with "..." anywhere in it, the rest of the shapes).
_PLACEHOLDER_SHAPES_SOURCE = (
    r"(?:\$[A-Za-z_]\w*|%[A-Za-z_]\w*%|@[A-Za-z_]\w*@|\{[^}]*\}|<[^>]*>|\[[^\]]*\])$"
    r"|[xX*#._-]+$"
)
_PLACEHOLDER_SHAPES = lazy_compile(_PLACEHOLDER_SHAPES_SOURCE)


@functools.cache
def _placeholder_word() -> re.Pattern[str]:
    # Whether a placeholder word is in a value: a tree of the words (one branch tried per
    # character, not each word), which matches where one of them starts, as their plain
    # alternation does. Built and compiled on first use, not on import.
    return re.compile(_alternation(_PLACEHOLDER_WORDS))


# A value of hex digits (group 1), or a UUID (group 2); never both: a UUID holds "-".
_UUID_SOURCE = r"[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}"
_HEX_OR_UUID = lazy_compile(rf"([0-9a-fA-F]+)$|({_UUID_SOURCE})$")
_SEQUENCES = ("abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop")
_LONGEST_SEQUENCE = max(map(len, _SEQUENCES))


def is_placeholder(value: str) -> bool:
    """True when ``value`` is a stand-in (``your-api-key``, ``<TOKEN>``, ``xxxx``, ``$VAR``)."""
    v = value.strip().strip("\"'")
    return _is_stand_in(v, len(set(v)))


def _is_stand_in(v: str, distinct: int) -> bool:
    # is_placeholder of a value already stripped, made of ``distinct`` different characters.
    if distinct <= 3 or "..." in v or _PLACEHOLDER_SHAPES.match(v):
        return True
    low = v.lower()
    if _placeholder_word().search(low):
        return True
    return 6 <= len(low) <= _LONGEST_SEQUENCE and any(low in seq for seq in _SEQUENCES)


# Words that make a provider format's body a stand-in (looked for in the lowered body).
_BODY_STAND_IN_WORDS = (
    "example",
    "xxxxx",
    "*****",
    ".....",
    "your",
    "redacted",
    "placeholder",
    "dummy",
    "changeme",
)


_WEAK_PASSWORDS = frozenset(
    {"password", "pass", "passwd", "postgres", "root", "admin", "secret", "test", "user", "guest"}
)
# Words that mark a connection string as a stand-in for a test or a bootstrap script.
_STUB_WORDS = ("stub", "test", "example", "dummy", "changeme", "fake", "sample", "placeholder")
_URL_USERINFO = lazy_compile(r"^://([^:]*):([^@]*)@(\[[^\]]*\]|[^:/?#\s\"'@]*)")
_LOOPBACK = lazy_compile(r"^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\]|0\.0\.0\.0)$|\.localhost$")


def _stub_credentials(url: str) -> bool:
    """True for the user and password of a URL that only stand in for real ones.

    ``postgres://stub:stub@localhost:5432/stub`` in a bootstrap script: the server is the
    machine itself (a throwaway database), the password repeats the user name, or it is a word
    people write for a fake (``test``, ``dummy``, ``changeme``).
    """
    m = _URL_USERINFO.match(url)
    if m is None:
        return False
    user, password, host = m.group(1).lower(), m.group(2), m.group(3).lower()
    low = password.lower()
    return (
        is_placeholder(password)
        or low in _WEAK_PASSWORDS
        or low == user
        or any(w in low for w in _STUB_WORDS)
        or _LOOPBACK.search(host) is not None
    )


def is_secret_key(key: str | None) -> bool:
    """True when a key, flag or header name says its value is a credential."""
    if not key:
        return False
    # No pattern tells one ASCII digit from another: `API_KEY_1` ... `API_KEY_9999` (a file
    # dense with keys) are four names to test, not thousands.
    if key.isascii():  # (the usual case: bytes.translate is a table lookup in C)
        return _is_secret_name(key.encode().translate(_DIGITS_AS_ZERO_BYTES).decode())
    return _is_secret_name(key.translate(_DIGITS_AS_ZERO))


_DIGITS_AS_ZERO = str.maketrans("123456789", "000000000")
_DIGITS_AS_ZERO_BYTES = bytes.maketrans(b"123456789", b"000000000")


@functools.lru_cache(maxsize=4096)
def _is_secret_name(key: str) -> bool:
    name = key.strip().lstrip("-")
    if not _SECRET_WORDS.search(name) or _NOT_SECRET_PREFIX.match(name):
        return False
    return not _NOT_SECRET_SUFFIX.search(name, max(0, len(name) - _SUFFIX_REACH))


# Counter's own counting loop (in C): without Counter's Python-level __init__ and update (whose
# isinstance test against an ABC cost as much as the counting), an entropy takes 30% less
# (a file dense with keys counts a thousand values).
_count_elements: Callable[[dict[str | int, int], str | bytes], None]
_count_elements = collections._count_elements  # type: ignore[attr-defined]


def _entropy(value: str | bytes) -> float:
    """Shannon entropy in bits per character (or byte)."""
    counts: dict[str | int, int] = {}  # in the order of first occurrence, as Counter's
    _count_elements(counts, value)
    return -sum(map(_terms(len(value)).__getitem__, counts.values()))


def _entropy_at_least(value: str, bits: float, distinct: int) -> bool:
    """Whether ``value`` (of ``distinct`` different characters) has at least ``bits`` of
    entropy per character.

    The number of distinct characters bounds the entropy on both sides, and most values fall
    clearly on one side: only between the bounds are the characters counted. (The margin keeps
    a value on a bound, computed in floating point, to the exact test.)
    """
    verdict = _bounds_verdict(len(value), distinct, bits)
    return _entropy(value) >= bits if verdict is None else verdict


def _bounds_verdict(n: int, distinct: int, bits: float) -> bool | None:
    """Whether a value of ``n`` characters, ``distinct`` of them different, has at least
    ``bits`` of entropy per character, as far as _entropy_bounds decides it; None where its
    characters must be counted."""
    least, most = _entropy_bounds(n, distinct)
    if most < bits - 1e-9:
        return False
    if least >= bits + 1e-9:
        return True
    return None


@functools.lru_cache(maxsize=1024)
def _entropy_bounds(n: int, distinct: int) -> tuple[float, float]:
    # Least when one character fills every place the others (once each) leave; most when all
    # are equally frequent.
    terms = _terms(n)
    return -(terms[n - distinct + 1] + (distinct - 1) * terms[1]), math.log2(distinct)


@functools.lru_cache(maxsize=256)
def _terms(n: int) -> list[float]:
    # c/n * log2(c/n) for every count c of a value of n characters: a table per length, since
    # scanned values come in few lengths and log2 per character was the scanner's hot spot.
    return [0.0, *(c / n * math.log2(c / n) for c in range(1, n + 1))]


# Every ASCII character, and the digits: deleting a text's bytes from them (bytes.translate, in
# C) tells which it holds without building a set of its characters.
_ASCII_BYTES = bytes(range(128))
_DIGIT_BYTES = string.digits.encode()


def _distinct(value: str) -> int:
    """How many different characters ``value`` holds: ``len(set(value))``."""
    if value.isascii():  # the usual case: 128 less the ASCII characters it does not hold
        return 128 - len(_ASCII_BYTES.translate(None, value.encode()))
    return len(set(value))


def _classes(value: str) -> tuple[bool, bool, bool]:
    """Whether ``value`` has a lower-case letter, an upper-case letter, a digit."""
    if value.isascii():
        # In ASCII, upper() changes exactly the letters a-z and lower() the letters A-Z.
        return (
            value.upper() != value,
            value.lower() != value,
            len(value.encode().translate(None, _DIGIT_BYTES)) < len(value),
        )
    return (
        any(c.islower() for c in value),
        any(c.isupper() for c in value),
        any(c.isdigit() for c in value),
    )


def _looks_random(value: str, *, min_length: int = 16) -> bool:
    """True when ``value`` reads like generated key material rather than a word or a name."""
    n = len(value)
    if n < min_length or n > 4096:
        return False
    distinct = _distinct(value)
    stripped = value.strip().strip("\"'")  # what is_placeholder tests
    if _is_stand_in(stripped, distinct if len(stripped) == n else _distinct(stripped)):
        return False
    if value.startswith(("/", "./", "~", "http:", "https:")) or "://" in value:
        return False
    hex_or_uuid = _HEX_OR_UUID.match(value)
    if hex_or_uuid is not None:
        if hex_or_uuid.lastindex == 2:
            return False  # as detect-secrets: far more UUIDs are identifiers than credentials
        return n >= 20 and _entropy_at_least(value, 3.0, distinct) and not value.isdigit()
    lower, upper, digit = _classes(value)
    classes = lower + upper + digit
    if classes < 2:
        return False
    if classes == 2 and n < 24 and not digit:
        return False  # only letters (CamelCase words, constants): too much like a name
    return _entropy_at_least(value, _random_bits(n), distinct)


@functools.lru_cache(maxsize=256)
def _random_bits(n: int) -> float:
    """The entropy per character a value of ``n`` characters needs to look random."""
    return max(3.0, min(4.0, math.log2(n) - 0.7))


# _looks_random of an ASCII value of 16 to 4096 characters, in two C-level calls and the
# entropy: _keyword_matches (thousands of values in a file dense with keys) asks it so, and
# tests/secrets checks it against the plain tests. Where either call turns a value away, the
# caller asks _looks_random: they may turn away values it would not, never keep one it would not.
_MIN_RANDOM = 16  # _looks_random's default min_length
_HEX_DIGITS = string.hexdigits.encode()
_ALNUM_BYTES = (string.ascii_letters + string.digits).encode()


@functools.cache
def _random_shape() -> re.Pattern[str]:
    # Matched in the ASCII-lowered text at a value's start, up to its end: None when the value
    # is a stand-in by its shape, a path or a URL ("HTTP:" too), a UUID, hex digits that cannot
    # pass (fewer than 20, or only digits), or has too few classes of characters; else a match
    # whose group 1 is set for hex digits (which need 3 bits of entropy a character) and group
    # 2 for letters alone (which must hold both cases). Compiled on first use.
    return re.compile(
        rf"(?!{_PLACEHOLDER_SHAPES_SOURCE}|/|\./|~|https?:|{_UUID_SOURCE}$)"
        r"(?:((?=[0-9]*[a-f])(?=[0-9a-f]{20,}$))|(?![0-9a-f]*$)"
        # A digit and a letter; letters alone from 24 characters on:
        r"(?:(?=[^0-9]*[0-9])(?=[^a-z]*[a-z])|(?=[^0-9]*$)(?=[^a-z]*[a-z])(?=.{24})()))"
    )


# Each word a random value never holds (a placeholder word, "..." of a stand-in, "://" of a
# URL) is searched for through the first of these characters that it holds, as the passes find
# their keywords: few characters of a random value start a branch. (A lookbehind may see before
# the value: a word that starts there turns the value away, and _looks_random judges it.)
# Only the words an ASCII value of a key shape can hold (the others hold "<", "{", which end
# such a value, or "…"): with anchors under 256 alone, the engine tests each character against
# a bitmap rather than a table of larger sets (~1.3 k instructions a value).
_VALUE_STOPS = "\"'`,;<>(){}[]|&\\"  # what _SHAPE_VALUE and _ASSIGN's value never hold, but spaces
_ODD_WORDS = tuple(
    word
    for word in (*_PLACEHOLDER_WORDS, "...", "://")
    if word.isascii() and not any(c in _VALUE_STOPS or c.isspace() for c in word)
)
_ODD_ANCHORS = "xuoe*.%:"


@functools.cache
def _odd_word() -> re.Pattern[str]:
    sources = _pass_sources(((word, word, 0) for word in _ODD_WORDS), _ODD_ANCHORS)
    return re.compile("|".join(source for source, _ in sources))


# _bounds_verdict of a value of n characters at the bits _looks_random asks of it (key: n,
# distinct, whether hex digits), looked up in a dict rather than through two cached calls.
# Values come in few lengths; the table is emptied when it grows past this size.
_ENTROPY_VERDICTS: dict[tuple[int, int, bool], bool | None] = {}
_ENTROPY_VERDICTS_SIZE = 4096


def _entropy_verdict(n: int, distinct: int, hex_digits: bool) -> bool | None:
    verdict = _bounds_verdict(n, distinct, 3.0 if hex_digits else _random_bits(n))
    if len(_ENTROPY_VERDICTS) >= _ENTROPY_VERDICTS_SIZE:
        _ENTROPY_VERDICTS.clear()
    _ENTROPY_VERDICTS[n, distinct, hex_digits] = verdict
    return verdict


# --------------------------------------------------------------------------------------------
# Scanning


def might_contain_secret(text: str) -> bool:
    """A cheap test: False means ``scan_text`` would find nothing, so it need not run."""
    if _any_needle().search(text):
        return True
    return _any_word().search(text.lower()) is not None


@functools.cache
def _any_word() -> re.Pattern[str]:
    return re.compile(_alternation(_KEYWORDS))


# Below this length, one search for anything a pass could find comes before the passes.
_SHORT = 4096
# From this length on, provider keywords are found by a few passes (see _needle_positions),
# whose patterns take longer to compile than a shorter text takes to search keyword by keyword.
_LONG = 65536


def scan_text(text: str) -> list[SecretMatch]:
    """Every secret in ``text`` (scripts, Markdown, any file), with offsets into ``text``."""
    if len(text) < _SHORT:
        # A short text (a message, a value: the engine masks every finding's) is first searched
        # once for anything each pass could start from, and most have nothing.
        if next(_short_searches) >= _ANCHORS_PAY and _clear(text):
            return []
        low = _ascii_lower(text)
        provider = _any_needle().search(text) is not None
        keyed = _ANY_KEY_SHAPE.search(low) is not None
        if not (provider or keyed):
            return []
    else:
        low = _ascii_lower(text)
        provider = keyed = True
    found = _provider_matches(text, _provider_positions(text), low) if provider else []
    if keyed:
        found.extend(_shape_matches(text, _word_hits(low), low))
    return _without_overlaps(found)


# The tree of needles and _ANY_KEY_SHAPE compile in a third of a millisecond, but common letters
# start them ("e" of "eyJ", "s" of "sk_test_", "t" of "token"): the engine tries a branch at most
# places of a sentence, and the key shape needs the text lower-cased first (28 k + 14 k + 8 k
# instructions for a 200-character message). The one search of _any_hit() starts from rare
# characters and reads the text as it is (about 25 k), but takes about 6 ms to compile. A check
# that masks many messages (a file dense with keys: thousands) turns to it once it has searched
# this many short texts, about where the compile (~29 M instructions) is paid back by ~25-40 k
# saved a text; a typical check searches a few dozen, a monorepo's eleven setups about 800.
# (Past it, a text that the one search finds something in is searched the first way too: which
# passes to run.)
_ANCHORS_PAY = 1024
_short_searches = itertools.count()


# Past _ANCHORS_PAY, what _any_hit() found nothing in is remembered (texts up to this long, at
# most this many of each kind), two ways:
_REMEMBERED_TEXT = 1024
_REMEMBERED = 4096
# - An ASCII text by its bytes with every digit that no provider needle holds made one digit
#   (_SAME_DIGITS): no class of _any_hit() tells such digits apart, so texts that differ only in
#   them (numbered names, counts, lengths, line numbers) get one answer.
_clear_texts: set[bytes] = set()
# - A text holding a mask ("…(32 chars)", not ASCII) by what follows its last ")", and by what
#   comes before its first "(" when that is ASCII (as above): the rule's own words around the
#   masked value, the same in each of its findings but for a name or a number. No match of
#   _any_hit() and none of its look-arounds holds a "(" or a ")" (tests/secrets checks it), so a
#   text holds one exactly when one of the three parts does; only the middle one is searched.
_clear_tails: set[str] = set()


def _clear(text: str) -> bool:
    """Whether _any_hit() finds nothing in ``text`` (shorter than _SHORT)."""
    if text.isascii():
        key = text.encode().translate(_SAME_DIGITS)
        if key in _clear_texts:
            return True
        if _any_hit().search(text) is not None:
            return False
        _remember(_clear_texts, key, len(text))
        return True
    search = _any_hit().search
    cut = text.rfind(")")
    if cut < 0:
        return search(text) is None
    tail = text[cut:]
    if tail not in _clear_tails:
        if search(text) is not None:
            return False
        _remember(_clear_tails, tail, len(tail))
        return True
    # (Searches of a part, as if the text were only that part.)
    start = text.find("(", 0, cut)
    if start <= 0:
        return search(text, 0, cut) is None
    head = text[:start]
    if not head.isascii():
        return search(text, 0, cut) is None
    key = head.encode().translate(_SAME_DIGITS)
    if key in _clear_texts:
        return search(text, start, cut) is None
    if search(text, 0, cut) is not None:
        return False
    _remember(_clear_texts, key, start)
    return True


def _remember(known: set[Any], key: Any, size: int) -> None:
    if size <= _REMEMBERED_TEXT:
        if len(known) >= _REMEMBERED:
            known.clear()
        known.add(key)


def _either_case(word: str) -> str:
    """A pattern for ``word`` (ASCII) in which each letter stands for both its cases.

    (ASCII-only: under a plain (?i) "k" would also match the Kelvin sign and "s" the long s,
    which _ascii_lower leaves as they are. Shorter to compile than a class per letter.)
    """
    return f"(?ai:{re.escape(word)})" if word else ""


# _KEY_SHAPE for text that is not lower-cased: where _KEY_SHAPE matches in _ascii_lower(text),
# this matches in text (its letters stand for both cases; no other character of a text changes
# class when lowered: tests/secrets checks every code point).
_KEY_SHAPE_EITHER_CASE = (
    rf"[A-Za-z0-9_.-]*{_P}[\"']?{_P}(?:\s*(?::-|:=|=>|=|:)\s*|[ \t]+)[\"'`]?{_P}"
    rf"({_A}(?:{'|'.join(map(_either_case, ('bearer', 'basic', 'token')))})[ \t]+)?"
    rf"[^\s\"'`,;<>(){{}}\[\]|&\\]{{8,}}"
)

# The provider needles' anchors in _any_hit(): as _PROVIDER_ANCHORS, but an "I" (of "API", common
# in messages) gives way to a rarer letter of each needle that holds one.
_HIT_ANCHORS = "JxzV_-/CKSB"


@functools.cache
def _any_hit() -> re.Pattern[str]:
    """One search for everything a short text is searched for: it matches where the tree of
    needles finds a provider needle, or _ANY_KEY_SHAPE a keyword shape in the lower-cased text.

    One branch per anchor, a character rare in prose: the provider passes' (the anchor and
    the needle around it, as _pass_sources builds them) and the credential-like words' (each
    word through the first of _WORD_ANCHORS it holds, in either case, then its shape). The
    engine looks for the anchors as a set of first characters and tries a branch only there.
    """
    branches: dict[str, list[str]] = {}
    by_anchor: dict[str, list[tuple[str, str, int]]] = {}
    for needle in _PROVIDER_NEEDLES:
        by_anchor.setdefault(next(c for c in _HIT_ANCHORS if c in needle[0]), []).append(needle)
    for anchor, needles in by_anchor.items():
        ((source, _),) = _pass_sources(needles, anchor)
        branches.setdefault(anchor, []).append(source[len(re.escape(anchor)) :])
    words: dict[str, list[str]] = {}
    for word in _KEYWORDS:
        anchor = next(c for c in _WORD_ANCHORS if c in word)
        at = word.index(anchor)
        # The rest of the word, then (when the anchor is not its first letter) the whole word
        # before here: the word, found through its anchor.
        rest = _either_case(word[at + 1 :]) + (f"(?<={_either_case(word)})" if at else "")
        for case in (anchor, anchor.upper()):
            words.setdefault(case, []).append(rest)
    for case, rests in words.items():
        branches.setdefault(case, []).append(f"(?:{'|'.join(rests)}){_KEY_SHAPE_EITHER_CASE}")
    return re.compile(
        "|".join(
            re.escape(anchor) + (tails[0] if len(tails) == 1 else f"(?:{'|'.join(tails)})")
            for anchor, tails in branches.items()
        )
    )


def _provider_positions(text: str) -> Mapping[str, Iterable[int]]:
    """Where each provider keyword may start a match in ``text`` (see _provider_matches)."""
    if len(text) >= _LONG:
        return _needle_positions(text)
    if len(text) >= _SHORT:
        return {keyword: _occurrences(text, keyword) for keyword in _BY_KEYWORD}
    # (A short text holds a needle: scan_text looked. No format can match without one.)
    return {keyword: _occurrences(text, keyword) for keyword in _BY_KEYWORD if keyword in text}


def _ascii_lower(text: str) -> str:
    """``text`` with the ASCII letters lower-cased and every other character kept, so offsets
    into it are offsets into ``text`` (``str.lower`` changes some lengths: ``İ``, ``ß``...).

    In UTF-32 each character is one 4-byte unit, and ``bytes.lower`` changes only the bytes
    A-Z: a non-ASCII character may become another non-ASCII one (never ASCII, never a space),
    which no pattern of this module can tell apart. Much faster than ``str.translate``.
    """
    if text.isascii() or text.replace("…", "").isascii():
        # (Finding messages: ASCII but for the ellipsis of a mask, which has no lower case.)
        return text.lower()
    raw = text.encode("utf-32-le", "surrogatepass").lower()
    return raw.decode("utf-32-le", "surrogatepass")


def _occurrences(text: str, keyword: str) -> Iterator[int]:
    """Every offset of ``keyword`` in ``text``, overlapping ones too."""
    pos = text.find(keyword)
    while pos >= 0:
        yield pos
        pos = text.find(keyword, pos + 1)


def _provider_matches(
    text: str, positions: Mapping[str, Iterable[int]], low: str | None = None
) -> list[SecretMatch]:
    """The provider formats matched at ``positions``: per keyword (in the order of _BY_KEYWORD),
    in ascending order, every offset where one of its formats can match (offsets where none can
    may be left out, except for a keyword that can overlap itself: ``xox``, ``ACCA``).

    ``low`` is ``_ascii_lower(text)`` (computed when not given): a body's stand-in words are
    looked for in its span of ``low``, not in ``body.lower()``. They are the same: no stand-in
    word holds "i" or "k", and no other ASCII letter is the lower case of a character that is
    not ASCII (tests/secrets checks every code point), so a word is in ``body.lower()`` exactly
    where it is in the body's span of ``low``.

    The bodies are searched for those words all at once, once the formats have matched (the
    words decide which matches are kept, never where the next format is tried): _stand_ins.
    """
    if low is None:
        low = _ascii_lower(text)
    found: list[SecretMatch] = []
    tested: list[int] = []  # the indexes in found of the matches their own test kept
    for keyword, places in positions.items():
        tries = _tries(keyword)
        size = len(keyword)
        nxt = 0  # an occurrence before this offset is inside the last one, or the last match
        for pos in places:
            if pos < nxt:
                continue
            nxt = pos + size
            for find, back, reach, group, kind, confidence, test in tries:
                # (The regex engine takes a negative start as 0 and an end beyond the text as
                # its length: the window is [pos - back, pos + size + span) cut to the text.)
                if back:
                    m = find(text, pos - back, pos + reach)
                    if m is None or not m.start() <= pos < m.end():
                        continue
                else:
                    # A match at pos: it starts there and, holding the keyword, ends after it.
                    m = find(text, pos, pos + reach)
                    if m is None:
                        continue
                start, end = m.span(group)
                if test is None:
                    found.append(_new_match((kind, start, end, confidence, None)))
                elif not test(text, start, end, m):
                    tested.append(len(found))
                    found.append(_new_match((kind, start, end, confidence, None)))
                if (match_end := m.end()) > nxt:  # (not max(), whose call costs ~1 k)
                    nxt = match_end
                break
    if found:
        stand_ins = _stand_ins([low[start:end] for _, start, end, _, _ in found])
        stand_ins.difference_update(tested)
        if stand_ins:
            return [m for i, m in enumerate(found) if i not in stand_ins]
    return found


def _stand_ins(bodies: list[str]) -> set[int]:
    """The indexes of ``bodies`` that hold one of _BODY_STAND_IN_WORDS.

    One search per word (str.find, in C) in the bodies joined by newlines, which no word holds:
    a word found there lies inside one body, the last to start at or before it. A regex search
    per body cost more than the rest of a provider hit (its call, and a test of each character
    against the words' first letters).
    """
    joined = "\n".join(bodies)
    found: list[int] = []
    for word in _BODY_STAND_IN_WORDS:
        # (A character missing from every body, as the "*" and "." of most, is ruled out by one
        # memchr; a find of the word would step through the whole text.)
        at = joined.find(word) if word[0] in joined else -1
        while at >= 0:
            found.append(at)
            at = joined.find(word, at + 1)
    if not found:  # (the usual case: the bodies' offsets are not needed)
        return set()
    starts = list(itertools.accumulate([len(body) + 1 for body in bodies[:-1]], initial=0))
    return {bisect.bisect_right(starts, at) - 1 for at in found}


# What a keyword's formats need per try, in order: the compiled pattern's search (a format that
# may start before the keyword) or match, how far back the window starts, how far after the
# keyword's start it ends, the group holding the secret, the kind and confidence, and the
# stand-in test of the body (None: _BODY_STAND_IN_WORDS in the ASCII-lowered body).
_Try = tuple[
    Callable[[str, int, int], "re.Match[str] | None"],
    int,
    int,
    int,
    str,
    str,
    "Callable[[str, int, int, re.Match[str]], bool] | None",
]


def _url_stand_in(text: str, start: int, end: int, m: re.Match[str]) -> bool:
    # The match and a little after it: an IPv6 host ([::1]) is not in the match.
    return _stub_credentials(text[m.start() : m.end() + 8])


def _private_stand_in(text: str, start: int, end: int, m: re.Match[str]) -> bool:
    secret = text[start:end]
    return "..." in secret or "…" in secret or "xxxx" in secret.lower()


@functools.cache
def _tries(keyword: str) -> tuple[_Try, ...]:
    # Built (its patterns compiled) on the keyword's first occurrence.
    return tuple(
        (
            fmt.regex.search if fmt.back else fmt.regex.match,
            fmt.back,
            len(keyword) + fmt.span,
            fmt.group,
            fmt.kind,
            fmt.confidence,
            _url_stand_in
            if fmt.kind == "password in URL"
            else _private_stand_in
            if fmt.kind == _PRIVATE
            else None,
        )
        for fmt in _BY_KEYWORD[keyword]
    )


# A SecretMatch from its five fields, without the Python-level __new__ of a NamedTuple (a
# third of the time): the same tuple of the same class.
_new_match: Callable[[tuple[str, int, int, str, str | None]], SecretMatch] = functools.partial(
    tuple.__new__, SecretMatch
)


def _keyword_matches(text: str, hits: Iterable[int], low: str | None = None) -> list[SecretMatch]:
    """``API_KEY=…``, ``token: …``, ``--password …``, ``Authorization: Bearer …`` with entropy.

    ``hits`` are the ascending offsets where a keyword shape starts in ``low``, the
    ASCII-lowercased text: the rare places where a credential-like word is followed by a
    separator and a long value; Python looks only there.
    """
    return _shape_matches(text, [(pos, 0, 0, 0, sys.maxsize) for pos in hits], low)


def _shape_matches(text: str, hits: Sequence[_Hit], low: str | None = None) -> list[SecretMatch]:
    """_keyword_matches of the shapes found by _word_hits: in an ASCII text, the assignment is
    read from the spans the word pass captured (_ASSIGN finds the same key end, separator and
    value there: tests/secrets checks it), unless _ASSIGN's limits could cut it (a name of more
    than 128 characters, a value ending past its window); else _ASSIGN matches it again."""
    found: list[SecretMatch] = []  # (a list: a generator's resume costs more than an append)
    if not hits:
        return found
    if low is None:
        low = _ascii_lower(text)
    new = tuple.__new__  # (what _new_match calls, without the partial's call)
    ascii_text = text.isascii()
    # An ASCII text's bytes (one copy, at memory speed): a name is walked back through and a
    # value tested by bytes methods (memchr, a table lookup a byte, where str's methods search
    # a set of characters or the Unicode database), and a name's slice is its verdict's key.
    raw_text = text.encode() if ascii_text else b""
    # What each name says, by its bytes with every digit made "0" (no pattern tells one digit
    # from another: `API_KEY_1` ... `API_KEY_9999` of a file dense with keys are one name).
    names: dict[bytes, int] = {}
    shape = odd = None  # the patterns of the values' tests, compiled when a value needs them
    done = 0  # hits before this offset belong to a key already looked at
    for hit in hits:
        pos, sep_start, sep_end, vstart, value_end = hit  # (the spans _ASSIGN may replace)
        if pos < done:
            continue
        # Back to where the key's name starts: the run of name characters before the keyword,
        # at most 64 of them (rstrip walks it in C).
        floor = pos - 64 if pos > 64 else 0
        if ascii_text:
            kstart = floor + len(raw_text[floor:pos].rstrip(_IDENT_BYTES))
        else:
            kstart = floor + len(text[floor:pos].rstrip(_IDENT_CHARS))
        # The name ends where its closing quote, or else the separator, starts; past _ASSIGN's
        # limits, or in a text that is not ASCII, the assignment is matched again.
        if not (
            ascii_text
            and value_end <= pos + 600
            and (kend := sep_start - (text[sep_start - 1] in "\"'")) - kstart <= 128
        ):
            m = _ASSIGN.match(text, kstart, pos + 600)  # (an end beyond the text is its length)
            if m is None:
                continue
            # The key (from kstart), the separator and the value: tests/secrets checks them.
            kend, (sep_start, sep_end), (vstart, value_end) = m.end(1), m.span(2), m.span(3)
        done = kend
        # The name's characters are ASCII name characters, never none.
        name = raw_text[kstart:kend] if ascii_text else text[kstart:kend].encode()
        name = name.translate(_DIGITS_AS_ZERO_BYTES)
        said = names.get(name)
        if said is None:
            said = names[name] = _name_verdict(name.decode())
        if (
            not said
            or (
                said == _AFTER_AN_OPERATOR
                and text[sep_start] not in ":="  # (most separators start so: no slice to strip)
                and not text[sep_start:sep_end].strip()
            )
        ):
            continue  # not a credential's name, or "token used for…": prose, not an assignment
        if ascii_text:
            raw: bytes | None = raw_text[vstart:value_end].rstrip(b".:")
        else:
            value = text[vstart:value_end].rstrip(".:")
            raw = value.encode() if value.isascii() else None
        if raw is None:
            if value.startswith("$") or not _looks_random(value):
                continue
            vend = vstart + len(value)
        else:
            # _looks_random(value): the value holds no space or quote, so it is what its
            # placeholder test strips; in ASCII, low[vstart:vend] is value.lower().
            n = len(raw)
            vend = vstart + n
            if n < _MIN_RANDOM or n > 4096:
                continue
            if shape is None or odd is None:
                shape, odd = _random_shape().match, _odd_word().search
            # _random_shape()'s verdict on letters and digits, from bytes methods (in C, a table
            # lookup a character; the match costs more, and str's methods look each character
            # up in the Unicode database): hex digits with a letter, from 20 characters on (1);
            # a digit and a letter (0); letters alone from 24 on, not all "x" (2); else none.
            if raw.isalnum():
                held = _ALNUM_BYTES  # (what it may hold: see distinct below)
                if not raw.strip(_HEX_DIGITS):
                    kind = 1 if n >= 20 and not raw.isdigit() else None
                elif not raw.isalpha():
                    kind = 0
                else:
                    kind = 2 if n >= 24 and raw.strip(b"xX") else None
            elif raw[:1] == b"$":  # (a slice, not bytes.startswith: its arguments parse slowly)
                continue
            else:
                held = _ASCII_BYTES
                verdict = shape(low, vstart, vend)
                kind = None if verdict is None else verdict.lastindex or 0
            if (
                kind is None
                or odd(low, vstart, vend) is not None
                or (kind == 2 and (raw.upper() == raw or raw.lower() == raw))
                or (n <= _LONGEST_SEQUENCE and any(low[vstart:vend] in seq for seq in _SEQUENCES))
            ):
                if not _looks_random(text[vstart:vend]):
                    continue
            else:
                # _entropy_at_least(value, bits, _distinct(value)); fewer than four distinct
                # characters (a stand-in) never reach 3 bits of entropy.
                hex_digits = kind == 1
                # (Deleting its bytes from those it may hold, fewer for letters and digits.)
                distinct = len(held) - len(held.translate(None, raw))
                try:
                    random = _ENTROPY_VERDICTS[n, distinct, hex_digits]
                except KeyError:
                    random = _entropy_verdict(n, distinct, hex_digits)
                if random is None:
                    random = _entropy(raw) >= (3.0 if hex_digits else _random_bits(n))
                if not random:
                    continue
        done = vend
        key = text[kstart:kend].lstrip("-")
        fields = (f"high-entropy value of {key}", vstart, done, MEDIUM, key)
        found.append(new(SecretMatch, fields))
    return found


_IDENT_BYTES = _IDENT_CHARS.encode()
# A name's verdict (_name_verdict): not a credential's; a credential's after an operator (=, :)
# only, as prose holds "token used for…"; a credential's after spaces too (a flag, a header).
_NOT_SECRET, _AFTER_AN_OPERATOR, _AFTER_ANY_SEPARATOR = 0, 1, 2


def _name_verdict(key: str) -> int:
    """What the name ``key`` (ASCII name characters) says of the value after it."""
    if not _is_secret_name(key):
        return _NOT_SECRET
    if key.startswith("-") or _AUTH_HEADER.match(key):
        return _AFTER_ANY_SEPARATOR
    return _AFTER_AN_OPERATOR


# --------------------------------------------------------------------------------------------
# Few passes over a long text. The regex engine scans for a pattern's first literal character
# faster than str.find scans for a word, and a pass costs about the same however many words
# hang off that character. So each keyword is found through one of its characters (the first
# of a list of anchors that it holds) and one pass per anchor finds them all: the anchor, then
# in C each word around it that holds it. Seven passes for 21 provider keywords, five for the
# nine credential-like words (with their shapes).

# Where a provider keyword can start a match: the keyword itself, or, for the short ones that
# common words hold ("gh" in "high", "gl"), the keyword with what all its formats need around
# it; and where the keyword starts in that needle. (A keyword that can overlap itself, "xox"
# and "ACCA", must be its own needle: its every occurrence counts, see _provider_matches.)
_PROVIDER_NEEDLES: tuple[tuple[str, str, int], ...] = (
    *((keyword, keyword, 0) for keyword in _BY_KEYWORD if keyword not in ("gh", "gl", "IA")),
    *((f"gh{c}_", "gh", 0) for c in "pousr"),
    *((f"gl{t}-", "gl", 0) for t in ("pat", "dt", "rt")),
    *((f"A{c}IA", "IA", 2) for c in "KSB"),
)

# Every digit no needle holds, as one of them (see _clear_texts).
_NEEDLE_DIGITS = {c for needle, _, _ in _PROVIDER_NEEDLES for c in needle if c.isdigit()}
_FREE_DIGITS = "".join(d for d in string.digits if d not in _NEEDLE_DIGITS).encode()
_SAME_DIGITS = bytes.maketrans(_FREE_DIGITS, _FREE_DIGITS[:1] * len(_FREE_DIGITS))


@functools.cache
def _any_needle() -> re.Pattern[str]:
    # One search for every needle comes before the provider keywords are looked for in a short
    # text (a message: the engine masks every finding's), and before redact scans a longer one:
    # "high" holds "gh" but no needle. Compiled on first use, like the passes.
    return re.compile(_alternation(needle for needle, _, _ in _PROVIDER_NEEDLES))


# Characters that are rare in configuration and prose, the rarest first.
_PROVIDER_ANCHORS = "JxI_-/C"
_WORD_ANCHORS = "wkbcu"


class _Pass(NamedTuple):
    """One pattern over a text, and for each of its groups: the needle's owner (a provider
    keyword, a credential-like word) and how far before the anchor the owner starts."""

    pattern: re.Pattern[str]
    owners: tuple[tuple[str, int], ...]  # indexed by group number - 1


def _passes(needles: Iterable[tuple[str, str, int]], anchors: str, tail: str = "") -> list[_Pass]:
    """One pass per anchor for ``needles`` (needle, owner, where the owner starts in it): the
    anchor, then a branch per needle that holds it, which checks the rest of the needle (and
    ``tail`` after it) around the anchor and captures from after the anchor to the end.

    Two needles of one anchor never both match at one place (tests/secrets checks it), so the
    branch that matches is the only needle there.
    """
    sources = _pass_sources(needles, anchors, tail)
    return [_Pass(re.compile(source), owners) for source, owners in sources]


def _pass_sources(
    needles: Iterable[tuple[str, str, int]], anchors: str, tail: str = ""
) -> list[tuple[str, tuple[tuple[str, int], ...]]]:
    """The patterns of :func:`_passes`, not compiled, with their groups' owners."""
    by_anchor: dict[str, list[tuple[str, int, str, int]]] = {c: [] for c in anchors}
    for needle, owner, offset in needles:
        anchor = next(c for c in anchors if c in needle)
        by_anchor[anchor].append((needle, needle.index(anchor), owner, offset))
    passes = []
    for anchor, group in by_anchor.items():
        if not group:
            continue
        branches = [
            (f"(?<={re.escape(needle[: i + 1])})" if i else "")
            + f"(?=({re.escape(needle[i + 1 :])}{tail}))"
            for needle, i, _, _ in group
        ]
        # Most anchors in a text belong to no needle: one test of the character after the
        # anchor (or before it) turns them away before any branch is tried.
        after = {needle[i + 1 : i + 2] for needle, i, _, _ in group}
        before = {needle[i - 1 : i] for needle, i, _, _ in group}
        first = (
            f"(?=[{re.escape(''.join(sorted(after)))}])"
            if "" not in after
            else f"(?<=[{re.escape(''.join(sorted(before)))}]{re.escape(anchor)})"
            if "" not in before
            else ""
        )
        source = re.escape(anchor) + first + "(?:" + "|".join(branches) + ")"
        passes.append((source, tuple((owner, i - offset) for _, i, owner, offset in group)))
    return passes


# Compiled on first use (a few milliseconds): many runs of `parity check` scan no long text,
# and most short ones hold no keyword.


@functools.cache
def _provider_passes() -> list[_Pass]:
    return _passes(_PROVIDER_NEEDLES, _PROVIDER_ANCHORS)


@functools.cache
def _word_passes() -> list[_Pass]:
    # Each branch k captures its word's shape (group 3k + 1), and in it the separator (3k + 2)
    # and the value (3k + 3): a match's owner is owners[lastindex // 3].
    return _passes(((word, word, 0) for word in _KEYWORDS), _WORD_ANCHORS, _KEY_SHAPE_CAPTURED)


def _needle_positions(text: str) -> dict[str, list[int]]:
    """For each provider keyword, the ascending offsets in ``text`` where a format can match."""
    positions: dict[str, list[int]] = {keyword: [] for keyword in _BY_KEYWORD}
    for pattern, owners in _provider_passes():
        for m in pattern.finditer(text):
            keyword, back = owners[m.lastindex - 1]  # type: ignore[operator]  # never None
            positions[keyword].append(m.start() - back)
    return positions


def _word_positions(low: str) -> list[int]:
    """Where a keyword shape starts in ``low`` (ASCII-lowercased text), ascending: for each word,
    where ``re.finditer`` of the word and its shape would find a match."""
    return [hit[0] for hit in _word_hits(low)]


# A keyword shape found in the lowered text: where it starts, where its separator starts and
# ends, where its value starts and ends.
_Hit = tuple[int, int, int, int, int]


def _word_hits(low: str) -> list[_Hit]:
    """The keyword shapes of _word_positions, each with its separator's and value's spans."""
    hits: list[_Hit] = []
    reach: dict[str, int] = {}  # where each word's last match ends: finditer's next start
    for pattern, owners in _word_passes():
        for m in pattern.finditer(low):
            group = m.lastindex
            word, back = owners[group // 3]  # type: ignore[operator]  # never None
            start = m.start() - back
            if start >= reach.get(word, 0):
                end = m.end(group)  # type: ignore[arg-type]
                reach[word] = end
                sep_start, sep_end = m.span(group + 1)  # type: ignore[operator]
                hits.append((start, sep_start, sep_end, m.start(group + 2), end))  # type: ignore[operator]
    hits.sort()  # (no two shapes start at one place: the tuples compare by their first item)
    return hits


_AUTH_HEADER = lazy_compile(r"(?i)^(?:authorization|proxy-authorization)$")


_SPAN = operator.itemgetter(1, 2)  # a SecretMatch's (start, end)
_START, _END = operator.itemgetter(1), operator.itemgetter(2)


def _without_overlaps(found: list[SecretMatch]) -> list[SecretMatch]:
    """The matches to report: where two overlap, provider formats beat entropy and, between
    equals, the longer match wins.

    Sort and sweep: matches sorted by start fall into runs that overlap one another; the
    ranking applies within each run only (matches of different runs never meet), so the cost is
    n log n however many secrets a file holds.
    """
    if len(found) < 2:
        return found
    # Sorted by start alone (integer keys: half the cost of (start, end) pairs). When each match
    # then ends where the next starts or before (every end but the last, against every start but
    # the first, compared in C), that is also their order by (start, end): two matches of one
    # start would be an empty one and the one after it. The usual case, even in a file dense
    # with secrets: nothing overlaps.
    ordered = sorted(found, key=_START)
    if all(map(operator.le, map(_END, ordered), itertools.islice(map(_START, ordered), 1, None))):
        return ordered
    ordered.sort(key=_SPAN)  # (stable: matches of one span stay in the order they were found)
    kept: list[SecretMatch] = []
    run = [ordered[0]]
    reach = ordered[0].end
    for m in ordered[1:]:
        if m.start >= reach:
            kept.extend(_best_of(run))
            run = []
        run.append(m)
        reach = max(reach, m.end)
    kept.extend(_best_of(run))
    return kept


def _best_of(run: list[SecretMatch]) -> list[SecretMatch]:
    if len(run) == 1:
        return run
    ranked = sorted(run, key=lambda m: (m.confidence != HIGH, -(m.end - m.start), m.start))
    starts: list[int] = []  # of the chosen matches, which never overlap one another
    chosen: list[SecretMatch] = []
    for m in ranked:
        i = bisect.bisect_right(starts, m.start)
        if (i > 0 and chosen[i - 1].end > m.start) or (i < len(chosen) and chosen[i].start < m.end):
            continue
        starts.insert(i, m.start)
        chosen.insert(i, m)
    return chosen


def references(value: str) -> list[tuple[str, str | None, int, int]]:
    """The ``${VAR}`` / ``${VAR:-default}`` references in ``value``: name, default, span."""
    return [(m.group(1), m.group(2), m.start(), m.end()) for m in _REFERENCE.finditer(value)]


def reference_span(value: str, start: int, end: int, name: str) -> tuple[str, int, int]:
    """What replaces the secret ``value[start:end]`` with a ``${NAME}`` reference: the name and
    the span to replace. A secret that is the default of ``${VAR:-…}`` takes the whole reference,
    which becomes ``${VAR}``; any other secret becomes ``${name}``. ``parity migrate`` and
    PAR401's fix both turn literals into references this way.
    """
    for ref_name, default, ref_start, ref_end in references(value):
        if default is not None and ref_start <= start and end <= ref_end:
            return ref_name, ref_start, ref_end
    return name, start, end


def scan_value(
    value: str, *, key: str | None = None, references: bool = True
) -> SecretMatch | None:
    """The secret in one configuration string value, or None; offsets are into ``value``.

    ``key`` is the name the value is stored under (an env variable, a header, the flag before
    an argument): a credential-like name (``API_KEY``, ``Authorization``, ``token``) makes a
    random-looking value suspicious even with no known format.  With ``references`` (the
    ``.mcp.json`` expansion syntax), ``${VAR}`` is a reference, not a secret, but a default
    (``${VAR:-…}``) is scanned like any literal.
    """
    if not value:
        return None
    found = scan_text(value)
    if found:
        return min(found, key=lambda m: (m.confidence != HIGH, m.start))
    if not is_secret_key(key):
        return None
    for lo, end in _literal_parts(value, references=references):
        part = value[lo:end]
        scheme = _AUTH_SCHEME.match(part)
        start = lo + (scheme.end() if scheme is not None else 0)
        part = value[start:end]
        if part.startswith("$"):
            continue
        if _looks_random(part, min_length=12):
            return SecretMatch(f"high-entropy value of {key}", start, end, MEDIUM, key)
    return None


def _literal_parts(value: str, *, references: bool) -> list[tuple[int, int]]:
    """Spans of ``value`` that are literal text (outside references) or reference defaults."""
    if not references or "${" not in value:
        return [(0, len(value))]
    parts: list[tuple[int, int]] = []
    last = 0
    for m in _REFERENCE.finditer(value):
        if value[last : m.start()].strip():
            parts.append((last, m.start()))
        if m.group(2):
            parts.append(m.span(2))
        last = m.end()
    if value[last:].strip():
        parts.append((last, len(value)))
    return [(s + _lead(value[s:e]), e) for s, e in parts]


def _lead(text: str) -> int:
    return len(text) - len(text.lstrip())


# --------------------------------------------------------------------------------------------
# Masking


def mask(secret: str) -> str:
    """``secret`` shown safely: a known format prefix (or three characters) and its length.

    ``sk-ant-api03-…`` becomes ``sk-ant-…(108 chars)``.  Never more than a quarter of the
    value is shown, so a short secret shows nothing but its length.
    """
    n = len(secret)
    known = _PREFIX.match(secret)
    prefix = known.group() if known else secret[:3] if n >= 16 else ""
    if len(prefix) > n // 4:
        prefix = ""
    return f"{prefix}…({n} chars)"


def redact(text: str) -> str:
    """``text`` with every secret replaced by its mask (only scanned when the prefilter fires)."""
    if not text or (len(text) >= _SHORT and not might_contain_secret(text)):
        return text  # (a short text is tested as cheaply by scan_text itself)
    found = scan_text(text)
    if not found:
        return text
    out: list[str] = []
    last = 0
    for m in found:
        out.append(text[last : m.start])
        out.append(m.masked(text))
        last = m.end
    out.append(text[last:])
    return "".join(out)
