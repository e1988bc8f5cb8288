"""PAR207: writes to ``$CLAUDE_ENV_FILE`` that truncate it or assume it is set."""

from __future__ import annotations

from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Fix, Location, Safety, Severity, Violation
from parity.rules._cloud import SETUP, Site, sites
from parity.rules._fixes import site_region
from parity.rules.base import SOMETIMES, Autofix, Context, Rule

# Events whose hooks get CLAUDE_ENV_FILE (reference §6.2 and the hooks documentation).
ENV_FILE_EVENTS = frozenset({"SessionStart", "Setup", "CwdChanged", "FileChanged"})
_NAME = lazy_compile(r"\$\{?CLAUDE_ENV_FILE\b")
_DEFAULTED = lazy_compile(r"\$\{CLAUDE_ENV_FILE:?[-=?+]")
_TESTED = lazy_compile(
    r"(-[nzfesw]\s+[\"']?\$\{?CLAUDE_ENV_FILE|\[\[?\s+[\"']?\$\{?CLAUDE_ENV_FILE[^\]]*\]"
    r"|\$\{CLAUDE_ENV_FILE:?[-=?+])"
)
_APPEND = '>> "$CLAUDE_ENV_FILE"'
# A truncating redirection into the file, as written: `>`, `1>`, `>|`, `&>` before its name.
_TRUNCATING = lazy_compile(
    r"(?<![<>&|0-9])(?P<op>[0-9]?>\|?|&>)(?!>)(?=\s*[\"']?\$\{?CLAUDE_ENV_FILE\b)"
    r"|\btee(?=\s+[\"']?\$\{?CLAUDE_ENV_FILE\b)"
)


def _targets(site: Site) -> Iterator[tuple[str, str]]:
    for op, target in site.cmd.redirects:
        if _NAME.search(target):
            yield op, target
    if site.cmd.name == "tee":
        for word in site.cmd.argv[1:]:
            if _NAME.search(word):
                yield (
                    ("tee -a" if any(w in ("-a", "--append") for w in site.cmd.argv) else "tee"),
                    word,
                )


def check(ctx: Context) -> Iterator[Violation]:
    """Report truncating writes, and writes where the variable may be unset."""
    for site in sites(ctx):
        for op, target in _targets(site):
            location = site.locate_word(op.split()[0])
            if op in (">", ">|", "&>", "tee"):
                yield Violation(
                    location,
                    f"`{op}` truncates $CLAUDE_ENV_FILE: exports written to it before this line "
                    "are lost, so later Bash commands in the session do not get them.",
                    fix=f"Append with `{_APPEND}` (or `tee -a`).",
                    severity=Severity.WARNING,
                    autofix=_append(ctx, site),
                )
                continue
            if _DEFAULTED.search(target) or _TESTED.search(site.text):
                continue
            yield _unset(site, location)


def _append(ctx: Context, site: Site) -> Fix | None:
    """``>`` → ``>>`` (``tee`` → ``tee -a``) when the command's text has exactly one
    truncating write into the file, so that it is certainly this one."""
    region = site_region(ctx, site)
    found = list(_TRUNCATING.finditer(region.text)) if region is not None else []
    if region is None or len(found) != 1:
        return None
    match = found[0]
    if match.group("op") is None:
        edit = region.edit(match.end(), match.end(), " -a")
    else:
        op = match.group("op").rstrip("|")
        edit = region.edit(match.start(), match.end(), op.replace(">", ">>"))
    return Fix("Append to $CLAUDE_ENV_FILE", (edit,)) if edit is not None else None


def _unset(site: Site, location: Location) -> Violation:
    guard = 'Write only when it is set: `if [ -n "${CLAUDE_ENV_FILE:-}" ]; then ... fi`.'
    if site.origin == SETUP:
        return Violation(
            location,
            "The environment's setup script runs before Claude Code starts, where "
            "CLAUDE_ENV_FILE is not set: this write fails (with `set -u` the script stops and the "
            "session does not start).",
            fix="Export variables through the environment's settings, or write to "
            "$CLAUDE_ENV_FILE from a SessionStart hook. " + guard,
            severity=Severity.ERROR,
        )
    if site.event is not None and site.event not in ENV_FILE_EVENTS:
        return Violation(
            location,
            f"CLAUDE_ENV_FILE is never set for {site.event} hooks (only SessionStart, Setup, "
            "CwdChanged and FileChanged get it): this write always fails.",
            fix="Move the export to a SessionStart hook. " + guard,
            severity=Severity.ERROR,
        )
    return Violation(
        location,
        "This write assumes CLAUDE_ENV_FILE is set; it is empty when the script runs outside "
        "the hook (by hand, from a setup script) and has been empty in some client releases, "
        "and then the write fails (with `set -u` the whole script stops).",
        fix=guard,
        severity=Severity.INFO,
    )


RULE = Rule(
    code="PAR207",
    name="env-file-write",
    severity=Severity.WARNING,
    variants=(
        (
            Severity.ERROR,
            "when the variable is never set where the write runs (the setup script, "
            "hooks of other events)",
        ),
        (Severity.INFO, "when the write only assumes the variable is set"),
    ),
    summary="A write to $CLAUDE_ENV_FILE that truncates it or assumes it is set.",
    fix='Append with `>> "$CLAUDE_ENV_FILE"`, only when `[ -n "${CLAUDE_ENV_FILE:-}" ]`.',
    tags=("cloud", "hooks"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.SAFE,
        "Turns a truncating write into an append: `>` becomes `>>`, `tee` becomes `tee -a`.",
        when="when the hook command or script line has that one truncating write into "
        "$CLAUDE_ENV_FILE; a write that may happen where the variable is unset needs a test "
        "only you can place",
    ),
    docs="""
## What it does
Finds redirections (and `tee`) into `$CLAUDE_ENV_FILE` in hook commands, the scripts hooks run
and the declared setup script. Truncating writes (`>`, `tee` without `-a`) are warnings. A write
with no test of the variable is an error where the variable is never set (hooks of other events,
the environment's setup script) and advice in SessionStart hooks.

## Why is this bad?
`$CLAUDE_ENV_FILE` is the script whose `export` lines the client sources before every later
Bash command. `>` throws away what was written before; writing to it where it is unset fails
with "No such file or directory", or stops a `set -u` script halfway through its setup.

## Example
```bash
echo "export PATH=$PWD/bin:\\$PATH" > "$CLAUDE_ENV_FILE"
```

## Fix
```bash
if [ -n "${CLAUDE_ENV_FILE:-}" ]; then
  echo "export PATH=$PWD/bin:\\$PATH" >> "$CLAUDE_ENV_FILE"
fi
```
""",
)
