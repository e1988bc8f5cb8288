"""``--engine claude``: the real client runs the SessionStart hooks (``claude --init-only``)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from parity.emulate.hookrun import EVENT, HookSpec, env_exports, select_hooks
from parity.emulate.process import read_log, text
from parity.emulate.result import Status, StepResult
from parity.errors import ParityError
from parity.text import HANDLER_LIMIT, quote

if TYPE_CHECKING:
    from parity.emulate.runner import StepRunner

CLIENT_TIMEOUT = 900.0
_LINE = re.compile(
    r"Hooks: SessionStart:(?P<source>\w+) \[(?P<name>.*)\] "
    r"(?:finished with status (?P<status>-?\d+)|timed out after (?P<limit>\d+)ms) \((?P<ms>\d+)ms\)"
)
_NUMBERED = re.compile(r"^command hook(?: (\d+))?$")  # no number when there is one
_CONTEXT = re.compile(
    r"Hook SessionStart \((?P<name>.*)\) provided additionalContext \((\d+) chars\)"
)
_UNSUPPORTED = re.compile(
    r"Hook failed to run \(SessionStart:\w+\): (\w+)-type hooks are not supported"
)


def client_binary(explicit: str | None = None) -> str:
    """The client to run: ``explicit``, ``$PARITY_CLAUDE_BIN``, or ``claude`` on PATH."""
    candidate = explicit or os.environ.get("PARITY_CLAUDE_BIN") or shutil.which("claude")
    if not candidate or not Path(candidate).is_file() or not os.access(candidate, os.X_OK):
        raise ParityError(
            "--engine claude needs the Claude Code client: set PARITY_CLAUDE_BIN to its program "
            "or put `claude` on PATH"
        )
    return candidate


def run_client(
    runner: StepRunner,
    *,
    hooks: tuple[HookSpec, ...],
    source: str,
    claude_bin: str | None = None,
) -> list[StepResult]:
    """Run ``claude --init-only`` in the session's workspace, home, environment and proxy.

    ``hooks`` are the project's SessionStart handlers (to name and order the results).
    """
    if source != "startup":
        raise ParityError("--engine claude runs the client's startup only: use --source startup")
    binary = client_binary(claude_bin)
    ws = runner.workspace
    chosen, skipped = select_hooks(hooks, "startup")
    debug = ws.logs / "claude-debug.log"
    log_dir = ws.logs / "claude-engine"
    log_dir.mkdir()
    done = runner.run(
        [binary, "--init-only", "--debug-file", str(debug)],
        log_dir=log_dir,
        timeout=CLIENT_TIMEOUT,
        extra_env={
            "CLAUDE_CODE_TMPDIR": str(ws.tmp),
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
        },
    )
    outcome, hosts = done.outcome, done.hosts
    try:
        log = debug.read_text(encoding="utf-8", errors="replace")
    except OSError:
        log = ""
    env_files = sorted(
        ws.home.glob(".claude/session-env/*/sessionstart-hook-*.sh"),
        key=lambda p: int(re.sub(r"\D", "", p.stem) or 0),
    )
    for path in env_files:
        runner.add_env_file(path)
    steps = parse_debug_log(log, chosen, env_files)
    engine = StepResult(
        "engine",
        "claude --init-only",
        Status.OK if outcome.exit_code == 0 else Status.FAILED,
        duration=outcome.duration,
        exit_code=outcome.exit_code,
        stderr=text(outcome.stderr),
        hosts=hosts,
        missing_commands=read_log(log_dir, "missing"),
        broken_commands=read_log(log_dir, "broken"),
        messages=("hosts and commands are charged to the client run: it runs every hook at once",),
        log=str(log_dir),
    )
    steps.extend(
        StepResult(
            "hook",
            spec.name,
            Status.SKIPPED,
            matcher=spec.matcher,
            messages=(f"matcher {spec.matcher!r} does not match 'startup'",),
        )
        for spec in skipped
    )
    return [*steps, engine]


def parse_debug_log(log: str, chosen: list[HookSpec], env_files: list[Path]) -> list[StepResult]:
    """Hook results from the client's debug log (reference §2.5), in the order of ``chosen``."""
    by_index: dict[int, StepResult] = {}
    names = [spec.name for spec in chosen]
    # The client numbers command hooks from 1 ("command hook N") in remote mode.
    commands = [i for i, spec in enumerate(chosen) if spec.type == "command"]
    contexts = {m.group("name"): int(m.group(2)) for m in _CONTEXT.finditer(log)}
    for match in _LINE.finditer(log):
        name = match.group("name")
        numbered = _NUMBERED.match(name)
        if numbered:
            number = int(numbered.group(1) or 1) - 1
            if not 0 <= number < len(commands):
                continue
            index = commands[number]
        elif name in names:
            index = names.index(name)
        else:
            continue
        if not 0 <= index < len(chosen):
            continue
        spec = chosen[index]
        duration = int(match.group("ms")) / 1000
        # Env files are numbered like the command hooks, from 0.
        ordinal = commands.index(index) if index in commands else -1
        env_file = next((p for p in env_files if p.stem.endswith(f"-{ordinal}")), None)
        exports = env_exports(env_file) if env_file is not None else ()
        if match.group("limit") is not None:
            by_index[index] = StepResult(
                "hook",
                spec.name,
                Status.TIMEOUT,
                duration=duration,
                matcher=spec.matcher,
                env_exports=exports,
                messages=(f"timed out after {int(match.group('limit')) / 1000:g}s (client)",),
            )
            continue
        code = int(match.group("status"))
        by_index[index] = StepResult(
            "hook",
            spec.name,
            Status.OK if code == 0 else Status.FAILED,
            duration=duration,
            exit_code=code,
            matcher=spec.matcher,
            context_size=contexts.get(name, 0),
            env_exports=exports,
            messages=() if code == 0 else (f"exit {code}: non-blocking error notice (client)",),
        )
    unsupported = [m.group(1) for m in _UNSUPPORTED.finditer(log)]
    results = []
    for index, spec in enumerate(chosen):
        if index in by_index:
            results.append(by_index[index])
        elif spec.type in unsupported:
            results.append(
                StepResult(
                    "hook",
                    spec.name,
                    Status.FAILED,
                    matcher=spec.matcher,
                    messages=(
                        f"Hook failed to run: {spec.type}-type hooks are not supported for "
                        f"{EVENT} events (client)",
                    ),
                )
            )
        elif spec.type == "mcp_tool":
            results.append(
                StepResult(
                    "hook",
                    spec.name,
                    Status.NOT_EMULATED,
                    matcher=spec.matcher,
                    messages=("mcp_tool handler: no MCP server is connected in --init-only",),
                )
            )
        else:
            results.append(
                StepResult(
                    "hook",
                    spec.name,
                    Status.FAILED,
                    matcher=spec.matcher,
                    messages=(
                        "the client's debug log has no result for this hook: "
                        + quote(spec.handler, HANDLER_LIMIT),
                    ),
                )
            )
    return results
