"""PAR303: package installs whose registry the declared network level cannot reach."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.network import environment_allowlist
from parity.rules._cloud import (
    Install,
    env_label,
    fetch_of,
    install_of,
    level_phrase,
    mcp_argv,
    mcp_servers,
    sites,
)
from parity.rules.base import Context, Rule
from parity.shell import SimpleCommand


def _message(what: str, install: Install, blocked: list[str], level: str, label: str) -> str:
    hosts = ", ".join(blocked)
    return (
        f"{what} needs {hosts} ({install.manager}'s registry), which {level}{label} does not "
        "allow: the download fails in a cloud session."
    )


def check(ctx: Context) -> Iterator[Violation]:
    """Report installs and package launches whose registry hosts are blocked."""
    for env in ctx.environments:
        if env.network == "full":
            continue
        allowlist = environment_allowlist(env)
        level, label = level_phrase(env), env_label(ctx, env)
        if env.network == "none":
            fix = (
                'Declare network = "trusted" for this environment, or install everything in '
                "the image before the session (the setup script runs with the same network)."
            )
        else:
            fix = (
                'Add the registry hosts to `allow` (network = "custom"), or use the Trusted '
                "level, which includes the public registries."
            )
        for site in sites(ctx):
            install = install_of(site.cmd) or fetch_of(site.cmd)
            if install is None:
                continue
            blocked = [h for h in install.hosts if not allowlist.allows(h)]
            if blocked:
                shown = " ".join(site.cmd.argv[:2])
                yield Violation(
                    site.location, _message(f"`{shown}`", install, blocked, level, label), fix=fix
                )
        for doc, name, server in mcp_servers(ctx):
            argv = mcp_argv(server)
            install = fetch_of(SimpleCommand(argv)) if argv is not None else None
            if install is None:
                continue
            blocked = [h for h in install.hosts if not allowlist.allows(h)]
            if blocked:
                yield Violation(
                    doc.locate(("mcpServers", name, "command")),
                    _message(
                        f'MCP server "{name}" (`{argv[0] if argv else ""}`)',
                        install,
                        blocked,
                        level,
                        label,
                    ),
                    fix=fix,
                )


RULE = Rule(
    code="PAR303",
    name="install-without-network",
    severity=Severity.ERROR,
    summary="A package install or npx/uvx launch whose registry the network level blocks.",
    fix='Use the Trusted level, or allow the registry hosts with network = "custom".',
    tags=("cloud", "network"),
    check=check,
    docs="""
## What it does
Finds package installs (`npm ci`, `pip install`, `uv sync`, `apt-get install`, `brew install`,
`cargo install`, …) in project hooks, the scripts they run and the declared setup script, and
MCP servers launched with `npx` / `uvx` / `dlx`, and checks the default registry of each package
manager against the declared network level: every install under `network = "none"`, registries
missing from a Custom `allow` list, and registries not on the Trusted list (Homebrew).

## Why is this bad?
With network access None nothing can be downloaded, and a Custom list without the registries
blocks them too: the install fails with a 403 from the proxy and everything that needed the
dependencies fails after it.

## Example
```toml
[tool.parity.environments.default]
network = "none"
```
with a SessionStart hook running `npm ci`.

## Fix
```toml
[tool.parity.environments.default]
network = "trusted"
```
""",
)
