"""PAR500: a routines file that does not follow the routines format."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.routines.model import read_routines
from parity.rules._routines import at, routine_documents
from parity.rules._settings import dotted
from parity.rules.base import Context, Rule
from parity.validate import problems

_FIXES = {
    "name": "Use a kebab-case name such as nightly-pr-audit.",
    "at": 'Quote the time, e.g. at: "09:07".',
    "once": 'Quote an ISO 8601 timestamp with a zone, e.g. once: "2026-12-01T09:07:00Z".',
    "schedule": 'Give the schedule one of: cron: "7 3 * * *", preset: daily with at: "03:07", or '
    'once: "2026-12-01T09:07:00Z".',
    "triggers": 'Add a trigger: - schedule: {cron: "7 3 * * *"}, - github: {event: ...} or '
    "- api: {}.",
}


def check(ctx: Context) -> Iterator[Violation]:
    """Validate each routines file against ``routines.schema.json``; names must be unique."""
    seen: dict[str, str] = {}
    for cf, doc in routine_documents(ctx):
        for problem in problems("routines", doc.value):
            last = problem.path[-1] if problem.path and not problem.on_key else None
            yield Violation(
                at(doc, problem.path, key=problem.on_key),
                f"{dotted(problem.path)}: {problem.message}.",
                fix=_FIXES.get(str(last), problem.fix),
            )
        for routine in read_routines(cf, doc):
            if not isinstance(doc.value["routines"][routine.pointer[1]].get("name"), str):
                continue
            where = f"{cf.display}:{at(doc, (*routine.pointer, 'name')).line}"
            first = seen.setdefault(routine.name, where)
            if first != where:
                yield Violation(
                    at(doc, (*routine.pointer, "name")),
                    f'Routine name "{routine.name}" is used twice (first at {first}); each routine '
                    "needs its own name.",
                    fix="Rename one of them.",
                )


RULE = Rule(
    code="PAR500",
    name="routines-schema",
    severity=Severity.ERROR,
    summary="A routines file that does not follow the routines format.",
    fix="Follow the routines format: `parity schema routines` prints it.",
    tags=("correctness", "routines"),
    check=check,
    docs="""
## What it does
Validates `.claude/routines.yaml` and `.claude/routines/*.yaml` against
`schemas/routines.schema.json` (`parity schema routines`): a `routines` list whose entries have a
unique kebab-case `name`, a `prompt`, and `triggers` that are each exactly one of `schedule`
(`cron`, `preset` with `at`, or `once`), `github` (`event`, `filters`) or `api`. Unknown keys are
errors, with a did-you-mean.

## Why is this bad?
Routines run unattended. A typo such as `crn:` or an unquoted `at: 3:07` (YAML reads it as the
number 187) means the routine you reviewed is not the routine that is defined, and nobody is
watching when it fails at 3 a.m.

## Example
```yaml
routines:
  - name: Nightly audit
    prompt: Review every open pull request.
    triggers:
      - schedule: {crn: "7 3 * * *"}
```

## Fix
```yaml
routines:
  - name: nightly-audit
    prompt: Review every open pull request.
    triggers:
      - schedule: {cron: "7 3 * * *"}
```
""",
)
