"""PAR104: a hook runs a script that does not exist in the repository."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._scope import hook_scripts, looks_like_script, repo_hooks
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Scripts that project hook commands run (relative or under $CLAUDE_PROJECT_DIR), absent."""
    for hook in repo_hooks(ctx):
        if not hook.file.shared:
            continue
        for script in hook_scripts(hook):
            rel = script.rel
            if ctx.repo.exists(rel) or "$" in rel or "{" in rel:
                continue
            if ctx.repo.broken_link(rel) is not None:
                continue  # a committed link that dangles: PAR111 says so
            if (
                not looks_like_script(script.ref.rel or rel)
                and "CLAUDE_PROJECT_DIR" not in script.ref.text
            ):
                continue
            yield Violation(
                hook.locate(),
                f"The hook runs {rel}, which does not exist in the repository: the command exits "
                "127 in every session, including the cloud.",
                fix=f"Add {rel} to the repository (executable, committed) or fix the path.",
            )


RULE = Rule(
    code="PAR104",
    name="hook-script-missing",
    severity=Severity.ERROR,
    summary="A hook runs a script that does not exist in the repository.",
    fix="Commit the script at the path the hook uses, or fix the path.",
    tags=("parity", "hooks"),
    check=check,
    docs="""
## What it does
Resolves the script each project hook command runs (`./x.sh`, `.claude/hooks/x.sh`,
`"$CLAUDE_PROJECT_DIR"/scripts/x.py`, `bash scripts/x.sh`, `python3 tools/x.py`) and reports
scripts that are not in the repository at all. Folders a package manager fills (`node_modules/`,
`.venv/`) are not expected to be committed and are skipped.

## Why is this bad?
A missing script makes the hook exit 127 on every event. For SessionStart that is a hook error
notice at the start of every cloud session and a setup that never happened.

## Example
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command",
  "command": "\\"$CLAUDE_PROJECT_DIR\\"/scripts/setup.sh"}]}]}}
```
with no `scripts/setup.sh` in the repository.

## Fix
Commit `scripts/setup.sh` (with `git add --chmod=+x`), or point the hook at the script's real path.
""",
)
