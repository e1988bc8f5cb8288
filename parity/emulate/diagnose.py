"""Why a step failed, in words: its last meaningful error lines, and what the sandbox stopped."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

from parity.emulate.process import read_log

# Lines that say what a tool is doing, not what went wrong (the cause is usually at the end).
_NOISE = re.compile(
    r"^(?:npm (?:warn|WARN|notice|verb|info|http|timing)\b"
    r"|npm error A complete log of this run can be found in"
    r"|npm ERR! A complete log of this run can be found in"
    r"|Using (?:CPython|Python|PyPy)\b|Creating virtual environment"
    r"|(?:Resolved|Prepared|Installed|Uninstalled|Audited|Built|Downloaded) \d+ package"
    r"|Downloading\b|Collecting\b|Requirement already satisfied"
    r"|During handling of the above exception|The above exception was the direct cause"
    r"|\++ )"
)
_CONTROL = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|[\x00-\x08\x0b-\x1f\x7f]")
_FRAME = re.compile(r'^(?:File ".*", line \d+|Traceback \(most recent call last\):$)')
_UNREACHABLE = re.compile(r"network is unreachable|ENETUNREACH", re.IGNORECASE)
_READ_ONLY = re.compile(
    r"(?:(/[^\s:'\"`]+)['\"`]?: Read-only file system)|(?:Read-only file system: '([^']+)')"
)
_MISSING = re.compile(
    r"No such file or directory|not found|Directory nonexistent|cannot access|can't cd|"
    r"does not exist",
    re.IGNORECASE,
)
_PATH = re.compile(r"(?<![\w.~$])(/[^\s:'\"`,;()<>]+)")
MAX_REASONS = 3
_MAX_NOTES = 3


def meaningful_lines(stderr: str, limit: int = MAX_REASONS) -> tuple[str, ...]:
    """The last ``limit`` lines of ``stderr`` that say something (progress and chatter dropped).

    A Python traceback counts by its last line: its frames are where, not why.
    """
    kept: list[str] = []
    frame_code = False
    for raw in stderr.splitlines():
        line = _CONTROL.sub("", raw.rsplit("\r", 1)[-1]).strip()
        if _FRAME.match(line):
            # Its source line follows, unless the code has no file ("<string>" of python -c).
            frame_code = line.startswith("File ") and not line.startswith('File "<')
            continue
        if frame_code:  # the source line printed under a traceback frame
            frame_code = False
            continue
        if line and not _NOISE.match(line) and re.search(r"[A-Za-z0-9]", line):
            kept.append(line)
    return tuple(kept[-limit:])


def cause(stderr: str) -> str:
    """The line most likely to say why it failed: the last meaningful one."""
    lines = meaningful_lines(stderr, 1)
    return lines[0] if lines else "(no stderr)"


def sandbox_findings(
    stderr: str, log_dir: Path | None, shows: Callable[[str], bool]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Hosts a step looked up without the proxy, and notes on what the sandbox stopped.

    The DNS sink records every name asked for directly (``log_dir/direct-dns``); an address
    that was dialled directly shows as "network is unreachable"; a path of this machine that
    the sandbox does not show (``shows`` says which), or shows read-only, is named with what
    that means.
    """
    direct = read_log(log_dir, "direct-dns") if log_dir is not None else ()
    notes: list[str] = []
    if _UNREACHABLE.search(stderr):
        notes.append(
            "direct connection (no proxy): an address was dialled without the proxy; in a cloud "
            "session only the proxy leads out (use HTTPS_PROXY)"
        )
    for match in _READ_ONLY.finditer(stderr):
        path = match.group(1) or match.group(2)
        notes.append(
            f"read-only in the sandbox: {path} (only the clone, HOME and TMPDIR are writable; "
            "what the setup needs outside them belongs in the cloud's setup script)"
        )
    for line in stderr.splitlines():
        if not _MISSING.search(line):
            continue
        for path in _PATH.findall(line):
            if _hidden_here(path, shows) and len(notes) < _MAX_NOTES + 1:
                notes.append(
                    f"not in the sandbox: {path} is on this machine, but not in a cloud session "
                    "(outside the clone, the image and HOME)"
                )
    return direct, tuple(dict.fromkeys(notes))[: _MAX_NOTES + 1]


def _hidden_here(path: str, shows: Callable[[str], bool]) -> bool:
    """True when ``path`` (or, for a new file, its folder) is on this machine, not in there."""
    path = path.rstrip(".")
    if os.path.lexists(path):
        return not shows(path)
    folder = os.path.dirname(path)
    return folder not in ("", "/") and os.path.isdir(folder) and not shows(folder)
