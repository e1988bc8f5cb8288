"""Deterministic benchmark inputs: a typical repository, a monorepo, a secrets corpus."""

from __future__ import annotations

import json
import os
import random
import string
import subprocess
from pathlib import Path

SEED = 20261122


def _git_commit(root: Path) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "bench",
        "GIT_AUTHOR_EMAIL": "bench@example.invalid",
        "GIT_COMMITTER_NAME": "bench",
        "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    }
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "add", "-A"], check=True, env=env)
    subprocess.run(["git", "-C", str(root), "commit", "-q", "-m", "bench"], check=True, env=env)


def _write(root: Path, rel: str, text: str, mode: int | None = None) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    if mode is not None:
        path.chmod(mode)


def claude_setup(root: Path, rng: random.Random, prefix: str = "") -> None:
    """A full, realistic .claude/ setup under ``root/prefix``."""
    settings = {
        "$schema": "https://json.schemastore.org/claude-code-settings.json",
        "env": {"NODE_ENV": "development", "LOG_LEVEL": "info"},
        "permissions": {
            "allow": [f"Bash(npm run {t} *)" for t in ("test", "lint", "build", "typecheck")]
            + ["WebFetch(domain:github.com)", "mcp__github__*", "Read(./docs/**)"],
            "deny": ["Read(./.env)", "Bash(curl *)"],
            "defaultMode": "acceptEdits",
        },
        "hooks": {
            "SessionStart": [
                {
                    "matcher": "startup|resume",
                    "hooks": [
                        {
                            "type": "command",
                            "command": '"$CLAUDE_PROJECT_DIR"/.claude/hooks/session-start.sh',
                            "timeout": 300,
                        }
                    ],
                }
            ],
            "PostToolUse": [
                {
                    "matcher": "Edit|Write",
                    "hooks": [{"type": "command", "command": "npx prettier --write ."}],
                }
            ],
        },
    }
    _write(root, f"{prefix}.claude/settings.json", json.dumps(settings, indent=2) + "\n")
    servers = {
        f"server{i}": {
            "type": "stdio",
            "command": "npx",
            "args": ["-y", f"@example/mcp-server-{i}@1.{i}.0"],
            "env": {"API_TOKEN": f"${{SERVER{i}_TOKEN}}"},
        }
        for i in range(4)
    }
    servers["docs"] = {"type": "http", "url": "https://mcp.example.com/mcp"}
    _write(root, f"{prefix}.mcp.json", json.dumps({"mcpServers": servers}, indent=2) + "\n")
    _write(
        root,
        f"{prefix}.claude/hooks/session-start.sh",
        '#!/usr/bin/env bash\nset -euo pipefail\n[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] || exit 0\n'
        'cd "${CLAUDE_PROJECT_DIR:-.}"\nnpm ci\n',
        0o755,
    )
    words = ["use", "prefer", "avoid", "tests", "types"]
    rules = [f"- Rule {i}: {' '.join(rng.choice(words) for _ in range(8))}" for i in range(40)]
    _write(root, f"{prefix}CLAUDE.md", "# Project\n\n" + "\n".join(rules) + "\n")
    for i in range(5):
        _write(
            root,
            f"{prefix}.claude/skills/skill-{i}/SKILL.md",
            f"---\nname: skill-{i}\ndescription: Does task {i} when asked about it.\n---\nSteps.\n",
        )
        _write(
            root,
            f"{prefix}.claude/agents/agent-{i}.md",
            f"---\nname: agent-{i}\ndescription: Helps with area {i}.\nmodel: sonnet\n---\nBody.\n",
        )
        _write(
            root,
            f"{prefix}.claude/commands/cmd-{i}.md",
            f"---\ndescription: Command {i}.\n---\nDo it.\n",
        )
    for i in range(3):
        _write(
            root,
            f"{prefix}.claude/rules/rule-{i}.md",
            f"---\npaths: ['src/**/*.ts']\n---\nRule {i}.\n",
        )
    _write(root, f"{prefix}package.json", json.dumps({"name": "bench", "private": True}) + "\n")
    _write(root, f"{prefix}package-lock.json", json.dumps({"lockfileVersion": 3}) + "\n")


def typical_repo(root: Path) -> Path:
    """A typical repository with a full .claude/ setup and some source files."""
    if (root / ".git").exists():
        return root
    rng = random.Random(SEED)
    claude_setup(root, rng)
    for i in range(200):
        _write(root, f"src/module{i // 20}/file{i}.ts", f"export const v{i} = {i};\n")
    _git_commit(root)
    return root


def monorepo(
    root: Path, files: int = 100_000, *, configured: bool = True, ignored: int = 0
) -> Path:
    """A monorepo of ``files`` files with .claude/ configuration in a few packages (none when
    not ``configured``), and ``ignored`` files in a gitignored node_modules/ as a working copy
    has them."""
    if (root / ".git").exists():
        return root
    rng = random.Random(SEED)
    if configured:
        claude_setup(root, rng)
    per_pkg = files // 100
    for p in range(100):
        base = root / f"packages/pkg{p:03d}"
        for i in range(per_pkg):
            path = base / f"src/d{i // 100}/f{i}.js"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"module.exports = {i};\n")
        if configured and p % 10 == 0:
            claude_setup(root, rng, f"packages/pkg{p:03d}/")
    if ignored:
        _write(root, ".gitignore", "node_modules/\n")
    _git_commit(root)
    for i in range(ignored):
        _write(root, f"node_modules/dep{i // 10}/f{i}.js", f"module.exports = {i};\n")
    return root


def _token(rng: random.Random, alphabet: str, n: int) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


ALNUM = string.ascii_letters + string.digits
URLSAFE = ALNUM + "_-"


def planted_secret(rng: random.Random, kind: str) -> str:
    """A fake secret of provider format ``kind`` (random, never a real credential)."""
    if kind == "anthropic":
        return "sk-ant-api03-" + _token(rng, URLSAFE, 93) + "AA"
    if kind == "openai":
        return "sk-proj-" + _token(rng, URLSAFE, 58) + "T3BlbkFJ" + _token(rng, URLSAFE, 58)
    if kind == "github":
        return "ghp_" + _token(rng, ALNUM, 36)
    if kind == "github-fine":
        return "github_pat_" + _token(rng, ALNUM, 22) + "_" + _token(rng, ALNUM, 59)
    if kind == "slack":
        return (
            "xoxb-"
            + _token(rng, string.digits, 12)
            + "-"
            + _token(rng, string.digits, 12)
            + "-"
            + _token(rng, ALNUM, 24)
        )
    if kind == "aws":
        return "AKIA" + _token(rng, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
    if kind == "google":
        return "AIza" + _token(rng, URLSAFE, 35)
    if kind == "stripe":
        return "sk_live_" + _token(rng, ALNUM, 24)
    if kind == "npm":
        return "npm_" + _token(rng, ALNUM, 36)
    if kind == "huggingface":
        return "hf_" + _token(rng, string.ascii_letters, 34)
    if kind == "gitlab":
        return "glpat-" + _token(rng, ALNUM, 20)
    raise ValueError(kind)


KINDS = (
    "anthropic",
    "openai",
    "github",
    "github-fine",
    "slack",
    "aws",
    "google",
    "stripe",
    "npm",
    "huggingface",
    "gitlab",
)


def secrets_corpus(root: Path, megabytes: int) -> list[tuple[str, int]]:
    """Config-like files of about ``megabytes`` MB with planted secrets; (file, line) of each."""
    manifest = root / "planted.json"
    if manifest.exists():
        return [tuple(x) for x in json.loads(manifest.read_text())]  # type: ignore[misc]
    rng = random.Random(SEED)
    planted: list[tuple[str, int]] = []
    files = megabytes * 10
    for n in range(files):
        lines: list[str] = []
        kind = ("settings.json", "hook.sh", "notes.md", "mcp.json")[n % 4]
        while sum(len(x) + 1 for x in lines) < 100_000:
            i = len(lines)
            roll = rng.random()
            if roll < 0.004:
                secret = planted_secret(rng, rng.choice(KINDS))
                lines.append(
                    f'  "API_TOKEN_{i}": "{secret}",'
                    if kind.endswith("json")
                    else f"export TOKEN_{i}={secret}"
                )
                planted.append((f"f{n:04d}-{kind}", i + 1))
            elif roll < 0.03:
                lines.append(f'  "PLACEHOLDER_{i}": "your-api-key-here",')
            elif roll < 0.06:
                lines.append(f'  "sha_{i}": "{_token(rng, "0123456789abcdef", 40)}",')
            else:
                words = " ".join(
                    rng.choice(["npm", "run", "test", "build", "config", "value", "path", "hooks"])
                    for _ in range(8)
                )
                lines.append(
                    f'  "key_{i}": "{words}",' if kind.endswith("json") else f"echo {words}"
                )
        (root / f"f{n:04d}-{kind}").parent.mkdir(parents=True, exist_ok=True)
        (root / f"f{n:04d}-{kind}").write_text("\n".join(lines) + "\n", encoding="utf-8")
    manifest.write_text(json.dumps(planted))
    return planted


FIRST_HOOK = "date +%s.%N"  # the emulate benchmark's hook: when it started, on the wall clock


def emulate_repo(root: Path, files: int = 0) -> Path:
    """A repository whose one SessionStart hook prints when it started, plus ``files`` files."""
    if (root / ".git").exists():
        return root
    settings = {
        "hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": FIRST_HOOK}]}]}
    }
    _write(root, ".claude/settings.json", json.dumps(settings))
    for i in range(files):
        path = root / f"src/d{i // 100:03d}/f{i}.py"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"VALUE = {i}\n")
    _git_commit(root)
    return root


def empty_repo(root: Path) -> Path:
    """A git repository with one commit and nothing for parity to check."""
    if (root / ".git").exists():
        return root
    _write(root, "README.md", "# empty\n")
    _git_commit(root)
    return root


def dense_text(size: int) -> str:
    """About ``size`` characters of Markdown with a planted key on every line."""
    rng = random.Random(SEED)
    lines: list[str] = []
    total = 0
    while total < size:
        n = len(lines)
        if n % 2:
            line = f"- export API_KEY_{n}={_token(rng, ALNUM, 32)}\n"
        else:
            line = f"- token {n} for the deploy: {planted_secret(rng, rng.choice(KINDS))}\n"
        lines.append(line)
        total += len(line)
    return "".join(lines)[:size]


def sparse_text(size: int) -> str:
    """About ``size`` characters of Markdown instructions without any key."""
    rng = random.Random(SEED)
    words = ["use", "prefer", "avoid", "tests", "types", "module", "token", "key", "config"]
    lines: list[str] = []
    total = 0
    while total < size:
        line = f"- Rule {len(lines)}: {' '.join(rng.choice(words) for _ in range(10))}\n"
        lines.append(line)
        total += len(line)
    return "".join(lines)[:size]


def dense_claude_md(root: Path, size: int = 780_000, *, keys: bool = True) -> Path:
    """A repository whose CLAUDE.md is ``size`` bytes with a key on every line (or, without
    ``keys``, the same size of instructions without any)."""
    if (root / ".git").exists():
        return root
    _write(root, "CLAUDE.md", dense_text(size) if keys else sparse_text(size))
    _git_commit(root)
    return root
