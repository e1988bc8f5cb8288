"""PAR303: package installs whose registry the declared network level cannot reach."""

from __future__ import annotations

from collections.abc import Iterator

from parity.findings import Severity, Violation
from parity.network import environment_allowlist
from parity.rules._cloud import (
    Install,
    Site,
    env_label,
    fetch_of,
    install_of,
    level_phrase,
    mcp_argv,
    mcp_servers,
    sites,
)
from parity.rules._downloads import AS_OF, Download, downloads_of
from parity.rules.base import Context, Rule
from parity.shell import SimpleCommand


def _message(what: str, install: Install, blocked: list[str], level: str, label: str) -> str:
    hosts = ", ".join(blocked)
    return (
        f"{what} needs {hosts} ({install.manager}'s registry), which {level}{label} does not "
        "allow: the download fails in a cloud session."
    )


def _download(
    site: Site, shown: str, download: Download, blocked: list[str], level: str
) -> Violation:
    skip = f", or set {download.skip} where the download is not needed" if download.skip else ""
    return Violation(
        site.location,
        f"{shown} downloads {download.what} from {', '.join(blocked)} (where it downloads from "
        f"as of {AS_OF}), which {level} does not allow: the download fails in a cloud session.",
        fix=f'Allow {", ".join(blocked)} (network = "custom" with `allow`, and in the '
        f"environment's allowed domains on claude.ai){skip}.",
        # The table may age, and an installer may find the download already there.
        severity=Severity.WARNING,
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
            shown = f"`{' '.join(site.cmd.argv[:2])}`"
            install = install_of(site.cmd) or fetch_of(site.cmd)
            blocked = [h for h in install.hosts if not allowlist.allows(h)] if install else []
            if install is not None and blocked:
                yield Violation(
                    site.location, _message(shown, install, blocked, level, label), fix=fix
                )
            for download in downloads_of(ctx, site):
                blocked = [h for h in download.hosts if not allowlist.allows(h)]
                if blocked:
                    yield _download(site, shown, download, blocked, level + label)
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
    variants=(
        (
            Severity.WARNING,
            "for an installer's own download (its table of hosts is dated, and the download "
            "may already be there)",
        ),
    ),
    summary="A package install, npx/uvx launch or installer download the network level blocks.",
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

It also knows where a few well-known installers download from beyond the registries, from a
small dated table (`parity/rules/_downloads.py`): `cypress install` and an npm/pnpm/yarn install
of a package.json that depends on `cypress` (download.cypress.io, unless
`CYPRESS_INSTALL_BINARY` is set or `--ignore-scripts` is given), `puppeteer browsers install` and
installs depending on `puppeteer` (storage.googleapis.com, unless `PUPPETEER_SKIP_DOWNLOAD`),
`playwright install` (cdn.playwright.dev), `terraform init` (registry.terraform.io,
releases.hashicorp.com), `huggingface-cli`/`hf download` (huggingface.co), `pyenv install`
(www.python.org), `nvm install` (nodejs.org), `rustup` (static.rust-lang.org) and `ollama pull`
(registry.ollama.ai). These are warnings: the table ages, and an installer may find what it
needs already there.

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
