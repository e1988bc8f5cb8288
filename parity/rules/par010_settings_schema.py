"""PAR010: a settings value the client rejects, skips or silently drops."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence

from parity._lazy import lazy_compile
from parity.findings import Fix, Safety, Severity, Violation
from parity.load import Document
from parity.rules._fixes import json_key
from parity.rules._settings import dotted, settings_documents
from parity.rules.base import SOMETIMES, Autofix, Context, Rule
from parity.validate import CONSEQUENCE, DROP, SchemaProblem, problems

# Permission rule strings are checked by PAR014, with the client's own wording.
_PERMISSION_RULE = lazy_compile(r"^permissions/(allow|ask|deny)/\d+$")


def check(ctx: Context) -> Iterator[Violation]:
    """Validate each settings file against the settings schema of client 2.1.330."""
    for _cf, doc in settings_documents(ctx):
        found = problems("settings", doc.value)
        for problem in found:
            where = "/".join(str(p) for p in problem.path)
            if problem.validator == "pattern" and _PERMISSION_RULE.match(where):
                continue
            yield Violation(
                doc.locate(problem.path, key=problem.on_key),
                f"{dotted(problem.path)}: {problem.message}. {CONSEQUENCE[problem.behaviour]}",
                fix=problem.fix,
                severity=Severity.WARNING if problem.behaviour == DROP else None,
                autofix=_rename_event(doc, problem, found),
            )


def _rename_event(
    doc: Document, problem: SchemaProblem, found: Sequence[SchemaProblem]
) -> Fix | None:
    """``"OnStop"`` → ``"Stop"``: an unknown hook event renamed to the one event it certainly
    means, unless that event is there already or another unknown one would take its name."""
    if not (problem.on_key and len(problem.path) == 2 and problem.path[0] == "hooks"):
        return None
    target = problem.certain
    hooks = doc.value.get("hooks") if isinstance(doc.value, dict) else None
    if target is None or not isinstance(hooks, dict) or target in hooks:
        return None
    wanted = Counter(p.certain for p in found if p.on_key and p.path[:1] == ("hooks",))
    if wanted[target] > 1:
        return None
    edit = json_key(doc, problem.path, target)
    return Fix(f'Rename "{problem.path[1]}" to "{target}"', (edit,)) if edit else None


RULE = Rule(
    code="PAR010",
    name="settings-schema",
    severity=Severity.ERROR,
    variants=(
        (Severity.WARNING, "for a value the client drops silently, keeping the rest of the file"),
    ),
    summary="A settings value has the wrong type or form; the client rejects, skips or drops it.",
    fix="Give the value the type and form the client accepts (see `parity schema settings`).",
    tags=("correctness",),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.SAFE,
        "Renames an unknown hook event to the event it misspells.",
        when="when exactly one event is close: `PreToolUs`, `session_start`, not `OnStart`, "
        "which is as close to SubagentStart as to SessionStart",
    ),
    docs="""
## What it does
Validates `.claude/settings.json`, `.claude/settings.local.json` (and `~/.claude/settings.json`
with `--user`) against the settings schema of Claude Code 2.1.330, and says for each problem what
the client does: rejects the whole file, skips the one entry, or silently drops the value.

## Why is this bad?
One wrong type in a non-tolerant key (`"model": 5`, `"permissions": {"allow": "Bash"}`, an `env`
array) makes the client ignore the entire file, hooks and permissions included, with only a
warning at start-up that nobody sees in a cloud session. A malformed hook is skipped, so the
setup it performs silently never happens.

## Example
```json
{"permissions": {"defaultMode": "yolo"}, "hooks": {"SessionStart": {"hooks": []}}}
```

## Fix
Use the value the client expects: `"defaultMode": "acceptEdits"`; `SessionStart` is an array of
matcher groups. `parity schema settings` prints the schema for your editor.
""",
)
