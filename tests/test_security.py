"""SECURITY.md's threat model, held by the code: who may start a process, and where it is said."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARITY = ROOT / "parity"
# Starting a process is the only way parity could run repository code (it never imports any).
_OS_SPAWN = ("system", "popen", "exec", "spawn", "posix_spawn", "fork")


def starts_processes(source: str) -> bool:
    """True when the module imports ``subprocess`` or ``pty`` or calls ``os.system``,
    ``os.exec*``, ``os.spawn*``, ``os.posix_spawn*``, ``os.popen`` or ``os.fork*``."""
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import) and any(
            a.name.split(".")[0] in ("subprocess", "pty") for a in node.names
        ):
            return True
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in (
            "subprocess",
            "pty",
        ):
            return True
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id == "os"
            and node.attr.startswith(_OS_SPAWN)
        ):
            return True
        if isinstance(node, ast.Attribute) and node.attr.startswith("create_subprocess_"):
            return True
    return False


# Who may: git (hardened, parity/git.py), the Action re-running this installed parity, and the
# emulation, whose job is to run the repository's setup and hooks.
ALLOWED = {"git.py", "github_action.py", "commands/emulate.py"}


def test_only_git_the_action_and_emulate_start_processes() -> None:
    spawning = {
        path.relative_to(PARITY).as_posix()
        for path in PARITY.rglob("*.py")
        if starts_processes(path.read_text(encoding="utf-8"))
    }
    assert {p for p in spawning if not p.startswith("emulate/")} <= ALLOWED, spawning


def test_the_action_starts_parity_only_isolated() -> None:
    text = (PARITY / "github_action.py").read_text(encoding="utf-8")
    assert text.count("sys.executable") == 1
    assert '[sys.executable, "-I", "-m", "parity", *args]' in text


def test_security_policy_is_linked_from_the_readme() -> None:
    policy = (ROOT / "SECURITY.md").read_text(encoding="utf-8")
    for heading in ("## Threat model", "## Reporting a problem"):
        assert heading in policy
    assert "Only `parity emulate`" in policy
    assert "never executed or interpreted" in policy
    assert "[SECURITY.md](SECURITY.md)" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_detector_sees_each_way_to_start_a_process() -> None:
    for code in (
        "import subprocess",
        "from subprocess import run",
        "import os\nos.system('x')",
        "import os\nos.execvp('x', [])",
        "import os\nos.posix_spawnp('x', [], {})",
        "import asyncio\nasyncio.create_subprocess_exec('x')",
        "import pty\npty.spawn('x')",
    ):
        assert starts_processes(code), code
    assert not starts_processes('EVENTS = {"subprocess.Popen", "os.system"}')
