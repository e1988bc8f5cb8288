"""Carry out a cloud-init plan: atomic writes, refused when a file changed since planning.

This is the interim writer until the shared apply module lands; it is the only code of
cloud-init that writes the user's files.
"""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from parity.cloudinit.plan import WriteFile
from parity.errors import ParityError, StaleError
from parity.fsutil import atomic_write


def apply_writes(root: Path, actions: Sequence[WriteFile]) -> None:
    """Write each action in order, each atomically, executables with ``x`` wherever ``r`` is."""
    for action in actions:
        path = root / action.rel
        current = path.read_bytes() if path.is_file() else None
        if path.exists() and not path.is_file():
            raise ParityError(f"{action.rel}: exists and is not a regular file")
        if current != action.before:
            raise StaleError(f"{action.rel}: changed since it was read; run the command again")
        if path.is_symlink():
            raise ParityError(f"{action.rel}: is a symlink; parity does not write through links")
        mode = None
        if action.executable:
            base = path.stat().st_mode & 0o777 if path.exists() else 0o644
            mode = base | ((base & 0o444) >> 2)  # x wherever r is set: 644 -> 755
        atomic_write(path, action.after, mode)


def mark_executable_in_index(root: Path, rel: str) -> None:
    """Set the executable bit of tracked ``rel`` in the git index (mode only; stages no content).

    Only for files git already tracks: parity never stages a user's file otherwise.
    """
    args = ("update-index", "--chmod=+x", "--", rel)
    proc = subprocess.run(["git", "-C", str(root), *args], capture_output=True, check=False)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip()
        raise ParityError(f"git {' '.join(args)} failed: {message}")
