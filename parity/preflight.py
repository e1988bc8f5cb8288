"""``parity preflight``: will a cloud session see what this checkout has?

A cloud session (``claude --remote``, the web, a routine) does not start from the working tree:
it clones the repository from GitHub (or, with the bundle seed, from an uploaded bundle of
``.git/``), checks out a pushed branch and runs with the cloud environment's variables. This
module compares what the local checkout has with what such a session would get: the remote, the
branch state, the findings of the pushed tree against those of HEAD, uncommitted configuration,
the variables the repository needs (names only) and the routines' needs. It only reads: git
objects, refs and the working tree's status; the pushed tree is linted in a throwaway clone.
"""

from __future__ import annotations

import enum
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from parity.config import Config
from parity.errors import ParityError
from parity.findings import Finding
from parity.git import run as git_run
from parity.git import toplevel

# The client's default limit on the bundle it uploads with the bundle seed: the
# ``tengu_ccr_bundle_max_bytes`` fallback read from client 2.1.330 (the server may change it).
BUNDLE_LIMIT = 100 * 1024 * 1024
# Remote hosts a cloud session clones from. GitHub Enterprise hosts (or a test double) are added
# with PARITY_GITHUB_HOSTS (comma-separated).
GITHUB_HOSTS = ("github.com", "www.github.com")
# What a cloud session reads as configuration, or what the setup reads to install: the union of
# the pre-commit hooks' file filters (.pre-commit-hooks.yaml), plus plugin manifests and .npmrc.
_CONFIG_PATH = re.compile(
    r"(^|/)(\.claude/|\.claude-plugin/|\.mcp\.json$|CLAUDE[^/]*\.md$|\.?parity\.toml$"
    r"|pyproject\.toml$|package(-lock)?\.json$|npm-shrinkwrap\.json$|setup\.py$"
    r"|pnpm-lock\.yaml$|yarn\.lock$|bun\.lockb?$|uv\.lock$|poetry\.lock$|Pipfile(\.lock)?$"
    r"|requirements[^/]*\.txt$|Gemfile(\.lock)?$|go\.(mod|sum)$|Cargo\.(toml|lock)$|\.npmrc$)"
)


class Status(enum.Enum):
    """The verdict of one preflight item; ``fail`` makes the command exit 1."""

    OK = "ok"
    INFO = "info"
    WARN = "warn"
    FAIL = "fail"


SECTIONS = ("repository", "branch", "lint", "working tree", "environment", "routines")


@dataclass(frozen=True)
class Item:
    """One line of the preflight report, with the fix when there is something to do."""

    section: str
    status: Status
    message: str
    fix: str | None = None
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preflight:
    """The whole report for one checkout."""

    root: Path
    items: tuple[Item, ...]

    @property
    def failed(self) -> bool:
        """True when a cloud session would not get what the local checkout has."""
        return any(i.status is Status.FAIL for i in self.items)


@dataclass(frozen=True)
class Remote:
    """A git remote and what a cloud session can do with it."""

    name: str
    url: str
    host: str
    github: bool


@dataclass
class _Git:
    """Read-only git in one work tree, hardened against what the repository configures."""

    root: Path

    def run(self, *args: str, check: bool = True) -> str:
        out = self.raw(*args, check=check)
        return out.decode("utf-8", "replace")

    def raw(self, *args: str, check: bool = True) -> bytes:
        proc = git_run(self.root, *args)
        if check and proc.returncode != 0:
            lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            raise ParityError(f"git {args[0]} failed: {lines[-1] if lines else '?'}")
        return proc.stdout if proc.returncode == 0 else b""


def github_hosts(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """github.com plus the hosts named in ``PARITY_GITHUB_HOSTS``."""
    env = os.environ if environ is None else environ
    extra = [h.strip().lower() for h in env.get("PARITY_GITHUB_HOSTS", "").split(",")]
    return (*GITHUB_HOSTS, *(h for h in extra if h))


def remote_host(url: str) -> str:
    """The host of a git remote URL (``https://``, ``ssh://``, scp-like ``git@host:path``).

    A local path or ``file://`` URL has the host ``file``.
    """
    if "://" in url:
        parts = urlsplit(url)
        if parts.scheme == "file":
            return "file"
        return (parts.hostname or "").lower()
    scp = re.match(r"^(?:[^@/]+@)?([^:/]+):(?!/)", url)
    if scp and not re.match(r"^[A-Za-z]:[\\/]", url):
        return scp.group(1).lower()
    return "file"


def bundle_seed(environ: Mapping[str, str] | None = None) -> bool:
    """True when the client is told to seed cloud sessions from an uploaded bundle."""
    env = os.environ if environ is None else environ
    return any(
        env.get(v, "") not in ("", "0", "false") for v in ("CCR_FORCE_BUNDLE", "CCR_ENABLE_BUNDLE")
    )


def is_config_path(rel: str, extra: Sequence[str] = ()) -> bool:
    """True for a path a cloud session reads as configuration, or its setup reads to install."""
    return bool(_CONFIG_PATH.search(rel)) or rel in extra


def run_preflight(
    root: Path,
    config: Config,
    *,
    environ: Mapping[str, str] | None = None,
    lint: bool = True,
) -> Preflight:
    """Compare what the checkout at ``root`` has with what a cloud session would get."""
    env = os.environ if environ is None else environ
    top = toplevel(root)
    if top is None:
        return Preflight(
            root,
            (
                Item(
                    "repository",
                    Status.FAIL,
                    "Not inside a git work tree: a cloud session starts from a clone of a "
                    "GitHub repository, so it gets none of this folder.",
                    "Make it a git repository (`git init`), commit, and push it to GitHub.",
                ),
            ),
        )
    git = _Git(top)
    extra = tuple(
        s
        for s in (config.cloud_init_script, *(e.setup_script for e in config.declared_environments))
        if s
    )
    items: list[Item] = []
    remotes = _remotes(git, github_hosts(env))
    seed = bundle_seed(env)
    items.extend(_repository(git, remotes, seed))
    branch = _branch(git)
    items.extend(branch.items(git, extra))
    if lint and branch.upstream is not None:
        items.extend(_lint_diff(git, branch, config))
    items.extend(_working_tree(git, extra))
    items.extend(_environment(git.root, config, env))
    items.extend(_routines(git.root, config, remotes))
    order = {s: i for i, s in enumerate(SECTIONS)}
    items.sort(key=lambda i: order[i.section])
    return Preflight(git.root, tuple(items))


# Repository


def _remotes(git: _Git, hosts: Sequence[str]) -> list[Remote]:
    found: list[Remote] = []
    for name in git.run("remote").split():
        # The URL as configured: `git remote get-url` would apply insteadOf rewriting, but the
        # cloud sees the repository under the name it is configured with.
        url = git.run("config", "--get", f"remote.{name}.url", check=False).strip()
        if not url:
            continue
        host = remote_host(url)
        found.append(Remote(name, url, host, host in hosts))
    return found


def _repository(git: _Git, remotes: list[Remote], seed: bool) -> Iterator[Item]:
    github = [r for r in remotes if r.github]
    if github:
        names = ", ".join(f"{r.name} ({_public_url(r.url)})" for r in github)
        yield Item("repository", Status.OK, f"GitHub remote: {names}.")
        return
    if remotes:
        where = ", ".join(f"{r.name} on {r.host}" for r in remotes)
        what = f"No remote on github.com (remotes: {where})"
    else:
        what = "No git remote"
    size = _bundle_size(git)
    size_text = f"{_mib(size)}" if size is not None else "unknown size"
    over = size is not None and size > BUNDLE_LIMIT
    limit = (
        f"; above the client's default bundle limit of {_mib(BUNDLE_LIMIT)} "
        "(client 2.1.330; the server may set another), so the upload may be refused or cut down"
        if over
        else f", within the client's default bundle limit of {_mib(BUNDLE_LIMIT)}"
    )
    if seed:
        yield Item(
            "repository",
            Status.WARN if over else Status.OK,
            f"{what}; the bundle seed is on (CCR_FORCE_BUNDLE / CCR_ENABLE_BUNDLE), so a "
            f"session starts from an upload of this repository's .git: about {size_text}{limit}.",
            "Shrink the history or push the repository to GitHub." if over else None,
        )
        return
    yield Item(
        "repository",
        Status.FAIL,
        f"{what}: Claude Code on the web, routines and `--remote` clone from GitHub, so they "
        f"cannot start from this repository. With the bundle seed the client uploads .git "
        f"instead: about {size_text}{limit}.",
        "Push the repository to GitHub (`git remote add origin git@github.com:OWNER/REPO.git`), "
        "or enable the bundle seed (CCR_ENABLE_BUNDLE=1) where your account allows it.",
    )


def _public_url(url: str) -> str:
    """A remote URL without credentials (``https://user:token@host/...`` is never shown)."""
    if "://" not in url:
        return url
    parts = urlsplit(url)
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return parts._replace(netloc=netloc).geturl()


def _bundle_size(git: _Git) -> int | None:
    """The size of a bundle of what the client uploads: branches, tags and HEAD."""
    if not git.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip():
        return 0
    with tempfile.TemporaryDirectory(prefix="parity-bundle-") as tmp:
        target = Path(tmp) / "repo.bundle"
        git.raw("bundle", "create", "-q", str(target), "--branches", "--tags", "HEAD", check=False)
        return target.stat().st_size if target.exists() else None


def _mib(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size, 0) / 1024:.0f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


# Branch


@dataclass
class _BranchState:
    name: str | None  # None: detached HEAD
    head: str | None  # None: no commit yet
    upstream: str | None = None
    ahead: list[str] = field(default_factory=list)
    behind: int = 0
    found: list[Item] = field(default_factory=list)

    def items(self, git: _Git, extra: Sequence[str]) -> Iterator[Item]:
        yield from self.found
        if self.upstream is None or self.head is None:
            return
        touching = _config_commits(git, f"{self.upstream}..HEAD", extra)
        if self.ahead:
            count = _plural(len(self.ahead), "commit")
            if touching:
                yield Item(
                    "branch",
                    Status.FAIL,
                    f"{count} not pushed to {self.upstream}, "
                    f"{len(touching)} of them changing configuration a cloud session reads:",
                    f"git push {_push_target(self.upstream)}",
                    tuple(touching),
                )
            else:
                yield Item(
                    "branch",
                    Status.WARN,
                    f"{count} not pushed to {self.upstream} (none changes configuration).",
                    f"git push {_push_target(self.upstream)}",
                )
        if self.behind:
            yield Item(
                "branch",
                Status.WARN,
                f"{self.upstream} has {_plural(self.behind, 'commit')} this checkout does not "
                "(as of the last fetch): a cloud session starts from them.",
                "git pull (and run parity check again)",
            )
        if not self.ahead and not self.behind:
            yield Item(
                "branch",
                Status.OK,
                f"{self.name} is in step with {self.upstream} (as of the last fetch).",
            )


def _branch(git: _Git) -> _BranchState:
    head = git.run("rev-parse", "--verify", "-q", "HEAD", check=False).strip() or None
    name = git.run("symbolic-ref", "-q", "--short", "HEAD", check=False).strip() or None
    state = _BranchState(name, head)
    if name is None:
        state.found.append(
            Item(
                "branch",
                Status.FAIL,
                "Detached HEAD: a cloud session checks out a branch, and a teleport brings a "
                "session back only onto its pushed branch.",
                "git switch -c <branch> && git push -u origin <branch>",
            )
        )
        return state
    if head is None:
        state.found.append(
            Item(
                "branch",
                Status.FAIL,
                f"Branch {name} has no commit yet: there is nothing a cloud session could clone.",
                "Commit the configuration and push the branch.",
            )
        )
        return state
    upstream = git.run(
        "rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{upstream}", check=False
    ).strip()
    if not upstream or not git.run("rev-parse", "--verify", "-q", upstream, check=False).strip():
        state.found.append(
            Item(
                "branch",
                Status.FAIL,
                f"Branch {name} has no upstream (it was never pushed, or its remote branch is "
                "gone): a cloud session cannot check it out.",
                f"git push -u origin {name}",
            )
        )
        return state
    state.upstream = upstream
    counts = git.run("rev-list", "--left-right", "--count", f"{upstream}...HEAD").split()
    state.behind = int(counts[0]) if counts else 0
    state.ahead = git.run("rev-list", f"{upstream}..HEAD").split()
    return state


def _config_commits(git: _Git, revs: str, extra: Sequence[str]) -> list[str]:
    """``<short sha> <subject>: <config files>`` for each commit of ``revs`` touching config."""
    out = git.run("log", "--format=%x00%h %s", "--name-only", "--no-renames", revs)
    result: list[str] = []
    for block in out.split("\0")[1:]:
        head, _, files = block.partition("\n")
        touched = [f for f in files.split("\n") if f and is_config_path(f, extra)]
        if touched:
            shown = ", ".join(touched[:5]) + (
                f" and {len(touched) - 5} more" if len(touched) > 5 else ""
            )
            result.append(f"{head.strip()}: {shown}")
    return result


def _push_target(upstream: str) -> str:
    remote, _, branch = upstream.partition("/")
    return f"{remote} HEAD:{branch}" if branch else upstream


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


# What the cloud would lint


def _lint_diff(git: _Git, branch: _BranchState, config: Config) -> Iterator[Item]:
    assert branch.upstream is not None  # noqa: S101 - the caller checked
    pushed_rev = git.run("rev-parse", "--verify", f"{branch.upstream}^{{commit}}").strip()
    if pushed_rev == branch.head:
        return
    with tempfile.TemporaryDirectory(prefix="parity-preflight-") as tmp:
        pushed = _lint_tree(git, pushed_rev, Path(tmp) / "pushed", config)
        local = _lint_tree(git, branch.head or "HEAD", Path(tmp) / "head", config)
    changed_locally = set(
        git.run("diff", "--name-only", "--no-renames", f"{pushed_rev}...HEAD").split("\n")
    )
    local_keys = {_key(f) for f in local}
    pushed_keys = {_key(f) for f in pushed}
    only_pushed = [f for f in pushed if _key(f) not in local_keys]
    only_local = [f for f in local if _key(f) not in pushed_keys]
    fixed = [f for f in only_pushed if f.path in changed_locally]
    remote_only = [f for f in only_pushed if f.path not in changed_locally]
    if fixed:
        yield Item(
            "lint",
            Status.FAIL,
            f"{_plural(len(fixed), 'finding')} fixed locally, not pushed: the pushed tree of "
            f"{branch.upstream} still has {'it' if len(fixed) == 1 else 'them'}.",
            f"git push {_push_target(branch.upstream)}",
            tuple(_describe(f) for f in fixed),
        )
    if remote_only:
        yield Item(
            "lint",
            Status.FAIL,
            f"{_plural(len(remote_only), 'finding')} present only in the pushed tree of "
            f"{branch.upstream} (commits this checkout does not have):",
            "git pull, then run parity check and fix them.",
            tuple(_describe(f) for f in remote_only),
        )
    if only_local:
        yield Item(
            "lint",
            Status.INFO,
            f"{_plural(len(only_local), 'finding')} only in local commits (a cloud session will "
            "see them once they are pushed):",
            "Fix them before you push (parity check).",
            tuple(_describe(f) for f in only_local),
        )
    if not (fixed or remote_only or only_local):
        yield Item(
            "lint",
            Status.OK,
            f"The pushed tree of {branch.upstream} has the same findings as HEAD "
            f"({_plural(len(local), 'finding')}).",
        )


def _key(finding: Finding) -> tuple[str, str, str]:
    # Line numbers move when unrelated lines change; the fingerprint and message do not.
    return (finding.code, finding.path, finding.fingerprint or finding.message)


def _describe(finding: Finding) -> str:
    return f"{finding.path}:{finding.line}:{finding.column} {finding.code} {finding.message}"


def _lint_tree(git: _Git, rev: str, dest: Path, config: Config) -> list[Finding]:
    """Findings of ``parity check`` on commit ``rev``, read from git objects into ``dest``.

    The throwaway clone shares the repository's objects (``--shared``: nothing is copied) and
    has a configuration of its own, so the repository's hooks and filters never run.
    """
    from parity.check import CheckOptions, run_check

    git.raw("clone", "-q", "--shared", "--no-checkout", str(git.root), str(dest))
    clone = _Git(dest)
    clone.raw("-c", "advice.detachedHead=false", "checkout", "-q", "--detach", rev)
    try:
        report = run_check(
            CheckOptions(
                paths=(dest,),
                config_file=config.source if _outside(config.source, git.root) else None,
            ),
            cwd=dest,
        )
    finally:
        shutil.rmtree(dest, ignore_errors=True)
    return list(report.findings)


def _outside(path: Path | None, root: Path) -> bool:
    """True for a config file given from outside the repository (it applies to both trees)."""
    if path is None:
        return False
    try:
        path.resolve().relative_to(root.resolve())
    except ValueError:
        return True
    return False


# Working tree


def _working_tree(git: _Git, extra: Sequence[str]) -> Iterator[Item]:
    out = git.raw("status", "--porcelain=v1", "-z", "--untracked-files=all", check=False)
    changed: list[str] = []
    untracked: list[str] = []
    other = 0
    records = out.split(b"\0")
    i = 0
    while i < len(records):
        record = records[i]
        i += 1
        if len(record) < 4:
            continue
        code, rel = record[:2].decode(), os.fsdecode(record[3:])
        if code[0] in "RC":
            i += 1  # the rename's source path follows
        if not is_config_path(rel, extra):
            other += 1
        elif code == "??":
            untracked.append(rel)
        else:
            changed.append(rel)
    if changed:
        yield Item(
            "working tree",
            Status.FAIL,
            f"{_plural(len(changed), 'configuration file')} with uncommitted changes: a cloud "
            "session and a teleport get the committed version only:",
            "Commit them (and push), or discard the changes.",
            tuple(changed),
        )
    if untracked:
        yield Item(
            "working tree",
            Status.FAIL,
            f"{_plural(len(untracked), 'untracked configuration file')}, which a cloud session "
            "does not get:",
            "git add and commit (or list in .gitignore what is personal).",
            tuple(untracked),
        )
    if other:
        yield Item(
            "working tree",
            Status.WARN,
            f"{_plural(other, 'other file')} not committed: `--teleport` needs a clean "
            "working tree.",
            "Commit or stash them before you teleport a session back.",
        )
    if not (changed or untracked or other):
        yield Item("working tree", Status.OK, "The working tree is clean.")


# Environment


def required_variables(root: Path, config: Config) -> list[tuple[str, str]]:
    """The variables the repository needs from the cloud environment: ``(name, where)``.

    ``${VAR}`` references in ``.mcp.json`` files and the names declared under
    ``[tool.parity.environments]``. Names only: values are never read here.
    """
    from parity.discover import discover_repo
    from parity.model import Inventory, Kind, Scope
    from parity.rules.par403_undeclared_mcp_variable import PROVIDED, variable_references

    needed: dict[str, str] = {}
    inventory = Inventory.build(discover_repo(root), None)
    for cf, doc in inventory.documents(Kind.MCP, scopes=(Scope.PROJECT,)):
        for server, _parts, name, default in variable_references(doc):
            if default is None and name not in PROVIDED:
                needed.setdefault(name, f'{cf.display} (server "{server}")')
    for environment in config.environments.values():
        for name in environment.env:
            needed.setdefault(name, f"environment {environment.name!r} ({_config_name(config)})")
    return sorted(needed.items())


def _config_name(config: Config) -> str:
    return config.source.name if config.source is not None else "parity config"


def _environment(root: Path, config: Config, environ: Mapping[str, str]) -> Iterator[Item]:
    needed = required_variables(root, config)
    if not needed:
        yield Item("environment", Status.OK, "The repository needs no environment variable.")
        return
    unset = [(n, w) for n, w in needed if not environ.get(n)]
    set_names = [n for n, _ in needed if environ.get(n)]
    details = tuple(
        f"{name} ({'set' if environ.get(name) else 'not set'} here; from {where})"
        for name, where in needed
    )
    yield Item(
        "environment",
        Status.INFO,
        f"The repository needs {_plural(len(needed), 'variable')} from the cloud environment's "
        f"settings ({len(set_names)} set in this shell, {len(unset)} not):",
        "Set each in the cloud environment's settings on claude.ai; `parity migrate --env-file "
        "FILE` writes the values you have as KEY=value lines to paste.",
        details,
    )


# Routines


def _routines(root: Path, config: Config, remotes: list[Remote]) -> Iterator[Item]:
    from parity.discover import discover_repo
    from parity.model import Inventory, Kind
    from parity.routines.model import read_routines

    inventory = Inventory.build(discover_repo(root), None)
    found = [
        r
        for cf, doc in inventory.documents(Kind.ROUTINES)
        if doc.ok and not doc.empty
        for r in read_routines(cf, doc)
    ]
    if not found:
        return
    declared = list(config.environments)
    problems: list[str] = []
    if declared:
        problems.extend(
            f'routine "{r.name}": environment "{r.environment}" is not declared '
            f"(declared: {', '.join(declared)})"
            for r in found
            if r.environment is not None and r.environment not in declared
        )
    if not any(r.github for r in remotes):
        problems.extend(
            f'routine "{r.name}": GitHub trigger {t.event or "(no event)"} on a repository '
            "with no GitHub remote never fires"
            for r in found
            for t in r.github
        )
    if problems:
        yield Item(
            "routines",
            Status.FAIL,
            f"{_plural(len(problems), 'routine problem')}:",
            "Declare the environment under [tool.parity.environments.<name>]; GitHub triggers "
            "need the repository on GitHub with the Claude GitHub App installed.",
            tuple(problems),
        )
    else:
        yield Item("routines", Status.OK, f"{_plural(len(found), 'routine')}: nothing missing.")


# Rendering

PREFLIGHT_VERSION = 1
_MARK = {Status.OK: "ok", Status.INFO: "info", Status.WARN: "warn", Status.FAIL: "FAIL"}
_STYLE = {Status.OK: "green", Status.INFO: "cyan", Status.WARN: "yellow", Status.FAIL: "red"}
_EMOJI = {Status.OK: "✅", Status.INFO: "🔹", Status.WARN: "⚠️", Status.FAIL: "❌"}


def _summary(report: Preflight) -> str:
    fails = sum(i.status is Status.FAIL for i in report.items)
    warns = sum(i.status is Status.WARN for i in report.items)
    if fails:
        also = f", {_plural(warns, 'warning')}" if warns else ""
        return (
            "A cloud session would not get what this checkout has: "
            f"{_plural(fails, 'problem')}{also}."
        )
    if warns:
        return f"A cloud session gets this checkout's configuration ({_plural(warns, 'warning')})."
    return "A cloud session gets this checkout's configuration."


def render_json(report: Preflight) -> str:
    """The report as JSON (``version`` changes when a field changes meaning)."""
    from parity.secrets import redact
    from parity.text import dumps

    doc = {
        "version": PREFLIGHT_VERSION,
        "root": str(report.root),
        "failed": report.failed,
        "items": [
            {
                "section": i.section,
                "status": i.status.value,
                "message": redact(i.message),
                "fix": i.fix,
                "details": [redact(d) for d in i.details],
            }
            for i in report.items
        ],
    }
    return dumps(doc) + "\n"


def render_markdown(report: Preflight) -> str:
    """The report as GitHub-flavoured Markdown (repository text shown as text, never markup)."""
    from parity.text import clean, md_code, md_text

    lines = ["### Cloud preflight", "", _summary(report), ""]
    for section in SECTIONS:
        items = [i for i in report.items if i.section == section]
        if not items:
            continue
        lines.append(f"**{section.capitalize()}**")
        lines.append("")
        for i in items:
            lines.append(f"- {_EMOJI[i.status]} {md_text(clean(i.message))}")
            lines.extend(f"  - {md_code(clean(d))}" for d in i.details)
            if i.fix and i.status is not Status.OK:
                lines.append(f"  - fix: {md_text(i.fix)}")
        lines.append("")
    return "\n".join(lines)


def render_text(report: Preflight, *, color: bool = False) -> str:
    """The report for a terminal: one block per section, one line per item, then the fix."""
    from parity.text import clean

    lines: list[str] = []
    for section in SECTIONS:
        items = [i for i in report.items if i.section == section]
        if not items:
            continue
        lines.append(section.capitalize())
        for i in items:
            mark = f"{_MARK[i.status]:>4}"
            if color:
                mark = f"\x1b[{_ANSI[_STYLE[i.status]]}m{mark}\x1b[0m"
            lines.append(f"  {mark}  {clean(i.message)}")
            lines.extend(f"          {clean(d)}" for d in i.details)
            if i.fix and i.status is not Status.OK:
                lines.append(f"          fix: {i.fix}")
    lines.append("")
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


_ANSI = {"green": "32", "cyan": "36", "yellow": "33", "red": "31"}


def render(report: Preflight, output_format: str, *, color: bool = False) -> str:
    """Render ``report`` as ``text``, ``json`` or ``markdown``."""
    if output_format == "json":
        return render_json(report)
    if output_format == "markdown":
        return render_markdown(report)
    return render_text(report, color=color)
