"""Stub package managers that log their arguments, and a minimal PATH to run scripts under."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Each stub logs "name args|cwd" (NUL-terminated: a folder name may hold a line break) and leaves
# behind what the real tool would (node_modules, .venv), so that a second run can show that nothing
# is installed twice. A program named in $STUB_FAIL (words "name subcommand") exits 1 instead.
STUB = """\
#!/bin/bash
name="$(basename "$0")"
printf '%s|%s\\0' "$name $*" "$PWD" >>"$STUB_LOG"
for failing in ${STUB_FAIL:-}; do
  if [ "$name" = "${failing%%:*}" ] && [ "${1:-}" = "${failing#*:}" ]; then
    echo "stub: $name $1: 404 Not Found" >&2
    exit 1
  fi
done
case "$name $*" in
  *"install --immutable"*) mkdir -p .yarn && touch .yarn/install-state.gz ;;
  "npm ci"* | "npm install --no-package-lock"* | *"pnpm install"* | "yarn install"*)
    mkdir -p node_modules ;;
  "uv sync"* | "poetry install"*) mkdir -p .venv ;;
  "python3 -m venv "*) mkdir -p "$3/bin" && cp "$0" "$3/bin/python" ;;
esac
exit 0
"""
MANAGERS = (
    "npm",
    "npx",
    "pnpm",
    "yarn",
    "corepack",
    "uv",
    "poetry",
    "python3",
    "pip",
    "bundle",
    "go",
    "cargo",
    "apt-get",
)
# Real programs the generated script and the stubs need; nothing else is on PATH.
BASE = ("bash", "cat", "sha256sum", "cut", "mkdir", "dirname", "basename", "touch", "cp", "env")


@dataclass
class Stubs:
    """A bin folder of stubs plus a folder of the few real tools, and the log they write."""

    root: Path

    @property
    def bin(self) -> Path:
        return self.root / "bin"

    @property
    def log(self) -> Path:
        return self.root / "calls.log"

    @property
    def path(self) -> str:
        return f"{self.bin}{os.pathsep}{self.root / 'base'}"

    def calls(self) -> list[str]:
        """Each logged call as "program args|cwd"."""
        return [os.fsdecode(call) for call in self.raw_calls()]

    def raw_calls(self) -> list[bytes]:
        """Each logged call as the bytes the stub wrote."""
        if not self.log.exists():
            return []
        return self.log.read_bytes().split(b"\0")[:-1]


def make_stubs(root: Path) -> Stubs:
    """Create the stub and base folders under ``root``."""
    stubs = Stubs(root)
    stubs.bin.mkdir(parents=True)
    (root / "base").mkdir()
    for name in MANAGERS:
        path = stubs.bin / name
        path.write_text(STUB, encoding="utf-8")
        path.chmod(0o755)
    for name in BASE:
        real = shutil.which(name)
        assert real is not None, f"{name} is needed to run the tests"
        (root / "base" / name).symlink_to(real)
    return stubs


def run_script(
    script: Path,
    stubs: Stubs,
    *,
    cwd: Path,
    home: Path,
    remote: bool,
    project_dir: str | None,
    env_file: Path | None = None,
    fail: str = "",
) -> subprocess.CompletedProcess[str]:
    """Run ``script`` the way the client runs a SessionStart hook, with only the stubs on PATH.

    ``fail`` names stub calls that fail, as "program:first-argument" words (``npm:exec``).
    """
    env = {"PATH": stubs.path, "HOME": str(home), "STUB_LOG": str(stubs.log), "STUB_FAIL": fail}
    if remote:
        env["CLAUDE_CODE_REMOTE"] = "true"
    if project_dir is not None:
        env["CLAUDE_PROJECT_DIR"] = project_dir
    if env_file is not None:
        env["CLAUDE_ENV_FILE"] = str(env_file)
    return subprocess.run(
        [str(script)], cwd=cwd, env=env, capture_output=True, text=True, check=False, timeout=60
    )
