"""PAR014: a permission rule string the client skips as malformed."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.rules._settings import settings_documents
from parity.rules.base import Context, Rule
from parity.text import RULE_LIMIT, quote


def rule_problem(text: str, kind: str) -> str | None:
    """The client's reason for skipping permission rule ``text`` in list ``kind``, or None."""
    name, paren, rest = text.partition("(")
    if not name:
        return "Empty tool name"
    if kind == "allow" and (
        name == "*" or (name.startswith("mcp__") and "*" in name.split("__")[1])
    ):
        return (
            f'Wildcard tool name "{name}" is not supported in allow rules; globs are permitted '
            "only "
            "after a literal mcp__<server>__ prefix (deny and ask rules accept wildcards anywhere)"
        )
    if not name.startswith("mcp__") and name != "*" and not name[0].isupper():
        return f'Tool names must start with uppercase. Use "{name[0].upper() + name[1:]}"'
    if not paren:
        return None
    if not rest.endswith(")"):
        return (
            "Malformed Tool(content) rule. Rules take the form Tool or Tool(content) and must end "
            'at the closing ")"'
        )
    content = rest[:-1]
    if not content:
        return (
            f'Empty parentheses. Either specify a pattern or use just "{name}" without parentheses'
        )
    if name == "Bash" and content == ":*":
        return "Prefix cannot be empty before :*. Specify a command prefix before :*"
    # `WebFetch(*)` is accepted (checked against client 2.1.330); other content needs `domain:`.
    if name == "WebFetch" and content != "*" and not content.startswith("domain:"):
        return 'WebFetch permissions must use "domain:" prefix. Use "domain:hostname" format'
    return None


def check(ctx: Context) -> Iterator[Violation]:
    """Parse every rule of permissions.allow/ask/deny with the client's grammar."""
    for _cf, doc in settings_documents(ctx):
        perms = doc.value.get("permissions") if isinstance(doc.value, dict) else None
        if not isinstance(perms, dict):
            continue
        for kind in ("allow", "ask", "deny"):
            rules = perms.get(kind)
            if not isinstance(rules, list):
                continue
            for i, text in enumerate(rules):
                if not isinstance(text, str):
                    continue
                problem = rule_problem(text, kind)
                if problem:
                    yield Violation(
                        doc.locate(("permissions", kind, i)),
                        f"Invalid permission rule {quote(text, RULE_LIMIT)} is skipped: {problem}.",
                        severity=Severity.ERROR if kind == "deny" else None,
                    )


RULE = Rule(
    code="PAR014",
    name="malformed-permission-rule",
    severity=Severity.WARNING,
    summary="A permission rule does not follow the client's grammar and is skipped.",
    fix='Write rules as Tool or Tool(content): "Bash(npm test *)", "WebFetch(domain:example.com)".',
    tags=("correctness", "permissions"),
    check=check,
    docs="""
## What it does
Parses every string in `permissions.allow`, `ask` and `deny` with the grammar Claude Code uses and
reports the rules it skips: lower-case tool names, empty parentheses, a missing closing
parenthesis, `Bash(:*)`, `WebFetch` without `domain:`, wildcard tool names in allow rules.

## Why is this bad?
A skipped allow rule means prompts in a session that was meant to run unattended; a skipped deny
rule means a command the author meant to forbid is allowed (reported as an error).

## Example
```json
{"permissions": {"deny": ["bash(rm -rf *)"], "allow": ["WebFetch(github.com)"]}}
```

## Fix
```json
{"permissions": {"deny": ["Bash(rm -rf *)"], "allow": ["WebFetch(domain:github.com)"]}}
```
""",
)
