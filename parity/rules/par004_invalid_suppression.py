"""PAR004: an inline suppression comment in a Markdown file that parity cannot read."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Location, Severity, Violation
from parity.model import MARKDOWN_KINDS
from parity.rules.base import Context, Rule
from parity.suppress import directives


def check(ctx: Context) -> Iterator[Violation]:
    """Every ``<!-- parity: ... -->`` comment of the Markdown files, read as parity reads it."""
    from parity.rules import codes

    known = codes()
    for _cf, doc in ctx.documents(*MARKDOWN_KINDS):
        if "parity" not in doc.text.lower():
            continue
        for d in directives(doc.text, known):
            for problem in d.problems:
                yield Violation(
                    Location(doc.display, d.line, d.column, d.line, d.end_column),
                    f"This parity suppression comment is not understood: {problem}. "
                    "It silences nothing" + (" for that part." if d.codes else "."),
                    fix="Write <!-- parity: ignore PAR102 --> (this line) or "
                    "<!-- parity: ignore-file PAR102 --> (the whole file), with rule codes or "
                    "prefixes that `parity rule` lists.",
                )


RULE = Rule(
    code="PAR004",
    name="invalid-suppression-comment",
    severity=Severity.WARNING,
    summary="A parity suppression comment in a Markdown file that parity cannot read.",
    fix="Use <!-- parity: ignore PAR102 --> or <!-- parity: ignore-file PAR102 -->.",
    tags=("suppression",),
    check=check,
    docs="""
## What it does
Reads the inline suppression comments of Markdown files (CLAUDE.md, skills, agents, commands,
rules) and reports those parity cannot apply: an unknown keyword, a code that is no rule or
prefix (`PAR999`, or `PAR1O2` with a letter O), no code at all, or a comment that does not close
on its line.

The grammar, as an HTML comment that rendered Markdown does not show:

- `<!-- parity: ignore PAR102 -->`: the findings of PAR102 on this line;
- `<!-- parity: ignore-file PAR102, PAR201 -->`: those findings anywhere in this file (put it at
  the top, or anywhere);
- codes are rule codes (`PAR102`) or prefixes (`PAR1`), separated by commas or spaces; at least
  one is required, so that a comment says what it silences.

A comment that suppresses nothing (the finding was fixed) is not reported. JSON files have no
comments: settings and `.mcp.json` findings are silenced with `per-file-ignores` in
`[tool.parity]`.

## Why is this bad?
A comment parity cannot read silences nothing: the finding it was written for is still reported,
or, when the typo is in one of several codes, part of what the author meant to accept is not.

## Example
```markdown
Run `~/.claude/bin/sync.sh` after editing. <!-- parity: ignore PAR1O2 -->
```

## Fix
```markdown
Run `~/.claude/bin/sync.sh` after editing. <!-- parity: ignore PAR102 -->
```
""",
)
