"""PAR010: a settings value the client rejects, skips or silently drops."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._settings import dotted, settings_documents
from parity.rules.base import Context, Rule
from parity.validate import CONSEQUENCE, DROP, problems

# Permission rule strings are checked by PAR014, with the client's own wording.
_PERMISSION_RULE = re.compile(r"^permissions/(allow|ask|deny)/\d+$")


def check(ctx: Context) -> Iterator[Violation]:
    """Validate each settings file against the settings schema of client 2.1.330."""
    for _cf, doc in settings_documents(ctx):
        for problem in problems("settings", doc.value):
            where = "/".join(str(p) for p in problem.path)
            if problem.validator == "pattern" and _PERMISSION_RULE.match(where):
                continue
            yield Violation(
                doc.locate(problem.path, key=problem.on_key),
                f"{dotted(problem.path)}: {problem.message}. {CONSEQUENCE[problem.behaviour]}",
                fix=problem.fix,
                severity=Severity.WARNING if problem.behaviour == DROP else None,
            )


RULE = Rule(
    code="PAR010",
    name="settings-schema",
    severity=Severity.ERROR,
    summary="A settings value has the wrong type or form; the client rejects, skips or drops it.",
    fix="Give the value the type and form the client accepts (see `parity schema settings`).",
    tags=("correctness",),
    check=check,
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
