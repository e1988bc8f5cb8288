"""PAR030: SKILL.md, agent or command frontmatter that the client skips, misreads or ignores."""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from parity._lazy import lazy_compile
from parity._resources import load_schema
from parity.findings import Location, Severity, Violation
from parity.load import MarkdownDocument
from parity.model import ConfigFile, Kind, Scope
from parity.permissions import ALIASES, KNOWN_TOOLS
from parity.rules._settings import dotted
from parity.rules.base import Context, Rule
from parity.validate import REJECT, json_type, problems

_SCHEMA = {Kind.SKILL: "skill", Kind.AGENT: "agent", Kind.COMMAND: "command"}
_NAME_LIMIT = 256  # characters; a longer agent name is skipped
# Hooks on these events guard permissions: the client skips an agent whose guard it cannot load.
_GUARDS = ("PreToolUse", "PermissionRequest")
# The client's own hints for agent keys it does not know (2.1.330); it gives none for `mode`,
# which is near `model` but meant as `permissionMode`.
_AGENT_HINTS = {"allowedtools": "tools", "whentouse": "description", "mode": "permissionMode"}
# Model names the client resolves itself (2.1.330); any id containing "claude" is a model id of
# the API or of a cloud provider (Bedrock, Vertex).
_MODEL_ALIASES = frozenset(
    {"sonnet", "opus", "haiku", "fable", "best", "opusplan", "inherit", "default"}
)
# The client's tool names (2.1.330), with the older names it still maps to them: the same
# list permission rules are read against (Cd, a tool only some sessions enable, is no typo).
_TOOLS = KNOWN_TOOLS | frozenset(ALIASES)
_TOOL_FIELDS = {
    Kind.AGENT: ("tools", "disallowedTools"),
    Kind.SKILL: ("allowed-tools", "disallowed-tools"),
    Kind.COMMAND: ("allowed-tools", "disallowed-tools"),
}
_TOKEN = lazy_compile(r"[^\s,()]+(?:\([^)]*\)?)?")


def check(ctx: Context) -> Iterator[Violation]:
    """What the client makes of each SKILL.md, agent and command frontmatter."""
    for cf, doc in ctx.documents(Kind.SKILL, Kind.AGENT, Kind.COMMAND):
        if cf.scope is Scope.USER and not ctx.user:
            continue
        if not isinstance(doc, MarkdownDocument) or not doc.ok:
            continue  # PAR001
        for issue in doc.issues:
            if issue.kind == "frontmatter-cut":
                yield Violation(
                    issue.location,
                    f"{issue.message}.",
                    "Keep '---' out of the frontmatter's values (quote or reword them).",
                    Severity.WARNING,
                )
        if cf.kind is Kind.AGENT:
            yield from _agent(doc)
        else:
            yield from _skill_or_command(cf, doc)
        front = doc.frontmatter
        if front is not None:
            yield from _values(cf.kind, doc, front)


# --------------------------------------------------------------------------------------------
# Whether it loads


def _agent(doc: MarkdownDocument) -> Iterator[Violation]:
    front = doc.frontmatter
    if front is None:
        yield _no_frontmatter(doc, "agent")
        return
    name = front.get("name")
    if _falsy(name):
        agent_keys = set(front) & set(load_schema("agent")["properties"])
        if agent_keys - {"name"}:
            said = "an empty `name`" if "name" in front else "no `name`"
            yield Violation(
                doc.locate(("name",) if "name" in front else ()),
                f"This agent's frontmatter has {said}: the client ignores the file, as it does "
                "documentation, and does not load the agent.",
                "Add `name:` (the name the agent is called by) to the frontmatter.",
                Severity.ERROR,
            )
        else:
            yield Violation(
                doc.locate(()),
                "This file in agents/ has no frontmatter `name`: the client treats it as "
                "documentation and does not load it as an agent.",
                "Add frontmatter with `name:` and `description:` (or move it out of agents/).",
                Severity.WARNING,
            )
        return
    for where, why, fix in _skip_reasons(front):
        yield Violation(
            doc.locate(where, key=where == ("name",) and not isinstance(name, str)),
            f"{why}: the client skips this agent.",
            fix,
            Severity.ERROR,
        )


def _skip_reasons(front: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    """Why the client (2.1.330) skips an agent that has a name: (pointer, reason, fix)."""
    name = front["name"]
    if not isinstance(name, str):
        yield ("name",), f"`name` must be text, but it is {_a(name)}", "Write the name as text."
    elif name.startswith("-"):
        yield ("name",), 'The agent name starts with "-"', 'Drop the leading "-".'
    elif len(name) > _NAME_LIMIT:
        yield (
            ("name",),
            f"The agent name is {len(name)} characters long (at most {_NAME_LIMIT})",
            "Shorten the name.",
        )
    elif ":" in unicodedata.normalize("NFKC", name):
        yield (
            ("name",),
            'The agent name contains ":", which is reserved for plugin agents (plugin:agent)',
            'Replace ":" with "-".',
        )
    description = front.get("description")
    if not isinstance(description, str) or not description:
        what = (
            "no `description`"
            if "description" not in front
            else (
                "an empty `description`"
                if _falsy(description)
                else f"a `description` that is {_a(description)}, not text"
            )
        )
        where: tuple[str | int, ...] = ("description",) if "description" in front else ()
        yield where, f"This agent has {what}", "Add `description:` saying when to use the agent."
    yield from _hook_reasons(front)


def _hook_reasons(front: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str, str]]:
    fix = "Fix the hook as for .claude/settings.json (see `parity rule PAR010`)."
    for event in _GUARDS:
        if event in front and not _empty(front[event]):
            yield (
                (event,),
                f"`{event}` is written at the top of the frontmatter, outside `hooks:`, and the "
                "client will not run an agent whose permission-guarding hooks it cannot load",
                f"Move it under `hooks:` ({event} belongs in `hooks: {{{event}: [...]}}`).",
            )
    hooks = front.get("hooks")
    if _falsy(hooks):
        return  # no hooks: the client does not look further
    if not isinstance(hooks, dict):
        yield (
            ("hooks",),
            f"`hooks` must be a mapping of hook events to matcher lists, but it is {_a(hooks)}",
            fix,
        )
        return
    for problem in problems("settings", {"hooks": hooks}):
        if problem.behaviour == REJECT:
            yield (
                problem.path,
                f"{dotted(problem.path)}: {problem.message}; the client cannot load this "
                "permission-guarding hook",
                problem.fix or fix,
            )


def _no_frontmatter(doc: MarkdownDocument, what: str) -> Violation:
    misplaced = doc.misplaced
    if misplaced is None:
        return Violation(
            doc.locate(()),
            "This file in agents/ has no frontmatter: the client treats it as documentation and "
            "does not load it as an agent.",
            "Add frontmatter with `name:` and `description:` (or move it out of agents/).",
            Severity.WARNING,
        )
    if misplaced.before.startswith("spaces"):
        saw = "its '---' is indented"
    else:
        saw = f"the file starts with {misplaced.before}"
    if what == "agent":
        effect = "ignores the file as documentation: the agent does not load"
        severity = Severity.ERROR
    else:
        effect = f"loads the {what} without its description and options"
        severity = Severity.WARNING
    return Violation(
        Location(doc.display, misplaced.line, 1),
        f"This frontmatter is never read: {saw}, and the client reads frontmatter only when "
        f"'---' is the very first line. It sees none, so it {effect}.",
        "Move the '---' block to the very first line (put comments after it).",
        severity,
    )


def _skill_or_command(cf: ConfigFile, doc: MarkdownDocument) -> Iterator[Violation]:
    what = "skill" if cf.kind is Kind.SKILL else "command"
    front = doc.frontmatter
    if doc.misplaced is not None:
        yield _no_frontmatter(doc, what)
        return
    if cf.kind is not Kind.SKILL:
        return
    description = front.get("description") if front is not None else None
    if isinstance(description, str) and description.strip():
        return
    if isinstance(description, (int, float)) and not isinstance(description, bool):
        return  # the client shows the number as text
    shown = _first_line(doc)
    listed = f'as "{shown}", the first line of its body' if shown else "with no description"
    yield Violation(
        doc.locate(("description",) if front is not None and "description" in front else ()),
        "This skill has no usable `description`: the client does not offer it to Claude (it is "
        f"missing from the session's skill list) and shows it in the / menu {listed}, so it runs "
        "only when someone types its name.",
        "Add `description:` to the frontmatter saying what the skill does and when.",
        Severity.WARNING,
    )


def _first_line(doc: MarkdownDocument) -> str:
    """The client's stand-in description: the body's first line, without heading marks."""
    lines = (
        doc.text.splitlines()[doc.body_line - 1 :]
        if doc.has_frontmatter
        else (doc.text.splitlines())
    )
    for line in lines:
        text = line.strip()
        if text:
            text = re.sub(r"^#+\s+", "", text)
            return text if len(text) <= 100 else text[:97] + "..."
    return ""


# --------------------------------------------------------------------------------------------
# Values the client ignores


def _values(kind: Kind, doc: MarkdownDocument, front: dict[str, Any]) -> Iterator[Violation]:
    schema = _SCHEMA[kind]
    for problem in problems(schema, front):
        if kind is Kind.AGENT and (
            not problem.path or problem.path[0] in ("name", "description", "hooks")
        ):
            continue  # whether the agent loads, and its hooks: above and below
        if kind is Kind.SKILL and problem.path[:1] == ("description",):
            continue  # a skill with no usable description: above
        label = dotted(problem.path) if problem.path else "frontmatter"
        yield Violation(
            doc.locate(problem.path, key=problem.on_key),
            f"{label}: {problem.message}. The client ignores this value.",
            problem.fix,
            Severity.WARNING,
        )
    if kind is Kind.AGENT and isinstance(front.get("hooks"), dict):
        for problem in problems("settings", {"hooks": front["hooks"]}):
            if problem.behaviour != REJECT:
                yield Violation(
                    doc.locate(problem.path, key=problem.on_key),
                    f"{dotted(problem.path)}: {problem.message}. The client ignores this hook "
                    "entry.",
                    problem.fix,
                    Severity.WARNING,
                )
    yield from _misspelled_keys(kind, doc, front)
    yield from _model(kind, doc, front)
    yield from _tools(kind, doc, front)


def _misspelled_keys(
    kind: Kind, doc: MarkdownDocument, front: dict[str, Any]
) -> Iterator[Violation]:
    """Unknown keys that are near a known one; other unknown keys are someone's own metadata."""
    schema = load_schema(_SCHEMA[kind])
    known = sorted(schema["properties"])
    accepted = set(known) | set(schema.get("x-parity-also-accepted", ()))
    if kind is Kind.AGENT:
        accepted |= set(_GUARDS)  # reported above when they matter
    for key in front:
        if key in accepted:
            continue
        hint = _near(key, known, _AGENT_HINTS if kind is Kind.AGENT else {})
        if hint is None:
            continue
        yield Violation(
            doc.locate((key,), key=True),
            f'Unknown frontmatter key "{key}" (did you mean "{hint}"?): the client ignores it.',
            f'Rename it to "{hint}".',
            Severity.WARNING,
        )


def _near(key: str, known: list[str], hints: dict[str, str]) -> str | None:
    folded = _fold(key)
    if folded in hints:
        return hints[folded]
    same = [k for k in known if _fold(k) == folded]
    if same:
        return same[0]
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.8)
    return close[0] if close else None


def _fold(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "")


def _model(kind: Kind, doc: MarkdownDocument, front: dict[str, Any]) -> Iterator[Violation]:
    model = front.get("model")
    if not isinstance(model, str) or not model.strip():
        return
    name = model.strip().lower()
    base = name.removesuffix("[1m]")
    if base in _MODEL_ALIASES or "claude" in name:
        return
    what = "agent" if kind is Kind.AGENT else _SCHEMA[kind]
    yield Violation(
        doc.locate(("model",)),
        f'model: "{model}" is not a model name Claude Code knows: the client loads the {what} '
        f'and asks for "{model}" when it runs, which the Anthropic API does not serve (only a '
        "gateway set with ANTHROPIC_BASE_URL might).",
        "Use sonnet, opus, haiku, fable, inherit, or a claude-… model id.",
        Severity.WARNING,
    )


def _tools(kind: Kind, doc: MarkdownDocument, front: dict[str, Any]) -> Iterator[Violation]:
    for field in _TOOL_FIELDS[kind]:
        value = front.get(field)
        entries = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for index, entry in enumerate(entries):
            if not isinstance(entry, str):
                continue
            for token in _TOKEN.findall(entry):
                tool = token.split("(", 1)[0]
                if tool in _TOOLS or "_" in tool or "*" in tool:
                    continue
                where: tuple[str | int, ...] = (
                    (field, index) if isinstance(value, list) else (field,)
                )
                near = difflib.get_close_matches(tool, sorted(_TOOLS), n=1, cutoff=0.7)
                folded = [t for t in _TOOLS if t.lower() == tool.lower()]
                hint = folded[0] if folded else near[0] if near else None
                yield Violation(
                    doc.locate(where),
                    f'{field}: "{tool}" is not a tool of Claude Code (2.1.330)'
                    + (f' (did you mean "{hint}"?)' if hint else "")
                    + ": it grants nothing.",
                    f'Use "{hint}".' if hint else "Remove it, or use the tool's exact name.",
                    Severity.WARNING,
                )


# --------------------------------------------------------------------------------------------
# Helpers


def _falsy(value: Any) -> bool:
    """False in JavaScript: what the client's `!name` test treats as no name."""
    if isinstance(value, float) and math.isnan(value):
        return True
    return (
        value is None
        or value is False
        or value == ""
        or (isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0)
    )


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, list) and not value)


def _a(value: Any) -> str:
    kind = json_type(value)
    return f"an {kind}" if kind[0] in "aeiou" else f"a {kind}"


RULE = Rule(
    code="PAR030",
    name="frontmatter",
    severity=Severity.WARNING,
    variants=((Severity.ERROR, "when the client does not load the agent"),),
    summary="SKILL.md, agent or command frontmatter that the client skips, misreads or ignores.",
    fix="Give the frontmatter the fields and values the client expects.",
    tags=("correctness",),
    check=check,
    docs="""
## What it does
Reads the frontmatter of `.claude/agents/**/*.md`, `.claude/skills/*/SKILL.md` and
`.claude/commands/**/*.md` as Claude Code does, and reports what the client skips, misreads or
ignores. These are the client's rules, checked with Claude Code 2.1.330 (the agents, skills and
slash commands its init event lists, and its debug log):

**Agents** load when the frontmatter has a `name` and a `description`:

- `name` is any text of at most 256 characters that does not start with `-` and has no `:`
  (reserved for plugin agents, `plugin:agent`). Capitals, spaces, underscores and dots load:
  `Architect`, `_trio`, `Code Reviewer`, `QATester` are all agents, addressed by exactly that
  name. A `name` that is not text (`name: 123`, `name: true`) is skipped.
- `description` must be non-empty text; `description: 5` is a number and the agent is skipped.
- hooks in the frontmatter follow the settings rules; an agent whose `PreToolUse` or
  `PermissionRequest` hooks cannot be loaded (or that writes them outside `hooks:`) is skipped,
  while a broken hook on another event is only dropped.
- a file without frontmatter, or whose frontmatter has no `name`, is treated as documentation:
  a warning when it looks like documentation, an **error** when the frontmatter has other agent
  fields (`description`, `tools`…) and so was meant as an agent.
- frontmatter is read only when `---` is the very first line: after an HTML comment, a blank line
  or an indented `---`, the client sees none (an **error** for an agent; the message says what
  came first).

Every reason the client skips an agent is an **error**. An agent that loads gets warnings at
most: values the client ignores (`color`, `effort`, `permissionMode`, `memory`, `isolation`,
`maxTurns`, `background` out of range), a `model` that is not a Claude model (`gpt-4`: the agent
loads and asks for that model when it runs), tool names in `tools` that are no tool of the
client, and misspelled keys (`allowedTools` for `tools`) with the key it probably meant.

**Skills and commands** always load, whatever their name (the folder or file name: capitals,
spaces, `:` and a leading `-` included) and even when their frontmatter is broken. A skill
without a usable `description` (none, or a list) is not offered to Claude at all (it is missing
from the session's skill list) and shows in the `/` menu with the first line of its body: a
warning. Wrong values, unknown tool names and misspelled keys (`user_invocable` for
`user-invocable`) are warnings. Keys nobody misspelled are left alone: they are the author's
own metadata.

Whether the frontmatter parses at all is PAR001.

## Why is this bad?
The client never says that it skipped an agent: only its debug log does. An agent with a bad name
or no description is simply missing when Claude looks for it; an ignored value (a `model` the API
does not serve, a tool name that matches nothing) fails later, at run time.

## Example
```markdown
---
name: code:reviewer
model: gpt-4
tools: Read, Grep, Frobnicate
---
Review the diff.
```

## Fix
```markdown
---
name: code-reviewer
description: Reviews the current diff for bugs and style problems.
model: sonnet
tools: Read, Grep
---
Review the diff.
```
""",
)
