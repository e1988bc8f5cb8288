"""PAR402: a literal secret in a hook script, CLAUDE.md, a skill, a routine or a named file."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.hooks import iter_hooks, script_refs
from parity.model import Kind, Scope
from parity.rules._secrets import PUBLIC_FORMATS, committed, text_violations
from parity.rules.base import Context, Rule

_TEXT_KINDS = (
    Kind.HOOK_SCRIPT,
    Kind.MEMORY,
    Kind.SKILL,
    Kind.AGENT,
    Kind.COMMAND,
    Kind.RULE,
    Kind.ROUTINES,
    Kind.OTHER,
)


def check(ctx: Context) -> Iterator[Violation]:
    """Scan the text of scripts, Markdown, routines and files named on the command line."""
    seen: set[str] = set()
    for cf, doc in ctx.documents(*_TEXT_KINDS):
        if not committed(cf):
            continue
        seen.add(cf.display)
        # Frontmatter that does not parse still leaves the text to scan.
        yield from text_violations(doc)
    # Scripts that project hooks run from outside .claude/hooks/ (scripts/setup.sh, …).
    for hook in iter_hooks(ctx.inventory, scopes=[Scope.PROJECT]):
        for command in hook.commands():
            for ref in script_refs(command):
                if ref.rel is None or ref.rel in seen or ctx.repo.get(ref.rel) is None:
                    continue
                seen.add(ref.rel)
                script = ctx.inventory.repo_file(ref.rel)
                if script is not None:
                    yield from text_violations(script)


RULE = Rule(
    code="PAR402",
    name="secret-in-file",
    severity=Severity.ERROR,
    variants=(PUBLIC_FORMATS,),
    summary="A credential written literally in a script, Markdown file, routine or named file.",
    fix=(
        "Move the value to the cloud environment's settings and read it from the environment, "
        "or use apiKeyHelper for the API key."
    ),
    tags=("security", "secrets"),
    check=check,
    docs="""
## What it does
Scans the text of hook scripts (`.claude/hooks/`, and the repository scripts that project hooks
run), `CLAUDE.md`, skills, agents, commands, rules, routines, and any file named on the command
line, for credentials: the known provider formats first, then random-looking values assigned to
credential-like names (`API_KEY=…`, `token: …`, `--password …`,
`Authorization: Bearer …`). Placeholders and variable references (`$TOKEN`, `${TOKEN}`,
`<TOKEN>`, `your-token-here`) are not secrets, nor are stub credentials in a connection string
(`postgres://stub:stub@localhost:5432/stub` in a bootstrap script): a password for a server on the
machine itself (`localhost`, `127.0.0.1`, `[::1]`), one that repeats the user name, or one with a
stand-in word (`stub`, `test`, `example`, `dummy`, `changeme`). The value is never printed, only
its kind and a masked prefix.

## Why is this bad?
Scripts and instructions are committed and copied into every cloud session; a key in them is
readable by everyone who can clone the repository and stays in its history. Claude may also
repeat a key it read in CLAUDE.md or a skill.

## Example
```bash
#!/bin/bash
export SEARCH_API_KEY=q8Zr3LmX7vT2kP9wN4bY6cH1jD5fG0sA
```

## Fix
Set the variable in the cloud environment's settings (and locally), and read it:
```bash
#!/bin/bash
: "${SEARCH_API_KEY:?set SEARCH_API_KEY in the environment}"
```
""",
)
