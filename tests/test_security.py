"""SECURITY.md's threat model, held by the code: who may start a process, and where it is said."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PARITY = ROOT / "parity"
# Starting a process is the only way parity could run repository code (it never imports any).
SPAWN = re.compile(
    r"\bimport subprocess\b|\bsubprocess\.|\bos\.(system|popen|exec\w*|spawn\w*|posix_spawn\w*)\("
    r"|\bcreate_subprocess_|\bpty\.spawn\("
)
# Who may: git (hardened, parity/git.py), the Action re-running this installed parity, and the
# emulation, whose job is to run the repository's setup and hooks.
ALLOWED = {"git.py", "github_action.py", "commands/emulate.py"}


def test_only_git_the_action_and_emulate_start_processes() -> None:
    spawning = {
        path.relative_to(PARITY).as_posix()
        for path in PARITY.rglob("*.py")
        if SPAWN.search(path.read_text(encoding="utf-8"))
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
