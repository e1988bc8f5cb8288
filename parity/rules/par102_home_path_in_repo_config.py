"""PAR102: repository config that points into the author's home directory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parity._lazy import lazy_compile
from parity.findings import Location, Severity, Violation
from parity.load import Document
from parity.model import Kind, Scope
from parity.rules._imports import MAX_HOPS, import_graph, roots
from parity.rules._instructions import RUNS, instruction_paths
from parity.rules._scope import (
    HOME_WORD,
    PERSONAL_PATH,
    WINDOWS_HOME,
    may_hold_personal_path,
    may_hold_windows_home,
    on_image,
    personal_path,
    repo_hooks,
    text_location,
    trim_path,
    user_claude_path,
)
from parity.rules.base import Context, Rule
from parity.shell import parse

_SOURCE = frozenset({"source", "."})
_INSTRUCTIONS = {Kind.SKILL: "skill", Kind.COMMAND: "command", Kind.AGENT: "agent"}
# A Windows path in a command line that is the program, or the script an interpreter runs.
_WINDOWS_RUN = lazy_compile(
    r"(?i)^\s*(?:&\s*)?[\"']?(?:(?:powershell|pwsh|cmd|bash|sh|python3?|node)(?:\.exe)?"
    r"(?:\s+[-/]\w+)*\s+[\"']?)?$"
)


def check(ctx: Context) -> Iterator[Violation]:
    """Hook and statusLine commands, MCP command/args, CLAUDE.md imports, and instructions."""
    for hook in repo_hooks(ctx):
        if hook.file.shared and hook.command is not None:
            for word, runs in _command_refs(hook.command):
                yield _finding(hook.locate(), word, "the hook", runs)
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        status = doc.value.get("statusLine") if doc.ok and isinstance(doc.value, dict) else None
        if isinstance(status, dict) and isinstance(status.get("command"), str):
            for word, _runs in _command_refs(status["command"]):
                yield _status_line(doc.locate(("statusLine", "command")), word)
    for _cf, doc in ctx.documents(Kind.MCP, scopes=[Scope.PROJECT]):
        yield from _mcp(doc)
    for imp in import_graph(ctx):
        if imp.where == "repo" or imp.hops > MAX_HOPS or not imp.is_text:
            continue
        where = (
            "points into your home directory: a cloud session has an empty home"
            if imp.where == "home"
            else "points outside the repository: a cloud session has only a fresh clone of it"
        )
        yield Violation(
            text_location(imp.doc, imp.start, imp.end),
            f"Import @{imp.spelled} {where}, so the imported instructions are missing.",
            fix="Copy the imported file into the repository and import it by a relative "
            "path (@docs/x.md), or inline its text.",
            severity=Severity.ERROR,
        )
    for cf, doc in roots(ctx):
        yield from _instructions(doc, "CLAUDE.md" if cf.kind is Kind.MEMORY else "rule", False)
    for cf, doc in ctx.documents(*_INSTRUCTIONS, scopes=[Scope.PROJECT]):
        yield from _instructions(doc, _INSTRUCTIONS[cf.kind], True)


def _command_refs(command: str) -> Iterator[tuple[str, bool]]:
    """Home paths of a command line, from its shell words: (path, whether it is run), once each."""
    found: dict[str, bool] = {}
    for path, runs in _refs(command):
        found[path] = found.get(path, False) or runs
    yield from found.items()


def _refs(command: str) -> Iterator[tuple[str, bool]]:
    for cmd in parse(command):
        for i, word in enumerate(cmd.argv):
            runs = i == 0 or (i == 1 and cmd.argv[0] in _SOURCE)
            personal = PERSONAL_PATH.search(word) if may_hold_personal_path(word) else None
            if runs or (i == 1 and "/" not in cmd.argv[0] and _interpreter(cmd.argv[0])):
                if HOME_WORD.match(word) and not on_image(trim_path(word)):
                    yield trim_path(word), True
                elif personal:
                    yield trim_path(personal.group(0)), True
            elif user_claude_path(word):
                yield trim_path(word), False
            elif personal:
                yield trim_path(personal.group(0)), False
    # POSIX shell words lose a Windows path's backslashes (C:\Users\me → C:Usersme), so those
    # come from the command text.
    for m in WINDOWS_HOME.finditer(command) if may_hold_windows_home(command) else ():
        yield trim_path(m.group(0)), bool(_WINDOWS_RUN.match(command[: m.start()]))


def _interpreter(name: str) -> bool:
    return name in {"bash", "sh", "zsh", "python", "python3", "node", "ruby", "perl", "deno"}


def _finding(loc: Location, word: str, what: str, runs: bool) -> Violation:
    personal = personal_path(word) is not None
    severe = personal or user_claude_path(word)
    verb = "runs" if runs else "uses"
    where = (
        "a path on your machine, which does not exist in a cloud session"
        if personal
        else "a path under your home directory, which is empty in a cloud session"
    )
    return Violation(
        loc,
        f"{what.capitalize()} {verb} {word!s}: {where}, so {what} fails there.",
        fix='Commit the file to the repository and refer to it as "$CLAUDE_PROJECT_DIR"/<path> '
        "(or install it from the SessionStart setup script).",
        severity=Severity.ERROR if severe else None,
    )


def _status_line(loc: Location, word: str) -> Violation:
    # Cloud sessions run headless (stream-json, as `claude -p`): the status line is part of the
    # terminal interface and never runs there (tests/oracle/test_status_line.py).
    return Violation(
        loc,
        f"The status line uses {word}, a path on your machine: a cloud session does not run a "
        "status line, so nothing breaks there, but a teammate's clone has no such file and "
        "shows no status line.",
        fix='Commit the script and refer to it as "$CLAUDE_PROJECT_DIR"/<path>, or keep the '
        "status line in your user settings (~/.claude/settings.json).",
        severity=Severity.INFO,
    )


def _mcp(doc: Document) -> Iterator[Violation]:
    servers = doc.value.get("mcpServers") if doc.ok and isinstance(doc.value, dict) else None
    if not isinstance(servers, dict):
        return
    for name, server in servers.items():
        if not isinstance(server, dict):
            continue
        fields: list[tuple[tuple[Any, ...], Any]] = [(("command",), server.get("command"))]
        args = server.get("args")
        if isinstance(args, list):
            fields.extend((("args", i), a) for i, a in enumerate(args))
        for path, value in fields:
            if not isinstance(value, str):
                continue
            ref = _mcp_home(value)
            if ref is None:
                continue
            yield Violation(
                doc.locate(("mcpServers", name, *path)),
                f'MCP server "{name}" {"runs" if path == ("command",) else "uses"} {ref}, a path '
                "under your home directory: a cloud session does not have it and the server "
                "fails to start.",
                fix="Commit the file and use ${CLAUDE_PROJECT_DIR:-.}/<path>, or run a published "
                "package (npx -y pkg@version).",
                severity=Severity.ERROR,
            )


def _mcp_home(value: str) -> str | None:
    # The client expands ${HOME} but runs no shell: `~` and `$HOME` stay literal (still broken).
    # Values are not shell words, so a Windows path keeps its backslashes.
    for word in value.split():
        if HOME_WORD.match(word) or word.startswith("${HOME}"):
            return trim_path(word)
        found = personal_path(word)
        if found:
            return found
    return None


def _instructions(doc: Document, what: str, imports: bool) -> Iterator[Violation]:
    """Home paths a skill, command, agent, CLAUDE.md or rule tells Claude to read or run."""
    if not doc.text:
        return
    subject = what if what == "CLAUDE.md" else f"This {what}"
    fix = (
        "Put the file in the skill's folder and refer to it as ${CLAUDE_SKILL_DIR}/<name>"
        if what == "skill"
        else "Commit the file and refer to it by its path in the repository"
    ) + ", or create it in the SessionStart setup script."
    for use in instruction_paths(doc.text, imports=imports):
        verb = "run" if use.how == RUNS else "read"
        yield Violation(
            text_location(doc, use.start, use.end),
            f"{subject} tells Claude to {verb} {use.path}, a path on your machine: a cloud "
            "session does not have it (its home is empty), so this step fails there.",
            fix=fix,
        )


RULE = Rule(
    code="PAR102",
    name="home-path-in-repo-config",
    severity=Severity.WARNING,
    variants=(
        (
            Severity.ERROR,
            "for what a session cannot have at all: paths under ~/.claude or on one "
            "machine (/Users/…), @imports and MCP servers from the home",
        ),
        (
            Severity.INFO,
            "for a status line, which a cloud session never runs (a teammate's clone still "
            "lacks the file)",
        ),
    ),
    summary="Repository config refers to the author's home directory (~, $HOME, /Users/…, "
    "/home/…, C:\\Users\\…, %USERPROFILE%).",
    fix='Commit the file and refer to it as "$CLAUDE_PROJECT_DIR"/<path>.',
    tags=("parity", "paths"),
    check=check,
    docs="""
## What it does
Finds repository config that reaches into a home directory — `~/…`, `$HOME/…`, `/Users/<name>/…`,
`/home/<name>/…`, and on Windows `C:\\Users\\<name>\\…`, `%USERPROFILE%`, `%APPDATA%`,
`%LOCALAPPDATA%`, `$env:USERPROFILE`:

- hook commands that run such a path (as the program, or the script an interpreter or `source`
  runs), or pass a path under `~/.claude` or a personal absolute path as an argument. Paths are
  taken from the parsed shell words, so `;`, `$(…)` and quotes are never part of them;
- `.mcp.json` servers whose `command` or `args` name such paths (the client runs no shell, so
  `~` and `$HOME` stay literal there too);
- `@~/…` imports in CLAUDE.md and rule files (and in the files they import), and imports that
  climb out of the repository (`@../../shared/notes.md`) or name an absolute path, which are
  missing in a cloud session exactly like home paths;
- skills, commands, agents, CLAUDE.md and rule files that tell Claude to **read or run** such a
  path: a command in a fenced shell block (```` ```bash ````, `sh`, `shell`, `zsh`, `console`)
  or in inline code that is a command (`cat ~/…`, `source ~/…`, `!`cmd``), `@~/…`, or a path
  right after an imperative such as "Read", "Run", "Source", "Load" or "Follow".

A path that is only mentioned is left alone: documentation ("instead of `~/.claude/agents/`"),
a global install option (`cp -r … ~/.claude/skills/`), a folder the agent creates on write
(`mkdir -p ~/.claude/out`, `> ~/.claude/log`), a folder named in prose, a path with a space in
inline code (`~/Library/Application Support/…`), a tree listing or a path in a non-shell code
block, a listing (`ls`, `find`), an unknown program's argument (`python x.py ~/Documents/in.pdf`
is the user's input), an example (`~/path/to/file`, `<…>`, `your…`), files every Ubuntu home has
(`~/.bashrc`, `~/.profile`), and a negated sentence ("Do not read …"). The heuristic prefers
silence: an instruction written in other words is not reported.

Hook and MCP paths under `~/.claude`, personal absolute paths and Windows home paths are errors;
other home paths in hooks (which a setup script might create) and instructions are warnings.
A home path in `statusLine` is info: a cloud session runs headless and shows no status line
(checked with client 2.1.330 in `-p --output-format stream-json` mode, how cloud workers run),
so it only affects teammates' local sessions.

## Why is this bad?
A cloud session runs as root in an empty home on a fresh Linux VM: nothing from your machine is
there. The hook exits 127, the MCP server fails to start, the import loads nothing, and Claude
cannot follow an instruction to read a file that is not there.

## Example
```json
{"hooks": {"PostToolUse": [{"hooks": [{"type": "command", "command": "~/.claude/hooks/fmt.sh"}]}]}}
```

## Fix
```json
{"hooks": {"PostToolUse": [{"hooks": [{"type": "command",
  "command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/fmt.sh"}]}]}}
```
with `.claude/hooks/fmt.sh` committed and executable. For a skill, put the file in the skill's
folder and refer to it as `${CLAUDE_SKILL_DIR}/<name>`.
""",
)
