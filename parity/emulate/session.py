"""An emulated cloud session: workspace, environment, proxy, setup script, hooks, MCP, commands."""

from __future__ import annotations

import contextlib
import secrets
import shlex
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from parity.emulate.environment import (
    ImageView,
    SessionEnvironment,
    build_environment,
    build_image_view,
    default_cache,
    read_env_file,
)
from parity.emulate.hookrun import (
    EVENT,
    SOURCES,
    HookSpec,
    PreparedHook,
    run_hooks,
    select_hooks,
    stdin_payload,
)
from parity.emulate.process import Outcome, kill_group, read_log, run_process, sh_not_found, text
from parity.emulate.proxy import AllowlistProxy, Resolver
from parity.emulate.result import EmulationResult, HostRequest, Status, StepResult
from parity.emulate.workspace import Workspace, create_workspace, remove_tree
from parity.errors import UsageError

ENGINES = ("local", "claude")
SETUP_TIMEOUT = 300.0  # the cloud gives its setup script about five minutes


@dataclass(frozen=True)
class EmulateOptions:
    """What to emulate; every field has the documented default of ``parity emulate``."""

    repo: Path = field(default_factory=Path.cwd)
    network: str | None = None  # default: the declared environment's level
    allow: tuple[str, ...] = ()
    environment: str | None = None
    image: str | None = None  # default: the declared environment's image
    source: str = "startup"
    ref: str | None = None
    staged: bool = False
    env_file: Path | None = None
    env_values: Mapping[str, str] | None = None  # variables given directly (pytest fixture)
    probe_mcp: bool = False
    engine: str = "local"
    keep: bool = False
    config_file: Path | None = None
    resolve: Resolver | None = None  # host name -> address the proxy connects to (tests)
    temp_dir: Path | None = None  # parent of the session's temp folders
    claude_bin: str | None = None  # --engine claude: the client (default: PARITY_CLAUDE_BIN)
    view_cache: Path | None = field(default_factory=default_cache)  # None: build per session


class CloudSession:
    """A running emulated session: ``start()`` does the session start, ``run()`` runs commands.

    Use as a context manager; ``close()`` stops the proxies, ends what the steps left running and
    removes the temp folders (unless ``keep``).
    """

    def __init__(self, options: EmulateOptions) -> None:
        if options.source not in SOURCES:
            raise UsageError(f"--source must be one of {', '.join(SOURCES)}")
        if options.engine not in ENGINES:
            raise UsageError(f"--engine must be one of {', '.join(ENGINES)}")
        self.options = options
        self.steps: list[StepResult] = []
        self.warnings: list[str] = []
        self.session_id = _session_id()
        self._groups: list[int] = []
        self._proxies: list[AllowlistProxy] = []
        self._lock = threading.Lock()
        self._counter = 0
        self._started = 0.0
        self._ws: Workspace | None = None
        self._env: SessionEnvironment | None = None
        self._view: ImageView | None = None
        self._env_files: list[Path] = []
        self._closed = False
        self.network = ""
        self.image = ""
        self._allowlist: Any = None

    # -- the pieces -----------------------------------------------------------------------------

    @property
    def workspace(self) -> Workspace:
        """The session's folders (after ``start()``)."""
        if self._ws is None:
            raise RuntimeError("the session has not started")
        return self._ws

    @property
    def project(self) -> Path:
        """The fresh clone: the session's project directory."""
        return self.workspace.project

    @property
    def home(self) -> Path:
        """The session's empty HOME."""
        return self.workspace.home

    @property
    def env(self) -> dict[str, str]:
        """The variables a step starts from (without the per-step proxy and log folder)."""
        if self._env is None:
            raise RuntimeError("the session has not started")
        return dict(self._env.base)

    @property
    def hook_results(self) -> list[StepResult]:
        """The SessionStart hook steps (run, skipped or not emulated), in order."""
        return [s for s in self.steps if s.kind == "hook"]

    @property
    def env_files(self) -> tuple[Path, ...]:
        """The ``CLAUDE_ENV_FILE`` scripts the hooks wrote, sourced before every command."""
        return tuple(p for p in self._env_files if p.is_file())

    # -- the session start ----------------------------------------------------------------------

    def start(self) -> CloudSession:
        """Clone, build the environment, run the setup script, the hooks and (asked) MCP probes."""
        from parity.config import load_config
        from parity.discover import git_root
        from parity.image import load_profile
        from parity.network import allowlist_for

        self._started = time.monotonic()
        if self.options.engine == "claude":
            from parity.emulate.claude_engine import client_binary

            client_binary(self.options.claude_bin)  # fail before any work when it is absent
        root = git_root(self.options.repo.resolve())
        if root is None:
            raise UsageError(f"{self.options.repo}: not inside a git repository")
        self._ws = create_workspace(
            root, self.options.ref, staged=self.options.staged, base=self.options.temp_dir
        )
        try:
            ws = self._ws
            config = load_config(ws.project, self.options.config_file)
            declared = config.environment(self.options.environment)
            self.network = self.options.network or declared.network
            allow = tuple(declared.allow) + tuple(self.options.allow)
            if self.network == "custom" and not allow:
                self.warnings.append("network 'custom' with no --allow domain blocks every host")
            self._allowlist = allowlist_for(self.network, allow)
            profile = load_profile(self.options.image or declared.image)
            self.image = profile.name
            self._view = build_image_view(profile, ws.bin, cache=self.options.view_cache)
            project = read_project(ws.project)
            settings = project.settings
            values = dict(self.options.env_values or {})
            if self.options.env_file is not None:
                values.update(read_env_file(self.options.env_file))
            self._env = build_environment(
                project=ws.project,
                home=ws.home,
                tmp=ws.tmp,
                view=self._view,
                settings_env=_string_env(settings.get("env")),
                declared=declared.env,
                values=values,
                session_id=self.session_id,
            )
            self.warnings.extend(self._env.warnings)
            if declared.setup_script:
                self.steps.append(self._setup_script(declared.setup_script))
            if self.options.engine == "claude":
                from parity.emulate.claude_engine import run_client

                self.steps.extend(run_client(self))
            else:
                self.steps.extend(self._hooks(project))
            if self.options.probe_mcp:
                self.steps.extend(self._probe_mcp())
        except BaseException:
            self.close()
            raise
        return self

    def _setup_script(self, rel: str) -> StepResult:
        script = self.project / rel
        if not script.is_file():
            return StepResult(
                "setup-script",
                rel,
                Status.FAILED,
                messages=(f"{rel} is not in the committed tree, so the cloud cannot run it",),
            )
        step = self._run_step(
            "setup-script", rel, ["bash", str(script)], timeout=SETUP_TIMEOUT, setup=True
        )
        if step.status is Status.FAILED:
            return _with_message(step, "the cloud's setup script must exit 0: the session fails")
        return step

    def _hooks(self, project: ProjectConfig) -> list[StepResult]:
        if project.settings.get("disableAllHooks") is True:
            return [
                StepResult(
                    "hook",
                    EVENT,
                    Status.SKIPPED,
                    messages=("disableAllHooks is true: no hook runs",),
                )
            ]
        chosen, skipped = select_hooks(project.hooks, self.options.source)
        prepared = []
        for spec in chosen:
            env_file = self.next_env_file()
            prepared.append(PreparedHook(spec, env_file, self._log_dir()))
        payload = stdin_payload(self.session_id, self.home, self.project, self.options.source)

        def runner(
            argv: list[str], env_file: Path, log_dir: Path, timeout: float
        ) -> tuple[Outcome, tuple[HostRequest, ...]]:
            with self._proxy() as proxy:
                env = self._step_env(log_dir, proxy, env_file)
                outcome = run_process(
                    argv,
                    cwd=self.project,
                    env=env,
                    stdin=payload,
                    timeout=timeout,
                    groups=self._groups,
                )
                return outcome, proxy.requests

        sh = self._view.sh if self._view is not None else "/bin/sh"
        results = run_hooks(prepared, runner, sh)
        results.extend(
            StepResult(
                "hook",
                spec.name,
                Status.SKIPPED,
                matcher=spec.matcher,
                messages=(f"matcher {spec.matcher!r} does not match {self.options.source!r}",),
            )
            for spec in skipped
        )
        return results

    def _probe_mcp(self) -> list[StepResult]:
        from parity.emulate.mcp import probe, servers_of

        results = []
        for server in servers_of(self.project / ".mcp.json"):
            log_dir = self._log_dir()
            with self._proxy() as proxy:
                env = self.command_env(log_dir, proxy)
                results.append(
                    probe(
                        server,
                        cwd=self.project,
                        env=env,
                        log_dir=log_dir,
                        hosts=lambda p=proxy: p.requests,  # type: ignore[misc]
                        groups=self._groups,
                    )
                )
        return results

    # -- commands inside the session ------------------------------------------------------------

    def run(
        self,
        command: str | Sequence[str],
        *,
        timeout: float | None = None,
        stdout: IO[bytes] | int | None = subprocess.PIPE,
        stderr: IO[bytes] | int | None = subprocess.PIPE,
        record: bool = True,
    ) -> StepResult:
        """Run a command the way the Bash tool would: the hooks' env files sourced first.

        A string is shell text; a sequence is a program and its arguments.
        """
        if isinstance(command, str):
            argv = ["bash", "-c", _sourcing_prelude(self.env_files) + command]
            name = command
        else:
            argv = [
                "bash",
                "-c",
                _sourcing_prelude(self.env_files) + '"$@"',
                "bash",
                *command,
            ]
            name = shlex.join(command)
        log_dir = self._log_dir()
        with self._proxy() as proxy:
            outcome = run_process(
                argv,
                cwd=self.project,
                env=self.command_env(log_dir, proxy),
                timeout=timeout,
                stdout=stdout,
                stderr=stderr,
                groups=self._groups,
            )
            hosts = proxy.requests
        step = _command_step("command", name, outcome, hosts, log_dir=log_dir, timeout=timeout)
        if stdout != subprocess.PIPE:
            step = replace(step, captured=False)
        if record:
            self.steps.append(step)
        return step

    def command_env(self, log_dir: Path, proxy: AllowlistProxy) -> dict[str, str]:
        """The environment of a command run after the hooks (no ``CLAUDE_ENV_FILE``)."""
        return self._step_env(log_dir, proxy, None)

    # -- plumbing -------------------------------------------------------------------------------

    def next_env_file(self) -> Path:
        """A new ``CLAUDE_ENV_FILE`` path where the client puts it (the file is not created)."""
        with self._lock:
            n = len(self._env_files)
            folder = self.home / ".claude" / "session-env" / self.session_id
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"sessionstart-hook-{n}.sh"
            self._env_files.append(path)
            return path

    def add_env_file(self, path: Path) -> None:
        """Record an env file written by another engine (the real client)."""
        with self._lock:
            if path not in self._env_files:
                self._env_files.append(path)

    def _log_dir(self) -> Path:
        with self._lock:
            self._counter += 1
            folder = self.workspace.logs / f"step-{self._counter}"
        folder.mkdir()
        return folder

    @contextlib.contextmanager
    def _proxy(self) -> Any:
        # One proxy per step, so that every host asked for is charged to the step that asked.
        proxy = AllowlistProxy(self._allowlist, self.options.resolve).start()
        with self._lock:
            self._proxies.append(proxy)
        try:
            yield proxy
        finally:
            proxy.stop()

    def _step_env(
        self, log_dir: Path, proxy: AllowlistProxy, env_file: Path | None, *, setup: bool = False
    ) -> dict[str, str]:
        if self._env is None:
            raise RuntimeError("the session has not started")
        return self._env.for_step(log_dir, proxy.url, env_file, setup=setup)

    def _run_step(
        self,
        kind: str,
        name: str,
        argv: list[str],
        *,
        timeout: float | None,
        setup: bool = False,
    ) -> StepResult:
        log_dir = self._log_dir()
        with self._proxy() as proxy:
            outcome = run_process(
                argv,
                cwd=self.project,
                env=self._step_env(log_dir, proxy, None, setup=setup),
                timeout=timeout,
                groups=self._groups,
            )
            hosts = proxy.requests
        return _command_step(kind, name, outcome, hosts, log_dir=log_dir, timeout=timeout)

    def result(self) -> EmulationResult:
        """The report of everything done so far."""
        ws = self._ws
        return EmulationResult(
            engine=self.options.engine,
            network=self.network,
            image=self.image,
            source=self.options.source,
            ref=f"{ws.describe} ({ws.commit[:12]})" if ws is not None else "",
            steps=tuple(self.steps),
            warnings=tuple(self.warnings),
            duration=time.monotonic() - self._started if self._started else 0.0,
            kept=(str(ws.base),) if ws is not None and self.options.keep else (),
        )

    def close(self) -> None:
        """End what the steps left running, stop the proxies, remove the folders (unless kept)."""
        if self._closed:
            return
        self._closed = True
        for pgid in self._groups:
            kill_group(pgid)
        for proxy in self._proxies:
            proxy.stop()
        if self._ws is not None and not self.options.keep:
            remove_tree(self._ws.base)

    def __enter__(self) -> CloudSession:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def emulate(
    options: EmulateOptions,
    command: Sequence[str] = (),
    *,
    stdout: IO[bytes] | int | None = subprocess.PIPE,
    stderr: IO[bytes] | int | None = subprocess.PIPE,
) -> EmulationResult:
    """Run a whole emulated session start and, if given, ``command`` inside it."""
    with CloudSession(options) as session:
        if command:
            session.run(
                command[0] if len(command) == 1 else list(command), stdout=stdout, stderr=stderr
            )
        return session.result()


@dataclass(frozen=True)
class ProjectConfig:
    """What the clone's project settings give the session start."""

    settings: dict[str, Any]  # .claude/settings.json (empty when absent or unreadable)
    hooks: tuple[HookSpec, ...]  # its SessionStart handlers, in order


def read_project(project: Path) -> ProjectConfig:
    """The project scope of the clone (never the user's settings, never local ones)."""
    from parity.discover import discover_repo
    from parity.hooks import iter_hooks
    from parity.model import Inventory, Kind, Scope

    inventory = Inventory.build(discover_repo(project))
    settings: dict[str, Any] = {}
    for cf, doc in inventory.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        if cf.rel == ".claude/settings.json" and doc.ok and isinstance(doc.value, dict):
            settings = doc.value
    hooks = tuple(
        HookSpec(h.matcher, h.handler)
        for h in iter_hooks(inventory, scopes=[Scope.PROJECT])
        if h.event == EVENT and h.file.tracked
    )
    return ProjectConfig(settings, hooks)


def _string_env(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}


def _sourcing_prelude(files: Sequence[Path]) -> str:
    # The Bash tool sources every CLAUDE_ENV_FILE before each command.
    return "".join(f". {shlex.quote(str(f))}\n" for f in files)


def _session_id() -> str:
    raw = secrets.token_hex(16)
    return f"{raw[:8]}-{raw[8:12]}-{raw[12:16]}-{raw[16:20]}-{raw[20:]}"


def _with_message(step: StepResult, message: str) -> StepResult:
    return replace(step, messages=(*step.messages, message))


def _command_step(
    kind: str,
    name: str,
    outcome: Outcome,
    hosts: tuple[HostRequest, ...],
    *,
    log_dir: Path,
    timeout: float | None,
) -> StepResult:
    stderr = text(outcome.stderr)
    missing = list(read_log(log_dir, "missing")) + list(sh_not_found(stderr))
    if outcome.not_found:
        missing.append(outcome.not_found)
    messages = []
    if outcome.timed_out:
        status = Status.TIMEOUT
        messages.append(f"timed out after {timeout:g}s: the process group was killed")
    elif outcome.exit_code == 0:
        status = Status.OK
    else:
        status = Status.FAILED
        messages.append(f"exit {outcome.exit_code}")
    absent_here = read_log(log_dir, "absent-here")
    if absent_here:
        messages.append(
            "not emulated: in the image but not on this machine: " + ", ".join(absent_here)
        )
    return StepResult(
        kind,
        name,
        status,
        duration=outcome.duration,
        exit_code=outcome.exit_code,
        stdout=text(outcome.stdout),
        stderr=stderr,
        stdout_size=len(outcome.stdout),
        hosts=hosts,
        missing_commands=tuple(dict.fromkeys(missing)),
        broken_commands=read_log(log_dir, "broken"),
        messages=tuple(messages),
    )
