"""PAR106: behaviour that depends on .claude/settings.local.json or CLAUDE.local.md."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Location, Severity, Violation
from parity.model import Kind, Scope
from parity.rules.base import Context, Rule

_FIX = "Move it to .claude/settings.json (committed) if the project needs it in the cloud."
# Keys of settings.local.json whose effect a cloud session loses, besides hooks/env/plugins.
# Approval lists and accumulated `allow` rules are the client's own bookkeeping: not reported.
_KEYS: dict[tuple[str, ...], str] = {
    ("permissions", "deny"): "its deny rules do not apply in a cloud session, so what they "
    "forbid is allowed there",
    ("permissions", "ask"): "its ask rules do not apply in a cloud session",
    ("permissions", "defaultMode"): "a cloud session does not use this permission mode",
    ("permissions", "additionalDirectories"): "a cloud session has none of these directories",
    ("model",): "a cloud session uses the default model instead",
    ("outputStyle",): "a cloud session uses the default output style",
}


def check(ctx: Context) -> Iterator[Violation]:
    """Local-scope hooks, env, plugins and key settings, and CLAUDE.local.md, not committed."""
    yield from _committed(ctx)
    local_files = [
        cf
        for cf in ctx.inventory.select(Kind.SETTINGS, Kind.MEMORY, scopes=[Scope.LOCAL])
        if cf.rel is not None and not ctx.repo.in_clone(cf.rel)
    ]
    if not local_files:
        return
    # Imported here: most checks have no local file, and parity.items is costly to import.
    from parity.items import ItemKind, build_items, counterparts

    items = build_items(ctx.inventory)
    grouped = counterparts(items)
    shown = {cf.path for cf in local_files}
    for item in items:
        if item.file.path not in shown or item.kind is ItemKind.CLAUDE_MD:
            continue
        if any(o.scope is Scope.PROJECT for o in grouped[item.key]):
            continue
        if item.kind is ItemKind.HOOK:
            yield Violation(
                item.location,
                f"The hook {item.label!r} is defined only in .claude/settings.local.json: it never "
                "runs in a cloud session.",
                fix=_FIX,
            )
        elif item.kind is ItemKind.ENV:
            yield Violation(
                item.location,
                f'Environment variable "{item.name}" is set only in .claude/settings.local.json: '
                "a cloud session does not have it.",
                fix="Set it in .claude/settings.json if it is not a secret, else in the cloud "
                "environment's variables (and declare its name in [tool.parity.environments]).",
            )
        elif item.kind in (ItemKind.PLUGIN, ItemKind.MARKETPLACE) and item.data is not False:
            yield Violation(
                item.location,
                f'"{item.name}" is declared only in .claude/settings.local.json: a cloud session '
                "does not install it.",
                fix=_FIX,
            )
    for cf in local_files:
        doc = ctx.inventory.load(cf)
        if not doc.ok or doc.empty:
            continue
        if cf.kind is Kind.MEMORY:
            yield Violation(
                Location(cf.display),
                "CLAUDE.local.md is personal and not committed: a cloud session starts without "
                "these instructions.",
                fix="Move the instructions the project needs into CLAUDE.md (committed).",
            )
            continue
        if not isinstance(doc.value, dict):
            continue
        for path, why in _KEYS.items():
            node: object = doc.value
            for part in path:
                node = node.get(part) if isinstance(node, dict) else None
            if node is None or node == []:
                continue
            yield Violation(
                doc.locate(path, key=True),
                f"{'.'.join(path)} is set only in .claude/settings.local.json: {why}.",
                fix=_FIX,
                severity=Severity.WARNING if path[-1] == "deny" else Severity.INFO,
            )


def _committed(ctx: Context) -> Iterator[Violation]:
    """A personal file committed anyway: it works in the cloud, but it is not meant to be shared."""
    for cf in ctx.inventory.select(Kind.SETTINGS, Kind.MEMORY, scopes=[Scope.LOCAL]):
        if cf.rel is None or not ctx.repo.in_clone(cf.rel):
            continue
        if cf.kind is Kind.MEMORY:
            yield Violation(
                Location(cf.display),
                f"{cf.rel} is committed, though it is meant to be personal: every clone and "
                "cloud session reads it as instructions for everyone.",
                fix=f"Move the shared instructions into CLAUDE.md, then `git rm --cached {cf.rel}` "
                "and add it to .gitignore.",
                severity=Severity.INFO,
            )
            continue
        yield Violation(
            Location(cf.display),
            f"{cf.rel} is committed, though it is meant to be personal: every clone and cloud "
            "session reads it (it is checked like .claude/settings.json here), and the client "
            "writes each user's own approvals and allow rules into it.",
            fix=f"Move the settings the project needs into .claude/settings.json, then "
            f"`git rm --cached {cf.rel}` and add it to .gitignore.",
            severity=Severity.INFO,
        )


RULE = Rule(
    code="PAR106",
    name="local-only-config",
    severity=Severity.WARNING,
    variants=((Severity.INFO, "for local-only allow, ask and other non-deny settings"),),
    summary="Behaviour set only in .claude/settings.local.json or CLAUDE.local.md, which a "
    "cloud session never reads.",
    fix="Move what the project needs into .claude/settings.json or CLAUDE.md.",
    tags=("parity", "local-scope"),
    check=check,
    docs="""
## What it does
Reports what an uncommitted `.claude/settings.local.json` adds that the committed config does not
have: hooks, `env` variables (names only), `enabledPlugins` and `extraKnownMarketplaces`, deny and
ask rules, `defaultMode`, `additionalDirectories`, `model`, `outputStyle`; and an uncommitted
`CLAUDE.local.md` with content. The client's own bookkeeping in that file (MCP approvals,
accumulated `allow` rules) is not reported.

A local file that is committed all the same is reported once, as information: every clone has
it and the client reads it (checked with client 2.1.330, also with `CLAUDE_CODE_REMOTE=true`:
its hooks run and doctor validates it), so the other rules check it like
`.claude/settings.json` (its hooks, home paths, `bun install`, permissions, secrets).

## Why is this bad?
Local settings are personal: a cloud session, and every teammate, runs without them. A deny rule
that lives only there protects nothing in the cloud; a hook that lives only there never runs.

## Example
`.claude/settings.local.json`:
```json
{"permissions": {"deny": ["Bash(git push --force *)"]}}
```

## Fix
`.claude/settings.json` (committed):
```json
{"permissions": {"deny": ["Bash(git push --force *)"]}}
```
""",
)
