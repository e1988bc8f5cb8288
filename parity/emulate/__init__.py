"""Emulate a cloud session start locally: a fresh clone, an empty home, the image, the proxy.

On Linux the steps run in a bubblewrap sandbox (``parity.emulate.sandbox``) with the cloud's
network boundary and filesystem; elsewhere it is an imitation, not a security boundary: hooks
run on this machine as this user. Never run it implicitly. The public API: ``EmulateOptions``,
``CloudSession``, ``emulate()`` and the result types of ``parity.emulate.result``.

Layers, each importing only those before it: workspace, environment, proxy, process, sandbox
(and ``inside``, its inner side) -> runner -> hookrun, mcp, claude_engine, project -> session.
"""

from __future__ import annotations

from parity.emulate.result import EmulationResult, HostRequest, Progress, Status, StepResult
from parity.emulate.session import CloudSession, EmulateOptions, emulate

__all__ = [
    "CloudSession",
    "EmulateOptions",
    "EmulationResult",
    "HostRequest",
    "Progress",
    "Status",
    "StepResult",
    "emulate",
]
