"""Hostile input: each case gives findings or a one-line error (exit 1 or 2), never a crash or hang.

Every case runs ``parity check --user --format json`` in a subprocess with a hard timeout, so a
hang fails the test instead of the suite; the output must be valid JSON (or one error line).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import git, make_repo, write

HANG_GUARD = 300  # seconds: only a hang (or a blow-up) comes near it, even on a loaded machine

Case = Callable[[Path, Path], None]  # (repo, home) -> None


def _bytes(rel: str, data: bytes) -> Case:
    def build(repo: Path, home: Path) -> None:
        path = repo / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    return build


def _text(rel: str, text: str) -> Case:
    return _bytes(rel, text.encode("utf-8"))


def _home_text(rel: str, text: str) -> Case:
    def build(repo: Path, home: Path) -> None:
        write(home, rel, text)

    return build


def _deep(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


def _many_servers(repo: Path, home: Path) -> None:
    servers = {
        f"s{i}": {"type": "stdio", "command": "node", "args": [f"{i}.js"]} for i in range(100_000)
    }
    write(repo, ".mcp.json", json.dumps({"mcpServers": servers}))


def _many_hooks(repo: Path, home: Path) -> None:
    hooks = [{"type": "command", "command": f"echo {i}"} for i in range(10_000)]
    write(
        repo, ".claude/settings.json", json.dumps({"hooks": {"SessionStart": [{"hooks": hooks}]}})
    )


ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(9)
)


def _import_cycle(repo: Path, home: Path) -> None:
    write(repo, "CLAUDE.md", "@docs/a.md\n")
    write(repo, "docs/a.md", "@b.md\n")
    write(repo, "docs/b.md", "@a.md\n@../../../../etc/passwd\n@/etc/shadow\n")


def _symlink_out(repo: Path, home: Path) -> None:
    outside = repo.parent / "outside-secret.json"
    outside.write_text('{"env": {"TOKEN": "x"}}')
    (repo / ".claude").mkdir(parents=True, exist_ok=True)
    os.symlink(outside, repo / ".claude" / "settings.json")
    os.symlink("/etc/passwd", repo / ".mcp.json")


def _symlink_loop(repo: Path, home: Path) -> None:
    (repo / ".claude").mkdir(parents=True, exist_ok=True)
    os.symlink("loop-b", repo / ".claude" / "loop-a")
    os.symlink("loop-a", repo / ".claude" / "loop-b")
    os.symlink("settings.json", repo / ".claude" / "settings.json.lnk")
    os.symlink(".claude/settings.local.json", repo / "CLAUDE.md")
    os.symlink("CLAUDE.md", repo / ".claude" / "settings.local.json")


def _dir_for_file(repo: Path, home: Path) -> None:
    (repo / ".claude" / "settings.json").mkdir(parents=True)
    (repo / ".mcp.json").mkdir()
    (home / ".claude.json").mkdir()
    (home / ".claude" / "settings.json").mkdir(parents=True)


def _links_to_root(repo: Path, home: Path) -> None:
    (repo / ".claude").mkdir(parents=True, exist_ok=True)
    os.symlink("/", repo / ".claude" / "hooks")
    (home / ".claude").mkdir(parents=True, exist_ok=True)
    os.symlink("/", home / ".claude" / "skills")
    os.symlink("/", home / ".claude" / "agents")


def _odd_names(repo: Path, home: Path) -> None:
    write(repo, ".claude/skills/ünïcødé/SKILL.md", "---\nname: x\ndescription: y\n---\n")
    write(repo, ".claude/commands/new\nline.md", "---\ndescription: z\n---\n")
    write(repo, ".claude/agents/tab\tname.md", "---\nname: t\ndescription: t\n---\n")
    write(repo, ".claude/hooks/space name.sh", "#!/bin/sh\necho hi\n")


def _server_names(repo: Path, home: Path) -> None:
    servers = {"../../etc/passwd": {"command": "x"}, "a/b": {"command": "y"}, "": {"command": "z"}}
    write(repo, ".mcp.json", json.dumps({"mcpServers": servers}))


CASES: dict[str, Case] = {
    "binary settings": _bytes(".claude/settings.json", bytes(range(256)) * 10),
    "invalid utf-8": _bytes(".claude/settings.json", b'{"model": "\xff\xfe\xfa"}'),
    "utf-8 bom": _bytes(".claude/settings.json", b'\xef\xbb\xbf{"model": "opus"}'),
    "utf-16 bom": _bytes(".mcp.json", '{"mcpServers": {}}'.encode("utf-16")),
    "empty files": lambda r, h: (
        [write(r, p, "") for p in (".claude/settings.json", ".mcp.json", "CLAUDE.md")] and None
    ),
    "whitespace only": _text(".claude/settings.json", " \n\t\n  "),
    "null at top": _text(".claude/settings.json", "null"),
    "array at top": _text(".mcp.json", "[1, 2, 3]"),
    "nan and huge numbers": _text(
        ".claude/settings.json", '{"a": NaN, "b": 1e999, "c": ' + "9" * 5000 + "}"
    ),
    "duplicate keys": _text(
        ".mcp.json", '{"mcpServers": {"a": {"command": "x"}, "a": {"command": "y"}}}'
    ),
    "20 MB value": _text(".claude/settings.json", '{"model": "' + "x" * 20_000_000 + '"}'),
    "200,000-deep nesting": _text(".claude/settings.json", _deep(200_000)),
    "100,000 MCP servers": _many_servers,
    "10,000 hooks": _many_hooks,
    "yaml alias bomb (routines)": _text(".claude/routines.yaml", ALIAS_BOMB),
    "yaml alias bomb (frontmatter)": _text(
        ".claude/skills/bomb/SKILL.md", "---\n" + ALIAS_BOMB + "---\nbody\n"
    ),
    "invalid TOML config": _text("pyproject.toml", "[tool.parity\nselect = [\n"),
    "50 MB CLAUDE.md": _text("CLAUDE.md", ("# notes\n" + "lorem ipsum " * 8 + "\n") * 500_000),
    "50 MB ~/.claude.json": _home_text(".claude.json", json.dumps({"x": ["y" * 1000] * 50_000})),
    "import cycles and escapes": _import_cycle,
    "symlinks out of the repo": _symlink_out,
    "symlink loops": _symlink_loop,
    "a directory where a file should be": _dir_for_file,
    ".claude/hooks and ~/.claude/skills linking to /": _links_to_root,
    "odd file names": _odd_names,
    "MCP server names with ../": _server_names,
}


def _check(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HOME": str(home)}
    env.pop("CLAUDE_CONFIG_DIR", None)
    return subprocess.run(
        [sys.executable, "-m", "parity", "check", "--user", "--format", "json", str(repo)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env=env,
        check=False,
    )


def _assert_handled(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert proc.returncode in (0, 1, 2), (proc.returncode, proc.stderr[-500:])
    if proc.returncode == 2:
        assert proc.stderr.count("\n") == 1, proc.stderr
        assert proc.stdout == ""
    else:
        doc = json.loads(proc.stdout)
        for finding in doc["findings"]:
            assert finding["line"] >= 1
            assert finding["column"] >= 1


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_input_is_handled(name: str, tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    CASES[name](repo, fake_home)
    git(repo, "add", "-A")
    _assert_handled(_check(repo, fake_home))


def test_repo_with_no_commits_and_plain_directory(tmp_path: Path, fake_home: Path) -> None:
    empty = make_repo(tmp_path / "empty", commit=False)
    _assert_handled(_check(empty, fake_home))
    plain = tmp_path / "plain"
    write(plain, ".claude/settings.json", '{"model": 5}')
    proc = _check(plain, fake_home)
    _assert_handled(proc)
    assert proc.returncode == 1


def test_nothing_is_written_under_the_home(tmp_path: Path, fake_home: Path) -> None:
    repo = make_repo(tmp_path / "repo")
    write(fake_home, ".claude/settings.json", '{"model": "opus"}')
    before = sorted((p.relative_to(fake_home), p.stat().st_mtime_ns) for p in fake_home.rglob("*"))
    _assert_handled(_check(repo, fake_home))
    after = sorted((p.relative_to(fake_home), p.stat().st_mtime_ns) for p in fake_home.rglob("*"))
    assert before == after
