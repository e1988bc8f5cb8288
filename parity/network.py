"""Network levels of cloud environments and their allowlists (the Trusted list ships as data)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from urllib.parse import urlsplit

from parity._resources import data_file
from parity.config import Environment


@functools.cache
def trusted_domains() -> tuple[str, ...]:
    """The cloud's default ("Trusted") allowlist, one pattern per entry (``*.`` = any subdomain)."""
    text = data_file("trusted-domains.txt").read_text(encoding="utf-8")
    return tuple(
        line.strip().lower()
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    )


def _matches(host: str, pattern: str) -> bool:
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


@dataclass(frozen=True)
class Allowlist:
    """Which hosts a network level lets through."""

    level: str
    patterns: tuple[str, ...]

    def allows(self, host: str) -> bool:
        """True when ``host`` may be reached at this level."""
        host = host.lower().rstrip(".")
        if self.level == "full":
            return True
        if self.level == "none":
            return False
        return any(_matches(host, p) for p in self.patterns)


def allowlist_for(
    level: str, allow: tuple[str, ...] = (), *, with_default: bool = False
) -> Allowlist:
    """The allowlist of ``level``; ``custom`` is ``allow`` (plus the Trusted list if asked)."""
    if level == "trusted":
        return Allowlist(level, trusted_domains() + tuple(a.lower() for a in allow))
    if level == "custom":
        extra = trusted_domains() if with_default else ()
        return Allowlist(level, tuple(a.lower() for a in allow) + extra)
    return Allowlist(level, ())


def environment_allowlist(env: Environment) -> Allowlist:
    """The allowlist of a declared environment."""
    return allowlist_for(env.network, env.allow)


def host_of(url: str) -> str | None:
    """The host name of an ``http(s)://`` / ``ws(s)://`` URL, or None."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https", "ws", "wss") or not parts.hostname:
        return None
    return parts.hostname.lower()
