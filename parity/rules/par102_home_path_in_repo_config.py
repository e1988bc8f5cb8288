"""PAR102: repository config that points into the author's home directory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parity.findings import Location, Severity, Violation
from parity.load import Document
from parity.model import Kind, Scope
from parity.rules._scope import (
    HOME_WORD,
    PERSONAL_PATH,
    home_reference,
    memory_documents,
    memory_imports,
    repo_hooks,
    text_location,
    user_claude_path,
)
from parity.rules.base import Context, Rule
from parity.shell import parse

_SOURCE = frozenset({"source", "."})


def check(ctx: Context) -> Iterator[Violation]:
    """Hook and statusLine commands, MCP command/args, CLAUDE.md imports and skills."""
    for hook in repo_hooks(ctx):
        if hook.file.scope is Scope.PROJECT and hook.command is not None:
            for word, runs in _command_refs(hook.command):
                yield _finding(hook.locate(), word, "the hook", runs)
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        status = doc.value.get("statusLine") if doc.ok and isinstance(doc.value, dict) else None
        if isinstance(status, dict) and isinstance(status.get("command"), str):
            for word, runs in _command_refs(status["command"]):
                loc = doc.locate(("statusLine", "command"))
                yield _finding(loc, word, "the status line", runs)
    for _cf, doc in ctx.documents(Kind.MCP, scopes=[Scope.PROJECT]):
        yield from _mcp(doc)
    for _cf, doc in memory_documents(ctx):
        for path, start, end in memory_imports(doc):
            if HOME_WORD.match(path) or PERSONAL_PATH.match(path):
                yield Violation(
                    text_location(doc, start - 1, end),
                    f"Import @{path} points into your home directory: a cloud session has an "
                    "empty home, so the imported instructions are missing.",
                    fix="Copy the imported file into the repository and import it by a relative "
                    "path (@docs/x.md), or inline its text.",
                    severity=Severity.ERROR,
                )
    for _cf, doc in ctx.documents(Kind.SKILL, scopes=[Scope.PROJECT]):
        if doc.ok:
            yield from _skill(doc)


def _command_refs(command: str) -> Iterator[tuple[str, bool]]:
    """Words of a command line that use the home directory: (word, whether it is run)."""
    for cmd in parse(command):
        for i, word in enumerate(cmd.argv):
            runs = i == 0 or (i == 1 and cmd.argv[0] in _SOURCE)
            if runs or (i == 1 and "/" not in cmd.argv[0] and _interpreter(cmd.argv[0])):
                if home_reference(word):
                    yield word, True
            elif user_claude_path(word) or PERSONAL_PATH.search(word):
                yield word, False


def _interpreter(name: str) -> bool:
    return name in {"bash", "sh", "zsh", "python", "python3", "node", "ruby", "perl", "deno"}


def _finding(loc: Location, word: str, what: str, runs: bool) -> Violation:
    personal = PERSONAL_PATH.search(word) is not None
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
    for word in value.split():
        if HOME_WORD.match(word) or word.startswith("${HOME}"):
            return word
        found = PERSONAL_PATH.search(word)
        if found:
            return found.group(0)
    return None


def _skill(doc: Document) -> Iterator[Violation]:
    text = doc.text
    for match in PERSONAL_PATH.finditer(text):
        yield _skill_finding(doc, match.start(), match.end(), match.group(0))
    start = 0
    while True:
        start = text.find("~/.claude/", start)
        if start < 0:
            return
        end = start
        while end < len(text) and not text[end].isspace() and text[end] not in "`\"')":
            end += 1
        yield _skill_finding(doc, start, end, text[start:end])
        start = end


def _skill_finding(doc: Document, start: int, end: int, word: str) -> Violation:
    return Violation(
        text_location(doc, start, end),
        f"The skill refers to {word}, a path on your machine: in a cloud session it does not "
        "exist and the skill's instructions fail there.",
        fix="Put the file in the skill's folder and refer to it as ${CLAUDE_SKILL_DIR}/<name>.",
    )


RULE = Rule(
    code="PAR102",
    name="home-path-in-repo-config",
    severity=Severity.WARNING,
    summary="Repository config refers to the author's home directory (~, $HOME, /Users/…, "
    "/home/…).",
    fix='Commit the file and refer to it as "$CLAUDE_PROJECT_DIR"/<path>.',
    tags=("parity", "paths"),
    check=check,
    docs="""
## What it does
Finds repository config that reaches into a home directory: hook commands and `statusLine` that run
`~/…`, `$HOME/…`, `/Users/<name>/…` or `/home/<name>/…`; `.mcp.json` servers whose `command` or
`args` name such paths; `@~/…` imports in CLAUDE.md and rule files; skills that refer to
`~/.claude/…` or personal absolute paths. Paths under `~/.claude` and personal absolute paths are
errors; other home paths (which a setup script might create) are warnings.

## Why is this bad?
A cloud session runs as root in an empty home on a fresh VM: nothing from your machine is there.
The hook exits 127, the MCP server fails to start, the import loads nothing.

## Example
```json
{"hooks": {"PostToolUse": [{"hooks": [{"type": "command", "command": "~/.claude/hooks/fmt.sh"}]}]}}
```

## Fix
```json
{"hooks": {"PostToolUse": [{"hooks": [{"type": "command",
  "command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/fmt.sh"}]}]}}
```
with `.claude/hooks/fmt.sh` committed and executable.
""",
)
