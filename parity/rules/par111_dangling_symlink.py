"""PAR111: a committed config file, folder or hook script that is a link out of the repository."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from parity.discover import Link
from parity.findings import Location, Severity, Violation
from parity.model import Kind, classify
from parity.rules._scope import hook_scripts, repo_hooks
from parity.rules.base import Context, Rule

_WHAT = {
    Kind.SETTINGS: "none of these settings apply",
    Kind.MCP: "none of these MCP servers start",
    Kind.MEMORY: "these instructions are missing",
    Kind.SKILL: "the skill is missing",
    Kind.AGENT: "the subagent is missing",
    Kind.COMMAND: "the command is missing",
    Kind.RULE: "the rule file is missing",
    Kind.HOOK_SCRIPT: "hooks that run it fail",
    Kind.SCHEDULED_TASKS: "its scheduled tasks are missing",
    Kind.ROUTINES: "its routines are missing",
    Kind.PLUGIN_MANIFEST: "the plugin does not load",
    Kind.MARKETPLACE: "the marketplace cannot be added",
}
_FIX = (
    "Commit the file itself in place of the link (or a relative link to a committed file inside "
    "the repository)."
)


def check(ctx: Context) -> Iterator[Violation]:
    """Committed links where config lives, and links that project hooks run, that dangle."""
    reported: set[str] = set()
    for rel, link in sorted(ctx.repo.links.items()):
        entry = ctx.repo.get(rel)
        if not link.broken or entry is None or not entry.tracked:
            continue
        consequence = _consequence(rel)
        if consequence is None:
            continue
        reported.add(rel)
        yield Violation(
            Location(rel),
            f"{rel} is a symbolic link to {_where(link)}: a fresh clone (a cloud session) has a "
            f"dangling link there, so {consequence}.",
            fix=_FIX,
        )
    for hook in repo_hooks(ctx):
        if not hook.file.shared:
            continue
        for script in hook_scripts(hook):
            broken = ctx.repo.broken_link(script.rel)
            if broken is None or broken.rel in reported:
                continue
            entry = ctx.repo.get(broken.rel)
            if entry is None or not entry.tracked:
                continue
            reported.add(broken.rel)
            yield Violation(
                hook.locate(),
                f"The hook runs {script.rel}, and {broken.rel} is a symbolic link to "
                f"{_where(broken)}: in a fresh clone (a cloud session) it dangles and the hook "
                "fails (exit 127).",
                fix=_FIX,
            )


def _where(link: Link) -> str:
    # Never the link's own text: out of the repository it is usually a path in a home folder.
    if link.leaves:
        return "a path outside the repository"
    return f"{link.spelled}, which does not exist" if link.spelled else "nothing"


def _consequence(rel: str) -> str | None:
    """What the client misses when the link at ``rel`` dangles; None when it is not config."""
    found = classify(rel)
    if found is not None:
        return _WHAT.get(found[0], "the client finds nothing there")
    parts = PurePosixPath(rel).parts
    if ".claude" not in parts:
        return "the client finds nothing there" if ".claude-plugin" in parts else None
    inner = parts[len(parts) - parts[::-1].index(".claude") :]
    if not inner:
        return "nothing in it (settings, hooks, skills, agents, commands) is there"
    if inner[0] == "skills" and len(inner) == 2:
        return f'the skill "{inner[1]}" is missing'
    if len(inner) == 1 and inner[0] in ("skills", "agents", "commands", "rules", "hooks"):
        return f"none of its {inner[0]} are there"
    return "the client finds nothing there"


RULE = Rule(
    code="PAR111",
    name="dangling-symlink",
    severity=Severity.ERROR,
    summary="A committed config file, config folder or hook script is a symbolic link that leaves "
    "the repository or leads nowhere.",
    fix=_FIX,
    tags=("parity", "git"),
    check=check,
    docs="""
## What it does
Reports committed symbolic links where configuration lives (`CLAUDE.md`, `.mcp.json`, the
`.claude` folder and anything in it: settings, skills and skill folders, agents, commands,
rules, hook scripts) and scripts that project hooks run, when the link leads out of the
repository (`../../dotfiles/…`, an absolute path such as a home folder) or to nothing. The link's
path is shown, never where it points outside the repository, and the target is never read.

Links that stay inside the repository are followed, as the client follows them:
`CLAUDE.md -> AGENTS.md` is checked as CLAUDE.md with AGENTS.md's text, and
`.claude/skills -> ../skills` holds the skills of `skills/` (checked with client 2.1.330:
it loads both, and reads the settings a link points to).

## Why is this bad?
The client follows links, so the setup works on your machine. A cloud session works on a fresh
clone on another machine: the link is checked out as it was committed and points at nothing
there, and the client silently finds no settings, no instructions, no skill (it reports nothing;
a hook that runs the link exits 127).

## Example
`.claude/skills/release` committed as a link to `/Users/me/dotfiles/skills/release`.

## Fix
Commit the files themselves (`rm .claude/skills/release && cp -R <source> .claude/skills/release`),
or keep the shared copy inside the repository and link to it relatively
(`ln -s ../../shared/skills/release .claude/skills/release`).
""",
)
