"""Run the real Claude Code client safely (throwaway home, clean environment) as a test oracle."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

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


def run_client(args: list[str], project: Path, home: Path, tmp: Path, *, trust: bool = True) -> str:
    """Run ``claude ARGS`` in ``project`` with a fake ``home``; its stdout."""
    home.mkdir(parents=True, exist_ok=True)
    tmp.mkdir(parents=True, exist_ok=True)
    if trust:
        _trust(project, home)
    proc = subprocess.run(
        [CLAUDE, *args],
        cwd=project,
        env=client_env(home, tmp),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return proc.stdout


def init_only(
    project: Path, home: Path, tmp: Path, *args: str, trust: bool = True, **env: str
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
        env={**client_env(home, tmp), **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=120,
        check=False,
    )
    return log.read_text(encoding="utf-8", errors="replace") if log.exists() else ""


def _trust(project: Path, home: Path) -> None:
    state = {"projects": {str(project): {"hasTrustDialogAccepted": True}}}
    (home / ".claude.json").write_text(json.dumps(state), encoding="utf-8")


def doctor_problems(project: Path, home: Path, tmp: Path) -> list[str]:
    """The lines of ``claude doctor``'s ``Invalid settings`` block (reference §2.1)."""
    out = run_client(["doctor"], project, home, tmp)
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
