"""Plain result objects of an emulated session start: one per step, one for the whole run."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

# SessionStart stdout becomes Claude's context; the client caps hook output strings at this size.
CONTEXT_LIMIT = 10_000
EXIT_OK = 0
EXIT_FAILED = 1


class Status(str, enum.Enum):
    """How a step ended."""

    OK = "ok"
    FAILED = "failed"  # non-zero exit (a non-blocking error notice for SessionStart hooks)
    TIMEOUT = "timeout"
    SKIPPED = "skipped"  # not run: filtered out by the matcher, or nothing to run
    NOT_EMULATED = "not-emulated"  # a handler type the emulation cannot run (mcp_tool)


@dataclass(frozen=True)
class HostRequest:
    """One host a step asked the proxy for, and whether the network level let it through."""

    host: str
    port: int
    allowed: bool
    method: str = "CONNECT"


@dataclass(frozen=True)
class StepResult:
    """One step of the session start (setup script, a hook handler, an MCP probe, the command)."""

    kind: str  # "setup-script", "hook", "mcp", "command"
    name: str  # the command text, script path or server name
    status: Status
    duration: float = 0.0  # seconds
    exit_code: int | None = None
    stdout: str = ""  # kept up to a bound; stdout_size is the real size
    stderr: str = ""
    stdout_size: int = 0
    context_size: int = 0  # characters that become Claude's context (SessionStart only)
    hosts: tuple[HostRequest, ...] = ()
    missing_commands: tuple[str, ...] = ()  # invoked, but the image does not have them
    broken_commands: tuple[str, ...] = ()  # present in the image, but fail there (bun fetching)
    env_exports: tuple[str, ...] = ()  # variable names this hook exported via CLAUDE_ENV_FILE
    matcher: str | None = None
    messages: tuple[str, ...] = ()  # what the client would show, and emulation notes
    captured: bool = True  # False when the output went to the terminal (``-- CMD``)
    direct_connections: tuple[str, ...] = ()  # hosts looked up without the proxy (sandbox)
    reasons: tuple[str, ...] = ()  # the last meaningful stderr lines of a failed step
    log: str = ""  # the step's log folder (its full stdout and stderr), when it is kept

    @property
    def blocked_hosts(self) -> tuple[str, ...]:
        """Hosts this step asked for that the network level blocks, in first-seen order."""
        return tuple(dict.fromkeys(h.host for h in self.hosts if not h.allowed))

    @property
    def failed(self) -> bool:
        """True when this step makes the emulation fail."""
        return (
            self.status in (Status.FAILED, Status.TIMEOUT)
            or bool(self.blocked_hosts)
            or bool(self.direct_connections)
            or bool(self.missing_commands)
            or bool(self.broken_commands)
        )

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view; the output is cut to its first and last 32 KiB, secrets masked."""
        from parity.secrets import redact

        return {
            "kind": self.kind,
            "name": redact(self.name),
            "status": self.status.value,
            "duration_ms": round(self.duration * 1000),
            "exit_code": self.exit_code,
            "stdout_bytes": self.stdout_size if self.captured else None,
            "context_chars": self.context_size,
            "matcher": self.matcher,
            "hosts": [
                {"host": h.host, "port": h.port, "allowed": h.allowed, "method": h.method}
                for h in self.hosts
            ],
            "blocked_hosts": list(self.blocked_hosts),
            "direct_connections": list(self.direct_connections),
            "missing_commands": list(self.missing_commands),
            "broken_commands": list(self.broken_commands),
            "env_exports": list(self.env_exports),
            "messages": [redact(message) for message in self.messages],
            "reasons": [redact(line) for line in self.reasons],
            "stdout": redact(self.stdout) if self.captured else None,
            "stderr": redact(self.stderr) if self.captured else None,
            "log": self.log or None,
        }


@dataclass(frozen=True)
class Progress:
    """What a session is doing, for a live display: a phase, or a step that starts or ends."""

    event: str  # "phase" (name says what), "start" or "end" (of a step)
    kind: str = ""  # the step's kind
    name: str = ""  # the step's name, or the phase's description
    status: Status | None = None  # how the step ended
    duration: float = 0.0


@dataclass(frozen=True)
class LimitStatus:
    """One limit of ``--limits``: what was asked, and whether (and how) it is enforced."""

    name: str
    value: str
    enforced: bool
    how: str

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {"name": self.name, "value": self.value, "enforced": self.enforced, "how": self.how}


@dataclass(frozen=True)
class SandboxReport:
    """The sandbox of a run: the mode asked for, whether it ran, and what it did not enforce."""

    mode: str  # auto | required | off
    active: bool
    reason: str = ""  # why it did not run
    not_enforced: tuple[str, ...] = ()
    limits: tuple[LimitStatus, ...] = ()

    @property
    def summary(self) -> str:
        """How the report's first line names it."""
        if self.active:
            return "sandbox bubblewrap"
        return "sandbox off" if self.mode == "off" else "no sandbox"

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready view."""
        return {
            "mode": self.mode,
            "active": self.active,
            "engine": "bubblewrap" if self.active else None,
            "reason": self.reason or None,
            "not_enforced": list(self.not_enforced),
            "limits": [limit.to_json() for limit in self.limits],
        }


@dataclass(frozen=True)
class EmulationResult:
    """The whole run: its settings, every step, warnings; the exit code is decided here."""

    engine: str
    network: str
    image: str
    source: str
    ref: str
    steps: tuple[StepResult, ...]
    warnings: tuple[str, ...] = ()
    duration: float = 0.0
    kept: tuple[str, ...] = ()  # temp folders kept with --keep
    sandbox: SandboxReport = SandboxReport("off", False)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        """True when any step failed, asked for a blocked host or invoked a missing command."""
        return any(step.failed for step in self.steps)

    @property
    def exit_code(self) -> int:
        """1 when the emulation failed, else 0."""
        return EXIT_FAILED if self.failed else EXIT_OK

    def steps_of(self, kind: str) -> list[StepResult]:
        """The steps of one kind, in order."""
        return [s for s in self.steps if s.kind == kind]

    @property
    def blocked_hosts(self) -> tuple[str, ...]:
        """Every blocked host, across steps."""
        return tuple(dict.fromkeys(h for s in self.steps for h in s.blocked_hosts))

    @property
    def direct_connections(self) -> tuple[str, ...]:
        """Every host looked up without the proxy, across steps."""
        return tuple(dict.fromkeys(h for s in self.steps for h in s.direct_connections))

    @property
    def missing_commands(self) -> tuple[str, ...]:
        """Every missing command invoked, across steps."""
        return tuple(dict.fromkeys(c for s in self.steps for c in s.missing_commands))

    def to_json(self) -> dict[str, Any]:
        """The JSON report (``parity emulate --format json``)."""
        return {
            "version": 1,
            "engine": self.engine,
            "network": self.network,
            "image": self.image,
            "source": self.source,
            "ref": self.ref,
            "duration_ms": round(self.duration * 1000),
            "sandbox": self.sandbox.to_json(),
            "steps": [s.to_json() for s in self.steps],
            "blocked_hosts": list(self.blocked_hosts),
            "direct_connections": list(self.direct_connections),
            "missing_commands": list(self.missing_commands),
            "warnings": list(self.warnings),
            "kept": list(self.kept),
            "failed": self.failed,
        }
