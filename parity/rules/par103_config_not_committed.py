"""PAR103: config files, hook scripts or imported files that exist here but not in a clone."""

from __future__ import annotations

from collections.abc import Iterator
from shlex import quote

from parity.findings import Location, Severity, Violation
from parity.model import Kind, Scope, classify
from parity.rules._imports import MAX_HOPS, import_graph
from parity.rules._scope import hook_scripts, repo_hooks, text_location
from parity.rules.base import Context, Rule


def _why(ctx: Context, rel: str) -> str:
    target = ctx.repo.link_target(rel)
    if target != rel:
        return f"links to {target}, which {_why(ctx, target)}"
    return "is gitignored" if ctx.repo.is_ignored(rel) else "is not committed"


def _fix(ctx: Context, rel: str) -> str:
    # Shell-quoted: a file name such as $(...) must not run when the command is pasted.
    rel = ctx.repo.link_target(rel)
    if ctx.repo.is_ignored(rel):
        return f"Stop ignoring {rel} (add `!{rel}` to .gitignore), then `git add {quote(rel)}`."
    return f"`git add {quote(rel)}` and commit it."


def check(ctx: Context) -> Iterator[Violation]:
    """Untracked or ignored project config, and scripts and imports that config uses."""
    if not ctx.repo.is_git:
        return
    for cf in ctx.inventory.select(scopes=[Scope.PROJECT]):
        if cf.rel is None or cf.tracked or cf.kind in (Kind.HOOK_SCRIPT, Kind.OTHER):
            continue
        if classify(cf.rel) is None or not ctx.repo.exists(cf.rel):
            continue  # a file named on the command line outside the layout is not config here
        yield Violation(
            Location(cf.display),
            f"{cf.rel} {_why(ctx, cf.rel)}: a cloud session (a fresh clone) does not have it.",
            fix=_fix(ctx, cf.rel),
        )
    for hook in repo_hooks(ctx):
        if not hook.file.shared:
            continue
        for script in hook_scripts(hook):
            rel = script.rel
            if ctx.repo.in_clone(rel) or not ctx.repo.exists(rel):
                continue
            yield Violation(
                hook.locate(),
                f"The hook runs {rel}, which {_why(ctx, rel)}: in a cloud session the script is "
                "missing and the hook fails.",
                fix=_fix(ctx, rel),
                severity=Severity.ERROR,
            )
    for imp in import_graph(ctx):
        target = imp.target
        if target is None or imp.hops > MAX_HOPS or not imp.is_text:
            continue
        if ctx.repo.in_clone(target) or not ctx.repo.exists(target):
            continue
        if ctx.repo.abspath(target).is_dir():
            continue
        yield Violation(
            text_location(imp.doc, imp.start, imp.end),
            f"Import @{imp.spelled} names {target}, which {_why(ctx, target)}: a cloud session "
            "loads nothing from it.",
            fix=_fix(ctx, target),
        )


RULE = Rule(
    code="PAR103",
    name="config-not-committed",
    severity=Severity.WARNING,
    variants=((Severity.ERROR, "when a hook runs the missing script"),),
    summary="A config file, hook script or imported file exists locally but is untracked or "
    "gitignored.",
    fix="Commit the file (and stop ignoring it).",
    tags=("parity", "git"),
    check=check,
    docs="""
## What it does
Reports project config files (`CLAUDE.md`, `.claude/settings.json`, `.mcp.json`, skills, agents,
commands, rules) that git does not track or ignores, scripts that committed hooks run which are
not committed, and files that CLAUDE.md `@` imports which are not committed.

## Why is this bad?
A cloud session works on a fresh clone of the committed tree. An untracked or ignored file works on
your machine and is simply absent there: the hook fails, the import loads nothing, the skill does
not exist.

## Example
`.gitignore` contains `.claude/`, so `.claude/settings.json` and its hooks never reach the cloud.

## Fix
Ignore only the personal files (`.claude/settings.local.json`, `CLAUDE.local.md`) and commit the
rest:
```gitignore
.claude/settings.local.json
CLAUDE.local.md
```
""",
)
