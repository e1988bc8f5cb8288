"""PAR030: SKILL.md, agent or command frontmatter that the client ignores or will not load."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.load import MarkdownDocument
from parity.model import Kind, Scope
from parity.rules._settings import dotted
from parity.rules.base import Context, Rule
from parity.validate import problems

_SCHEMA = {Kind.SKILL: "skill", Kind.AGENT: "agent", Kind.COMMAND: "command"}


def check(ctx: Context) -> Iterator[Violation]:
    """Validate frontmatter; agents without a name or description do not load as agents."""
    for cf, doc in ctx.documents(Kind.SKILL, Kind.AGENT, Kind.COMMAND):
        if cf.scope is Scope.USER and not ctx.user:
            continue
        if not isinstance(doc, MarkdownDocument) or not doc.ok:
            continue
        front = doc.frontmatter
        if cf.kind is Kind.AGENT and (not isinstance(front, dict) or "name" not in front):
            yield Violation(
                doc.locate(()),
                "This agent file has no frontmatter `name`: the client treats it as "
                "documentation and does not load it as an agent.",
                fix="Add frontmatter with `name:` and `description:` (or move it out of agents/).",
                severity=Severity.WARNING,
            )
            continue
        if cf.kind is Kind.SKILL and (not isinstance(front, dict) or "description" not in front):
            yield Violation(
                doc.locate(()),
                "This skill has no `description`: Claude cannot tell when to use it, so it is "
                "only run when invoked by name.",
                fix="Add `description:` to the frontmatter saying what the skill does and when.",
                severity=Severity.WARNING,
            )
        if not isinstance(front, dict):
            continue
        for problem in problems(_SCHEMA[cf.kind], front):
            label = dotted(problem.path) if problem.path else "frontmatter"
            effect = (
                "The client skips this agent."
                if cf.kind is Kind.AGENT and problem.path[:1] in (("name",), ("description",), ())
                else "The client ignores this value."
            )
            yield Violation(
                doc.locate(problem.path, key=problem.on_key),
                f"{label}: {problem.message}. {effect}",
                fix=_slug_fix(front) if problem.path == ("name",) else problem.fix,
                severity=Severity.ERROR
                if effect.startswith("The client skips")
                else Severity.WARNING,
            )


def _slug_fix(front: dict[str, object]) -> str | None:
    name = front.get("name")
    if not isinstance(name, str):
        return None
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return f'Use "{slug}" (and refer to the agent by that name).' if slug else None


RULE = Rule(
    code="PAR030",
    name="frontmatter",
    severity=Severity.WARNING,
    summary="SKILL.md, agent or command frontmatter that is missing a field or has a wrong value.",
    fix="Give the frontmatter the fields and values the client expects.",
    tags=("correctness",),
    check=check,
    docs="""
## What it does
Checks the YAML frontmatter of `.claude/skills/*/SKILL.md`, `.claude/agents/**/*.md` and
`.claude/commands/**/*.md`: agents need `name` (lower case and hyphens) and `description`; skills
should have a `description`; enumerated fields (`model`, `effort`, `permissionMode`, `color`,
`context`, `shell`) must have values the client knows.

## Why is this bad?
An agent without `name` is silently treated as documentation; one with a bad name or no
description is skipped (only the debug log says so). A skill without a description is never
picked by the model on its own. Wrong values are ignored without a message.

## Example
```markdown
---
name: Code Reviewer
model: gpt-4
---
Review the diff.
```

## Fix
```markdown
---
name: code-reviewer
description: Reviews the current diff for bugs and style problems.
model: sonnet
---
Review the diff.
```
""",
)
