"""The client's rules for plugin and marketplace names (checked with ``claude plugin validate``).

Restated from client 2.1.330's behaviour; `tests/oracle/test_plugin_manifests.py` holds the
names tried against it.
"""

from __future__ import annotations

import re
import unicodedata

from parity._lazy import lazy_compile

# A third party's plugin name may not start with one of these words (separators ignored), nor be
# one of the whole names; "official" beside "claude" or "anthropic" is reserved anywhere.
_RESERVED_LEADS = frozenset({"claude", "anthropic", "anthropics", "ccplugin"})
_RESERVED_WHOLE = frozenset({"claude", "anthropic", "anthropics", "claudecode", "claudemods"})
_LONGEST = max(len(w) for w in _RESERVED_LEADS | _RESERVED_WHOLE)
_OFFICIAL = lazy_compile(
    r"official[^a-z0-9]*(?:anthropic|claude)|(?:anthropic|claude)[^a-z0-9]*official", re.I
)
_WORDS = lazy_compile(r"[^a-z0-9]+", re.I)

# Marketplace names the client keeps for its own kinds of plugins, with what they are for.
RESERVED_MARKETPLACES = {
    "inline": "--plugin-dir session plugins",
    "builtin": "built-in plugins",
    "skills-dir": "plugins auto-loaded from .claude/skills/",
    "synced": "plugins synced from your claude.ai account",
    "claude-plugin-test": "plugins loaded by claude plugin test",
}
# Anthropic's own marketplaces: these names are theirs (the client accepts them in a manifest).
OFFICIAL_MARKETPLACES = frozenset(
    {
        "claude-code-marketplace",
        "claude-code-plugins",
        "claude-plugins-official",
        "anthropic-marketplace",
        "anthropic-plugins",
        "agent-skills",
        "anthropic-agent-skills",
        "life-sciences",
        "knowledge-work-plugins",
        "claude-for-legal",
        "claude-for-financial-services",
        "financial-services-plugins",
        "first-party-plugins",
        "claude-tag-plugins",
        "claude-community",
        "claude-plugins-community",
        "healthcare",
        "anthropic-plugin-directory",
        "claude-plugin-directory",
    }
)
_STORE_WORDS = ("marketplace", "plugins", "official", "directory", "directories")
_IMPERSONATES = lazy_compile(rf"^(?:anthropic|claude)[^a-z0-9]*(?:{'|'.join(_STORE_WORDS)})", re.I)
_JOINED_STORE = lazy_compile(rf"^(?:anthropic|claude)(?:{'|'.join(_STORE_WORDS)})s?$", re.I)
# One part of a plugin id (plugin@marketplace).
ID_PART = lazy_compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_NOT_PRINTABLE_ASCII = lazy_compile(r"[^\x20-\x7e]")
# Control characters and the bidirectional formatting ones (which can disguise a name).
_CONTROL = lazy_compile(r"[\x00-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _fold(name: str) -> str:
    """``name`` lower-cased, with look-alike letters read as plain ones (``Cläude`` = claude)."""
    if _NOT_PRINTABLE_ASCII.search(name):
        decomposed = unicodedata.normalize("NFKD", name)
        name = "".join(c for c in decomposed if not unicodedata.combining(c))
    return name.lower()


def reserved_plugin_name(name: str) -> bool:
    """True when a third party's plugin may not use ``name``: it passes as one of Anthropic's."""
    folded = _fold(name)
    words = [w for w in _WORDS.split(folded) if w]
    joined = ""
    for i, word in enumerate(words):
        joined += word
        if joined in (_RESERVED_WHOLE if i == len(words) - 1 else _RESERVED_LEADS):
            return True
        if len(joined) > _LONGEST:
            break
    return bool(_OFFICIAL.search(folded) or _OFFICIAL.search("".join(words)))


def marketplace_name_problem(name: str) -> str | None:
    """Why the client refuses ``name`` for a marketplace, or None when it takes it."""
    lowered = name.lower()
    if " " in name:
        return "a marketplace name cannot contain spaces (use kebab-case)"
    if _CONTROL.search(name):
        return "a marketplace name cannot contain control or bidirectional-formatting characters"
    if "/" in name or "\\" in name or ".." in name or name == ".":
        return 'a marketplace name cannot contain "/" or "\\", "..", or be "."'
    if lowered in RESERVED_MARKETPLACES:
        return f'"{lowered}" is reserved for {RESERVED_MARKETPLACES[lowered]}'
    if _impersonates(name):
        return "the name impersonates an official Anthropic/Claude marketplace"
    if not ID_PART.match(name):
        return (
            "each part of a plugin id (plugin@marketplace) may use only letters, digits, "
            '".", "_" and "-", and must start with a letter or digit'
        )
    return None


def _impersonates(name: str) -> bool:
    if name.lower() in OFFICIAL_MARKETPLACES:
        return False
    if _NOT_PRINTABLE_ASCII.search(name):
        return True
    for candidate in (name, re.sub(r"^[^a-z0-9]+", "", name, flags=re.I)):
        if _OFFICIAL.search(candidate) or _IMPERSONATES.search(candidate):
            return True
    squeezed = re.sub(r"[^a-z0-9]+", "", name, flags=re.I)
    if re.search(r"official(?:anthropic|claude)|(?:anthropic|claude)official", squeezed, re.I):
        return True
    joined = ""
    for word in (w for w in _WORDS.split(name) if w):
        joined += word
        if _JOINED_STORE.match(joined):
            return True
        if len(joined) > 9 + max(len(w) for w in _STORE_WORDS) + 1:
            break
    return False
