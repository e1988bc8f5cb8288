"""PAR506: a skill a routine relies on that a fresh clone does not have."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._routines import at, routines
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Each ``skills`` entry against ``.claude/skills/<name>/SKILL.md`` in the committed tree."""
    repo = ctx.repo
    for routine in routines(ctx):
        for skill, pointer in routine.skills:
            if ":" in skill:
                continue  # plugin:skill comes from a plugin, not from the repository
            rel = f".claude/skills/{skill}/SKILL.md"
            if repo.in_clone(rel) or (not repo.is_git and repo.exists(rel)):
                continue
            if repo.is_ignored(rel):
                state = "is gitignored"
            elif repo.exists(rel):
                state = "is not committed"
            else:
                state = "does not exist in the repository"
            yield Violation(
                at(routine.doc, pointer),
                f'Routine "{routine.name}" relies on skill "{skill}", but {rel} {state}; a '
                'routine starts from a fresh clone, where the skill is "not found" unless it is '
                "enabled on the claude.ai account.",
                fix=f"Commit {rel} (git add -f if it is ignored), or enable the skill on "
                "claude.ai and remove it from skills.",
            )


RULE = Rule(
    code="PAR506",
    name="uncommitted-skill",
    severity=Severity.WARNING,
    summary="A routine relies on a skill that a fresh clone of the repository does not have.",
    fix="Commit the skill under .claude/skills/<name>/SKILL.md.",
    tags=("parity", "routines"),
    check=check,
    docs="""
## What it does
For each name in a routine's `skills`, looks for `.claude/skills/<name>/SKILL.md` tracked by
git. Names written `plugin:skill` come from plugins and are not checked here.

## Why is this bad?
A routine runs in a fresh clone with an empty home: skills that live only in `~/.claude/skills`,
or that are untracked or gitignored in the repository, are "not found" there, and the prompt
runs without the instructions it was written for.

## Example
```yaml
routines:
  - name: nightly-pr-audit
    skills: [pr-audit]   # only in ~/.claude/skills/pr-audit/
```

## Fix
```bash
mkdir -p .claude/skills && cp -r ~/.claude/skills/pr-audit .claude/skills/
git add .claude/skills/pr-audit
```
""",
)
