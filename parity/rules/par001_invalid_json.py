"""PAR001: a configuration file that cannot be parsed at all."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.model import Kind, Scope
from parity.rules.base import Context, Rule

_CONSEQUENCE = {
    Kind.SETTINGS: "The client rejects the whole file: none of its settings, hooks or permissions "
    "apply.",
    Kind.MCP: "The client loads none of its MCP servers.",
    Kind.GLOBAL_CONFIG: "The client cannot read its global configuration.",
    Kind.SCHEDULED_TASKS: "The client skips every scheduled task in it.",
    Kind.PLUGINS: "The client cannot read its plugin records.",
    Kind.AGENT: "The agent does not load at all.",
    Kind.SKILL: "The skill loads with empty metadata (no description, no options).",
    Kind.COMMAND: "The command loads with empty metadata.",
    Kind.RULE: "The rule file loads without its `paths:` scoping.",
    Kind.MEMORY: "The client reads it as plain text.",
    Kind.ROUTINES: "parity cannot check the routines in it.",
}

_FIXES = {
    "invalid-json": "Make it strict JSON: no comments, no trailing commas, double-quoted keys.",
    "invalid-yaml": "Fix the YAML so that it parses (quote values that contain ': ' or start "
    "with a symbol).",
    "decode": "Save the file as UTF-8 text.",
    "too-large": "Split or shrink the file; configuration files this large are not read.",
    "too-deep": "Flatten the structure.",
    "not-a-file": "Replace it with a regular file.",
    "unreadable": "Make the file readable.",
}


def check(ctx: Context) -> Iterator[Violation]:
    """Report each fatal load issue at the position where parsing stopped."""
    for cf, doc in ctx.documents():
        if cf.kind in (Kind.HOOK_SCRIPT, Kind.OTHER):
            continue
        if cf.scope is Scope.USER and not ctx.user:
            continue
        for issue in doc.issues:
            if not issue.fatal:
                continue
            consequence = _CONSEQUENCE.get(cf.kind, "")
            yield Violation(
                issue.location,
                f"{issue.message}. {consequence}".replace("..", ".").strip(),
                _FIXES.get(issue.kind),
            )


RULE = Rule(
    code="PAR001",
    name="invalid-json",
    severity=Severity.ERROR,
    summary="A configuration file does not parse (invalid JSON, YAML or frontmatter).",
    fix="Make the file strict JSON (no comments, no trailing commas) or valid YAML.",
    tags=("correctness",),
    check=check,
    docs="""
## What it does
Reports settings files, `.mcp.json`, `~/.claude.json`, scheduled tasks, routines and
SKILL.md/agent/command frontmatter that cannot be parsed, at the exact line and column where
parsing stops.

## Why is this bad?
Claude Code reads these files with a strict JSON parser: a comment or a trailing comma (JSONC)
makes it reject the whole settings file, so none of its hooks, permissions or environment take
effect, and a broken `.mcp.json` loads no server. An agent whose frontmatter does not parse does
not load at all.

## Example
```json
{
  // run the setup
  "hooks": {}
}
```

## Fix
Remove comments and trailing commas; quote every key. Check with `parity check` before pushing.
""",
)
