"""Where well-known installers download from, beyond the package registries (a dated table).

`cypress install` fetches its binary from download.cypress.io, `playwright install` its browsers
from cdn.playwright.dev: hosts a network level may block although the registry is allowed.
Only installers whose default download host is well established are listed; each entry says
which variable, if any, skips the download.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

from parity.rules._cloud import Site, install_of
from parity.shell import SimpleCommand

if TYPE_CHECKING:
    from parity.rules.base import Context

AS_OF = "2026-12-04"


class Download(NamedTuple):
    """What an installer downloads, from where, and how to skip it."""

    what: str  # "Playwright's browsers"
    hosts: tuple[str, ...]
    skip: str | None = None  # a variable that turns the download off, e.g. CYPRESS_INSTALL_BINARY=0


_CYPRESS = Download("the Cypress binary", ("download.cypress.io",), "CYPRESS_INSTALL_BINARY=0")
_PUPPETEER = Download(
    "Chrome for Puppeteer", ("storage.googleapis.com",), "PUPPETEER_SKIP_DOWNLOAD=1"
)
_PLAYWRIGHT = Download("Playwright's browsers", ("cdn.playwright.dev",))

# program -> (the subcommands that download, what they download).
_COMMANDS: dict[str, tuple[tuple[str, ...], Download]] = {
    "cypress": (("install",), _CYPRESS),
    "playwright": (("install",), _PLAYWRIGHT),
    "puppeteer": (("browsers install",), _PUPPETEER),
    "terraform": (
        ("init",),
        Download("Terraform providers", ("registry.terraform.io", "releases.hashicorp.com")),
    ),
    "huggingface-cli": (("download",), Download("the Hugging Face model", ("huggingface.co",))),
    "hf": (("download",), Download("the Hugging Face model", ("huggingface.co",))),
    "pyenv": (("install",), Download("the Python sources", ("www.python.org",))),
    "nvm": (("install",), Download("Node.js", ("nodejs.org",))),
    "rustup": (
        ("install", "toolchain", "target", "component", "update"),
        Download("the Rust toolchain", ("static.rust-lang.org",)),
    ),
    "ollama": (("pull", "run"), Download("the model", ("registry.ollama.ai",))),
}
# Packages whose install script downloads a binary (unless the variable skips it).
_POSTINSTALL = {"cypress": _CYPRESS, "puppeteer": _PUPPETEER}
# Launchers that run the next word as the program.
_LAUNCHERS = {
    "npx": 1,
    "bunx": 1,
    "uvx": 1,
    "pnpx": 1,
    "pnpm": 2,  # pnpm exec X, pnpm dlx X
    "yarn": 1,
    "uv": 2,  # uv run X
    "poetry": 2,  # poetry run X
    "pipx": 2,  # pipx run X
    "python": 2,  # python -m X
    "python3": 2,
}


def downloads_of(ctx: Context, site: Site) -> list[Download]:
    """What the command at ``site`` downloads from an installer's own host."""
    argv = _program(site.cmd)
    if argv:
        entry = _COMMANDS.get(_name(argv[0]))
        if entry is not None:
            subs, download = entry
            ops = " ".join(w for w in argv[1:] if not w.startswith("-")) + " "
            if any(ops.startswith(sub + " ") for sub in subs):
                return [download]
    install = install_of(site.cmd)
    if install is None or install.manager not in ("npm", "pnpm", "yarn") or install.packages:
        return []
    if "--ignore-scripts" in site.cmd.argv:
        return []
    # The script (or hook command) or the settings env naming the skip variable skips it.
    return [
        download
        for package, download in _POSTINSTALL.items()
        if package in _dependencies(ctx) and not _skipped(ctx, site, download)
    ]


def _skipped(ctx: Context, site: Site, download: Download) -> bool:
    from parity.model import Kind, Scope

    name = (download.skip or "=").split("=", 1)[0]
    if name in site.text:
        return True
    for _cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        env = doc.value.get("env") if doc.ok and isinstance(doc.value, dict) else None
        if isinstance(env, dict) and name in env:
            return True
    return False


def _program(cmd: SimpleCommand) -> tuple[str, ...]:
    """The argv of the program a launcher runs (``npx playwright install`` → playwright …)."""
    argv = cmd.argv
    for _ in range(3):
        if not argv:
            return argv
        name = _name(argv[0])
        skip = _LAUNCHERS.get(name)
        if skip is None:
            return argv
        rest = [w for w in argv[1:] if not w.startswith("-")]
        if skip == 2:
            if name.startswith("python"):
                if "-m" not in argv[1:2]:
                    return argv
                rest = list(argv[2:])
            elif not rest or rest[0] not in ("run", "exec", "dlx"):
                return argv
            else:
                rest = rest[1:]
        argv = tuple(rest)
    return argv


def _name(word: str) -> str:
    """The program a word names: ``./node_modules/.bin/cypress`` and ``cypress@13.6`` → cypress."""
    base = word.rsplit("/", 1)[-1]
    return base.split("@", 1)[0] if not base.startswith("@") else base


def _dependencies(ctx: Context) -> frozenset[str]:
    """Names in the root package.json's dependencies and devDependencies."""
    doc = ctx.inventory.repo_file("package.json", as_json=True)
    value = doc.value if doc is not None and doc.ok else None
    if not isinstance(value, dict):
        return frozenset()
    names: set[str] = set()
    for key in ("dependencies", "devDependencies", "optionalDependencies"):
        deps = value.get(key)
        if isinstance(deps, dict):
            names.update(str(k) for k in deps)
    return frozenset(names)
