"""One step of an emulated session: its log folder, proxy, environment and process.

The session, the hook runner, the MCP probes and the client engine all start their programs
here, so that every step gets its own proxy (hosts are charged to the step that asked for them),
its own log folder for the shims, and the same launcher: this machine, or the sandbox.
"""

from __future__ import annotations

import contextlib
import functools
import subprocess
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from parity.emulate.environment import STEP_LOG_VAR, SessionEnvironment
from parity.emulate.inside import PROXY_PLACEHOLDER
from parity.emulate.process import (
    Outcome,
    Wrap,
    kill_group,
    kill_marked,
    run_process,
    save_output,
)
from parity.emulate.proxy import AllowlistProxy, Resolver
from parity.emulate.result import HostRequest

if TYPE_CHECKING:
    from parity.emulate.sandbox import Sandbox
    from parity.emulate.workspace import Workspace
    from parity.network import Allowlist


class StepsStopped(Exception):
    """The session was stopped (an interruption): no new step starts."""


@dataclass(frozen=True)
class StepContext:
    """What a step's program starts with: its variables, its launcher and its proxy."""

    env: dict[str, str]
    wrap: Wrap | None
    proxy: AllowlistProxy
    log_dir: Path


@dataclass(frozen=True)
class StepRun:
    """A finished program of a step, with the hosts it asked the proxy for."""

    outcome: Outcome
    hosts: tuple[HostRequest, ...]
    log_dir: Path


class StepRunner:
    """Starts the session's programs; ``stop()`` ends them all."""

    def __init__(
        self,
        workspace: Workspace,
        environment: SessionEnvironment,
        allowlist: Allowlist,
        *,
        session_id: str,
        resolve: Resolver | None = None,
        sandbox: Sandbox | None = None,
    ) -> None:
        self.workspace = workspace
        self.environment = environment
        self.allowlist = allowlist
        self.session_id = session_id
        self.resolve = resolve
        self.sandbox = sandbox
        self.groups: list[int] = []
        self._proxies: list[AllowlistProxy] = []
        self._env_files: list[Path] = []
        self._lock = threading.Lock()
        self._counter = 0
        self._stopped = False
        self.running = 0  # steps whose program runs now

    @property
    def sandboxed(self) -> bool:
        """True when the programs run inside the sandbox."""
        return self.sandbox is not None

    # -- folders --------------------------------------------------------------------------------

    def log_dir(self) -> Path:
        """A new log folder for one step (the shims write what they saw there)."""
        with self._lock:
            self._counter += 1
            folder = self.workspace.logs / f"step-{self._counter}"
        folder.mkdir()
        return folder

    def next_env_file(self) -> Path:
        """A new ``CLAUDE_ENV_FILE`` path where the client puts it (the file is not created)."""
        with self._lock:
            n = len(self._env_files)
            folder = self.workspace.home / ".claude" / "session-env" / self.session_id
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"sessionstart-hook-{n}.sh"
            self._env_files.append(path)
            return path

    def add_env_file(self, path: Path) -> None:
        """Record an env file written by another engine (the real client)."""
        with self._lock:
            if path not in self._env_files:
                self._env_files.append(path)

    @property
    def env_files(self) -> tuple[Path, ...]:
        """The ``CLAUDE_ENV_FILE`` scripts written so far."""
        return tuple(p for p in self._env_files if p.is_file())

    # -- steps ----------------------------------------------------------------------------------

    @contextlib.contextmanager
    def step(
        self, log_dir: Path | None = None, env_file: Path | None = None, *, setup: bool = False
    ) -> Iterator[StepContext]:
        """A step's proxy, variables and launcher; the proxy stops when the block ends."""
        if self._stopped:
            raise StepsStopped
        folder = log_dir if log_dir is not None else self.log_dir()
        wrap: Wrap | None = None
        if self.sandbox is not None:
            host_socket, inside_socket = self.sandbox.proxy_socket()
            proxy = AllowlistProxy(self.allowlist, self.resolve, unix_path=host_socket)
            url = PROXY_PLACEHOLDER  # the sandbox's bridge puts its own address there
            wrap = functools.partial(self.sandbox.wrap, log_dir=folder, proxy=inside_socket)
        else:
            proxy = AllowlistProxy(self.allowlist, self.resolve)
            url = proxy.url
        proxy.start()
        with self._lock:
            self._proxies.append(proxy)
        try:
            env = self.environment.for_step(folder, url, env_file, setup=setup)
            yield StepContext(env, wrap, proxy, folder)
        finally:
            proxy.stop()

    def run(
        self,
        argv: Sequence[str],
        *,
        log_dir: Path | None = None,
        env_file: Path | None = None,
        setup: bool = False,
        stdin: bytes = b"",
        timeout: float | None = None,
        stdout: IO[bytes] | int | None = subprocess.PIPE,
        stderr: IO[bytes] | int | None = subprocess.PIPE,
        extra_env: dict[str, str] | None = None,
    ) -> StepRun:
        """Run one program as a step, in the clone, and wait for it."""
        with self.step(log_dir, env_file, setup=setup) as ctx, self._counting():
            outcome = run_process(
                argv,
                cwd=self.workspace.project,
                env={**ctx.env, **(extra_env or {})},
                stdin=stdin,
                timeout=timeout,
                stdout=stdout,
                stderr=stderr,
                groups=self.groups,
                wrap=ctx.wrap,
            )
            save_output(ctx.log_dir, outcome)
            return StepRun(outcome, ctx.proxy.requests, ctx.log_dir)

    @contextlib.contextmanager
    def _counting(self) -> Iterator[None]:
        with self._lock:
            self.running += 1
        try:
            yield
        finally:
            with self._lock:
                self.running -= 1

    def stop(self) -> None:
        """End every program the steps started and stop the proxies (no new step starts)."""
        self._stopped = True
        for pgid in list(self.groups):
            kill_group(pgid)
        with self._lock:
            proxies = list(self._proxies)
        for proxy in proxies:
            proxy.stop()
        if self.sandbox is not None:
            self.sandbox.close()
        else:
            # What left its process group (setsid, a daemon) still has the step's variables.
            marker = f"{STEP_LOG_VAR}={self.workspace.logs}/".encode()
            kill_marked(marker)
