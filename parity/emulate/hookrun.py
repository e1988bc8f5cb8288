"""Run the project's SessionStart hooks as the client does: matcher, stdin, timeout, exit codes."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parity.emulate.diagnose import cause, meaningful_lines
from parity.emulate.process import Outcome, read_log, sh_not_found, text
from parity.emulate.result import CONTEXT_LIMIT, Status, StepResult

EVENT = "SessionStart"
SOURCES = ("startup", "resume", "clear", "compact", "fork")
DEFAULT_TIMEOUT = 600.0  # seconds, for command handlers
_EXACT = re.compile(r"^[A-Za-z0-9_ ,|-]*$")
_EXPORT = re.compile(r"^\s*export\s+([A-Za-z_][A-Za-z0-9_]*)=", re.MULTILINE)
_UNSUPPORTED = ("prompt", "agent", "http")


def matcher_matches(matcher: str | None, value: str) -> bool:
    """The client's matcher semantics (reference §3.3).

    ``""``, ``"*"`` or no matcher match everything; a matcher of only letters, digits, ``_``,
    space, ``,``, ``|`` and ``-`` lists exact names (split on ``|`` and ``,``); anything else is
    an unanchored regular expression.
    """
    if matcher is None or matcher in ("", "*"):
        return True
    if _EXACT.match(matcher):
        return value in {part.strip() for part in re.split(r"[|,]", matcher)}
    try:
        return re.search(matcher, value) is not None
    except re.error:
        return False


@dataclass(frozen=True)
class HookSpec:
    """One SessionStart handler of the project settings."""

    matcher: str | None
    handler: dict[str, Any]

    @property
    def type(self) -> str:
        """The handler type."""
        value = self.handler.get("type")
        return value if isinstance(value, str) else ""

    @property
    def name(self) -> str:
        """How the report names it: the command text, or the type and target."""
        command = self.handler.get("command")
        if isinstance(command, str):
            args = self.handler.get("args")
            if isinstance(args, list):
                return " ".join([command, *map(str, args)])
            return command
        if self.type == "mcp_tool":
            return f"mcp_tool {self.handler.get('server')}/{self.handler.get('tool')}"
        return f"{self.type or 'untyped'} hook"

    @property
    def timeout(self) -> float:
        """The handler's timeout in seconds (600 by default for command handlers)."""
        value = self.handler.get("timeout")
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            return float(value)
        return DEFAULT_TIMEOUT

    def argv(self, sh: str = "/bin/sh") -> list[str] | None:
        """What to execute: ``sh -c COMMAND`` (shell form) or ``[command, *args]`` (exec form).

        Client 2.1.330 runs the shell form with ``/bin/sh -c`` on Linux (dash on the Ubuntu
        image), even with ``"shell": "bash"``; ``sh`` lets the emulation pick dash on a machine
        whose ``/bin/sh`` is bash.
        """
        command = self.handler.get("command")
        if not isinstance(command, str) or not command.strip():
            return None
        args = self.handler.get("args")
        if isinstance(args, list) and all(isinstance(a, str) for a in args):
            return [command, *args]
        return [sh, "-c", command]


def select_hooks(specs: Iterable[HookSpec], source: str) -> tuple[list[HookSpec], list[HookSpec]]:
    """The handlers whose matcher matches ``source`` (identical ones once), and the others."""
    chosen: list[HookSpec] = []
    skipped: list[HookSpec] = []
    seen: set[str] = set()
    for spec in specs:
        if not matcher_matches(spec.matcher, source):
            skipped.append(spec)
            continue
        key = json.dumps(spec.handler, sort_keys=True)
        if key in seen:
            continue
        seen.add(key)
        chosen.append(spec)
    return chosen, skipped


def stdin_payload(session_id: str, home: Path, project: Path, source: str) -> bytes:
    """The JSON the client writes to a SessionStart hook's stdin."""
    return json.dumps(
        {
            "session_id": session_id,
            "transcript_path": str(
                home / ".claude" / "projects" / _project_key(project) / f"{session_id}.jsonl"
            ),
            "cwd": str(project),
            "hook_event_name": EVENT,
            "source": source,
        }
    ).encode()


def _project_key(project: Path) -> str:
    return re.sub(r"[^A-Za-z0-9]", "-", str(project))


# (argv, env file, log folder, timeout) -> the outcome; the session supplies it (env, proxy).
Runner = Callable[[list[str], Path, Path, float], tuple[Outcome, tuple[Any, ...]]]


@dataclass(frozen=True)
class PreparedHook:
    """A matching handler with the places its run writes to."""

    spec: HookSpec
    env_file: Path
    log_dir: Path


def run_hooks(hooks: list[PreparedHook], runner: Runner, sh: str = "/bin/sh") -> list[StepResult]:
    """Run the handlers in parallel, as the client does, and read each result."""
    if not hooks:
        return []
    with ThreadPoolExecutor(max_workers=min(32, len(hooks))) as pool:
        return list(pool.map(lambda h: _run_one(h, runner, sh), hooks))


def _run_one(hook: PreparedHook, runner: Runner, sh: str) -> StepResult:
    spec = hook.spec
    if spec.type == "mcp_tool":
        return StepResult(
            "hook",
            spec.name,
            Status.NOT_EMULATED,
            matcher=spec.matcher,
            messages=("mcp_tool handlers call a connected MCP server's tool: not emulated",),
        )
    if spec.type in _UNSUPPORTED:
        return StepResult(
            "hook",
            spec.name,
            Status.FAILED,
            matcher=spec.matcher,
            messages=(
                f"Hook failed to run: {spec.type}-type hooks are not supported for SessionStart "
                "events (the client fails it the same way)",
            ),
        )
    if spec.type != "command":
        return StepResult(
            "hook",
            spec.name,
            Status.FAILED,
            matcher=spec.matcher,
            messages=(f"unknown handler type {spec.type!r}: the client does not run it",),
        )
    shell = spec.handler.get("shell")
    if shell not in (None, "bash"):
        return StepResult(
            "hook",
            spec.name,
            Status.NOT_EMULATED,
            matcher=spec.matcher,
            messages=(f"shell {shell!r} is not emulated (the cloud image runs Linux)",),
        )
    argv = spec.argv(sh)
    if argv is None:
        return StepResult(
            "hook",
            spec.name,
            Status.FAILED,
            matcher=spec.matcher,
            messages=("the handler has no command",),
        )
    outcome, hosts = runner(argv, hook.env_file, hook.log_dir, spec.timeout)
    return interpret(spec, outcome, hosts, hook.env_file, hook.log_dir)


def interpret(
    spec: HookSpec,
    outcome: Outcome,
    hosts: tuple[Any, ...],
    env_file: Path,
    log_dir: Path,
) -> StepResult:
    """What the client makes of a finished SessionStart handler (reference §6.3)."""
    stdout, stderr = text(outcome.stdout), text(outcome.stderr)
    messages: list[str] = []
    context = 0
    missing = list(read_log(log_dir, "missing")) + list(sh_not_found(stderr))
    if outcome.not_found:
        missing.append(outcome.not_found)
    absent_here = read_log(log_dir, "absent-here")
    if absent_here:
        messages.append(
            "not emulated: in the image but not on this machine: " + ", ".join(absent_here)
        )
    if outcome.timed_out:
        status = Status.TIMEOUT
        messages.append(
            f"timed out after {spec.timeout:g}s: the process group was killed and its output "
            "discarded"
        )
    elif outcome.exit_code == 0:
        status = Status.OK
        context, notes = _context(stdout, len(outcome.stdout))
        messages.extend(notes)
    else:
        status = Status.FAILED
        why = " (exit 2 cannot block SessionStart)" if outcome.exit_code == 2 else ""
        messages.append(
            f"exit {outcome.exit_code}: the user sees an error notice{why}: {cause(stderr)}"
        )
    return StepResult(
        "hook",
        spec.name,
        status,
        duration=outcome.duration,
        exit_code=outcome.exit_code,
        stdout=stdout,
        stderr=stderr,
        stdout_size=len(outcome.stdout),
        context_size=context,
        hosts=tuple(hosts),
        missing_commands=tuple(dict.fromkeys(missing)),
        broken_commands=read_log(log_dir, "broken"),
        env_exports=env_exports(env_file),
        matcher=spec.matcher,
        messages=tuple(messages),
        reasons=meaningful_lines(stderr) if status is not Status.OK else (),
        log=str(log_dir),
    )


def _context(stdout: str, size: int) -> tuple[int, list[str]]:
    """How many characters become context, and what the client would say about the output."""
    notes: list[str] = []
    stripped = stdout.strip()
    if stripped.startswith("{"):
        try:
            value = json.loads(stripped)
        except ValueError:
            notes.append("stdout starts with '{' but is not valid JSON")
            return 0, notes
        specific = value.get("hookSpecificOutput") if isinstance(value, dict) else None
        extra = specific.get("additionalContext") if isinstance(specific, dict) else None
        context = len(extra) if isinstance(extra, str) else 0
    else:
        context = size if stripped else 0
    if context > CONTEXT_LIMIT:
        notes.append(
            f"{context} characters of output become Claude's context; the client keeps "
            f"{CONTEXT_LIMIT}: print less (or write to a file)"
        )
    return context, notes


def env_exports(env_file: Path) -> tuple[str, ...]:
    """Names a hook exported through its ``CLAUDE_ENV_FILE``."""
    try:
        content = env_file.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ()
    return tuple(dict.fromkeys(_EXPORT.findall(content)))
