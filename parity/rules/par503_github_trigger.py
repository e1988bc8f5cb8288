"""PAR503: a GitHub trigger with an event, filter or operator that routines do not have."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from parity.findings import Severity, Violation
from parity.routines.model import GithubTrigger, Routine
from parity.rules._routines import at, routines
from parity.rules.base import Context, Rule
from parity.validate import did_you_mean

# Routines react to pull request and release events only (reference §6.5). The pull request
# actions are GitHub's webhook actions for that event; "merged" is not one of them.
PULL_REQUEST_ACTIONS = (
    "assigned", "auto_merge_disabled", "auto_merge_enabled", "closed", "converted_to_draft",
    "demilestoned", "dequeued", "edited", "enqueued", "labeled", "locked", "milestoned", "opened",
    "ready_for_review", "reopened", "review_request_removed", "review_requested", "synchronize",
    "unassigned", "unlabeled", "unlocked",
)  # fmt: skip
RELEASE_ACTIONS = ("created", "published", "edited", "deleted")
CATEGORIES = {"pull_request": PULL_REQUEST_ACTIONS, "release": RELEASE_ACTIONS}
TEXT_FILTERS = ("author", "title", "body", "base-branch", "head-branch", "labels")
BOOLEAN_FILTERS = ("is-draft", "is-merged")
FILTERS = TEXT_FILTERS + BOOLEAN_FILTERS
LIST_OPERATORS = ("is-one-of", "is-not-one-of")
OPERATORS = ("equals", "contains", "starts-with", *LIST_OPERATORS, "matches-regex")

MERGED_FIX = (
    'Use event: pull_request.closed with filters: {is-merged: true}: a merge is a "closed" '
    "pull request whose is-merged is true."
)


def check(ctx: Context) -> Iterator[Violation]:
    """Each GitHub trigger's event, filter names, operators and value types."""
    for routine in routines(ctx):
        for trigger in routine.github:
            yield from _event(routine, trigger)
            yield from _filters(routine, trigger)


def _event(routine: Routine, trigger: GithubTrigger) -> Iterator[Violation]:
    event = trigger.event
    if event is None:
        return
    where = at(routine.doc, (*trigger.pointer, "event"))
    head, dot, action = event.partition(".")
    if event in ("pull_request.merged", "pull_request.merge"):
        yield Violation(
            where,
            f'Routine "{routine.name}": there is no "{event}" event; GitHub reports a merge as '
            '"pull_request.closed", with the pull request\'s is-merged set to true. The trigger '
            "never fires.",
            fix=MERGED_FIX,
        )
        return
    if head not in CATEGORIES:
        hint = did_you_mean(head, list(CATEGORIES))
        guess = f' (did you mean "{hint}{dot}{action}"?)' if hint else ""
        yield Violation(
            where,
            f'Routine "{routine.name}": unknown GitHub event "{event}"{guess}; routines react to '
            "pull_request and release events only.",
            fix=f'Use "{hint}{dot}{action}".'
            if hint
            else "Use pull_request[.<action>] or release[.<action>]; for other events, call the "
            "routine's API trigger from a GitHub Actions workflow.",
        )
        return
    if dot and action not in CATEGORIES[head]:
        known = CATEGORIES[head]
        hint = did_you_mean(action, list(known))
        guess = f' (did you mean "{head}.{hint}"?)' if hint else ""
        yield Violation(
            where,
            f'Routine "{routine.name}": "{action}" is not a {head} action{guess}. The trigger '
            "never fires.",
            fix=f'Use "{head}.{hint}".'
            if hint
            else f"Use one of: {', '.join(head + '.' + a for a in known)}, or {head} for all.",
        )


def _filters(routine: Routine, trigger: GithubTrigger) -> Iterator[Violation]:
    base = (*trigger.pointer, "filters")
    is_release = (trigger.event or "").partition(".")[0] == "release"
    for name, value in trigger.filters.items():
        key = (*base, name)
        if is_release:
            yield Violation(
                at(routine.doc, key, key=True),
                f'Routine "{routine.name}": filter "{name}" on a release event; the documented '
                "filters (author, title, body, branches, labels, is-draft, is-merged) are for "
                "pull request events.",
                fix="Remove the filters, or trigger on a pull_request event.",
                severity=Severity.WARNING,
            )
            continue
        if name not in FILTERS:
            hint = did_you_mean(name, list(FILTERS)) or did_you_mean(
                name.replace("_", "-").replace(" ", "-"), list(FILTERS)
            )
            guess = f' (did you mean "{hint}"?)' if hint else ""
            yield Violation(
                at(routine.doc, key, key=True),
                f'Routine "{routine.name}": unknown pull request filter "{name}"{guess}.',
                fix=f'Rename it to "{hint}".' if hint else f"Use one of: {', '.join(FILTERS)}.",
            )
            continue
        yield from _value(routine, key, name, value)


def _value(
    routine: Routine, key: tuple[str | int, ...], name: str, value: Any
) -> Iterator[Violation]:
    if name in BOOLEAN_FILTERS:
        if not isinstance(value, bool):
            yield Violation(
                at(routine.doc, key),
                f'Routine "{routine.name}": filter "{name}" is true or false, not {value!r}.',
                fix=f"Write {name}: true or {name}: false (no quotes).",
            )
        return
    if isinstance(value, bool):
        yield Violation(
            at(routine.doc, key),
            f'Routine "{routine.name}": filter "{name}" compares text, not true or false.',
            fix=f'Write {name}: "text" (equals) or {name}: {{contains: "text"}}.',
        )
        return
    if not isinstance(value, dict):
        return
    for operator, operand in value.items():
        where = (*key, operator)
        if operator not in OPERATORS:
            hint = did_you_mean(str(operator), list(OPERATORS)) or did_you_mean(
                str(operator).replace("_", "-").replace(" ", "-"), list(OPERATORS)
            )
            guess = f' (did you mean "{hint}"?)' if hint else ""
            yield Violation(
                at(routine.doc, where, key=True),
                f'Routine "{routine.name}": unknown operator "{operator}" in filter '
                f'"{name}"{guess}.',
                fix=f'Rename it to "{hint}".' if hint else f"Use one of: {', '.join(OPERATORS)}.",
            )
        elif operator in LIST_OPERATORS and not isinstance(operand, list):
            yield Violation(
                at(routine.doc, where),
                f'Routine "{routine.name}": "{operator}" in filter "{name}" takes a list.',
                fix=f"Write {operator}: [a, b].",
            )
        elif operator not in LIST_OPERATORS and not isinstance(operand, str):
            yield Violation(
                at(routine.doc, where),
                f'Routine "{routine.name}": "{operator}" in filter "{name}" takes one text value.',
                fix=f'Write {operator}: "text", or use is-one-of for a list.',
            )


RULE = Rule(
    code="PAR503",
    name="github-trigger",
    severity=Severity.ERROR,
    variants=((Severity.WARNING, "for pull request filters on a release event"),),
    summary="A GitHub trigger with an event, filter or operator that routines do not have.",
    fix=MERGED_FIX,
    tags=("correctness", "routines"),
    check=check,
    docs="""
## What it does
Checks each `github` trigger: the event is `pull_request`, `pull_request.<action>` (a GitHub
pull request action such as `opened`, `closed`, `synchronize`, `labeled`,
`ready_for_review`), `release` or `release.<action>` (`created`, `published`, `edited`,
`deleted`); filters are `author`, `title`, `body`, `base-branch`, `head-branch`, `labels`,
`is-draft`, `is-merged`; operators are `equals`, `contains`, `starts-with`, `is-one-of`,
`is-not-one-of`, `matches-regex` (whole-value match). `is-draft` and `is-merged` take true or
false; the `is-…-of` operators take a list.

## Why is this bad?
A trigger on an event that does not exist never fires, and nothing tells you. The usual mistake
is `pull_request.merged`: GitHub has no such action. A merge is `pull_request.closed` with
`is-merged: true`.

## Example
```yaml
- github: {event: pull_request.merged, filters: {base_branch: main}}
```

## Fix
```yaml
- github: {event: pull_request.closed, filters: {is-merged: true, base-branch: main}}
```
""",
)
