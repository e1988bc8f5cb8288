"""Run the real Claude Code client safely (throwaway home, clean environment) as a test oracle."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CLAUDE = os.environ.get("PARITY_CLAUDE_BIN", "")
AVAILABLE = bool(CLAUDE) and Path(CLAUDE).is_file() and os.access(CLAUDE, os.X_OK)
SKIP_REASON = "the real Claude Code client is not installed (set PARITY_CLAUDE_BIN; .ci/run does)"


def client_env(home: Path, tmp: Path, **extra: str) -> dict[str, str]:
    """The clean environment of reference §7: no inherited variables, no API key, no traffic."""
    return {
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "CLAUDE_CODE_TMPDIR": str(tmp),
        "PATH": "/usr/bin:/bin",
        "TERM": "dumb",
        "LANG": "C.UTF-8",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "DISABLE_AUTOUPDATER": "1",
        **extra,
    }


def run_client(
    args: list[str],
    project: Path,
    home: Path,
    tmp: Path,
    *,
    trust: bool = True,
    env: dict[str, str] | None = None,
) -> str:
    """Run ``claude ARGS`` in ``project`` with a fake ``home`` (and extra ``env``); its stdout."""
    return run_client_streams(args, project, home, tmp, trust=trust, env=env)[0]


def run_client_streams(
    args: list[str],
    project: Path,
    home: Path,
    tmp: Path,
    *,
    trust: bool = True,
    timeout: float = 120,
    env: dict[str, str] | None = None,
) -> tuple[str, str]:
    """Run ``claude ARGS`` in ``project`` with a fake ``home``; its stdout and stderr.

    On a timeout, what it printed so far (a settings file whose ``env`` holds an API key makes
    ``-p`` wait for an API that is not there, after printing its start-up messages).
    """
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    if trust:
        _trust(project, home)
    try:
        proc = subprocess.run(
            [CLAUDE, *args],
            cwd=project,
            env=client_env(home, tmp, **(env or {})),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        return _text(exc.stdout), _text(exc.stderr)
    return proc.stdout, proc.stderr


def _text(data: bytes | str | None) -> str:
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return data or ""


def init_only(
    project: Path,
    home: Path,
    tmp: Path,
    *args: str,
    trust: bool = True,
    env: dict[str, str] | None = None,
) -> str:
    """Run ``claude --init-only ARGS`` (reference §2.5: the Setup and SessionStart hooks run); its
    debug log. ``env`` adds or replaces variables of the clean environment."""
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    if trust:
        _trust(project, home)
    log = tmp / "debug.log"
    subprocess.run(
        [CLAUDE, "--init-only", "--debug-file", str(log), *args],
        cwd=project,
        env={**client_env(home, tmp), **(env or {})},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def _trust(project: Path, home: Path) -> None:
    state = {"projects": {str(project): {"hasTrustDialogAccepted": True}}}
    (home / ".claude.json").write_text(json.dumps(state), encoding="utf-8")


def doctor_problems(
    project: Path, home: Path, tmp: Path, env: dict[str, str] | None = None
) -> list[str]:
    """The lines of ``claude doctor``'s ``Invalid settings`` block (reference §2.1)."""
    out = run_client(["doctor"], project, home, tmp, env=env)
    lines = out.splitlines()
    if "Invalid settings" not in lines:
        return []
    block = lines[lines.index("Invalid settings") + 1 :]
    problems = []
    for line in block:
        if not line.strip():
            break
        if line.startswith("- "):
            problems.append(line[2:])
    return problems


# --------------------------------------------------------------------------------------------
# What loads: agents, skills and slash commands


_STREAM_JSON = ("--input-format", "stream-json", "--output-format", "stream-json")


@dataclass(frozen=True)
class Loaded:
    """The agents, skills and slash commands a session of the client loads from a project.

    Names come from the ``system``/``init`` event, the first line ``claude -p hi --output-format
    stream-json --verbose`` prints, before any API call and without a login.  Descriptions come
    from the answer to the SDK's ``initialize`` request in the same run.  The client's built-in
    ones are left out.
    """

    agents: dict[str, str]  # name -> description
    skills: dict[str, str]  # skills offered to Claude: name -> description
    commands: dict[str, str]  # other slash commands: name -> description


def session_start(project: Path, home: Path, tmp: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """The init event and the ``initialize`` answer of one ``claude -p`` run in ``project``.

    ``--strict-mcp-config`` keeps ``.mcp.json`` servers from starting; the project is trusted.
    """
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    _trust(project, home)
    requests = [
        {"type": "control_request", "request_id": "init", "request": {"subtype": "initialize"}},
        {"type": "user", "message": {"role": "user", "content": "hi"}},
    ]
    proc = subprocess.run(
        [CLAUDE, "-p", *_STREAM_JSON, "--verbose", "--strict-mcp-config"],
        cwd=project,
        env=client_env(home, tmp),
        input="".join(json.dumps(r) + "\n" for r in requests),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    init: dict[str, Any] = {}
    answer: dict[str, Any] = {}
    for line in proc.stdout.splitlines():
        event = json.loads(line) if line.startswith("{") else {}
        if event.get("type") == "system" and event.get("subtype") == "init" and not init:
            init = event
        elif event.get("type") == "control_response" and not answer:
            answer = event["response"].get("response", {})
    if not init or not answer:
        raise AssertionError(f"the client did not start a session: {proc.stderr[-2000:]}")
    return init, answer


@functools.cache
def _built_in() -> Loaded:
    with tempfile.TemporaryDirectory(prefix="parity-oracle-") as scratch:
        root = Path(scratch)
        (root / "project").mkdir()
        return _loaded(*session_start(root / "project", root / "home", root / "tmp"), None)


def loaded(project: Path, home: Path, tmp: Path) -> Loaded:
    """What the client loads from ``project`` (reference §7 environment, fake ``home``)."""
    return _loaded(*session_start(project, home, tmp), _built_in())


def _loaded(init: dict[str, Any], answer: dict[str, Any], built_in: Loaded | None) -> Loaded:
    skip_agents = set(built_in.agents) if built_in else set()
    skip_skills = set(built_in.skills) if built_in else set()
    skip_commands = set(built_in.commands) if built_in else set()
    described = {a["name"]: a.get("description", "") for a in answer.get("agents", [])}
    agents = {a: described.get(a, "") for a in init["agents"] if a not in skip_agents}
    # The initialize answer lists commands by display name, with their folder name as an alias.
    commands: dict[str, str] = {}
    for entry in answer.get("commands", []):
        for name in (entry["name"], *entry.get("aliases", [])):
            commands[name] = entry.get("description", "")
    skills = {s: commands.get(s, "") for s in init["skills"] if s not in skip_skills}
    slash = {
        c: commands.get(c, "")
        for c in init["slash_commands"]
        if c not in skip_commands and c not in skills and c not in skip_skills
    }
    return Loaded(agents, skills, slash)


def run_headless(project: Path, home: Path, tmp: Path, **env: str) -> str:
    """``claude -p hi --output-format stream-json --verbose`` in a trusted ``project``, as a cloud
    worker runs (headless); its stdout. Without a login it stops after the session start."""
    project.mkdir(parents=True, exist_ok=True)
    args = ["-p", "hi", "--output-format", "stream-json", "--verbose"]
    return run_client(args, project, home, tmp, env=env)


# --------------------------------------------------------------------------------------------
# What a session reads: memory files


def _prompt_run(args: list[str], project: Path, home: Path, tmp: Path) -> str:
    # `-p` needs no login to get this far; --strict-mcp-config keeps .mcp.json servers unstarted.
    return run_client(["-p", *args, "--strict-mcp-config"], project, home, tmp)


def memory_files(project: Path, home: Path, tmp: Path) -> dict[str, int]:
    """The memory files (CLAUDE.md and its imports) the client loaded, with their token counts,
    from the ``Memory Files`` table of ``claude -p /context`` (a local command: no API call)."""
    out = _prompt_run(["/context"], project, home, tmp)
    files: dict[str, int] = {}
    lines = out.splitlines()
    start = lines.index("### Memory Files") if "### Memory Files" in lines else len(lines)
    for line in lines[start + 1 :]:
        if line.startswith("###"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[2].isdigit():
            files[cells[1]] = int(cells[2])
    return files


def mcp_servers(project: Path, home: Path, tmp: Path) -> list[str]:
    """Names of the servers ``claude mcp list`` shows for a session in ``project`` (untrusted,
    so ``.mcp.json`` servers stay pending and are never started)."""
    out = run_client(["mcp", "list"], project, home, tmp, trust=False)
    return sorted(line.split(":", 1)[0] for line in out.splitlines() if "Pending approval" in line)


# --------------------------------------------------------------------------------------------
# Settings at start-up: skipped entries, warnings, the permission mode


SKIPPED = "These settings entries were skipped"
REJECTED = "These settings did not load"


def start_messages(project: Path, home: Path, tmp: Path, source: str = "project") -> str:
    """What ``claude -p`` prints on stderr at start-up, reading only the ``source`` settings.

    The safe form of reference §7: ``--bare`` runs no settings hook and ``--strict-mcp-config``
    starts no ``.mcp.json`` server. Rejected files come under ``REJECTED``, skipped entries under
    ``SKIPPED``, and warnings about accepted permission rules as lines of their own.
    """
    args = ["-p", "x", "--bare", "--strict-mcp-config", "--setting-sources", source]
    return run_client_streams(args, project, home, tmp, timeout=60)[1]


def mode_start(
    project: Path, home: Path, tmp: Path, *, remote: bool = False
) -> tuple[dict[str, object] | None, str]:
    """The init event of ``claude -p --output-format stream-json`` (None when there is none) and
    the debug log of that start, where the client says which settings it ignored.

    The init event comes before any API call and needs no login; it names the session's
    ``permissionMode``. With ``remote`` the start runs as a cloud session would
    (``CLAUDE_CODE_REMOTE=true``), which emits no init event here: read the log.
    """
    log = tmp / "debug.log"
    args = ["-p", "hi", "--output-format", "stream-json", "--verbose", "--strict-mcp-config"]
    extra = {"CLAUDE_CODE_REMOTE": "true"} if remote else {}
    out, _ = run_client_streams(
        [*args, "--debug-file", str(log)], project, home, tmp, timeout=60, env=extra
    )
    event: dict[str, object] | None = None
    for line in out.splitlines():
        try:
            parsed = json.loads(line)
        except ValueError:
            continue
        if isinstance(parsed, dict) and parsed.get("subtype") == "init":
            event = parsed
            break
    text = log.read_text(encoding="utf-8", errors="replace") if log.is_file() else ""
    return event, text
