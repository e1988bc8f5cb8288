"""PAR201: bun and bunx, whose package fetching fails behind the cloud's security proxy."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import PurePosixPath

from parity.findings import Location, Severity, Violation
from parity.rules._cloud import install_of, mcp_argv, mcp_servers, package_scripts, sites
from parity.rules.base import Context, Rule
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
                )
                break
    yield from _bun_only_locks(ctx)


def _bun_only_locks(ctx: Context) -> Iterator[Violation]:
    for rel in ctx.repo.glob("bun.lockb", "bun.lock"):
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
    summary="bun or bunx fetches packages where the cloud's security proxy makes it fail.",
    fix="Use npm, pnpm or yarn (and npx) for installs and one-off packages in the cloud.",
    tags=("cloud", "image"),
    check=check,
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
