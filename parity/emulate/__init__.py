"""Emulate a cloud session start locally: a fresh clone, an empty home, the image, the proxy.

It is an imitation, not a security boundary: hooks run on this machine as this user. Never run it
implicitly. The public API: ``EmulateOptions``, ``CloudSession``, ``emulate()`` and the result
types of ``parity.emulate.result``.
"""

from __future__ import annotations

from parity.emulate.result import EmulationResult, HostRequest, Status, StepResult
from parity.emulate.session import CloudSession, EmulateOptions, emulate

__all__ = [
    "CloudSession",
    "EmulateOptions",
    "EmulationResult",
    "HostRequest",
    "Status",
    "StepResult",
    "emulate",
]
