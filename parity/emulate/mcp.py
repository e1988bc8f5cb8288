"""Start each stdio MCP server of ``.mcp.json`` and send it an MCP ``initialize`` request."""

from __future__ import annotations

import json
import os
import re
import selectors
import subprocess
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parity import __version__
from parity.emulate.process import Wrap, kill_group, read_log, text
from parity.emulate.result import Status, StepResult

PROBE_TIMEOUT = 30.0
PROTOCOL_VERSION = "2025-06-18"
_MAX_REPLY = 4 * 1024 * 1024
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


@dataclass(frozen=True)
class McpServer:
    """One server entry of ``.mcp.json``."""

    name: str
    spec: dict[str, Any]

    @property
    def transport(self) -> str:
        """``stdio`` (also when ``type`` is absent), ``http``, ``sse`` or ``ws``."""
        value = self.spec.get("type", "stdio")
        return "http" if value == "streamable-http" else str(value)


def servers_of(mcp_json: Path) -> list[McpServer]:
    """The servers declared in ``mcp_json`` (none when it is absent or not the expected shape)."""
    from parity.load import load_json

    if not mcp_json.is_file():
        return []
    doc = load_json(mcp_json, ".mcp.json")
    value = doc.value if doc.ok else None
    servers = value.get("mcpServers") if isinstance(value, dict) else None
    if not isinstance(servers, dict):
        return []
    return [McpServer(str(k), v) for k, v in servers.items() if isinstance(v, dict)]


def expand(value: str, env: Mapping[str, str]) -> str:
    """``${VAR}`` and ``${VAR:-default}`` as the client expands them (unset: left as written)."""

    def sub(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        return default if default is not None else match.group(0)

    return _VAR.sub(sub, value)


def initialize_request() -> bytes:
    """The JSON-RPC ``initialize`` message, newline-delimited as the stdio transport wants."""
    message = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": PROTOCOL_VERSION,
            "capabilities": {},
            "clientInfo": {"name": "parity-emulate", "version": __version__},
        },
    }
    return json.dumps(message).encode() + b"\n"


def probe(
    server: McpServer,
    *,
    cwd: Path,
    env: Mapping[str, str],
    log_dir: Path,
    hosts: Callable[[], tuple[Any, ...]] = tuple,
    timeout: float = PROBE_TIMEOUT,
    groups: list[int] | None = None,
    wrap: Wrap | None = None,
) -> StepResult:
    """Start one stdio server, send ``initialize`` and wait for its answer."""
    if server.transport != "stdio":
        return StepResult(
            "mcp",
            server.name,
            Status.SKIPPED,
            messages=(f"{server.transport} server: only stdio servers are started",),
        )
    command = server.spec.get("command")
    if not isinstance(command, str) or not command:
        return StepResult("mcp", server.name, Status.FAILED, messages=("no command",))
    args = [expand(str(a), env) for a in server.spec.get("args", []) if isinstance(a, str)]
    extra = server.spec.get("env")
    full_env = dict(env)
    if isinstance(extra, dict):
        full_env.update({str(k): expand(str(v), env) for k, v in extra.items()})
    argv = [expand(command, env), *args]
    start = time.monotonic()
    launch, launch_env = wrap(argv, cwd, full_env) if wrap is not None else (argv, full_env)
    try:
        proc = subprocess.Popen(
            launch,
            cwd=cwd,
            env=launch_env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
    except (FileNotFoundError, PermissionError) as exc:
        missing = (argv[0],) if isinstance(exc, FileNotFoundError) else ()
        return StepResult(
            "mcp",
            server.name,
            Status.FAILED,
            duration=time.monotonic() - start,
            exit_code=127 if missing else 126,
            missing_commands=missing,
            messages=(f"cannot start {argv[0]}: {exc.strerror}",),
        )
    if groups is not None:
        groups.append(proc.pid)
    status, message, out = _exchange(proc, timeout)
    kill_group(proc.pid)
    try:
        _, err = proc.communicate(timeout=2)
    except subprocess.TimeoutExpired:
        err = b""
    stderr = text(err or b"")
    exit_code = proc.poll()
    messages = [message]
    if status is Status.FAILED and stderr.strip():
        messages.append("stderr: " + stderr.strip().splitlines()[-1])
    return StepResult(
        "mcp",
        server.name,
        status,
        duration=time.monotonic() - start,
        exit_code=exit_code if status is Status.FAILED else None,
        stdout_size=len(out),
        stderr=stderr,
        hosts=tuple(hosts()),
        missing_commands=read_log(log_dir, "missing"),
        broken_commands=read_log(log_dir, "broken"),
        messages=tuple(messages),
        log=str(log_dir),
    )


def _exchange(proc: subprocess.Popen[bytes], timeout: float) -> tuple[Status, str, bytes]:
    if proc.stdin is None or proc.stdout is None:  # pragma: no cover - pipes were asked for
        return Status.FAILED, "no pipes to the server", b""
    try:
        proc.stdin.write(initialize_request())
        proc.stdin.flush()
    except OSError:
        pass
    deadline = time.monotonic() + timeout
    buffer = b""
    fd = proc.stdout.fileno()
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return Status.TIMEOUT, f"no answer to initialize within {timeout:g}s", buffer
            if not sel.select(left):
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                code = proc.wait()
                return Status.FAILED, f"exited ({code}) before answering initialize", buffer
            buffer += chunk
            if len(buffer) > _MAX_REPLY:
                return Status.FAILED, "answered with more than 4 MiB without a reply", buffer
            *lines, rest = buffer.split(b"\n")
            for line in lines:
                verdict = _reply(line)
                if verdict is not None:
                    return (*verdict, buffer)
            del rest


def _reply(line: bytes) -> tuple[Status, str] | None:
    try:
        message = json.loads(line)
    except ValueError:
        return None  # servers may log to stdout before answering; the client skips such lines
    if not isinstance(message, dict) or message.get("id") != 1:
        return None
    if "result" in message:
        result = message["result"]
        info = result.get("serverInfo", {}) if isinstance(result, dict) else {}
        name = info.get("name", "?") if isinstance(info, dict) else "?"
        version = result.get("protocolVersion", "?") if isinstance(result, dict) else "?"
        return Status.OK, f"initialized: {name} (protocol {version})"
    error = message.get("error")
    detail = error.get("message") if isinstance(error, dict) else error
    return Status.FAILED, f"initialize failed: {detail}"
