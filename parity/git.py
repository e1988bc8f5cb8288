"""Every git command parity runs: from the work tree's top, with options no repository can undo.

A repository is untrusted input (parity runs on pull requests and on whatever pre-commit passes
it), and git can be made to run programs by configuration: ``core.fsmonitor``, hooks,
``diff.external``, textconv drivers. The repository's own ``.git/config`` is written by git
itself (a clone, ``actions/checkout``), but a committed folder shaped like a bare repository
(``HEAD``, ``objects/``, ``refs/``, a ``config`` with ``core.fsmonitor = <command>``) is not: git
run with its working directory there uses that folder as the repository and runs the command.

So parity finds the top of the work tree itself (the nearest folder holding ``.git``, which no
commit can contain), runs every git command from there, and adds :data:`HARDENING`, whose
``-c`` options take precedence over every configuration file.
"""

from __future__ import annotations

import os
import select
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from parity.errors import ParityError, UsageError

HARDENING: tuple[str, ...] = (
    # Never start a file-system monitor (a program named by configuration).
    "-c",
    "core.fsmonitor=false",
    # Never use a bare repository found by walking up from the working directory.
    "-c",
    "safe.bareRepository=explicit",
    # No hooks: fetch, clone and checkout would otherwise run the repository's.
    "-c",
    f"core.hooksPath={os.devnull}",
    "--no-pager",
)
# Paths are file names, never glob patterns or pathspec magic (a folder may be named "*"); for
# the commands that take pathspecs (check-ignore refuses the option).
LITERAL = "--literal-pathspecs"
# Commands that compare content: never an external diff program or a textconv filter.
NO_DIFF_DRIVERS = ("--no-ext-diff", "--no-textconv")


_NOT_INSTALLED = "git is not installed; parity needs it to read the repository"


def _failed(args: tuple[str, ...], cwd: Path, err: bytes) -> ParityError:
    """The error of ``git ARGS`` that failed in ``cwd``: its last line of standard error."""
    message = err.decode("utf-8", "replace").strip().splitlines()
    return ParityError(f"git {args[0]} failed in {cwd}: {message[-1] if message else '?'}")


def _env(extra: Mapping[str, str] | None) -> dict[str, str]:
    # No optional locks (a read must not block the user's git), and never a password prompt.
    return {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", **(extra or {})}


def run(
    cwd: Path,
    *args: str,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    literal: bool = True,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` hardened, in ``cwd`` (a work tree's top, or a folder outside any).

    ``literal`` reads pathspecs as plain paths; pass False for commands that refuse it.
    """
    try:
        return subprocess.run(
            ["git", *HARDENING, *((LITERAL,) if literal else ()), *args],
            cwd=cwd,
            capture_output=True,
            check=False,
            env=_env(env),
            timeout=timeout,
        )
    except FileNotFoundError as exc:
        raise ParityError(_NOT_INSTALLED) from exc


def output(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> bytes:
    """The standard output of ``git ARGS`` in ``cwd``; ParityError when it fails."""
    proc = run(cwd, *args, env=env)
    if proc.returncode != 0:
        raise _failed(args, cwd, proc.stderr)
    return proc.stdout


def outputs(cwd: Path, *commands: tuple[str, ...]) -> list[bytes]:
    """The standard outputs of several read-only ``git`` commands in ``cwd``, run side by side.

    Each command is run as :func:`output` runs it (hardened, literal pathspecs); a large tree's
    walks then overlap instead of adding up. ParityError when any of them fails.
    """
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for args in commands:
            procs.append(
                subprocess.Popen(
                    ["git", *HARDENING, LITERAL, *args],
                    cwd=cwd,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    env=_env(None),
                )
            )
    except FileNotFoundError as exc:
        for proc in procs:
            proc.kill()
            proc.wait()
        raise ParityError(_NOT_INSTALLED) from exc
    found: list[bytes] = []
    failed: ParityError | None = None
    for args, proc in zip(commands, procs, strict=True):
        out, err = proc.communicate()
        if proc.returncode != 0 and failed is None:
            failed = _failed(args, cwd, err)
        found.append(out)
    if failed is not None:
        raise failed
    return found


class Running:
    """A read-only ``git`` command running while parity does something else (:func:`start`).

    Its output goes to files in memory, not to pipes: git writes a 100,000-file tree's listing
    (8 MB) without waiting for parity to read, so the two run side by side on two processors.
    """

    def __init__(self, cwd: Path, args: tuple[str, ...]) -> None:
        self._cwd = cwd
        self._args = args
        self._out = _memory_file("git-out")
        try:
            self._err = _memory_file("git-err")
        except OSError:
            os.close(self._out)
            raise
        try:
            self._proc = subprocess.Popen(
                ["git", *HARDENING, LITERAL, *args],
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=self._out,
                stderr=self._err,
                env=_env(None),
            )
        except OSError as exc:
            self._close()
            if isinstance(exc, FileNotFoundError):
                raise ParityError(_NOT_INSTALLED) from exc
            raise

    def ended(self, within: float = 0.0) -> bool:
        """True once git has ended, waiting up to ``within`` seconds for it."""
        if within > 0 and self._proc.poll() is None:
            _await(self._proc, within)
        return self._proc.poll() is not None

    def output(self) -> bytes:
        """What git printed, once it has ended; ParityError when it failed (as :func:`output`)."""
        try:
            code = self._proc.wait()
            out, err = _contents(self._out), _contents(self._err)
        finally:
            self._close()
        if code != 0:
            raise _failed(self._args, self._cwd, err)
        return out

    def stop(self) -> None:
        """End git, whose output is no longer wanted, and free what it wrote."""
        try:
            self._proc.kill()  # (nothing once it has ended)
            self._proc.wait()
        finally:
            self._close()

    def _close(self) -> None:
        os.close(self._out)
        os.close(self._err)


def _await(proc: subprocess.Popen[bytes], within: float) -> None:
    """Wait up to ``within`` seconds for ``proc`` to end, and no longer than it takes (or half a
    millisecond more)."""
    try:  # Linux: woken as it ends
        fd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        # Elsewhere, a look every half millisecond (Popen.wait's sleeps double: 1, 2, 4 ms...).
        import time

        deadline = time.monotonic() + within
        while proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.0005)
        return
    try:
        waiting = select.poll()
        waiting.register(fd, select.POLLIN)
        waiting.poll(within * 1000)
    finally:
        os.close(fd)


def start(cwd: Path, *args: str) -> Running:
    """Start the read-only ``git ARGS`` in ``cwd``, hardened and with literal pathspecs as
    :func:`output` runs it; its output is read with :meth:`Running.output`. OSError when its
    output has nowhere to go but a pipe (use :func:`output`)."""
    return Running(cwd, args)


def _memory_file(name: str) -> int:
    """A file descriptor open for reading and writing on a new file no folder holds (OSError
    when there can be none)."""
    if hasattr(os, "memfd_create"):  # Linux: in memory, not even in /tmp
        try:
            return os.memfd_create(name, os.MFD_CLOEXEC)
        except OSError:
            pass  # (a sandbox may refuse it: a temporary file then)
    import tempfile

    with tempfile.TemporaryFile() as handle:  # (unlinked: gone once the last descriptor is)
        return os.dup(handle.fileno())


def _contents(fd: int) -> bytes:
    """All of the file open as ``fd``, from its start."""
    size = os.fstat(fd).st_size
    chunks: list[bytes] = []
    offset = 0
    while True:
        chunk = os.pread(fd, max(size - offset, 65536), offset)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        offset += len(chunk)


def _path(out: bytes) -> Path:
    return Path(os.fsdecode(out.rstrip(b"\n")))


def toplevel(start: Path) -> Path | None:
    """The top of the git work tree holding ``start`` (a file or folder), or None outside one.

    The nearest folder holding ``.git`` (a folder, or the file of a linked worktree or
    submodule) from ``start`` up, as git would find it, but without ever running git below it:
    the folders in between are the repository's content. git then confirms it (None when git
    refuses it, for example a repository owned by another user).
    """
    probe = start.absolute()
    if not probe.is_dir():
        probe = probe.parent
    try:
        probe = probe.resolve()
    except (OSError, RuntimeError):
        return None
    for folder in (probe, *probe.parents):
        if os.path.lexists(folder / ".git"):
            try:
                proc = run(folder, "rev-parse", "--show-toplevel")
            except ParityError:
                return None
            return _path(proc.stdout) if proc.returncode == 0 and proc.stdout.strip() else None
    return None


class Worktree(NamedTuple):
    """A folder inside a git work tree: the tree's ``top`` and the folder as ``prefix`` under it.

    ``prefix`` is "" for the top itself, else a POSIX path without a trailing slash.
    """

    top: Path
    prefix: str = ""

    def path(self, rel: str) -> str:
        """``rel`` (relative to the folder) as a path relative to the top, for git."""
        return f"{self.prefix}/{rel}" if self.prefix else rel

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        timeout: float | None = None,
        literal: bool = True,
    ) -> subprocess.CompletedProcess[bytes]:
        """``git ARGS`` from the top, hardened (see :func:`run`)."""
        return run(self.top, *args, env=env, timeout=timeout, literal=literal)

    def output(self, *args: str, env: Mapping[str, str] | None = None) -> bytes:
        """The output of ``git ARGS`` from the top; ParityError when it fails."""
        return output(self.top, *args, env=env)

    def outputs(self, *commands: tuple[str, ...]) -> list[bytes]:
        """The outputs of several ``git`` commands from the top, run side by side."""
        return outputs(self.top, *commands)

    def start(self, *args: str) -> Running:
        """``git ARGS`` from the top, running while the caller goes on (see :func:`start`)."""
        return start(self.top, *args)

    def git_dir(self) -> Path | None:
        """This work tree's git directory (``.git``, or ``.git/worktrees/NAME``)."""
        proc = self.run("rev-parse", "--absolute-git-dir")
        return _path(proc.stdout) if proc.returncode == 0 else None

    def git_dirs(self) -> tuple[Path, ...]:
        """Every git directory this work tree uses: its own and the common one (resolved)."""
        proc = self.run("rev-parse", "--absolute-git-dir", "--git-common-dir")
        if proc.returncode != 0:
            return ()
        found: list[Path] = []
        for line in proc.stdout.splitlines():
            path = Path(os.fsdecode(line))
            # --git-common-dir prints a path relative to the working directory (the top).
            real = (path if path.is_absolute() else self.top / path).resolve()
            if real not in found:
                found.append(real)
        return tuple(found)

    def listing_sources(self) -> tuple[list[str], list[str]] | None:
        """What decides, besides the tree's folders, what ``git ls-files`` lists here (absolute
        paths): the index files (the index, and a split index's shared index), and the
        configuration files git reads or would read if they existed. None if git cannot tell.
        """
        dirs = ("--git-path", "index", "--git-common-dir", "--absolute-git-dir")
        try:
            paths, config = self.outputs(
                # --shared-index-path last: it prints nothing for an index that is not split.
                ("rev-parse", *dirs, "--shared-index-path"),
                ("config", "--list", "--show-origin", "-z"),
            )
        except ParityError:
            return None
        top = str(self.top)
        # Relative paths are relative to the top, where git ran; join keeps absolute ones.
        lines = [os.path.join(top, os.fsdecode(line)) for line in paths.splitlines()]
        if len(lines) not in (3, 4):
            return None
        index, common, own = lines[:3]
        files = {os.path.join(common, "config"), os.path.join(own, "config.worktree")}
        # Records are "ORIGIN\0KEY\nVALUE\0": included files too.
        for origin in config.split(b"\0")[0::2]:
            if origin.startswith(b"file:"):
                files.add(os.path.join(top, os.fsdecode(origin[5:])))
        files.update(_user_config())
        return [index, *lines[3:]], sorted(files)


def _user_config() -> list[str]:
    """The global and system configuration files git reads (existing or not)."""
    env = os.environ
    found = []
    if env.get("GIT_CONFIG_GLOBAL"):
        found.append(env["GIT_CONFIG_GLOBAL"])
    elif env.get("HOME"):
        xdg = env.get("XDG_CONFIG_HOME") or os.path.join(env["HOME"], ".config")
        found += [os.path.join(xdg, "git", "config"), os.path.join(env["HOME"], ".gitconfig")]
    if env.get("GIT_CONFIG_NOSYSTEM", "") in ("", "0", "false"):
        found.append(env.get("GIT_CONFIG_SYSTEM") or "/etc/gitconfig")
    return [os.path.abspath(path) for path in found]


def worktree(folder: Path, top: Path | None = None) -> Worktree | None:
    """The work tree holding ``folder``, with ``folder``'s place in it; None outside git.
    ``top`` is the tree's top when the caller has it from :func:`toplevel` already."""
    if top is None:
        top = toplevel(folder)
    if top is None:
        return None
    try:
        prefix = folder.resolve().relative_to(top.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        return None
    return Worktree(top, "" if prefix == "." else prefix)


def check_revision(rev: str, what: str) -> str:
    """``rev`` when it can only be read as a revision (never as an option of git)."""
    if not rev or rev.startswith("-") or "\0" in rev or "\n" in rev:
        raise UsageError(f"{what}: {rev!r} is not a revision")
    return rev
