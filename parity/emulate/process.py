"""Run one step's process in its own process group, with a timeout that kills the whole group."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# How a program is started: (argv, cwd, env) -> what to start on this machine instead (the
# sandbox's entry); None starts it as it is.
Wrap = Callable[[Sequence[str], Path, Mapping[str, str]], tuple[list[str], dict[str, str]]]

# Output kept in the report per stream (its start and its end); the size counted is the real
# one, and the whole of it is in the step's log folder.
KEEP_OUTPUT = 64 * 1024
# After a kill, how long to wait for the pipes to close (grandchildren may hold them).
_REAP_TIMEOUT = 2.0
# ``sh`` (dash) has no command_not_found_handle: its own message names the command.
_SH_NOT_FOUND = re.compile(r"^(?:\S*/)?(?:sh|dash): \d+: ([^\s:]+): not found$", re.MULTILINE)


@dataclass(frozen=True)
class Outcome:
    """What a process did."""

    exit_code: int | None  # None when it timed out
    stdout: bytes
    stderr: bytes
    duration: float
    timed_out: bool = False
    not_found: str | None = None  # exec form: the program itself does not resolve


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    stdin: bytes = b"",
    timeout: float | None = None,
    stdout: IO[bytes] | int | None = subprocess.PIPE,
    stderr: IO[bytes] | int | None = subprocess.PIPE,
    groups: list[int] | None = None,
    wrap: Wrap | None = None,
) -> Outcome:
    """Run ``argv`` in a new session; on timeout kill its whole process group.

    The process group id is appended to ``groups`` so that the session can end what is left
    running in the background when it closes. ``wrap`` starts it in the sandbox instead.
    """
    start = time.monotonic()
    command, environment = wrap(argv, cwd, env) if wrap is not None else (list(argv), dict(env))
    try:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=environment,
            stdin=subprocess.PIPE,
            stdout=stdout,
            stderr=stderr,
            start_new_session=True,
        )
    except FileNotFoundError:
        return Outcome(127, b"", b"", time.monotonic() - start, not_found=argv[0])
    except PermissionError as exc:
        return Outcome(126, b"", str(exc).encode(), time.monotonic() - start)
    if groups is not None:
        groups.append(proc.pid)
    try:
        out, err = proc.communicate(stdin, timeout=timeout)
    except subprocess.TimeoutExpired:
        kill_group(proc.pid)
        try:
            out, err = proc.communicate(timeout=_REAP_TIMEOUT)
        except subprocess.TimeoutExpired:
            for pipe in (proc.stdout, proc.stderr):
                if pipe is not None:
                    with contextlib.suppress(OSError):
                        pipe.close()
            proc.wait()
            out, err = b"", b""
        return Outcome(None, out or b"", err or b"", time.monotonic() - start, timed_out=True)
    return Outcome(proc.returncode, out or b"", err or b"", time.monotonic() - start)


def kill_group(pgid: int, sig: int = signal.SIGKILL) -> None:
    """Signal every process of group ``pgid``; a group that is gone is not an error."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def read_log(folder: Path, name: str) -> tuple[str, ...]:
    """Names recorded by the shims in ``folder/name``, one per line, de-duplicated in order."""
    try:
        text = (folder / name).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    return tuple(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


def sh_not_found(stderr: str) -> tuple[str, ...]:
    """Commands ``sh`` reported as not found (dash has no not-found hook to record them)."""
    return tuple(dict.fromkeys(_SH_NOT_FOUND.findall(stderr)))


def text(data: bytes) -> str:
    """Decoded output, cut to its first and last ``KEEP_OUTPUT / 2`` bytes."""
    if len(data) <= KEEP_OUTPUT:
        return data.decode("utf-8", errors="replace")
    half = KEEP_OUTPUT // 2
    cut = len(data) - 2 * half
    return (
        data[:half].decode("utf-8", errors="replace")
        + f"\n[... {cut} bytes cut; the whole output is in the step's log folder ...]\n"
        + data[-half:].decode("utf-8", errors="replace")
    )


def save_output(log_dir: Path, outcome: Outcome) -> None:
    """Keep a step's whole output in its log folder (``stdout``, ``stderr``)."""
    for name, data in (("stdout", outcome.stdout), ("stderr", outcome.stderr)):
        if data:
            with contextlib.suppress(OSError):
                (log_dir / name).write_bytes(data)


def kill_marked(marker: bytes, wait: float = 2.0) -> int:
    """End every process whose environment holds ``marker``; return how many there were.

    What a step starts keeps the step's environment, also after leaving its process group
    (``setsid``, a daemon): the session's marker finds those too. Waits (up to ``wait``
    seconds) until they are gone, so that their folders can be removed.
    """
    try:
        names = os.listdir("/proc")
    except OSError:
        return 0  # not Linux: process groups are all there is
    killed = []
    for name in names:
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/environ", "rb") as handle:
                environ = handle.read()
        except OSError:
            continue
        if marker in environ:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(int(name), signal.SIGKILL)
                killed.append(int(name))
    count = len(killed)
    deadline = time.monotonic() + wait
    while killed and time.monotonic() < deadline:
        killed = [pid for pid in killed if _running(pid)]
        if killed:
            time.sleep(0.01)
    return count


def _running(pid: int) -> bool:
    """True while ``pid`` exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
