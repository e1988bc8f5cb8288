"""SHA-256 without loading OpenSSL for small inputs.

``import hashlib`` loads the OpenSSL bindings first: about 11 million instructions (3 ms), more
than a typical check's findings cost to fingerprint. The interpreter's own SHA-256 gives the same
digest and is faster on short text; OpenSSL's (hardware-accelerated on most machines: six times
faster on 8 MB here) is used for large inputs, where it wins its import back.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Protocol

# Bytes above which OpenSSL's SHA-256 is worth importing hashlib for.
LARGE = 256 * 1024


class Digest(Protocol):
    """What parity uses of a hash object."""

    def update(self, data: bytes, /) -> None: ...

    def hexdigest(self) -> str: ...


def _builtin() -> Callable[[bytes], Digest] | None:
    for name in ("_sha256", "_sha2"):  # the module's name up to Python 3.11, and from 3.12
        try:
            found: Callable[[bytes], Digest] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return found
    return None  # a Python built without it


_BUILTIN = _builtin()


def sha256(data: bytes = b"", *, size: int = 0) -> Digest:
    """``hashlib.sha256(data)``: the same digest. ``size`` is how many bytes it will hash in
    all, when more are added with ``update``."""
    if _BUILTIN is not None and max(size, len(data)) <= LARGE:
        return _BUILTIN(data)
    import hashlib

    return hashlib.sha256(data)
