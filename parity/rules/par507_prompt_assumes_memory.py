"""PAR507: a routine prompt that assumes the routine remembers its previous runs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Location, Severity, Violation
from parity.load import Document
from parity.rules._routines import at, routines
from parity.rules.base import Context, Rule

# Phrases that only make sense if the session remembers an earlier run. Kept small and precise:
# "remember to ..." is an instruction, "the last run of the workflow" is about CI, and neither
# is reported.
PHRASES = lazy_compile(
    r"""\b(?:
        (?:as|like|same\s+as)\s+last\s+time
      | last\s+time\s+(?:you|we)\b
      | since\s+(?:(?:the|my|your|our)\s+)?(?:last|previous)\s+(?:run|time|check|session)
      | since\s+(?:you|we)\s+last\s+(?:ran|run|checked|looked)
      | previous\s+(?:run|session)s?\b
      | where\s+(?:you|we)\s+left\s+off
      | (?:you|we)(?:\s+will|'ll)\s+remember
      | as\s+you\s+(?:may\s+|will\s+)?remember
      | remember(?:ed)?\s+(?:from\s+(?:before|earlier|last)|what\s+(?:you|we)|where\s+(?:you|we))
    )""",
    re.IGNORECASE | re.VERBOSE,
)

_FIX = (
    "Make each run self-contained: say where the state lives (a tracking issue, a label, the "
    "last commit on a branch, a file in the repository) and have the prompt read and update it."
)


def check(ctx: Context) -> Iterator[Violation]:
    """Search each routine prompt for phrases that rely on memory across runs."""
    for routine in routines(ctx):
        if routine.prompt is None:
            continue
        found = PHRASES.search(routine.prompt)
        if found is None:
            continue
        phrase = " ".join(found.group().split())
        pointer = (*routine.pointer, "prompt")
        yield Violation(
            _phrase_location(routine.doc, at(routine.doc, pointer)),
            f'Routine "{routine.name}": the prompt says "{phrase}", but every run is a fresh '
            "session that remembers nothing of earlier runs.",
            fix=_FIX,
        )


def _phrase_location(doc: Document, value: Location) -> Location:
    """The phrase itself inside the prompt's text, or the whole prompt when it is escaped."""
    lines = doc.text.split("\n")
    start = sum(len(line) + 1 for line in lines[: value.line - 1]) + value.column - 1
    end = sum(len(line) + 1 for line in lines[: value.end_line - 1]) + value.end_column - 1
    found = PHRASES.search(doc.text, start, max(end, start))
    if found is None:
        return value
    return doc.at_offset(found.start(), found.end(), pointer=value.pointer)


RULE = Rule(
    code="PAR507",
    name="prompt-assumes-memory",
    severity=Severity.WARNING,
    summary="A routine prompt assumes the routine remembers its previous runs.",
    fix=_FIX,
    tags=("correctness", "routines"),
    check=check,
    docs="""
## What it does
Looks in routine prompts for a few phrases that only make sense with memory across runs: "as
last time", "since the last run", "previous run", "where you left off", "as you remember",
"remember what you …". Instructions such as "remember to run the tests" are not reported.

## Why is this bad?
Each routine run is a new cloud session on a fresh clone. Nothing carries over from the previous
run, so "what changed since the last run" has no answer; the session guesses, or redoes
everything.

## Example
```yaml
prompt: Summarise the pull requests opened since the last run.
```

## Fix
```yaml
prompt: >-
  Summarise the pull requests opened in the last 24 hours (this routine runs daily at 03:07
  UTC), and add the label "summarised" to each one you cover.
```
""",
)
