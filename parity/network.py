"""Network levels of cloud environments and their allowlists (the Trusted list ships as data)."""

from __future__ import annotations

import functools
import ipaddress
import re
from typing import NamedTuple
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


class Allowlist(NamedTuple):
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


WEB_SCHEMES = frozenset({"http", "https", "ws", "wss"})


def host_of(url: str, *, any_scheme: bool = False) -> str | None:
    """The host name of an ``http(s)://`` / ``ws(s)://`` URL (of any ``scheme://`` URL with
    ``any_scheme``: ``postgres://db.internal/app``), or None."""
    try:
        parts = urlsplit(url.strip())
        hostname = parts.hostname
    except ValueError:
        return None
    if not hostname or (not any_scheme and parts.scheme.lower() not in WEB_SCHEMES):
        return None
    return hostname.lower()


# Suffixes that only a private network's DNS answers (RFC 6762 .local, RFC 8375 .home.arpa, the
# ICANN-reserved .internal, common corporate and home-router names) and the names reserved
# never to resolve (RFC 2606/6761: .example, .test, .invalid).
_PRIVATE_SUFFIXES = (
    *(".internal", ".local", ".lan", ".corp", ".intranet", ".home.arpa", ".localdomain"),
)
_RESERVED_SUFFIXES = (".example", ".test", ".invalid")
_SHARED_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, Tailscale
# A host written as a stand-in for the reader's own (`http://your-kali-host:5000/`).
_PLACEHOLDER_HOST = re.compile(r"(?i)your|placeholder|changeme|dummy|xxx")


def placeholder_host(host: str) -> bool:
    """True for a host name that stands in for the reader's own (``your-server``)."""
    return _PLACEHOLDER_HOST.search(host) is not None


def private_host(host: str) -> str | None:
    """Why ``host`` is reachable only inside a private network (a phrase), or None.

    The machine itself (``localhost``, ``127.0.0.1``, ``::1``, ``0.0.0.0``) is not private: it
    is the cloud VM there. A template (``$HOST``, ``{host}``) is not judged.
    """
    name = host.strip().strip("[]").lower().rstrip(".")
    if not name or any(c in name for c in "${}<>%") or placeholder_host(name):
        return None
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        ip = None
    if ip is not None:
        if ip.is_loopback or ip.is_unspecified:
            return None
        if ip.is_link_local:
            return "a link-local address"
        if ip.version == 4 and ip in _SHARED_SPACE:
            return "an address of a carrier-grade NAT or VPN (100.64.0.0/10)"
        if ip.is_private:
            return "a private or reserved network address"
        return None
    if name == "localhost" or name.endswith(".localhost"):
        return None
    if "." not in name:
        return "a single-label name, which only a local network's DNS resolves"
    for suffix in _PRIVATE_SUFFIXES:
        if name.endswith(suffix):
            return f"a {suffix} name, which only a private network's DNS resolves"
    for suffix in _RESERVED_SUFFIXES:
        if name.endswith(suffix):
            return f"a {suffix} name, which is reserved and never resolves on the internet"
    return None
