"""Shell parsing details the rules rely on."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.shell import hidden, parse, parse_script, quote
from tests.helpers import git, make_repo, run, write


def test_command_v_looks_a_program_up_without_running_it() -> None:
    cmds = parse("if command -v bundle >/dev/null; then bundle install; fi")
    assert [c.argv for c in cmds] == [("command", "-v", "bundle"), ("bundle", "install")]


def test_command_as_a_wrapper_still_runs_the_program() -> None:
    assert [c.argv for c in parse("command npm ci")] == [("npm", "ci")]


@settings(max_examples=60, deadline=None)
@given(
    word=st.text(
        st.characters(exclude_characters="\0", exclude_categories=("Cs",))
        # bytes that are not UTF-8, as os.fsdecode gives them (a file name can hold them)
        | st.sampled_from([chr(0xDC80 + i) for i in range(128)])
        | st.sampled_from(["\n", "'", "$", "`", "\\", "\x1b", "\u202e", "\u2028"])
    )
)
def test_quote_reads_back_as_the_same_bytes_on_one_visible_line(word: str) -> None:
    quoted = quote(word)
    assert not any(hidden(ch) for ch in quoted)
    proc = subprocess.run(
        ["bash", "-c", f"printf %s {quoted}"],
        capture_output=True,
        check=True,
        env={"LC_ALL": "C"},
    )
    assert proc.stdout == word.encode("utf-8", "surrogateescape")


def test_quote_spells() -> None:
    assert quote("npm-frontend") == "npm-frontend"
    assert quote("my app") == "'my app'"
    assert quote("web\ntouch PWNED #") == "$'web\\x0atouch PWNED #'"
    assert quote("$(id)") == "$'$(id)'"
    assert quote("it's\x1b") == "$'it\\'s\\x1b'"
    assert quote("0\n") == "$'0\\x0a'"  # a trailing line break is not a plain word


@pytest.mark.parametrize(
    ("script", "programs"),
    [
        # case: neither the head nor the patterns are commands
        (
            'case "$TOOL" in\n  Edit|Write) ruff format "$F" ;;\n  *) exit 0 ;;\nesac\nnpm ci\n',
            ["ruff", "exit", "npm"],
        ),
        (
            'case "$F" in\n  *.py)\n    ruff check "$F"\n    ;;\n'
            '  (*.ts) npx eslint "$F";;\nesac\n',
            ["ruff", "npx"],
        ),
        ('[ -n "$X" ] && case "$X" in start) go ;; esac\n', ["[", "go"]),
        ('echo "just in case it is in the cache"\nnpm test\n', ["echo", "npm"]),
        ("case $x in\n  weird\nnpm ci\n", ["weird", "npm"]),  # unknown syntax: read on
        # loops, arrays, arithmetic and [[ ]] tests
        ('for f in *.py; do black "$f"; done\n', ["black"]),
        ("FILES=(a.py b.py)\narr+=(c d)\nx=$((1 + 2)); (( n++ ))\n", [":"]),
        ('if [[ "$F" =~ \\.(ts|md)$ ]]; then prettier -w "$F"; fi\n', ["[[", "prettier"]),
        ("function lint { ruff check .; }\nlint\n", ["ruff", "lint"]),
    ],
)
def test_shell_syntax_is_not_read_as_commands(script: str, programs: list[str]) -> None:
    assert [c.argv[0] for c in parse_script(script) if c.argv] == programs


def test_a_hooks_command_line_is_parsed_once_however_many_rules_read_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # About ten rules read each hook's command (scripts, programs, home paths, bun, network):
    # a monorepo's every .claude/ setup paid the shell parse that many times per command.
    from parity import shell

    command = "npx prettier --write src/ && ./scripts/lint.sh"
    settings = {"hooks": {"PostToolUse": [{"hooks": [{"type": "command", "command": command}]}]}}
    repo = make_repo(tmp_path / "repo")
    write(repo, ".claude/settings.json", json.dumps(settings))
    git(repo, "add", "-A")
    seen: list[str] = []
    real = shell._parse

    def counted(text: str, line: int, depth: int) -> list[shell.SimpleCommand]:
        seen.append(text)
        return real(text, line, depth)

    monkeypatch.setattr(shell, "_parse", counted)
    shell._parsed.cache_clear()
    assert run(["check", "--no-cache", "--exit-zero"], cwd=repo).code == 0
    assert seen.count(command) == 1


def test_each_parse_gets_its_own_list_of_the_same_commands() -> None:
    first = parse("cd app && npm ci")
    first.append(first[0])
    first[0] = first[1]
    again = parse("cd app && npm ci")
    assert [c.argv for c in again] == [("cd", "app"), ("npm", "ci")]
    assert parse("npm ci", line=3)[0].line == 3  # the line is part of what is remembered
    assert parse("npm ci")[0].line == 1
