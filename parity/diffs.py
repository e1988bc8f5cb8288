"""Unified diffs of planned changes, as ``parity migrate`` and ``parity check --diff`` show them."""

from __future__ import annotations

import difflib

__all__ = ["mode_change", "unified"]


def unified(path: str, before: str | None, after: str) -> list[str]:
    """The unified diff of ``path`` from ``before`` (None: a new file) to ``after``, as lines
    ending in a newline (a last line without one is marked as git marks it)."""
    old = [] if before is None else before.splitlines(keepends=True)
    new = after.splitlines(keepends=True)
    source = "/dev/null" if before is None else f"a/{path}"
    diff = difflib.unified_diff(old, new, source, f"b/{path}")
    missing = "\n\\ No newline at end of file\n"
    return [line if line.endswith("\n") else line + missing for line in diff]


def mode_change(path: str, old: int, new: int) -> list[str]:
    """A git-style header for a file whose mode changes (``old mode 100644``)."""
    return [f"diff --git a/{path} b/{path}\n", f"old mode {old:o}\n", f"new mode {new:o}\n"]
