"""PAR204: a SessionStart hook that installs packages without checking ``CLAUDE_CODE_REMOTE``."""

from __future__ import annotations

import re
from collections.abc import Iterator

from parity._lazy import lazy_compile
from parity.findings import Fix, Safety, Severity, Violation
from parity.rules._cloud import Site, install_of, sites, word_column
from parity.rules._fixes import hook_region
from parity.rules.base import SOMETIMES, Autofix, Context, Rule

GUARD = '[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] || exit 0'


def check(ctx: Context) -> Iterator[Violation]:
    """Report the first install of each unguarded SessionStart hook (in its command or script)."""
    done: set[int] = set()
    for site in sites(ctx):
        if site.event != "SessionStart" or site.hook is None or site.remote_guarded:
            continue
        install = install_of(site.cmd)
        if install is None or id(site.hook) in done or only_when_missing(site):
            continue
        done.add(id(site.hook))
        where = f"script {site.script}" if site.script else "hook"
        change = "changes the machine" if install.system else "reinstalls dependencies"
        yield Violation(
            site.location,
            f"This SessionStart {where} runs `{' '.join(site.cmd.argv[:2])}` without checking "
            f"CLAUDE_CODE_REMOTE: it also runs on every local start and resume, where it {change} "
            "and slows each session down.",
            fix=f"Exit early outside the cloud: `{GUARD}` at the "
            + ("top of the script" if site.script else "start of the hook's command")
            + " (`parity cloud-init` writes a guarded setup script).",
            autofix=_guard(site),
        )


def _guard(site: Site) -> Fix | None:
    """The hook's command starts with the guard, so that locally it exits before anything of
    it runs; a script it calls is left as it is (people may run it by hand)."""
    region = hook_region(site.hook)
    edit = region.edit(0, 0, f"{GUARD}; ") if region is not None else None
    return Fix("Run the hook only in a cloud session", (edit,)) if edit is not None else None


# Files that say what a project needs, not what is installed: `[ -f package.json ] && npm ci`
# runs at every start.
_MANIFESTS = lazy_compile(
    r"(?:^|/)(?:package(?:-lock)?\.json|pyproject\.toml|requirements[\w.-]*\.txt|setup\.(?:py|cfg)"
    r"|Pipfile(?:\.lock)?|poetry\.lock|uv\.lock|Gemfile(?:\.lock)?|go\.(?:mod|sum)"
    r"|Cargo\.(?:toml|lock)|composer\.(?:json|lock)|[\w.-]*\.lock|pnpm-lock\.yaml)$"
)
_FILE_TEST = lazy_compile(r"^(?:\[\[?|test)\s+(!\s+)?-[defsxLhr]\s+[\"']?([^\s\"'\]]+)")
_LOOKUP = lazy_compile(r"^(?:command\s+-[vV]|which|type|hash)\s")
# `python -c "import x"`, `poetry run python -c …`, `node -e "require('x')"`, `pip show x`.
_IMPORTS = lazy_compile(
    r"\bpython[\d.]*\s+-c\s+[\"']?\s*(?:import|from)\s|\bnode\s+-e\s+[\"']?\s*require\("
    r"|\b(?:pip3?|uv\s+pip|npm|pnpm|gem|bundle)\s+(?:show|ls|list|check)\b"
)
_STAMP = lazy_compile(r"(?i)stamp|sentinel|marker|\.installed\b|\.done\b|\bcmp\s|sha\d*sum\s+-c")
_CHAIN = lazy_compile(r"\|\||&&")


def only_when_missing(site: Site) -> bool:
    """True when the install runs only if what it installs is absent, so a repeated start skips it.

    Recognised: a test in front of it (`[ -d node_modules ] || npm ci`, `command -v jq || apt-get
    install jq`, `if [ ! -d .venv ]; then uv sync; fi`) and an earlier exit when the install is
    present (`poetry run python -c "import x" && exit 0`, a stamp file). Anything else counts as
    running every time: a manifest test (`[ -f package.json ] && npm ci`) or a fallback
    (`npm ci || npm install`) does not make a start skip the install.
    """
    before = _text_before(site)
    if before is None:
        return False
    segments = re.split(r";|\n", before)
    # Each open `if` in front of the install: (its condition, whether we are in its then-branch).
    open_ifs: list[tuple[str, bool]] = []
    for segment in segments[:-1]:
        part = _strip_keyword(segment.strip(), "then")
        if part.startswith(("if ", "elif ")):
            if part.startswith("elif ") and open_ifs:
                open_ifs.pop()
            open_ifs.append((part.split(None, 1)[1], True))
        elif part == "else" or part.startswith("else "):
            if open_ifs:
                open_ifs[-1] = (open_ifs[-1][0], False)
        elif part == "fi" or part.startswith("fi "):
            if open_ifs:
                open_ifs.pop()
        elif _exits_when_present(part, open_ifs):
            return True
    for condition, then_branch in open_ifs:
        found = _presence(condition)
        if found is not None and found != then_branch:
            return True
    last = _strip_keyword(segments[-1].strip(), "then")
    return _guarded_in_chain(last)


def _text_before(site: Site) -> str | None:
    """The hook command or script up to where the install starts, or None if it is not found."""
    text = site.text
    word = site.cmd.argv[0] if site.cmd.argv else ""
    if site.in_settings:
        at = word_column(text, word)
        return text[:at] if at >= 0 and word else None
    lines = text.split("\n")
    line = site.location.line
    if not 0 < line <= len(lines):
        return None
    start = sum(len(x) + 1 for x in lines[: line - 1])
    return text[: start + site.location.column - 1]


def _strip_keyword(part: str, keyword: str) -> str:
    if part == keyword:
        return ""
    if part.startswith(keyword + " "):
        return part[len(keyword) :].strip()
    return part


def _exits_when_present(part: str, open_ifs: list[tuple[str, bool]]) -> bool:
    """``COND && exit 0`` (or an ``exit 0`` inside ``if COND``) where COND finds the install."""
    pieces = _CHAIN.split(part)
    ops = _CHAIN.findall(part)
    if len(pieces) >= 2 and re.fullmatch(r"exit(?:\s+0)?", pieces[-1].strip()):
        found = _presence(pieces[-2])
        return found is not None and found == (ops[-1] == "&&")
    if re.fullmatch(r"exit(?:\s+0)?", part) and open_ifs:
        condition, then_branch = open_ifs[-1]
        found = _presence(condition)
        return found is not None and found == then_branch
    return False


def _guarded_in_chain(last: str) -> bool:
    """``COND || install`` where COND finds it, or ``COND && install`` where COND misses it."""
    pieces = _CHAIN.split(last)
    ops = _CHAIN.findall(last)
    for piece, op in zip(pieces, ops, strict=False):
        found = _presence(piece)
        if found is not None and found == (op == "||"):
            return True
    return False


def _presence(condition: str) -> bool | None:
    """True when ``condition`` succeeds if something installed is there, False when it succeeds
    if it is missing, None when it tests something else."""
    cond = condition.strip().rstrip(";").strip()
    negated = False
    while cond.startswith("! ") or cond == "!":
        negated = not negated
        cond = cond[1:].strip()
    file_test = _FILE_TEST.match(cond)
    if file_test is not None:
        if _MANIFESTS.search(file_test.group(2)):
            return None
        return negated == bool(file_test.group(1))
    if _LOOKUP.match(cond) or _IMPORTS.search(cond):
        return not negated
    if _STAMP.search(cond) and cond.startswith(("[", "test ", "cmp ", "sha")):
        return negated == ("!=" in cond)
    return None


RULE = Rule(
    code="PAR204",
    name="unguarded-session-start",
    severity=Severity.WARNING,
    summary="A SessionStart hook installs packages on every local session too.",
    fix='Start the script with `[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] || exit 0`.',
    tags=("cloud", "hooks"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.UNSAFE,
        f"Starts the hook's command with `{GUARD}; `, so that the whole hook runs only in a "
        "cloud session; the script it calls is not changed (it may be run by hand or by CI). "
        "Unsafe: whatever else the hook does locally (exports, messages) stops too.",
        when="for a hook whose command the shell runs (not an exec-form hook with `args`, not "
        "a `powershell` one)",
    ),
    docs="""
## What it does
Finds project SessionStart hooks that install packages (`npm ci`, `pip install`, `uv sync`,
`apt-get install`, `brew install`, …) — in the hook command or in the script it runs — when
neither tests `CLAUDE_CODE_REMOTE`. The finding points at the first install that runs at every
start.

An idempotent script is not reported: an install behind a check that what it installs is there
(`[ -d node_modules ] || npm ci`, `command -v jq || apt-get install -y jq`,
`if [ ! -d .venv ]; then uv sync; fi`), or after an early exit when it is
(`poetry run python -c "import x" && exit 0`, `[ -f "$STAMP" ] && exit 0`, a stamp file tested
in an `if` that exits). A test of a manifest (`[ -f package.json ] && npm ci`) or a fallback
(`npm ci || npm install`) does not count: those install at every start. Checks written in other
ways are read as no check, so the rule may still report a script that skips quickly; name the
stamp file `…stamp…` or test the install's folder to be recognised.

## Why is this bad?
SessionStart hooks run at every start and resume, on the developer's machine as much as in the
cloud. Without the guard, every local session reinstalls dependencies, and system installs
(`apt-get`, `brew`, global npm packages) change the developer's machine or fail without `sudo`.

## Example
```bash
#!/bin/bash
npm ci
```

## Fix
```bash
#!/bin/bash
set -euo pipefail
[ "${CLAUDE_CODE_REMOTE:-}" = "true" ] || exit 0
npm ci
```
""",
)
