"""PAR014: a permission rule string the client skips as invalid."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Fix, Safety, Severity, Violation
from parity.load import Document
from parity.permissions import ALIASES, KNOWN_TOOLS, mcp_parts, parse, problem
from parity.rules._fixes import json_value
from parity.rules._settings import permission_rules
from parity.rules.base import SOMETIMES, Autofix, Context, Rule
from parity.text import RULE_LIMIT, quote

_HOST = lazy_compile(r"^(?:[a-z][a-z0-9+.-]*://)?([^/:?#\s]+)", re.IGNORECASE)
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_BARE_HOST = lazy_compile(rf"^{_LABEL}(?:\.{_LABEL})+$")
# Built-in tool names by their lower-case spelling: `bash` can only mean Bash.
_TOOLS = {name.lower(): name for name in (*KNOWN_TOOLS, *ALIASES)}


def check(ctx: Context) -> Iterator[Violation]:
    """Read every rule of permissions.allow/ask/deny as the client does (parity.permissions)."""
    for doc, kind, index, text in permission_rules(ctx):
        reason = problem(text, kind)
        if reason is None:
            continue
        respelled = _respelled(doc, kind, index, text)
        yield Violation(
            doc.locate(("permissions", kind, index)),
            f"Invalid permission rule {quote(text, RULE_LIMIT)} in {kind}: {reason}. The client "
            f"skips this rule (claude doctor lists the file as invalid); {_consequence(kind)}.",
            fix=f'Write "{respelled[0]}".' if respelled else _fix(text, kind),
            autofix=respelled[1] if respelled else None,
        )


def _respelled(doc: Document, kind: str, index: int, text: str) -> tuple[str, Fix] | None:
    """The rule as the client reads it, where only its spelling is wrong: a built-in tool's
    name in the wrong case (`bash(ls *)`), a bare host after WebFetch (`WebFetch(github.com)`,
    `WebFetch(Domain:github.com)`). Never a URL (its path would widen to the whole domain), and
    never a result the client would still skip. The corrected rule and its fix."""
    head, paren, rest = text.partition("(")
    tool = _TOOLS.get(head.lower()) if head == head.strip() else None
    if tool is None or mcp_parts(head) is not None:
        return None
    fixed = tool + paren + rest
    if tool == "WebFetch" and paren and rest.endswith(")"):
        content = rest[:-1]
        host = content[7:] if content.lower().startswith("domain:") else content
        if _BARE_HOST.match(host):
            fixed = f"WebFetch(domain:{host})"
    if fixed == text or problem(fixed, kind) is not None:
        return None
    edit = json_value(doc, ("permissions", kind, index), fixed)
    return (fixed, Fix(f"Write {fixed}", (edit,))) if edit is not None else None


def _consequence(kind: str) -> str:
    if kind == "deny":
        return "what it was meant to forbid is not forbidden"
    if kind == "ask":
        return "what it was meant to confirm runs as the other rules decide"
    return "what it was meant to allow prompts again, and fails in unattended sessions"


def _fix(text: str, kind: str) -> str | None:
    """A corrected rule where the intent is clear, else the rule's general fix (None)."""
    stripped = text.strip()
    if not stripped:
        return "Remove the empty entry."
    value = parse(stripped)
    tool, content = value.tool, value.content
    head, paren, _ = stripped.partition("(")
    if stripped.endswith("()") and head:
        return f'Write "{head}" (every use of the tool) or give a pattern: "{head}(pattern)".'
    mcp = mcp_parts(tool)
    if mcp is not None and paren:
        return (
            f'Write "{head}" without parentheses (MCP rules take no pattern); '
            f'"mcp__{mcp[0]}__*" covers every tool of the server.'
        )
    if head and not head.startswith("mcp__") and "_" not in head and head[0] != head[0].upper():
        return f'Write "{head[0].upper() + head[1:]}{stripped[len(head) :]}".'
    if tool == "WebFetch" and content is not None:
        bare = content[7:] if content.lower().startswith("domain:") else content
        host = _HOST.match(bare)
        if host:
            return f'Write "WebFetch(domain:{host.group(1)})".'
    if content is not None and content.endswith(":*") and tool != "Bash":
        return f'Write a glob: "{tool}({content[:-2]}*)".'
    if tool == "Bash" and content == ":*":
        return 'Name the command before :*, e.g. "Bash(npm run test *)".'
    if kind == "allow" and "*" in tool:
        return (
            'List the tools to allow ("Read", "Bash(npm test *)"); in an allow rule a wildcard '
            'may follow only a named MCP server: "mcp__github__*".'
        )
    return None


RULE = Rule(
    code="PAR014",
    name="malformed-permission-rule",
    severity=Severity.ERROR,
    summary="A permission rule the client cannot read, so it skips it.",
    fix='Write rules as Tool or Tool(content): "Bash(npm test *)", "WebFetch(domain:example.com)".',
    tags=("correctness", "permissions"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.SAFE,
        "Writes the rule as the client reads it: a built-in tool's name with its capitals "
        "(`bash(rm -rf *)` becomes `Bash(rm -rf *)`) and a bare host after WebFetch with "
        "`domain:` (`WebFetch(github.com)` becomes `WebFetch(domain:github.com)`). The rule then "
        "takes effect as written.",
        when="when only the spelling is wrong: a built-in tool's name in the wrong case, or a "
        "host name without `domain:`; not a URL, whose path would widen to the whole domain",
    ),
    docs="""
## What it does
Reads every string in `permissions.allow`, `ask` and `deny` the way Claude Code 2.1.330 does and
reports the rules it skips: empty rules, tool names that start with a lower-case letter
(`bash(ls)`), empty parentheses (`Read()`), a missing or misplaced closing parenthesis,
`Bash(:*)`, `:*` in a file rule (`Read(src:*)`), `WebFetch` content without `domain:` or given as
a URL, wildcards in `WebSearch`, patterns in parentheses after an MCP tool name
(`mcp__github__get_issue(x)`), wildcard tool names in allow rules (`*`, `mcp__*`), and escaped
parentheses the client cannot tell apart from real ones.

`claude doctor` lists a settings file with such a rule under "Invalid settings", and `claude -p`
says the entry was skipped (checked against client 2.1.330 in
`tests/oracle/test_permission_rules.py`); this rule is an error for the same reason. Rules the
client accepts but warns about are PAR604.

## Why is this bad?
A skipped allow rule means prompts in a session that was meant to run unattended (a routine, a
cloud task); a skipped deny or ask rule means a command the author meant to forbid or confirm
runs without that check. Nothing but a line at start-up says so.

## Example
```json
{"permissions": {"deny": ["bash(rm -rf *)"], "allow": ["WebFetch(github.com)", "Read()"]}}
```

## Fix
```json
{"permissions": {"deny": ["Bash(rm -rf *)"], "allow": ["WebFetch(domain:github.com)", "Read"]}}
```
""",
)
