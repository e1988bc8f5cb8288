"""PAR105: a hook runs a committed script directly, but git does not record it as executable."""

from __future__ import annotations

from collections.abc import Iterator
from shlex import quote

from parity.findings import Fix, Safety, Severity, Violation
from parity.rules._scope import hook_scripts, repo_hooks
from parity.rules.base import ALWAYS, Autofix, Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Scripts run as programs (not through an interpreter) without mode 100755 in the index."""
    if not ctx.repo.is_git:
        return
    for hook in repo_hooks(ctx):
        if not hook.file.shared:
            continue
        for script in hook_scripts(hook):
            rel = script.rel
            entry = ctx.repo.get(rel)
            if not script.ref.direct or entry is None or not entry.tracked:
                continue
            if entry.executable_in_index or entry.mode == 0o120000:
                continue
            yield Violation(
                hook.locate(),
                f"The hook runs {rel} directly, but git records it as not executable: a fresh "
                'clone gets mode 644 and the hook fails with "Permission denied" (exit 126) in '
                "a cloud session.",
                fix=f"`git update-index --chmod=+x {quote(rel)}` and commit, or run it as "
                f"`bash {quote(rel)}`.",
                autofix=Fix(f"Make {rel} executable", executable=(rel,)),
            )


RULE = Rule(
    code="PAR105",
    name="hook-script-not-executable",
    severity=Severity.ERROR,
    summary="A hook runs a script directly that is not executable in the git index.",
    fix="`git update-index --chmod=+x <script>` and commit.",
    tags=("parity", "hooks", "git"),
    check=check,
    autofix=Autofix(
        ALWAYS,
        Safety.SAFE,
        "Marks the script executable in the git index (`git update-index --chmod=+x`) and in "
        "the working tree; commit the change.",
    ),
    docs="""
## What it does
For each committed script a project hook runs as a program (`./x.sh`,
`"$CLAUDE_PROJECT_DIR"/.claude/hooks/x.sh`), checks the mode git records in the index. A script run
through an interpreter (`bash x.sh`, `python3 x.py`) needs no executable bit and is not reported.

## Why is this bad?
Your working copy may be executable while the index says 100644 (the bit was set after `git add`,
or on a file system without modes). A fresh clone, which is what a cloud session works on, gets
the index mode, so the hook fails with "Permission denied".

## Example
```console
$ git ls-files -s .claude/hooks/session-start.sh
100644 … .claude/hooks/session-start.sh
```

## Fix
```console
$ git update-index --chmod=+x .claude/hooks/session-start.sh && git commit
```
""",
)
