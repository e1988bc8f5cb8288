"""PAR120: a hook runs a repository script by a path relative to the session's directory."""

from __future__ import annotations

from collections.abc import Iterator
from shlex import quote

from parity._lazy import lazy_compile
from parity.findings import Severity, Violation
from parity.rules._scope import hook_scripts, looks_like_script, repo_hooks
from parity.rules.base import Context, Rule

# At start the session's directory is the project (reference §6.3): these hooks find the script.
_AT_START = frozenset({"SessionStart", "Setup"})
# The command moves to a known place first (`cd "$CLAUDE_PROJECT_DIR" && …`, `cd "$(git …)"`).
_CD = lazy_compile(r"(?:^|[;&|(]\s*|\bthen\s+|\bdo\s+)(?:cd|pushd)\s")


def check(ctx: Context) -> Iterator[Violation]:
    """Project hooks that run an existing repository script by a relative path."""
    for hook in repo_hooks(ctx):
        if not hook.file.shared or hook.event in _AT_START:
            continue
        command = hook.command or ""
        if _CD.search(command) or "git rev-parse" in command:
            continue
        for script in hook_scripts(hook):
            text = script.ref.text
            if "CLAUDE_PROJECT_DIR" in text:
                continue
            if not ctx.repo.exists(script.rel) and not looks_like_script(script.rel):
                continue
            yield Violation(
                hook.locate(),
                f"The {hook.event} hook runs {text} by a relative path: hooks run in the "
                "session's current directory, which changes when Claude runs `cd` (or the "
                "session starts in a subfolder), and then the script is not found (exit 127).",
                # Shell-quoted: a file name such as $(...) must not run when the fix is pasted.
                fix=f'Write "$CLAUDE_PROJECT_DIR"/{quote(script.ref.rel or text)} (quoted): the '
                "client sets CLAUDE_PROJECT_DIR to the project's root for every hook.",
            )
            break


RULE = Rule(
    code="PAR120",
    name="relative-hook-script",
    severity=Severity.WARNING,
    summary="A hook runs a repository script by a path relative to the current directory.",
    fix='Prefix the path with "$CLAUDE_PROJECT_DIR"/.',
    tags=("parity", "hooks"),
    check=check,
    docs="""
## What it does
Finds project hooks that run a script of the repository by a relative path
(`.claude/hooks/fmt.sh`, `./scripts/lint.sh`, `python3 tools/check.py`) instead of
`"$CLAUDE_PROJECT_DIR"/…`. SessionStart and Setup hooks are not reported (they run at start,
in the project's directory), nor are commands that `cd` somewhere first or find the root with
`git rev-parse`. A missing script is reported here too when its path is clearly a script
(PAR104 says it is missing; this rule says how it is reached).

## Why is this bad?
Hooks run in the session's current directory. After Claude runs `cd packages/web` (or when a
session starts in a subfolder) the relative path points nowhere and the hook fails with
"No such file or directory" on every event, silently for most events.

## Example
```json
{"hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command",
  "command": ".claude/hooks/fmt.sh"}]}]}}
```

## Fix
```json
{"hooks": {"PostToolUse": [{"matcher": "Edit", "hooks": [{"type": "command",
  "command": "\\"$CLAUDE_PROJECT_DIR\\"/.claude/hooks/fmt.sh"}]}]}}
```
""",
)
