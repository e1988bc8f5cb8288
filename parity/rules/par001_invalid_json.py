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
    Kind.PLUGIN_MANIFEST: "`claude plugin validate` fails and the client cannot load the plugin.",
    Kind.MARKETPLACE: "`claude plugin validate` fails: the marketplace cannot be added and none "
    "of its plugins installed.",
    Kind.AGENT: "The client does not load the agent at all.",
    Kind.SKILL: "The client still loads the skill, but with none of its frontmatter: with no "
    "description it does not offer it to Claude (only typing its name runs it), and its "
    "allowed-tools and options are lost.",
    Kind.COMMAND: "The client still loads the command, but with none of its frontmatter: no "
    "description (it shows the first line of the body instead), no allowed-tools, no options.",
    Kind.RULE: "The rule file loads without its `paths:` scoping.",
    Kind.MEMORY: "The client reads it as plain text.",
    Kind.ROUTINES: "parity cannot check the routines in it.",
}
# Markdown the client loads even when its frontmatter does not parse: a warning, as for any file
# it loads however degraded (an agent does not load, so it stays an error).
_LOADS_ANYWAY = {Kind.SKILL, Kind.COMMAND, Kind.RULE, Kind.MEMORY}

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
            if issue.kind == "lenient-yaml":
                yield Violation(
                    issue.location,
                    f"{issue.message}.",
                    'Quote the value (description: "Use when: ...") or use a block scalar '
                    "(description: >-), and indent with spaces.",
                    Severity.WARNING,
                )
                continue
            if not issue.fatal:
                continue
            consequence = _CONSEQUENCE.get(cf.kind, "")
            yield Violation(
                issue.location,
                f"{issue.message}. {consequence}".replace("..", ".").strip(),
                _FIXES.get(issue.kind),
                Severity.WARNING if cf.kind in _LOADS_ANYWAY else None,
            )


RULE = Rule(
    code="PAR001",
    name="invalid-json",
    severity=Severity.ERROR,
    variants=(
        (
            Severity.WARNING,
            "for frontmatter the client still reads (leniently, or a skill or command that "
            "loads without its metadata)",
        ),
    ),
    summary="A configuration file does not parse (invalid JSON, YAML or frontmatter).",
    fix="Make the file strict JSON (no comments, no trailing commas) or valid YAML.",
    tags=("correctness",),
    check=check,
    docs="""
## What it does
Reports settings files, `.mcp.json`, `~/.claude.json`, scheduled tasks, routines and
SKILL.md/agent/command frontmatter that cannot be parsed, at the exact line and column where
parsing stops.

Frontmatter is read the way Claude Code reads it (checked with client 2.1.330, whose init event
and debug log show what loads):

- only a `---` on the very first line opens it (a byte-order mark aside), and it ends at the
  first `---` after that, even one in the middle of a line;
- it is YAML 1.2: `yes`, `on` and dates are text, `012` is a number;
- when it does not parse, the client tries once more with the value of each top-level
  `key: value` line quoted when it holds `: ` or a YAML indicator (`{}[]*&#!|>%@` and the
  backtick), and leading tabs turned into spaces. `description: Use when: writing tests` loads
  that way, with the description `Use when: writing tests`. Such a frontmatter is a **warning**:
  the client reads it, other YAML tools do not. The second reading does not help a value
  continued on the next line, an indented key (`metadata:` / `  note: a: b`), a key with a
  digit or a dot, a line ending in a carriage return (a file saved with Windows line endings),
  or an unclosed quote: those still fail;
- a frontmatter that neither reading parses is empty for the client: an agent does not load at
  all (**error**); a skill or command still loads, without its frontmatter (**warning**).

## Why is this bad?
Claude Code reads these files with a strict JSON parser: a comment or a trailing comma (JSONC)
makes it reject the whole settings file, so none of its hooks, permissions or environment take
effect, and a broken `.mcp.json` loads no server. An agent whose frontmatter does not parse does
not load at all; a skill or command loses its description, `allowed-tools` and options.

## Example
```json
{
  // run the setup
  "hooks": {}
}
```

## Fix
Remove comments and trailing commas; quote every key. In frontmatter, quote values that contain
`: ` or start with a YAML indicator, and indent with spaces. Check with `parity check` before
pushing.
""",
)
