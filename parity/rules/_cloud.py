"""What runs in a cloud session, command by command, for the image, tooling and network rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, NamedTuple

from parity._lazy import lazy_compile
from parity.findings import Location
from parity.hooks import HookHandler, iter_hooks, resolve_script, script_refs
from parity.rules._index import FILES
from parity.rules.base import per_check
from parity.shell import SimpleCommand, is_shebang_shell, parse, parse_script

if TYPE_CHECKING:
    from parity.config import Environment
    from parity.image import ImageProfile
    from parity.load import Document
    from parity.rules.base import Context

HOOK = "hook"
SCRIPT = "script"
SETUP = "setup"
MCP = "mcp"
PACKAGE_SCRIPT = "package-script"

# Scripts call scripts; a chain deeper than this is not followed (and cycles never are).
_MAX_SCRIPT_DEPTH = 4
_SHELL_SUFFIXES = (".sh", ".bash", ".zsh")
_REMOTE = lazy_compile(r"\bCLAUDE_CODE_REMOTE\b")
# `command -v X`, `which X`, `type X`, `hash X`: the script checks whether X exists first.
_PROBE = lazy_compile(
    r"(?:\bcommand\s+-[vV]|\bwhich|\btype(?:\s+-[pPtaf]+)?|\bhash)\s+['\"]?([A-Za-z0-9_.+-]+)"
)

# Shell functions the script defines, and scripts it sources (nvm is a function from nvm.sh).
_FUNCTION = lazy_compile(
    r"^\s*(?:function\s+([A-Za-z_][\w-]*)|([A-Za-z_][\w-]*)\s*\(\))", re.MULTILINE
)
_SOURCED = lazy_compile(
    r"(?:^|[;&|{(]|then|do)\s*(?:source|\.)\s+\S*?([A-Za-z0-9_-]+)\.(?:sh|bash)\b", re.MULTILINE
)


class Site(NamedTuple):
    """One simple command that a cloud session runs, and where it is written."""

    cmd: SimpleCommand
    location: Location  # the script's line and the command's column, or the JSON value
    origin: str  # HOOK, SCRIPT, SETUP, MCP or PACKAGE_SCRIPT
    event: str | None = None  # the hook event that runs it (None for the setup script)
    script: str | None = None  # repo-relative path of the script it is written in
    text: str = ""  # the whole hook command or script, for guard checks
    remote_guarded: bool = False  # a CLAUDE_CODE_REMOTE test runs before it (hook or script)
    hook: HookHandler | None = None
    line_text: str = ""  # the script line, for locating words of the command

    @property
    def in_settings(self) -> bool:
        """True when the command is written in a JSON file (settings, .mcp.json, package.json)."""
        return self.script is None

    def locate_word(self, word: str) -> Location:
        """Where ``word`` of the command is: its column in a script, the JSON value otherwise."""
        if self.in_settings or not self.line_text:
            return self.location
        col = self.line_text.find(word, max(self.location.column - 1, 0))
        if col < 0:
            return self.location
        return Location(self.location.display, self.location.line, col + 1)


def mentions_remote(text: str) -> bool:
    """True when ``text`` tests ``CLAUDE_CODE_REMOTE`` outside a comment."""
    return any(
        _REMOTE.search(line) and not line.lstrip().startswith("#") for line in text.splitlines()
    )


def probed_names(text: str) -> frozenset[str]:
    """Programs ``text`` checks for (``command -v X``), defines, or sources (``. nvm.sh``)."""
    names = {m.group(1) for m in _PROBE.finditer(text)}
    names.update(m.group(1) or m.group(2) for m in _FUNCTION.finditer(text))
    names.update(m.group(1) for m in _SOURCED.finditer(text))
    return frozenset(names)


def is_shell_script(rel: str, text: str) -> bool:
    """True when a script is shell: by its shebang, or by its suffix when it has none."""
    if text.startswith("#!"):
        return is_shebang_shell(text)
    return rel.endswith(_SHELL_SUFFIXES)


@per_check
def sites(ctx: Context) -> list[Site]:
    """Every command of project hooks, the scripts they run, the declared setup scripts."""
    return list(_collect(ctx))


def _collect(ctx: Context) -> Iterator[Site]:
    from parity.model import Scope

    seen: set[str] = set()
    for setup in sorted({e.setup_script for e in ctx.environments if e.setup_script}):
        rel = setup.removeprefix("./")
        yield from _script_sites(ctx, rel, SETUP, None, None, False, 0, seen)
    for hook in iter_hooks(ctx.inventory, scopes=[Scope.PROJECT]):
        if hook.type not in ("command", "") or hook.command is None:
            continue
        text = hook.command
        loc = hook.locate("command")
        guarded = mentions_remote(text)
        for cmd in hook.commands():
            yield Site(cmd, loc, HOOK, hook.event, None, text, guarded, hook)
            for ref in _refs(cmd):
                yield from _script_sites(ctx, ref, SCRIPT, hook.event, hook, guarded, 0, seen)


def _refs(cmd: SimpleCommand) -> list[str]:
    refs = [r.rel for r in script_refs(cmd) if r.rel]
    if cmd.name in ("source", ".") and len(cmd.argv) > 1:
        ref = resolve_script(cmd.argv[1], direct=False)
        if ref is not None and ref.rel:
            refs.append(ref.rel)
    return [r for r in refs if ".." not in PurePosixPath(r).parts]


def _script_sites(  # noqa: PLR0917 - private recursion carrying the walk's state
    ctx: Context,
    rel: str,
    origin: str,
    event: str | None,
    hook: HookHandler | None,
    guarded: bool,
    depth: int,
    seen: set[str],
) -> Iterator[Site]:
    key = f"{origin}:{event}:{rel}"
    if key in seen or depth > _MAX_SCRIPT_DEPTH:
        return
    seen.add(key)
    doc = ctx.inventory.repo_file(rel)
    if doc is None or not doc.ok or not is_shell_script(rel, doc.text):
        return
    text = doc.text
    guarded = guarded or mentions_remote(text)
    lines = text.splitlines()
    cursor: dict[int, int] = {}
    for cmd in parse_script(text):
        line_text = lines[cmd.line - 1] if 0 < cmd.line <= len(lines) else ""
        start = cursor.get(cmd.line, 0)
        col = word_column(line_text, cmd.argv[0], start) if cmd.argv else -1
        if col < 0:
            col = len(line_text) - len(line_text.lstrip()) if start == 0 else start
        cursor[cmd.line] = col + 1
        loc = Location(rel, cmd.line, col + 1)
        yield Site(cmd, loc, origin, event, rel, text, guarded, hook, line_text)
        for ref in _refs(cmd):
            yield from _script_sites(ctx, ref, origin, event, hook, guarded, depth + 1, seen)


def word_column(line: str, word: str, start: int = 0) -> int:
    """Where ``word`` starts as a whole shell word of ``line`` (0-based), or -1.

    ``bundle`` in ``test -d vendor/bundle || bundle install`` is the second one.
    """
    for m in re.finditer(re.escape(word), line[start:]):
        at = start + m.start()
        end = at + len(word)
        if (at == 0 or line[at - 1] in " \t;&|(`{!\"'") and (
            end == len(line) or line[end] in " \t;&|)`}\"'"
        ):
            return at
    return line.find(word, start)


def mcp_servers(ctx: Context) -> Iterator[tuple[Document, str, dict[str, Any]]]:
    """Each server of each project ``.mcp.json``: its document, name and definition."""
    from parity.model import Kind, Scope

    for _cf, doc in ctx.documents(Kind.MCP, scopes=[Scope.PROJECT]):
        value = doc.value if doc.ok else None
        servers = value.get("mcpServers") if isinstance(value, dict) else None
        if not isinstance(servers, dict):
            continue
        for name, server in servers.items():
            if isinstance(server, dict):
                yield doc, str(name), server


def mcp_argv(server: dict[str, Any]) -> tuple[str, ...] | None:
    """The argv of a stdio server, or None for a remote one or a malformed entry."""
    command = server.get("command")
    if not isinstance(command, str) or not command.strip():
        return None
    args = server.get("args", [])
    if not isinstance(args, list):
        args = []
    words = [str(a) for a in args if isinstance(a, (str, int, float))]
    if not words and " " in command.strip():
        # A whole command line in "command": the client runs it as one program name, but the
        # intent is plain; read it as words so the checks below see the real program.
        return tuple(w for c in parse(command)[:1] for w in c.argv) or (command,)
    return (command, *words)


def package_scripts(ctx: Context) -> Iterator[tuple[Document, str, str]]:
    """``scripts`` entries of every committed package.json: document, name and command line."""
    for rel in ctx.repo.glob(*FILES["package-json"]):
        if "node_modules" in PurePosixPath(rel).parts:
            continue
        doc = ctx.inventory.repo_file(rel, as_json=True)
        value = doc.value if doc is not None and doc.ok else None
        scripts = value.get("scripts") if isinstance(value, dict) else None
        if not isinstance(scripts, dict) or doc is None:
            continue
        for name, line in scripts.items():
            if isinstance(line, str):
                yield doc, str(name), line


def profile(ctx: Context, env: Environment) -> ImageProfile:
    """The image profile of a declared environment (users' own profiles first)."""
    from parity.image import resolve_profile

    return resolve_profile(env.image, ctx.repo.root)


def images(ctx: Context) -> list[tuple[ImageProfile, str]]:
    """Each distinct image profile of the declared environments, with a label for messages."""
    by_name: dict[str, list[str]] = {}
    for env in ctx.environments:
        by_name.setdefault(env.image, []).append(env.name)
    out = []
    for env in ctx.environments:
        names = by_name.pop(env.image, None)
        if names is None:
            continue
        label = f" (environment {', '.join(names)})" if len(ctx.environments) > len(names) else ""
        out.append((profile(ctx, env), label))
    return out


def env_label(ctx: Context, env: Environment) -> str:
    """`` (environment "x")`` when several environments are declared, else nothing."""
    return f' (environment "{env.name}")' if len(ctx.environments) > 1 else ""


# --------------------------------------------------------------------------------------------
# Package installs


class Install(NamedTuple):
    """A command that installs or fetches packages, and from which default registry."""

    manager: str
    hosts: tuple[str, ...]
    packages: tuple[str, ...] = ()
    system: bool = False  # changes the machine outside the project (global, apt, brew)


_NPM = ("registry.npmjs.org",)
_PYPI = ("pypi.org", "files.pythonhosted.org")
_APT = ("archive.ubuntu.com",)
_GEMS = ("rubygems.org",)
_CRATES = ("index.crates.io", "static.crates.io")
_GO = ("proxy.golang.org",)
_COMPOSER = ("repo.packagist.org",)
_BREW = ("formulae.brew.sh", "ghcr.io")

_NPM_INSTALL = frozenset({"install", "i", "ci", "add", "isntall", "install-clean", "update", "up"})
_PIP_INSTALL = frozenset({"install", "download"})


def _operands(words: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(w for w in words if not w.startswith("-"))


def install_of(cmd: SimpleCommand) -> Install | None:
    """The install ``cmd`` performs (npm ci, pip install, apt-get install …), or None."""
    argv = cmd.argv
    if not argv:
        return None
    name = cmd.name
    rest = argv[1:]
    ops = _operands(rest)
    sub = ops[0] if ops else ""
    if name in ("python", "python3") and rest[:2] == ("-m", "pip"):
        name, rest = "pip", rest[2:]
        ops = _operands(rest)
        sub = ops[0] if ops else ""
    global_flag = "-g" in rest or "--global" in rest
    if name == "npm" and sub in _NPM_INSTALL:
        return Install("npm", _NPM, ops[1:], system=global_flag)
    if name == "pnpm" and sub in ("install", "i", "add", "fetch", "update", "up"):
        return Install("pnpm", _NPM, ops[1:], system=global_flag)
    if name == "yarn" and (not ops or sub in ("install", "add", "global")):
        return Install("yarn", ("registry.yarnpkg.com",), ops[1:], system=sub == "global")
    if name in ("pip", "pip3") and sub in _PIP_INSTALL:
        return Install("pip", _PYPI, ops[1:])
    if name == "pipx" and sub == "install":
        return Install("pipx", _PYPI, ops[1:], system=True)
    if name == "uv":
        if sub in ("sync", "add", "lock"):
            return Install("uv", _PYPI, ops[1:])
        if sub == "pip" and ops[1:2] == ("install",):
            return Install("uv", _PYPI, ops[2:])
        if sub == "tool" and ops[1:2] == ("install",):
            return Install("uv", _PYPI, ops[2:], system=True)
    if name == "poetry" and sub in ("install", "add", "update", "sync"):
        return Install("poetry", _PYPI, ops[1:])
    if name == "pipenv" and sub in ("install", "sync"):
        return Install("pipenv", _PYPI, ops[1:])
    if name in ("conda", "mamba", "micromamba") and sub in ("install", "create", "update"):
        return Install(name, ("conda.anaconda.org", "repo.anaconda.com"), ops[1:])
    if name in ("apt", "apt-get") and sub in ("install", "update", "upgrade"):
        return Install("apt", _APT, ops[1:], system=True)
    if name == "brew" and sub in ("install", "bundle", "tap"):
        return Install("brew", _BREW, ops[1:], system=True)
    if name == "gem" and sub == "install":
        return Install("gem", _GEMS, ops[1:], system=True)
    if name == "bundle" and (not ops or sub == "install"):
        return Install("bundler", _GEMS)
    if name == "cargo" and sub in ("install", "fetch", "binstall"):
        return Install("cargo", _CRATES, ops[1:], system=sub != "fetch")
    if name == "go" and (sub in ("install", "get") or ops[:2] == ("mod", "download")):
        return Install("go", _GO, ops[1:], system=sub == "install")
    if name == "composer" and sub in ("install", "require", "update"):
        return Install("composer", _COMPOSER, ops[1:])
    if name in ("bun", "bunx") and (name == "bunx" or sub in ("install", "i", "add", "x")):
        return Install("bun", _NPM, ops[1:])
    return None


def fetch_of(cmd: SimpleCommand) -> Install | None:
    """A command that downloads a package to run it (``npx pkg``, ``uvx tool``), or None."""
    name = cmd.name
    ops = _operands(cmd.argv[1:])
    if name == "npx" and ops:
        return Install("npx", _NPM, ops[:1])
    if name in ("pnpm", "yarn") and ops[:1] == ("dlx",) and len(ops) > 1:
        return Install(name, _NPM, ops[1:2])
    if name == "uvx" and ops:
        return Install("uvx", _PYPI, ops[:1])
    if name == "pipx" and ops[:1] == ("run",) and len(ops) > 1:
        return Install("pipx", _PYPI, ops[1:2])
    return None


# The packages (or installers) that provide a CLI, where the name differs from the CLI's.
PROVIDERS: dict[str, tuple[str, ...]] = {
    "aws": ("awscli", "aws-cli", "awscliv2"),
    "az": ("azure-cli",),
    "gcloud": ("google-cloud-sdk", "google-cloud-cli", "cloud-sdk"),
    "gsutil": ("google-cloud-sdk", "google-cloud-cli", "gsutil"),
    "firebase": ("firebase-tools",),
    "netlify": ("netlify-cli",),
    "op": ("1password-cli", "1password"),
    "task": ("go-task", "taskfile"),
    "fly": ("flyctl",),
    "mongosh": ("mongodb-mongosh",),
    "mysql": ("mysql-client", "default-mysql-client", "mariadb-client"),
    "sqlite3": ("sqlite3", "sqlite"),
    "supabase": ("supabase",),
    "cdk": ("aws-cdk",),
    "sam": ("aws-sam-cli",),
    "tofu": ("opentofu",),
    "claude": ("@anthropic-ai/claude-code", "claude.ai/install"),
    "gemini": ("@google/gemini-cli",),
    "codex": ("@openai/codex",),
    "serverless": ("serverless",),
    "nx": ("nx",),
    "turbo": ("turbo",),
}


def provided_by_setup(ctx: Context, program: str) -> bool:
    """True when the setup (the setup script, SessionStart hooks) installs ``program``."""
    names = (program, *PROVIDERS.get(program, ()))
    for site in sites(ctx):
        if site.origin not in (SETUP,) and site.event not in ("SessionStart", "Setup"):
            continue
        words = " ".join(site.cmd.argv)
        install = install_of(site.cmd)
        downloads = site.cmd.name in ("curl", "wget") or install is not None
        if downloads and any(n in words for n in names):
            return True
    return False


# --------------------------------------------------------------------------------------------
# Hosts and URLs

_URL = lazy_compile(r"\b(?:https?|wss?)://[^\s'\"<>()\[\]{}`,;|\\]+", re.IGNORECASE)
# Any scheme (postgres://, redis://, ssh://), for hosts that cannot be reached at all.
_ANY_URL = lazy_compile(
    r"\b[a-z][a-z0-9+.-]{1,15}://(?:[^\s'\"<>()\[\]{}`,;|\\@/]*@)?(?:\[[0-9a-f:.]+\]|[^\s'\"<>()\[\]{}`,;|\\]+)"
    r"[^\s'\"<>()\[\]{}`,;|\\]*",
    re.IGNORECASE,
)
_HOSTNAME = lazy_compile(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$")
_PRIVATE = lazy_compile(
    r"^(127\.|10\.|192\.168\.|172\.(1[6-9]|2[0-9]|3[01])\.|169\.254\.|0\.0\.0\.0$)"
)
_LOCAL_SUFFIXES = (".local", ".localhost", ".test", ".example", ".invalid", ".lan", ".home.arpa")
_EXAMPLE = frozenset({"example.com", "example.org", "example.net"})
# Programs whose arguments are text for people, not places the command goes to.
_TEXT_ONLY = frozenset(
    {
        *("echo", "printf", "logger", "cat", "read", "export", "local", "declare", ":", "log"),
        *("grep", "egrep", "fgrep", "rg", "sed", "awk", "jq", "yq", "test", "[", "[["),
        *("tee", "sort", "cut", "tr", "head", "tail", "wc", "basename", "dirname", "notify-send"),
        *("open", "xdg-open", "osascript", "say"),  # a desktop, which a cloud session lacks
    }
)


def urls_in(text: str, *, any_scheme: bool = False) -> Iterator[tuple[str, int]]:
    """Each ``http(s)://`` / ``ws(s)://`` URL in ``text`` (any ``scheme://`` URL with
    ``any_scheme``) with its offset."""
    for m in (_ANY_URL if any_scheme else _URL).finditer(text):
        yield m.group(0).rstrip(".:"), m.start()


def checkable_host(host: str | None) -> bool:
    """True for a real, public host name (not localhost, a LAN name, a template or an example)."""
    from parity.network import placeholder_host

    if not host or "$" in host or "{" in host or placeholder_host(host):
        return False
    if host in ("localhost", "::1") or _PRIVATE.match(host):
        return False
    if (
        host.endswith(_LOCAL_SUFFIXES)
        or host in _EXAMPLE
        or host.endswith(tuple("." + e for e in _EXAMPLE))
    ):
        return False
    return bool(_HOSTNAME.match(host))


class UrlUse(NamedTuple):
    """A URL something in the repository reaches in a cloud session, and what reaches it."""

    url: str
    host: str
    location: Location
    what: str  # "this hook command", "MCP server \"x\"", "the npm registry in .npmrc"
    secret_headers: bool = False  # sent with headers (an MCP server's Authorization, …)
    value: bool = False  # a setting's value (env): whatever reads it goes there, if anything

    @property
    def reaches(self) -> str:
        """``"<What> reaches"``, or ``"<What> points at"`` for a value."""
        verb = "points at" if self.value else "reaches"
        return f"{self.what[0].upper()}{self.what[1:]} {verb}"


_REGISTRY_FILES: dict[str, re.Pattern[str]] = {
    ".npmrc": lazy_compile(r"^\s*(?:@[\w.-]+:)?registry\s*="),
    "pip.conf": lazy_compile(r"^\s*(?:extra-)?index-url\s*=|^\s+\S+://"),
    "pip.ini": lazy_compile(r"^\s*(?:extra-)?index-url\s*=|^\s+\S+://"),
    "uv.toml": lazy_compile(r"^\s*(?:(?:extra-)?index-url|url|find-links)\s*="),
    ".yarnrc.yml": lazy_compile(r"^\s*npmRegistryServer\s*:"),
    ".yarnrc": lazy_compile(r"^\s*registry\s"),
}
_WHAT = {
    ".npmrc": "the npm registry in .npmrc",
    "pip.conf": "the package index in pip.conf",
    "pip.ini": "the package index in pip.ini",
    "uv.toml": "the package index in uv.toml",
    ".yarnrc.yml": "the npm registry in .yarnrc.yml",
    ".yarnrc": "the npm registry in .yarnrc",
}


def url_uses(ctx: Context, *, any_scheme: bool = False) -> Iterator[UrlUse]:
    """Every URL reached by project hooks, their scripts, MCP servers, settings ``env`` values
    and registry configs (``http(s)``/``ws(s)`` only, unless ``any_scheme``)."""
    from parity.model import Scope
    from parity.network import host_of

    def hosts(text: str) -> Iterator[tuple[str, str]]:
        for url, _off in urls_in(text, any_scheme=any_scheme):
            host = host_of(url, any_scheme=any_scheme)
            if host is not None:
                yield url, host

    for site in sites(ctx):
        if site.cmd.name in _TEXT_ONLY:
            continue
        what = (
            "the environment's setup script"
            if site.origin == SETUP
            else (f"{site.event} hook script {site.script}" if site.script else "this hook command")
        )
        for word in site.cmd.argv[1:]:
            for url, word_host in hosts(word):
                yield UrlUse(url, word_host, site.locate_word(url), what)
    for hook in iter_hooks(ctx.inventory, scopes=[Scope.PROJECT]):
        hook_url = hook.handler.get("url")
        if hook.type == "http" and isinstance(hook_url, str):
            hook_host = host_of(hook_url)
            if hook_host is not None:
                what = f"this {hook.event} http hook"
                yield UrlUse(hook_url, hook_host, hook.locate("url"), what)
    for doc, name, server in mcp_servers(ctx):
        server_url = server.get("url")
        headers = server.get("headers")
        what = f'MCP server "{name}"'
        if isinstance(server_url, str):
            server_host = host_of(server_url, any_scheme=any_scheme)
            if server_host is not None:
                yield UrlUse(
                    server_url,
                    server_host,
                    doc.locate(("mcpServers", name, "url")),
                    what,
                    secret_headers=bool(headers) or "headersHelper" in server,
                )
        args = server.get("args")
        if isinstance(args, list):
            for i, arg in enumerate(args):
                for found, host in hosts(arg) if isinstance(arg, str) else ():
                    yield UrlUse(found, host, doc.locate(("mcpServers", name, "args", i)), what)
        env = server.get("env")
        for key, value in env.items() if isinstance(env, dict) else ():
            for found, host in hosts(value) if isinstance(value, str) else ():
                where = doc.locate(("mcpServers", name, "env", key))
                yield UrlUse(found, host, where, f"{what} (env {key})", value=True)
    yield from _env_uses(ctx, hosts)
    yield from _registry_uses(ctx)


# Variables that configure the way out (proxies), not a place to go.
_PROXY_VARIABLE = lazy_compile(r"(?i)(?:^|_)(?:no_)?proxy$")


def _env_uses(ctx: Context, hosts: Callable[[str], Iterator[tuple[str, str]]]) -> Iterator[UrlUse]:
    """URL values of project settings ``env`` (``ANTHROPIC_BASE_URL=https://…``)."""
    from parity.model import Kind, Scope

    for cf, doc in ctx.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        env = doc.value.get("env") if doc.ok and isinstance(doc.value, dict) else None
        for key, value in env.items() if isinstance(env, dict) else ():
            if not isinstance(value, str) or _PROXY_VARIABLE.search(str(key)):
                continue
            for found, host in hosts(value):
                what = f"the env variable {key} in {cf.display}"
                yield UrlUse(found, host, doc.locate(("env", key)), what, value=True)


def _registry_uses(ctx: Context) -> Iterator[UrlUse]:
    from parity.network import host_of

    for rel in ctx.repo.glob(*FILES["registry-config"]):
        if "node_modules" in PurePosixPath(rel).parts or not ctx.repo.in_clone(rel):
            continue
        base = PurePosixPath(rel).name
        key = _REGISTRY_FILES.get(base)
        doc = ctx.inventory.repo_file(rel) if key is not None else None
        if doc is None or key is None or not doc.ok:
            continue
        for n, line in enumerate(doc.text.splitlines(), start=1):
            if line.lstrip().startswith(("#", ";")) or not key.search(line):
                continue
            for url, off in urls_in(line):
                host = host_of(url)
                if host is not None:
                    yield UrlUse(url, host, Location(rel, n, off + 1), _WHAT[base])


# The GitHub proxy carries git and API traffic at every network level (reference §6.4).
ALWAYS_REACHABLE = frozenset({"github.com", "api.github.com"})


def blocked_host(env: Environment, host: str) -> bool:
    """True when a cloud session of ``env`` cannot reach ``host`` (what PAR302 reports)."""
    from parity.network import environment_allowlist

    if env.network == "full" or not checkable_host(host) or host in ALWAYS_REACHABLE:
        return False
    return not environment_allowlist(env).allows(host)


def level_phrase(env: Environment) -> str:
    """How a network level is named in messages."""
    return {
        "none": "network access None",
        "trusted": "the Trusted allowlist",
        "custom": "the environment's Custom allowlist",
        "full": "Full network access",
    }.get(env.network, env.network)
