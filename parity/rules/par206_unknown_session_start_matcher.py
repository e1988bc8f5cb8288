"""PAR206: a SessionStart or Setup matcher naming a source the client never sends."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Severity, Violation
from parity.hooks import iter_hooks
from parity.rules.base import Context, Rule

# What the client sends as the matcher value (reference §3.3).
VALUES = {
    "SessionStart": ("startup", "resume", "clear", "compact", "fork"),
    "Setup": ("init", "maintenance"),
}
_EXACT = lazy_compile(r"^[A-Za-z0-9_ ,|-]+$")


def _suggest(name: str, valid: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name.lower(), valid, n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


def check(ctx: Context) -> Iterator[Violation]:
    """Report SessionStart and Setup matchers that match none (or not all) of the values."""
    seen: set[tuple[str, str, int]] = set()
    for hook in iter_hooks(ctx.inventory):
        valid = VALUES.get(hook.event)
        matcher = hook.matcher
        key = (hook.file.display, hook.event, hook.group)
        if valid is None or not matcher or matcher == "*" or key in seen:
            continue
        seen.add(key)
        location = hook.doc.locate(("hooks", hook.event, hook.group, "matcher"))
        allowed = ", ".join(valid)
        if _EXACT.match(matcher):
            names = [n.strip() for n in re.split(r"[|,]", matcher) if n.strip()]
            unknown = [n for n in names if n not in valid]
            if not unknown:
                continue
            listed = ", ".join(f'"{n}"{_suggest(n, valid)}' for n in unknown)
            never = len(unknown) == len(names)
            yield Violation(
                location,
                f"The client never sends {listed} as the {hook.event} source (it sends "
                f"{allowed}; exact, case-sensitive): "
                + (
                    "these hooks never run." if never else "that part of the matcher never matches."
                ),
                fix=f"Use only {allowed}, separated by `|` (for example `startup|resume`).",
                severity=None if never else Severity.INFO,
            )
            continue
        try:
            pattern = re.compile(matcher)
        except re.error:
            continue
        if not any(pattern.search(v) for v in valid):
            yield Violation(
                location,
                f'The matcher "{matcher}" matches none of the {hook.event} sources the client '
                f"sends ({allowed}): these hooks never run.",
                fix=f"Use only {allowed}, separated by `|` (for example `startup|resume`).",
            )


RULE = Rule(
    code="PAR206",
    name="unknown-session-start-matcher",
    severity=Severity.WARNING,
    variants=((Severity.INFO, "when only part of the matcher never matches"),),
    summary="A SessionStart or Setup matcher that the client's source values never match.",
    fix="Match startup, resume, clear, compact or fork (init or maintenance for Setup).",
    tags=("correctness", "hooks"),
    check=check,
    docs="""
## What it does
Checks the `matcher` of SessionStart groups against the sources the client sends (`startup`,
`resume`, `clear`, `compact`, `fork`) and of Setup groups against `init` and `maintenance`.
Plain names (`startup|resume`) must be exact and case-sensitive; a regular expression must
match at least one value. A matcher that matches some values but names others is advice (info).

## Why is this bad?
The client does not validate matchers: a group with `"matcher": "Startup"` or `"init"` on
SessionStart loads without complaint and never runs, so the cloud setup it performs silently
never happens.

## Example
```json
{"hooks": {"SessionStart": [{"matcher": "Startup|session",
                              "hooks": [{"type": "command", "command": "./setup.sh"}]}]}}
```

## Fix
```json
{"hooks": {"SessionStart": [{"matcher": "startup|resume",
                              "hooks": [{"type": "command", "command": "./setup.sh"}]}]}}
```
""",
)
