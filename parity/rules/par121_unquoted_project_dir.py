"""PAR121: ``$CLAUDE_PROJECT_DIR`` unquoted in a hook command (split at spaces in the path)."""

from __future__ import annotations

from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Severity, Violation
from parity.rules._scope import repo_hooks
from parity.rules.base import Context, Rule

_VAR = lazy_compile(r"\$\{CLAUDE_PROJECT_DIR(?:[:#%/][^}]*)?\}|\$CLAUDE_PROJECT_DIR(?!\w)")
_ASSIGNMENT = lazy_compile(r"^[A-Za-z_]\w*=")


def check(ctx: Context) -> Iterator[Violation]:
    """Shell-form hook commands with an unquoted ``$CLAUDE_PROJECT_DIR``."""
    for hook in repo_hooks(ctx):
        command = hook.command
        if not hook.file.shared or command is None or "args" in hook.handler:
            continue  # the exec form (`args`) runs no shell: nothing is split
        found = unquoted(command)
        if found is None:
            continue
        yield Violation(
            hook.locate(),
            f"The {hook.event} hook uses {found} without double quotes: the shell splits the "
            "path at spaces, so the hook fails for everyone whose checkout path has one "
            '("~/My Projects/app").',
            fix=f'Quote it: "{found}"/path/to/script (the quotes end before the rest of the path).',
        )


def unquoted(command: str) -> str | None:
    """The first ``$CLAUDE_PROJECT_DIR`` of ``command`` that the shell would split, or None.

    Not split: inside double quotes, in an assignment (``DIR=$CLAUDE_PROJECT_DIR``) and inside
    ``[[ … ]]``. Inside single quotes the text is literal, which is another matter (left alone).
    """
    quote = ""
    word_start = 0
    i = 0
    while i < len(command):
        c = command[i]
        if quote == "'":
            quote = "" if c == "'" else quote
        elif c == "\\":
            i += 1
        elif quote == '"':
            quote = "" if c == '"' else quote
        elif c in "'\"":
            quote = c
        elif c.isspace() or c in ";&|()":
            word_start = i + 1
        elif c == "$":
            m = _VAR.match(command, i)
            if m is not None:
                word = command[word_start:i]
                before = command[:i]
                if not _ASSIGNMENT.match(word) and before.count("[[") <= before.count("]]"):
                    return m.group(0)
        i += 1
    return None


RULE = Rule(
    code="PAR121",
    name="unquoted-project-dir",
    severity=Severity.WARNING,
    summary="$CLAUDE_PROJECT_DIR is unquoted in a hook command, so a path with spaces breaks.",
    fix='Write "$CLAUDE_PROJECT_DIR"/path, in double quotes.',
    tags=("hooks", "correctness"),
    check=check,
    docs="""
## What it does
Reports project hook commands (shell form) that use `$CLAUDE_PROJECT_DIR` or
`${CLAUDE_PROJECT_DIR}` outside double quotes. Assignments (`DIR=$CLAUDE_PROJECT_DIR`), `[[ … ]]`
tests and the exec form (`args`, no shell) do not split words and are not reported.

## Why is this bad?
Unquoted, the shell splits the expanded path at spaces: with the project in
`/Users/ana/My Projects/app` the hook runs `/Users/ana/My` and fails. A cloud session clones to a
path without spaces, so it works there and breaks for teammates.

## Example
```json
{"hooks": {"Stop": [{"hooks": [{"type": "command",
  "command": "$CLAUDE_PROJECT_DIR/.claude/hooks/notify.sh"}]}]}}
```

## Fix
```json
{"hooks": {"Stop": [{"hooks": [{"type": "command",
  "command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/notify.sh"}]}]}}
```
""",
)
