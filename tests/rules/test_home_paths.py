"""PAR102's reading of home paths: instructions that read or run them, shell words, Windows."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.rules._instructions import READS, RUNS, instruction_paths
from parity.rules._scope import (
    PERSONAL_PATH,
    WINDOWS_HOME,
    home_reference,
    may_hold_personal_path,
    may_hold_windows_home,
)
from parity.rules.par102_home_path_in_repo_config import _command_refs, _mcp_home
from tests.helpers import SHARED, make_repo, run, write


def _uses(text: str) -> list[tuple[str, str]]:
    return [(u.path, u.how) for u in instruction_paths(text)]


READ_OR_RUN = [
    ("Read ~/.claude/guides/style.md before you start.", ("~/.claude/guides/style.md", READS)),
    ("Read the file at `~/notes/conventions.md`.", ("~/notes/conventions.md", READS)),
    ("Run the script at ~/.claude/scripts/deploy.sh first.", ("~/.claude/scripts/deploy.sh", RUNS)),
    ("Journal: !`cat ~/.claude/journal/today.md`", ("~/.claude/journal/today.md", READS)),
    ("Check `jq .x ~/.config/tool/cfg.json | head` now.", ("~/.config/tool/cfg.json", READS)),
    ("Start with `~/bin/precommit.sh --all`.", ("~/bin/precommit.sh", RUNS)),
    ("See @~/.claude/notes.md for more.", ("~/.claude/notes.md", READS)),
    ("```bash\nsource ~/.claude/env.sh\n```", ("~/.claude/env.sh", RUNS)),
    (
        "```sh\n$ python3 ~/.claude/skills/x/run.py --out out\n```",
        ("~/.claude/skills/x/run.py", RUNS),
    ),
    ("```bash\ncp ~/.claude/templates/pr.md .github/\n```", ("~/.claude/templates/pr.md", READS)),
    ("```bash\ncd /Users/alice/src/app && make\n```", ("/Users/alice/src/app", READS)),
    ("```console\n$ wc -l < ~/.claude/todo.txt\n```", ("~/.claude/todo.txt", READS)),
    ("```bash\n~/.local/bin/graphify update .\n```", ("~/.local/bin/graphify", RUNS)),
]


@pytest.mark.parametrize(("text", "expected"), READ_OR_RUN)
def test_paths_the_instructions_read_or_run_are_found(text: str, expected: tuple[str, str]) -> None:
    assert _uses(text) == [expected]


MENTIONS = [
    "Keep agents in `.claude/agents/` instead of `~/.claude/agents/`.",
    "To install globally: `cp -r .claude/skills/x ~/.claude/skills/`.",
    "```bash\nmkdir -p ~/.claude/skills\ncp -r skills/* ~/.claude/skills/\n```",
    "Save the report to ~/.claude/research_output/report.md (created on first write).",
    "`mkdir -p ~/.claude/research_output && tee ~/.claude/research_output/notes.md`",
    "Claude Code also reads personal skills from ~/.claude/skills/.",
    "Skills load from ~/.claude/skills/ and agents from ~/.claude/agents/.",
    "Do not read ~/.claude/settings.json for this.",
    "The output folder is `~/.claude/research_output/`; a `cd ~` is harmless.",
    "```\n~/.claude/\n├── agents/\n```",  # a tree, not a shell block
    "```python\nopen(os.path.expanduser('~/.claude/x.json'))\n```",
    "```bash\necho done >> ~/.claude/log.txt\n```",
    "```bash\ngit clone https://github.com/acme/x ~/src/x\n```",
    "---\nallowed-tools: Bash(~/.claude/x.sh)\n---\nBody.",
    "Personal preferences can live in `~/.claude/CLAUDE.md`.",
    "Sessions are saved to `~/Library/Application Support/Canvas/Sessions/` as JSON.",
    "Its binary is `~/.local/bin/tool` (on PATH).",
    "```bash\nsource ~/.bashrc\nls ~/.claude/skills/\n```",  # on every Ubuntu home; a survey
    "Convert one: `cat ~/path/to/data.csv | python scripts/convert.py`.",
    "```bash\npython scripts/convert.py ~/Documents/report.pdf\n```",  # the user's input
]


@pytest.mark.parametrize("text", MENTIONS)
def test_mentions_and_writes_are_left_alone(text: str) -> None:
    assert _uses(text) == []


@pytest.mark.parametrize(
    ("word", "path"),
    [
        ("~/.claude/MEMORY/WORK/$(jq", "~/.claude/MEMORY/WORK/"),
        ("/Users/me/Apps/EyeGuard.app;,", "/Users/me/Apps/EyeGuard.app"),
        ("/Users/me/notes.md).", "/Users/me/notes.md"),
        ("$HOME/.claude/x/ ( jq -r .id f)/y", "$HOME/.claude/x/"),
        ("~/.claude/hooks/fmt.sh", "~/.claude/hooks/fmt.sh"),
    ],
)
def test_paths_stop_at_shell_punctuation(word: str, path: str) -> None:
    assert home_reference(word) == path


def test_hook_paths_come_from_shell_words() -> None:
    command = (
        "cat ~/.claude/MEMORY/WORK/$(jq -r .id s.json)/state; open /Users/me/Apps/EyeGuard.app;"
    )
    assert sorted(_command_refs(command)) == [
        ("/Users/me/Apps/EyeGuard.app", False),
        ("~/.claude/MEMORY/WORK/", False),
    ]


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (r"C:\Users\alice\.claude\hooks\fmt.ps1", (r"C:\Users\alice\.claude\hooks\fmt.ps1", True)),
        (
            r"powershell -NoProfile -File C:\Users\alice\hooks\audit.ps1",
            (r"C:\Users\alice\hooks\audit.ps1", True),
        ),
        (
            r'"%USERPROFILE%\.claude\hooks\x.cmd" --fast',
            (r"%USERPROFILE%\.claude\hooks\x.cmd", True),
        ),
        (r"node C:/Users/bob/tools/lint.js", ("C:/Users/bob/tools/lint.js", True)),
        (r"prettier --config %APPDATA%\prettier\rc.json", (r"%APPDATA%\prettier\rc.json", False)),
    ],
)
def test_windows_home_paths_in_hook_commands(command: str, expected: tuple[str, bool]) -> None:
    assert list(_command_refs(command)) == [expected]


@pytest.mark.parametrize(
    ("value", "path"),
    [
        (
            r"C:\Users\alice\AppData\Local\mcp\server.exe",
            r"C:\Users\alice\AppData\Local\mcp\server.exe",
        ),
        (r"%USERPROFILE%\.mcp\config.json", r"%USERPROFILE%\.mcp\config.json"),
        (r"%LOCALAPPDATA%\Programs\x\x.exe", r"%LOCALAPPDATA%\Programs\x\x.exe"),
        (r"$env:USERPROFILE\bin\tool.exe", r"$env:USERPROFILE\bin\tool.exe"),
        (r"C:\Users\Public\tools\x.exe", None),  # shared by every account, not a home
        (r"C:\Program Files\nodejs\node.exe", None),
    ],
)
def test_windows_home_paths_in_mcp_values(value: str, path: str | None) -> None:
    assert _mcp_home(value) == path


def test_status_line_is_advice_because_cloud_sessions_run_none(
    tmp_path: Path, fake_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    settings = {"statusLine": {"type": "command", "command": "~/.claude/statusline.sh"}}
    write(repo, ".claude/settings.json", json.dumps(settings))
    result = run(["check", "--select", "PAR102", "--format", "json", str(repo)])
    (finding,) = json.loads(result.out)["findings"]
    assert finding["severity"] == "info"
    assert "does not run a status line" in finding["message"]
    assert result.code == 0  # info does not fail the default --fail-on warning


# Lines without a home mark whose verbs and references name a path, and lines whose home path
# the marks must let through (a drive, a variable, a personal folder).
_MARK_CASES = [
    "Read the notes at docs/notes.md before you start.",
    "Run the script at scripts/deploy.sh first, then open README.md.",
    "See @docs/team.md and @AGENTS.md for more.",
    "Read ~/.claude/guides/style.md before you start.",
    "Run $HOME/bin/deploy.sh first.",
    r"Read C:\Users\alice\notes.md first.",
    "Read c:/users/alice/notes.md first.",
    "Read %USERPROFILE%\\notes.md first.",
    "Open /Users/alice/notes.md first.",
    "Run /home/bob/x.sh first.",
    "Run `/Us'ers'/alice/bin/x.sh` first.",  # inline code: its shell words lose the quotes
]


def test_prose_without_a_home_mark_is_not_matched_and_finds_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from parity.rules import _instructions

    texts = [*_MARK_CASES, *(text for text, _ in READ_OR_RUN)]
    corpus = SHARED.glob("corpus/*/*.md")
    texts += [path.read_text(encoding="utf-8", errors="replace") for path in corpus]
    found = [_uses(text) for text in texts]
    assert [u for u in found if u]  # the cases and the corpus name home paths
    monkeypatch.setattr(_instructions, "_HOME_MARKS", ("",))  # every line is matched
    assert [_uses(text) for text in texts] == found


def _printed_by_fresh_interpreter(probe: str) -> list[str]:
    """The words ``probe`` prints in a new interpreter (whose patterns nothing compiled yet)."""
    return subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()


def test_instructions_without_a_home_mark_compile_no_prose_pattern() -> None:
    probe = (
        "from parity.rules import _instructions as m\n"
        "list(m.instruction_paths('# Notes\\n- Read docs/notes.md first.\\n- Run make.\\n'))\n"
        "print(m._PROSE_READ._compiled, m._AT_HOME._compiled, m._NEGATION._compiled)"
    )
    assert _printed_by_fresh_interpreter(probe) == ["None", "None", "None"]


def _containing(pattern: re.Pattern[str]) -> st.SearchStrategy[str]:
    return st.from_regex(re.compile(pattern.pattern, pattern.flags))


@settings(deadline=None, max_examples=300)
@given(st.data())
def test_the_home_patterns_match_only_text_they_are_searched_in(data: st.DataObject) -> None:
    # personal_path and PAR102 search these patterns only in text that may_hold_* lets through.
    text = data.draw(st.one_of(_containing(PERSONAL_PATH), _containing(WINDOWS_HOME), st.text()))
    assert may_hold_personal_path(text) or PERSONAL_PATH.search(text) is None
    assert may_hold_windows_home(text) or WINDOWS_HOME.search(text) is None


def test_words_without_a_path_mark_compile_no_home_pattern() -> None:
    probe = (
        "from parity.rules import _scope as m\n"
        "[m.personal_path(w) for w in ('npx', '-y', '@a/b@1.0.0', '$CLAUDE_PROJECT_DIR/x.sh')]\n"
        "print(m.PERSONAL_PATH._compiled, m.WINDOWS_HOME._compiled)"
    )
    assert _printed_by_fresh_interpreter(probe) == ["None", "None"]
