"""PAR201: bun and bunx, whose package fetching fails behind the cloud's security proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from parity._lazy import lazy_compile
from parity.findings import Fix, Location, Safety, Severity, Violation
from parity.load import Document
from parity.rules._cloud import (
    Site,
    install_of,
    mcp_argv,
    mcp_servers,
    package_scripts,
    sites,
)
from parity.rules._fixes import Region, site_region
from parity.rules._index import FILES
from parity.rules.base import SOMETIMES, Autofix, Context, Rule
from parity.shell import SimpleCommand, parse

_OTHER_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml")
_FIX = {
    "bunx": "Use `npx <package>@<version>` (or `pnpm dlx`), which fetch through the proxy.",
    "install": "Install with npm (`npm ci` from a committed package-lock.json), pnpm or yarn.",
}


def _fetches(cmd: SimpleCommand) -> bool:
    install = install_of(cmd)
    return install is not None and install.manager == "bun"


def _fix(cmd: SimpleCommand) -> str:
    return _FIX["bunx"] if cmd.name == "bunx" or cmd.argv[1:2] == ("x",) else _FIX["install"]


def _shown(cmd: SimpleCommand) -> str:
    return " ".join(cmd.argv[:2]) if cmd.name == "bun" else cmd.name


# `bun install` as a whole command (no packages, no options but --frozen-lockfile).
_BUN_INSTALL = lazy_compile(
    r"(?<![\w./$-])bun\s+(?:install|i)(?P<frozen>\s+--frozen-lockfile)?(?=\s*(?:$|[;&|)#\n]))"
)
_CHANGES_FOLDER = lazy_compile(r"(?:^|[\s;&|(])(?:cd|pushd)(?:\s|$)|--cwd\b")


def _lock_command(ctx: Context, folder: str) -> str | None:
    """The install from the one committed lockfile of another manager in ``folder``, or None
    (none there, or two managers' lockfiles: which one the project uses is not certain)."""

    def has(name: str) -> bool:
        return ctx.repo.in_clone((PurePosixPath(folder) / name).as_posix().removeprefix("./"))

    commands = []
    if has("package-lock.json") or has("npm-shrinkwrap.json"):
        commands.append("npm ci")
    if has("pnpm-lock.yaml"):
        commands.append("pnpm install --frozen-lockfile")
    if has("yarn.lock"):
        lock = ctx.inventory.repo_file((PurePosixPath(folder) / "yarn.lock").as_posix())
        berry = has(".yarnrc.yml") or (lock is not None and "__metadata:" in lock.text)
        commands.append("yarn install --immutable" if berry else "yarn install --frozen-lockfile")
    return commands[0] if len(commands) == 1 else None


def _replace(region: Region | None, command: str | None) -> Fix | None:
    """``bun install`` in ``region`` replaced by ``command``, when it is there exactly once."""
    if region is None or command is None or _CHANGES_FOLDER.search(region.text):
        return None
    found = list(_BUN_INSTALL.finditer(region.text))
    if len(found) != 1:
        return None
    edit = region.edit(found[0].start(), found[0].end(), command)
    return Fix(f"Install with `{command}`", (edit,)) if edit is not None else None


def _site_fix(ctx: Context, site: Site) -> Fix | None:
    # Hooks and the setup script run in the project folder: the lockfile that counts is at the
    # top, unless the hook or a script it runs changes folder anywhere (then where bun runs is
    # not certain).
    if any(o.hook is site.hook and _CHANGES_FOLDER.search(o.text) for o in sites(ctx)):
        return None
    return _replace(site_region(ctx, site), _lock_command(ctx, "."))


def _script_fix(ctx: Context, doc: Document, name: str, line: str) -> Fix | None:
    # npm, pnpm and yarn run a package.json script in the folder of that package.json.
    region = Region(line, doc, ("scripts", name))
    return _replace(region, _lock_command(ctx, PurePosixPath(doc.display).parent.as_posix()))


def check(ctx: Context) -> Iterator[Violation]:
    """Report bun fetching packages in hooks, scripts, MCP servers, package.json; bun-only locks."""
    for site in sites(ctx):
        if _fetches(site.cmd):
            yield Violation(
                site.location,
                f"`{_shown(site.cmd)}` fetches packages, which fails behind the cloud's security "
                "proxy: bun is installed on the image but cannot download through it, so this "
                "step fails in a cloud session.",
                fix=_fix(site.cmd),
                autofix=_site_fix(ctx, site) if site.cmd.name == "bun" else None,
            )
    for doc, name, server in mcp_servers(ctx):
        argv = mcp_argv(server)
        if argv is None:
            continue
        cmd = SimpleCommand(argv)
        if _fetches(cmd):
            yield Violation(
                doc.locate(("mcpServers", name, "command")),
                f'MCP server "{name}" starts with `{_shown(cmd)}`, which cannot fetch the '
                "package behind the cloud's security proxy: the server fails to start in a "
                "cloud session.",
                fix=_fix(cmd),
            )
    for doc, name, line in package_scripts(ctx):
        for cmd in parse(line):
            if _fetches(cmd):
                yield Violation(
                    doc.locate(("scripts", name)),
                    f'package.json script "{name}" runs `{_shown(cmd)}`, which cannot fetch '
                    "packages behind the cloud's security proxy: running it in a cloud session "
                    "fails.",
                    fix=_fix(cmd),
                    severity=Severity.WARNING,
                    autofix=_script_fix(ctx, doc, name, line) if cmd.name == "bun" else None,
                )
                break
    yield from _bun_only_locks(ctx)


def _bun_only_locks(ctx: Context) -> Iterator[Violation]:
    for rel in ctx.repo.glob(*FILES["bun-lock"]):
        if not ctx.repo.in_clone(rel) or "node_modules" in PurePosixPath(rel).parts:
            continue
        folder = PurePosixPath(rel).parent
        siblings = [(folder / name).as_posix() for name in _OTHER_LOCKS]
        if any(ctx.repo.in_clone(s.removeprefix("./")) for s in siblings):
            continue
        yield Violation(
            Location(rel),
            f"{PurePosixPath(rel).name} is the only lockfile here: installing these "
            "dependencies needs `bun install`, which fails behind the cloud's security proxy, "
            "and any other package manager resolves fresh, unpinned versions.",
            fix="Commit a package-lock.json (`npm install --package-lock-only`) or a "
            "pnpm-lock.yaml / yarn.lock next to it, and install with that manager in the cloud.",
            severity=Severity.WARNING,
        )


RULE = Rule(
    code="PAR201",
    name="bun-in-cloud",
    severity=Severity.ERROR,
    variants=(
        (
            Severity.WARNING,
            "for package.json scripts and a bun lockfile with no other lockfile beside it",
        ),
    ),
    summary="bun or bunx fetches packages where the cloud's security proxy makes it fail.",
    fix="Use npm, pnpm or yarn (and npx) for installs and one-off packages in the cloud.",
    tags=("cloud", "image"),
    check=check,
    autofix=Autofix(
        SOMETIMES,
        Safety.UNSAFE,
        "Replaces `bun install` with the install of the lockfile committed beside it: `npm ci` "
        "(package-lock.json, npm-shrinkwrap.json), `pnpm install --frozen-lockfile` "
        "(pnpm-lock.yaml), `yarn install --frozen-lockfile` (yarn.lock; `--immutable` for Yarn "
        "2+). Unsafe: that lockfile may pin other versions than bun's.",
        when="for `bun install` (or `bun i`, optionally `--frozen-lockfile`) written once in a "
        "hook command, a script line or a package.json script, when the folder it runs in has "
        "the lockfile of exactly one other package manager and nothing changes folder first",
    ),
    docs="""
## What it does
Finds `bun install` / `bun add` / `bun x` and `bunx` in hook commands, the scripts hooks run,
the declared setup script, stdio MCP server commands and package.json scripts, and lockfiles
where `bun.lock` / `bun.lockb` is the only one.

## Why is this bad?
The cloud image ships bun, but its package fetching does not work through the cloud's security
proxy: installs and `bunx` time out or fail there while they work on a laptop. A repository with
only a bun lockfile cannot install its pinned dependencies in a cloud session at all.

## Example
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "bun install"}]}]}}
```

## Fix
```json
{"hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": "npm ci"}]}]}}
```
Commit a `package-lock.json` (or pnpm/yarn lockfile) and use `npx pkg@1.2.3` instead of `bunx`.
Severity: error in hooks, scripts and MCP servers; warning in package.json scripts and for a
bun-only lockfile.
""",
)
