"""An emulated cloud session: workspace, environment, proxy, setup script, hooks, MCP, commands."""

from __future__ import annotations

import contextlib
import os
import secrets
import shlex
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import TracebackType
from typing import IO

from parity.emulate.claude_engine import client_binary, run_client
from parity.emulate.diagnose import cause, meaningful_lines, sandbox_findings
from parity.emulate.environment import (
    ImageView,
    SessionEnvironment,
    build_environment,
    build_image_view,
    ca_files,
    default_cache,
    read_env_file,
)
from parity.emulate.hookrun import (
    EVENT,
    SOURCES,
    PreparedHook,
    run_hooks,
    select_hooks,
    stdin_payload,
)
from parity.emulate.process import Outcome, read_log, sh_not_found, text
from parity.emulate.project import ProjectConfig, read_project, string_env
from parity.emulate.proxy import Resolver
from parity.emulate.result import (
    EmulationResult,
    HostRequest,
    Progress,
    SandboxReport,
    Status,
    StepResult,
)
from parity.emulate.runner import StepRunner
from parity.emulate.sandbox import (
    INSTALL_HINT,
    MODE_VAR,
    MODES,
    NOT_ENFORCED,
    Limits,
    Sandbox,
    SandboxUnavailable,
    unavailable_reason,
)
from parity.emulate.workspace import (
    Workspace,
    checkout_workspace,
    create_workspace,
    remove_tree,
    remove_tree_soon,
    uncommitted_config,
)
from parity.errors import UsageError

ENGINES = ("local", "claude")
SETUP_TIMEOUT = 300.0  # the cloud gives its setup script about five minutes


def _default_sandbox() -> str:
    return os.environ.get(MODE_VAR) or "auto"


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
    sandbox: str = field(default_factory=_default_sandbox)  # auto | required | off
    limits: bool = False  # the cloud VM's size (4 CPUs, 16 GB, 30 GB) as limits


class CloudSession:
    """A running emulated session: ``start()`` does the session start, ``run()`` runs commands.

    Use as a context manager; ``close()`` ends every process the steps started (the whole
    sandbox), stops the proxies and removes the temp folders (unless ``keep``).
    """

    def __init__(
        self, options: EmulateOptions, listener: Callable[[Progress], None] | None = None
    ) -> None:
        if options.source not in SOURCES:
            raise UsageError(f"--source must be one of {', '.join(SOURCES)}")
        if options.engine not in ENGINES:
            raise UsageError(f"--engine must be one of {', '.join(ENGINES)}")
        if options.sandbox not in MODES:
            raise UsageError(f"--sandbox must be one of {', '.join(MODES)}")
        self.options = options
        self.listener = listener
        self.steps: list[StepResult] = []
        self.warnings: list[str] = []
        self.session_id = _session_id()
        self._started = 0.0
        self._ws: Workspace | None = None
        self._env: SessionEnvironment | None = None
        self._view: ImageView | None = None
        self._runner: StepRunner | None = None
        self._launched: Sandbox | None = None  # started, not yet handed to the runner
        self._sandbox: SandboxReport = SandboxReport(options.sandbox, False)
        self._closed = False
        self.network = ""
        self.image = ""

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
    def sandboxed(self) -> bool:
        """True when the steps run inside the bubblewrap sandbox."""
        return self._sandbox.active

    @property
    def hook_results(self) -> list[StepResult]:
        """The SessionStart hook steps (run, skipped or not emulated), in order."""
        return [s for s in self.steps if s.kind == "hook"]

    @property
    def env_files(self) -> tuple[Path, ...]:
        """The ``CLAUDE_ENV_FILE`` scripts the hooks wrote, sourced before every command."""
        return self.runner.env_files

    @property
    def runner(self) -> StepRunner:
        """What starts the session's programs (after ``start()``)."""
        if self._runner is None:
            raise RuntimeError("the session has not started")
        return self._runner

    # -- the session start ----------------------------------------------------------------------

    def start(self) -> CloudSession:
        """Clone, build the environment, run the setup script, the hooks and (asked) MCP probes."""
        from parity.config import load_config
        from parity.discover import git_root
        from parity.image import load_profile
        from parity.network import allowlist_for

        self._started = time.monotonic()
        if self.options.engine == "claude":
            client_binary(self.options.claude_bin)  # fail before any work when it is absent
        if self.options.sandbox == "required":
            reason = unavailable_reason()
            if reason is not None:
                raise UsageError(_required_message(reason))
        root = git_root(self.options.repo.resolve())
        if root is None:
            raise UsageError(f"{self.options.repo}: not inside a git repository")
        self._warn_uncommitted(root)
        self._emit(Progress("phase", name=f"cloning {self._describe_ref()}"))
        self._ws = create_workspace(
            root,
            self.options.ref,
            staged=self.options.staged,
            base=self.options.temp_dir,
            checkout=False,
        )
        try:
            ws = self._ws
            config = load_config(ws.project, self.options.config_file)
            declared = config.environment(self.options.environment)
            self.network = self.options.network or declared.network
            allow = tuple(declared.allow) + tuple(self.options.allow)
            if self.network == "custom" and not allow:
                self.warnings.append("network 'custom' with no --allow domain blocks every host")
            allowlist = allowlist_for(self.network, allow)
            profile = load_profile(self.options.image or declared.image)
            self.image = profile.name
            self._view = build_image_view(profile, ws.bin, cache=self.options.view_cache)
            # The sandbox starts while the clone's files are written.
            sandbox = self._launch_sandbox(root, self._view, profile.name)
            checkout_workspace(ws)
            project = read_project(ws.project)
            values = dict(self.options.env_values or {})
            if self.options.env_file is not None:
                values.update(read_env_file(self.options.env_file))
            self._env = build_environment(
                project=ws.project,
                home=ws.home,
                tmp=ws.tmp,
                view=self._view,
                settings_env=string_env(project.settings.get("env")),
                declared=declared.env,
                values=values,
                session_id=self.session_id,
            )
            self.warnings.extend(self._env.warnings)
            if sandbox is not None:
                self._emit(Progress("phase", name="starting the sandbox"))
                sandbox = self._wait_sandbox(sandbox)
            self._runner = StepRunner(
                ws,
                self._env,
                allowlist,
                session_id=self.session_id,
                resolve=self.options.resolve,
                sandbox=sandbox,
            )
            if declared.setup_script:
                self._record(self._setup_script(declared.setup_script))
            if self.options.engine == "claude":
                self._emit(Progress("start", "engine", "claude --init-only"))
                steps = run_client(
                    self._runner,
                    hooks=project.hooks,
                    source=self.options.source,
                    claude_bin=self.options.claude_bin,
                )
                engine = steps[-1]
                self._emit(Progress("end", "engine", engine.name, engine.status, engine.duration))
                self._record(*steps)
            else:
                self._record(*self._hooks(project))
            if self.options.probe_mcp:
                self._record(*self._probe_mcp())
        except BaseException:
            self.close()
            raise
        return self

    def _launch_sandbox(self, root: Path, view: ImageView, image: str) -> Sandbox | None:
        """The sandbox, started (``_wait_sandbox`` waits for it), or None (off, or cannot)."""
        mode = self.options.sandbox
        if mode == "off":
            self._sandbox = SandboxReport(mode, False, "--sandbox off", (NOT_ENFORCED,))
            return None
        expose = []
        if self.options.engine == "claude":
            expose.append(Path(client_binary(self.options.claude_bin)).resolve())
        sandbox = Sandbox(
            self.workspace,
            view,
            image=image,
            hidden=[root],
            expose=expose,
            files=ca_files(),
            limits=Limits() if self.options.limits else None,
        )
        try:
            self._launched = sandbox.launch()
            return sandbox
        except SandboxUnavailable as exc:
            self._no_sandbox(str(exc))
            return None

    def _wait_sandbox(self, sandbox: Sandbox) -> Sandbox | None:
        try:
            sandbox.wait()
        except SandboxUnavailable as exc:
            self._no_sandbox(str(exc))
            return None
        self._sandbox = SandboxReport(self.options.sandbox, True, limits=sandbox.limit_status)
        return sandbox

    def _no_sandbox(self, reason: str) -> None:
        """auto: go on unsandboxed, with the warning; required: stop."""
        if self.options.sandbox == "required":
            raise UsageError(_required_message(reason))
        self.warnings.append(
            f"no sandbox ({reason}): the steps run unsandboxed on this machine, so {NOT_ENFORCED}"
        )
        self._sandbox = SandboxReport(self.options.sandbox, False, reason, (NOT_ENFORCED,))

    def _setup_script(self, rel: str) -> StepResult:
        script = self.project / rel
        if not script.is_file():
            return StepResult(
                "setup-script",
                rel,
                Status.FAILED,
                messages=(f"{rel} is not in the committed tree, so the cloud cannot run it",),
            )
        self._emit(Progress("start", "setup-script", rel))
        done = self.runner.run(["bash", str(script)], timeout=SETUP_TIMEOUT, setup=True)
        step = _command_step(
            "setup-script",
            rel,
            done.outcome,
            done.hosts,
            log_dir=done.log_dir,
            timeout=SETUP_TIMEOUT,
        )
        self._emit(Progress("end", "setup-script", rel, step.status, step.duration))
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
        runner = self.runner
        chosen, skipped = select_hooks(project.hooks, self.options.source)
        prepared = [PreparedHook(spec, runner.next_env_file(), runner.log_dir()) for spec in chosen]
        names = {hook.log_dir: hook.spec.name for hook in prepared}
        payload = stdin_payload(self.session_id, self.home, self.project, self.options.source)

        def run_one(
            argv: list[str], env_file: Path, log_dir: Path, timeout: float
        ) -> tuple[Outcome, tuple[HostRequest, ...]]:
            self._emit(Progress("start", "hook", names[log_dir]))
            done = runner.run(
                argv, log_dir=log_dir, env_file=env_file, stdin=payload, timeout=timeout
            )
            status = Status.OK if done.outcome.exit_code == 0 else Status.FAILED
            if done.outcome.timed_out:
                status = Status.TIMEOUT
            self._emit(Progress("end", "hook", names[log_dir], status, done.outcome.duration))
            return done.outcome, done.hosts

        sh = self._view.sh if self._view is not None else "/bin/sh"
        results = run_hooks(prepared, run_one, sh)
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
            self._emit(Progress("start", "mcp", server.name))
            with self.runner.step() as ctx:
                step = probe(
                    server,
                    cwd=self.project,
                    env=ctx.env,
                    log_dir=ctx.log_dir,
                    hosts=lambda p=ctx.proxy: p.requests,  # type: ignore[misc]
                    groups=self.runner.groups,
                    wrap=ctx.wrap,
                )
            self._emit(Progress("end", "mcp", server.name, step.status, step.duration))
            results.append(step)
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
        self._emit(Progress("start", "command", name))
        done = self.runner.run(argv, timeout=timeout, stdout=stdout, stderr=stderr)
        step = _command_step(
            "command", name, done.outcome, done.hosts, log_dir=done.log_dir, timeout=timeout
        )
        if stdout != subprocess.PIPE:
            step = replace(step, captured=False)
        [step] = self._diagnosed([step])
        self._emit(Progress("end", "command", name, step.status, step.duration))
        if record:
            self.steps.append(step)
        return step

    # -- plumbing -------------------------------------------------------------------------------

    def _emit(self, progress: Progress) -> None:
        if self.listener is not None:
            self.listener(progress)

    def _describe_ref(self) -> str:
        if self.options.staged:
            return "the staged index"
        return self.options.ref or "HEAD"

    def _warn_uncommitted(self, root: Path) -> None:
        """Say when the working tree's configuration differs from what is emulated."""
        if self.options.ref is not None:
            return
        changed = uncommitted_config(root, staged_counts=self.options.staged)
        if not changed:
            return
        shown = ", ".join(changed[:5]) + (
            f" and {len(changed) - 5} more" if len(changed) > 5 else ""
        )
        if self.options.staged:
            self.warnings.append(
                f"configuration not staged is not included: {shown} (git add it to try it)"
            )
        else:
            self.warnings.append(
                f"uncommitted configuration is not included (a cloud session clones commits): "
                f"{shown}; try it with `git add` and `parity emulate --staged`, then commit it"
            )

    def cleanup_description(self) -> str:
        """What closing the session does now: the processes it ends, the folder it removes."""
        parts = []
        running = self._runner.running if self._runner is not None else 0
        if running:
            parts.append(
                f"ending {running} running step{'s' if running != 1 else ''} and what "
                f"{'they' if running != 1 else 'it'} started"
            )
        if self._ws is not None:
            if self.options.keep:
                parts.append(f"keeping {self._ws.base}")
            else:
                parts.append(f"removing {self._ws.base}")
        return ", ".join(parts) or "nothing to clean up"

    def _record(self, *steps: StepResult) -> None:
        self.steps.extend(self._diagnosed(steps))

    def _diagnosed(self, steps: Sequence[StepResult]) -> list[StepResult]:
        """Steps with what the sandbox stopped: direct connections, hidden and read-only paths."""
        sandbox = self._runner.sandbox if self._runner is not None else None
        if sandbox is None:
            return list(steps)
        done = []
        for step in steps:
            log_dir = Path(step.log) if step.log else None
            direct, notes = sandbox_findings(step.stderr, log_dir, sandbox.shows)
            notes = tuple(n for n in notes if not any(c in n for c in step.missing_commands))
            messages = (*step.messages, *notes)
            done.append(replace(step, direct_connections=direct, messages=messages))
        return done

    def next_env_file(self) -> Path:
        """A new ``CLAUDE_ENV_FILE`` path where the client puts it (the file is not created)."""
        return self.runner.next_env_file()

    def add_env_file(self, path: Path) -> None:
        """Record an env file written by another engine (the real client)."""
        self.runner.add_env_file(path)

    def result(self) -> EmulationResult:
        """The report of everything done so far."""
        ws = self._ws
        return EmulationResult(
            engine=self.options.engine,
            network=self.network,
            image=self.image,
            source=self.options.source,
            ref=f"{ws.describe} ({ws.commit[:12]})" if ws is not None else "",
            steps=tuple(
                self.steps if self.options.keep else (replace(s, log="") for s in self.steps)
            ),
            warnings=tuple(self.warnings),
            duration=time.monotonic() - self._started if self._started else 0.0,
            kept=(str(ws.base),) if ws is not None and self.options.keep else (),
            sandbox=self._sandbox,
        )

    def stop(self) -> None:
        """End every process the steps started, at once (an interruption); no new step starts."""
        if self._runner is not None:
            self._runner.stop()
        if self._launched is not None:
            self._launched.close()

    def close(self, budget: float | None = None) -> None:
        """End what the steps left running, stop the proxies, remove the folders (unless kept).

        With ``budget`` (seconds), a removal that takes longer goes on in a detached process.
        """
        if self._closed:
            return
        self._closed = True
        self.stop()
        if self._ws is None or self.options.keep:
            return
        base = self._ws.base
        if budget is not None:
            remove_tree_soon(base, budget)
            return
        remove_tree(base)
        if base.exists():  # written to while it was removed: once more
            time.sleep(0.05)
            remove_tree(base)

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
    listener: Callable[[Progress], None] | None = None,
    report: Callable[[EmulationResult], None] | None = None,
    interrupted: Callable[[str], None] | None = None,
    cleanup_budget: float | None = None,
) -> EmulationResult:
    """Run a whole emulated session start and, if given, ``command`` inside it.

    ``report`` gets the result before the folders are removed, so it appears (and its time is
    taken) as soon as the work is done. With ``interrupted``, Ctrl-C and SIGTERM end every step
    at once: it is told what is being cleaned up, and KeyboardInterrupt is raised.
    """
    session = CloudSession(options, listener)
    with _interruptible(session, interrupted):
        try:
            session.start()
            if command:
                session.run(
                    command[0] if len(command) == 1 else list(command),
                    stdout=stdout,
                    stderr=stderr,
                )
            result = session.result()
            if report is not None:
                report(result)
            return result
        finally:
            session.close(cleanup_budget)


@contextlib.contextmanager
def _interruptible(
    session: CloudSession, interrupted: Callable[[str], None] | None
) -> Iterator[None]:
    """Ctrl-C (and SIGTERM) stop the session's steps at once, then unwind (main thread only)."""
    if interrupted is None or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C would cut the cleanup
        interrupted(session.cleanup_description())
        session.stop()
        raise KeyboardInterrupt

    saved = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


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
        why = cause(stderr) if stderr.strip() else ""
        messages.append(f"exit {outcome.exit_code}: {why}" if why else f"exit {outcome.exit_code}")
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
        reasons=meaningful_lines(stderr) if status is not Status.OK else (),
        log=str(log_dir),
    )


def cannot_emulate(options: EmulateOptions) -> str | None:
    """Why an emulation of ``options.repo`` cannot run on this machine at all, or None.

    These are facts about the machine and the checkout (no git, not a repository, no commit
    yet, no sandbox where one is required, no client for ``--engine claude``), not mistakes in
    the configuration, which ``start()`` reports as errors.
    """
    import shutil

    from parity.discover import git_root
    from parity.errors import ParityError

    if shutil.which("git") is None:
        return "git is not installed"
    root = git_root(options.repo.resolve())
    if root is None:
        return f"{options.repo} is not inside a git repository"
    if not options.staged and options.ref is None:
        from parity import git

        head = git.run(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
        if head.returncode != 0:
            return "the repository has no commit yet"
    if options.sandbox == "required":
        reason = unavailable_reason()
        if reason is not None:
            return f"the sandbox is required but cannot start ({reason})"
    if options.engine == "claude":
        try:
            client_binary(options.claude_bin)
        except ParityError:
            return "the Claude Code client is not installed (PARITY_CLAUDE_BIN)"
    return None


def _required_message(reason: str) -> str:
    return f"--sandbox required: the sandbox cannot start ({reason}); {INSTALL_HINT}"
