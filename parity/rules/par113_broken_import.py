"""PAR113: a CLAUDE.md ``@`` import that loads nothing: missing, mistyped, too deep, or a cycle."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from parity.findings import Location, Severity, Violation
from parity.rules._imports import (
    MAX_HOPS,
    TEXT_SUFFIXES,
    TRAILING_PUNCTUATION,
    Import,
    import_graph,
)
from parity.rules._scope import text_location
from parity.rules.base import Context, Rule


def check(ctx: Context) -> Iterator[Violation]:
    """Imports inside the repository whose file the client does not load, and import cycles."""
    for imp in import_graph(ctx):
        target = imp.target
        if target is None:
            continue  # into the home or out of the repository: PAR102
        loc = text_location(imp.doc, imp.start, imp.end)
        intended = _without_punctuation(ctx, imp)
        if intended is not None:
            yield Violation(
                loc,
                f'Import @{imp.spelled} ends in "{imp.spelled[len(intended) :]}", which the '
                f"client reads as part of the path: it looks for {target}, not "
                f"{target.rstrip(TRAILING_PUNCTUATION)}, and imports nothing.",
                fix=f"Put a blank (or nothing) between @{intended} and the punctuation after it.",
            )
        elif ctx.repo.exists(target):
            if target in imp.chain:
                yield _cycle(imp, target, loc)
            elif imp.hops > MAX_HOPS and imp.is_text:
                yield _too_deep(imp, target, loc)
        elif imp.hops <= MAX_HOPS and _meant_as_file(imp.spelled.rstrip(TRAILING_PUNCTUATION)):
            yield _missing(ctx, imp, target.rstrip(TRAILING_PUNCTUATION), loc)


def _meant_as_file(path: str) -> bool:
    """True when ``@path`` is clearly a file name, not a mention (``@alice``, ``@scope/pkg``)."""
    suffix = posixpath.splitext(posixpath.basename(path))[1].lower()
    return suffix in TEXT_SUFFIXES or path.startswith(("./", "../"))


def _without_punctuation(ctx: Context, imp: Import) -> str | None:
    """The path without trailing punctuation, when that file exists (``@AGENTS.md.``)."""
    spelled, target = imp.spelled, imp.target
    stripped = spelled.rstrip(TRAILING_PUNCTUATION)
    if stripped == spelled or not stripped or target is None or ctx.repo.exists(target):
        return None
    return stripped if ctx.repo.exists(target.rstrip(TRAILING_PUNCTUATION)) else None


def _missing(ctx: Context, imp: Import, target: str, loc: Location) -> Violation:
    spelled = imp.spelled.rstrip(TRAILING_PUNCTUATION)
    folder = posixpath.dirname(imp.chain[-1])
    from_root = posixpath.normpath(spelled)
    hint = ""
    if folder and not from_root.startswith("../") and ctx.repo.exists(from_root):
        hint = (
            f" (paths are relative to the importing file's folder, {folder}/: "
            f"@{posixpath.relpath(from_root, folder)} names {from_root})"
        )
    return Violation(
        loc,
        f"Import @{spelled} names {target}, which does not exist in the repository{hint}: "
        "the client imports nothing, and says nothing about it.",
        fix="Fix the path (relative to the importing file) or commit the file.",
    )


def _too_deep(imp: Import, target: str, loc: Location) -> Violation:
    chain = " → ".join((*imp.chain, target))
    return Violation(
        loc,
        f"Import @{imp.spelled} is {imp.hops} imports away from {imp.chain[0]} ({chain}): the "
        f"client follows imports {MAX_HOPS} deep, so it does not load {target}.",
        fix=f"Import {target} from a file closer to {imp.chain[0]}, or inline it.",
    )


def _cycle(imp: Import, target: str, loc: Location) -> Violation:
    cycle = " → ".join((*imp.chain[imp.chain.index(target) :], target))
    return Violation(
        loc,
        f"Import @{imp.spelled} closes a cycle ({cycle}): the client reads each file once, so "
        "it loads nothing more; the import does nothing.",
        fix="Remove one of the imports that form the cycle.",
        severity=Severity.INFO,
    )


RULE = Rule(
    code="PAR113",
    name="broken-import",
    severity=Severity.WARNING,
    variants=(
        (
            Severity.INFO,
            "for an import that closes a cycle (every file is loaded once all the same)",
        ),
    ),
    summary="A CLAUDE.md @ import loads nothing: its file is missing, its path has punctuation "
    "glued to it, it is nested too deep, or it closes a cycle.",
    fix="Fix the import's path, relative to the file that holds it.",
    tags=("correctness", "memory"),
    check=check,
    docs="""
## What it does
Follows the `@path` imports of the repository's CLAUDE.md files and rule files, and of the files
they import, the way client 2.1.330 does: `@` at the start of a line or after a blank, the path
up to the next blank, relative to the importing file, outside code blocks, code spans and HTML
comments, at most four imports deep, each file read once. It reports, as warnings:

- an import of a file that does not exist in the repository (only paths that are clearly file
  names: with a text extension such as `.md`, or starting with `./` or `../`; `@alice` and
  `@scope/package` are mentions, not imports);
- punctuation glued to the path (`see @AGENTS.md.`): the client reads `AGENTS.md.` and imports
  nothing;
- an import more than four hops from the CLAUDE.md that started it, which the client never loads;

and, as information, an import that closes a cycle (the client reads each file once, so it does
nothing). Imports into the home or out of the repository are PAR102; files that exist but are not
committed are PAR103.

## Why is this bad?
The client says nothing when an import fails: the instructions are simply missing, in every
session, including the cloud. A path relative to the repository root written in
`.claude/CLAUDE.md` is the usual cause (`@docs/x.md` there means `.claude/docs/x.md`).

## Example
`.claude/CLAUDE.md`:
```markdown
Follow the conventions in @docs/conventions.md.
```

## Fix
```markdown
Follow the conventions in @../docs/conventions.md
```
""",
)
