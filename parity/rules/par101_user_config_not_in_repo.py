"""PAR101: user- or local-scope config (~/.claude, ~/.claude.json) with no repo counterpart."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.items import Item, ItemKind, build_items, counterparts
from parity.model import Kind, Scope
from parity.rules.base import Context, Rule

_WHAT = {
    ItemKind.CLAUDE_MD: (
        "Your ~/.claude/CLAUDE.md is not in the repository: a cloud session starts without "
        "these instructions",
        "Move the instructions the project needs into CLAUDE.md or .claude/rules/ "
        "(`parity migrate --only claude-md`).",
    ),
    ItemKind.MCP: (
        'MCP server "{name}" is defined at {scope} scope in ~/.claude.json only: a cloud session '
        "has no such server and its tools are missing",
        'Add "{name}" to .mcp.json with secrets as ${{VAR}} references '
        "(`parity migrate --only mcp`).",
    ),
    ItemKind.HOOK: (
        "The {scope} hook {name!r} has no counterpart in .claude/settings.json: it never runs "
        "in a cloud session",
        "Copy the hook into .claude/settings.json and its script into .claude/hooks/ "
        "(`parity migrate --only hooks`).",
    ),
    ItemKind.SKILL: (
        'Skill "{name}" exists only in ~/.claude/skills: a cloud session cannot use it',
        "Copy it to .claude/skills/{name}/ (`parity migrate --only skills`).",
    ),
    ItemKind.AGENT: (
        'Subagent "{name}" exists only in ~/.claude/agents: a cloud session cannot delegate to it',
        "Copy it to .claude/agents/ (`parity migrate --only agents`).",
    ),
    ItemKind.COMMAND: (
        'Command "/{name}" exists only in ~/.claude/commands: it is unknown in a cloud session',
        "Copy it to .claude/commands/ (`parity migrate --only commands`).",
    ),
    ItemKind.RULE: (
        'Rule file "{name}" exists only in ~/.claude/rules: a cloud session does not load it',
        "Copy it to .claude/rules/ (`parity migrate --only rules`).",
    ),
    ItemKind.PLUGIN: (
        'Plugin "{name}" is enabled only in your user settings: a cloud session does not '
        "install it",
        'Enable it in .claude/settings.json "enabledPlugins" and declare its marketplace in '
        '"extraKnownMarketplaces" (`parity migrate --only plugins`).',
    ),
}


def check(ctx: Context) -> Iterator[Violation]:
    """Each user item (and local MCP server) whose identity has no project-scope item."""
    if not ctx.user:
        return
    items = build_items(ctx.inventory)
    grouped = counterparts(items)
    project_text = _project_memory_text(ctx)
    for item in items:
        if item.scope not in (Scope.USER, Scope.LOCAL) or item.kind not in _WHAT:
            continue
        if item.scope is Scope.LOCAL and item.kind is not ItemKind.MCP:
            continue  # other local-scope config is PAR106's (it lives in the repository folder)
        if item.kind is ItemKind.PLUGIN and item.data is not True:
            continue  # only `true` turns a plugin on
        if any(o.scope is Scope.PROJECT or o.in_cloud for o in grouped[item.key]):
            continue
        if item.kind is ItemKind.CLAUDE_MD and _copied(ctx, item, project_text):
            continue
        message, fix = _WHAT[item.kind]
        scope = item.scope.value
        yield Violation(
            item.location,
            message.format(name=item.label, scope=scope) + ".",
            fix=fix.format(name=item.name),
        )


def _project_memory_text(ctx: Context) -> str:
    return "\n".join(
        doc.text for _cf, doc in ctx.documents(Kind.MEMORY, Kind.RULE, scopes=[Scope.PROJECT])
    )


def _copied(ctx: Context, item: Item, project_text: str) -> bool:
    """True when every instruction line of the user's CLAUDE.md is already in a project file."""
    lines = [ln.strip() for ln in ctx.inventory.load(item.file).text.splitlines()]
    wanted = [ln for ln in lines if ln and not ln.startswith(("@", "#"))]
    have = {ln.strip() for ln in project_text.splitlines()}
    return all(ln in have for ln in wanted)


RULE = Rule(
    code="PAR101",
    name="user-config-not-in-repo",
    severity=Severity.WARNING,
    summary="User- or local-scope config that a cloud session will not have, with no copy in the "
    "repository.",
    fix="Move it into the repository with `parity migrate`.",
    tags=("parity", "user-scope"),
    check=check,
    docs="""
## What it does
With `--user`, compares the user scope (`~/.claude/CLAUDE.md`, `~/.claude/settings.json` hooks and
`enabledPlugins`, `~/.claude/{skills,agents,commands,rules}/`, the user-scope MCP servers in
`~/.claude.json` and this repository's local-scope servers under `projects[<repo>]`) with the
repository and reports each item that has no counterpart there, at its own file and line. A
user hook running `~/.claude/hooks/x.sh` and a project hook running
`"$CLAUDE_PROJECT_DIR"/.claude/hooks/x.sh` are the same item.

## Why is this bad?
A cloud session starts from a fresh clone with an empty home: nothing under `~/.claude/` and no
`~/.claude.json`. Whatever your sessions rely on from there silently disappears: instructions,
MCP tools, hooks, skills, subagents, commands and plugins.

## Example
`~/.claude.json`:
```json
{"mcpServers": {"linear": {"type": "http", "url": "https://mcp.linear.app/mcp"}}}
```
and no `linear` server in the repository's `.mcp.json`.

## Fix
Move the item into the repository (`parity migrate` plans it and shows the diff):
```json
{"mcpServers": {"linear": {"type": "http", "url": "https://mcp.linear.app/mcp"}}}
```
in `.mcp.json`, committed.
""",
)
