"""Plan the move of user- and local-scope config into the repository (pure: reads only).

:func:`plan_migration` reads the inventory (repository and home) and returns a
:class:`Migration`: the :class:`parity.apply.Plan` that :func:`parity.apply.apply` writes, one
:class:`Move` per item it moves, the items it leaves with a reason, and the environment variable
names a cloud session must provide. No secret value ever enters a planned file: literal secrets in
MCP servers become ``${NAME}`` references, secret ``env`` entries become names only, and a file
to copy that holds a secret is left where it is.
"""

from __future__ import annotations

import functools
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from parity.apply import Fence, GitChmod, Plan, Skipped, WriteFile, sha256
from parity.discover import Home
from parity.errors import ParityError, UsageError
from parity.items import (
    Item,
    ItemKind,
    Unreadable,
    build_items,
    hook_identity,
    marketplace_declaration,
    unreadable_files,
)
from parity.jsonedit import append_item, set_member
from parity.model import Inventory, Kind, Scope
from parity.rules._secrets import walk_strings
from parity.secrets import (
    is_secret_key,
    redact,
    reference_span,
    references,
    scan_text,
    scan_value,
)
from parity.text import clean, display, dumps

# The ``--only`` kinds, in the order a plan handles them.
KINDS = ("rules", "skills", "agents", "commands", "claude-md", "mcp", "hooks", "plugins", "env")
MCP_FILE = ".mcp.json"
SETTINGS = ".claude/settings.json"
LOCAL_SETTINGS = ".claude/settings.local.json"
NAMES_ONLY = "[environments]"  # where a secret env var goes: its name, declared for the cloud
HOOKS_DIR = ".claude/hooks"
BEGIN = "<!-- parity:migrate begin {source} -->"
END = "<!-- parity:migrate end {source} -->"
# Marketplaces every client knows: enabling their plugins needs no declaration.
_OFFICIAL = frozenset({"claude-plugins-official", "claude-code-plugins", "anthropic-agent-skills"})
_IMPORT = re.compile(r"(?<![\w@`])@((?:~/|/|\.{1,2}/)?[\w.~/-]*\.[\w]+)")
_MAX_COPY = 2_000_000  # bytes of one file; a larger "config" file is not config
_MAX_SKILL_FILES = 500


@dataclass(frozen=True)
class Move:
    """One item the plan moves: what, from where, to where, and how."""

    kind: str
    item: str
    source: str
    target: str
    reason: str


@dataclass(frozen=True)
class Notice:
    """Something to know before moving an item (a server that reaches localhost, a host the
    declared network level blocks): it moves, but may not work in a cloud session."""

    kind: str
    item: str
    message: str


@dataclass(frozen=True)
class Duplicate:
    """A hook the plan copies into the repository from a file parity never edits: once applied,
    it runs twice in your own sessions until you remove these lines there."""

    source: str  # "~/.claude/settings.json"
    pointer: str  # "/hooks/SessionStart/0": what to remove
    lines: tuple[tuple[int, str], ...]  # its exact lines, numbered as in the file


@dataclass(frozen=True)
class Outcome:
    """What the plan does with one item: moved (to ``target``) or left, and why."""

    moved: bool
    reason: str
    target: str = ""  # where it goes, or (``present``) where the repository already has it
    present: bool = False  # the repository already has it (in ``target``)


@dataclass(frozen=True)
class Migration:
    """A migration plan: the file actions, the item moves, and what is left with a reason."""

    plan: Plan
    moves: tuple[Move, ...] = ()
    notices: tuple[Notice, ...] = ()
    duplicates: tuple[Duplicate, ...] = ()
    # (kind, name, source) of every user and local item -> what the plan does with it: the one
    # answer `parity status` gives as the fix.
    outcomes: dict[tuple[str, str, str], Outcome] = field(default_factory=dict)
    # Secret name -> (value, where it was found), for `parity migrate --env-file` only: never
    # rendered, never written into the repository.
    values: dict[str, tuple[str, str]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """Items not moved, each with its reason."""
        return self.plan.skipped

    @property
    def environment(self) -> tuple[str, ...]:
        """Variable names the cloud environment must provide (never values)."""
        return self.plan.environment


@dataclass(frozen=True)
class MigrateOptions:
    """What to plan: ``only`` kinds (None: all), item names to leave out, and whether the
    personal local scope (``.claude/settings.local.json``) moves too."""

    only: frozenset[str] | None = None
    exclude: frozenset[str] = frozenset()
    include_local: bool = False

    @classmethod
    def parse(
        cls, only: Iterable[str] = (), exclude: Iterable[str] = (), *, include_local: bool = False
    ) -> MigrateOptions:
        """Options from ``--only a,b`` and ``--exclude X`` values; UsageError on an unknown kind."""
        kinds = {k.strip() for value in only for k in value.split(",") if k.strip()}
        unknown = sorted(kinds - set(KINDS))
        if unknown:
            raise UsageError(
                f"--only: unknown kind {unknown[0]!r} (choose from {', '.join(sorted(KINDS))})"
            )
        return cls(
            frozenset(kinds) or None,
            frozenset(e.strip() for e in exclude if e.strip()),
            include_local,
        )


class _Drafts:
    """The planned new content of each repository file, starting from what is on disk."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.original: dict[str, bytes | None] = {}
        self.content: dict[str, bytes] = {}
        self.modes: dict[str, int] = {}

    @functools.cached_property
    def fence(self) -> Fence:
        """Where the plan may write (asked of git once)."""
        return Fence.of(self.root)

    def unsafe(self, rel: str) -> str | None:
        """Why writing ``rel`` is refused, or None when it is safe."""
        try:
            self.fence.target(rel)
        except ParityError as exc:
            return str(exc).removeprefix("refusing to write ")
        data = self.read(rel)
        if data is not None and rel not in self.content:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                # Editing its text would change bytes that are not the plan's to change.
                return f"{rel} is not UTF-8 text (it stays as it is; save it as UTF-8 first)"
        return None

    def read(self, rel: str) -> bytes | None:
        """The current planned bytes of ``rel`` (None: the file does not exist)."""
        if rel in self.content:
            return self.content[rel]
        if rel not in self.original:
            path = self.root / rel
            try:
                self.original[rel] = path.read_bytes() if path.is_file() else None
            except OSError:
                self.original[rel] = None
        return self.original[rel]

    def text(self, rel: str) -> str:
        data = self.read(rel)
        return "" if data is None else data.decode("utf-8")

    def put(self, rel: str, data: bytes, mode: int | None = None) -> None:
        self.read(rel)
        self.content[rel] = data
        if mode is not None:
            self.modes[rel] = mode

    def ensure(self, rel: str, data: bytes, mode: int | None = None) -> str | None:
        """Plan ``rel`` to hold ``data``; a reason when it already holds something else."""
        why = self.unsafe(rel)
        if why is not None:
            return why
        now = self.read(rel)
        if now is None:
            self.put(rel, data, mode)
            return None
        if now != data:
            return f"{rel} already exists with different content (the repository's stays)"
        return None

    def actions(self) -> Iterator[WriteFile | GitChmod]:
        for rel, data in self.content.items():
            old = self.original.get(rel)
            if old == data:
                continue
            mode = self.modes.get(rel)
            yield WriteFile(rel, data, mode, None if old is None else sha256(old))
            if mode is not None and mode & 0o111:
                yield GitChmod(rel, executable=True)


@dataclass
class _Planner:
    inventory: Inventory
    home: Home
    options: MigrateOptions
    drafts: _Drafts
    items: list[Item]
    moves: list[Move] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    environment: list[str] = field(default_factory=list)
    secret_names: dict[str, str] = field(default_factory=dict)
    notices: list[Notice] = field(default_factory=list)
    moved_hooks: list[Any] = field(default_factory=list)  # HookHandler
    outcomes: dict[tuple[str, str, str], Outcome] = field(default_factory=dict)
    values: dict[str, tuple[str, str]] = field(default_factory=dict)  # see Migration.values

    # -- bookkeeping --------------------------------------------------------------------------

    def move(self, item: Item, target: str, reason: str) -> None:
        self.moves.append(
            Move(item.kind.value, _safe_name(item), item.file.display, target, reason)
        )
        self.outcomes[_key(item)] = Outcome(True, reason, target)

    def skip(self, item: Item, reason: str) -> None:
        self.skipped.append(
            Skipped(item.kind.value, _safe_name(item), item.file.display, clean(reason))
        )
        self.outcomes[_key(item)] = Outcome(False, redact(reason))

    def present(self, item: Item, rel: str, how: str = "") -> None:
        """``item`` needs no move: the repository already has it, in ``rel``."""
        self.skip(item, f"already in the repository ({how}{rel})")
        self.outcomes[_key(item)] = Outcome(False, self.outcomes[_key(item)].reason, rel, True)

    def notice(self, item: Item, message: str) -> None:
        self.notices.append(Notice(item.kind.value, _safe_name(item), redact(message)))

    def need(self, name: str) -> None:
        if name not in self.environment:
            self.environment.append(name)

    def project(self, item: Item) -> list[Item]:
        return [
            other
            for other in self.items
            if other.scope is Scope.PROJECT and other.key == item.key and other is not item
        ]

    def home_file(self, path: Path) -> tuple[bytes | None, str]:
        """The bytes of a home file to copy, or None and why not."""
        real_home = self.home.home.resolve()
        try:
            real = path.resolve()
        except (OSError, RuntimeError):
            return None, f"{self.home.display(path)} cannot be resolved"
        if path.is_symlink() and real_home not in real.parents:
            return None, f"{self.home.display(path)} is a symlink leading out of the home"
        if not real.is_file():
            return None, f"{self.home.display(path)} does not exist"
        if real.stat().st_size > _MAX_COPY:
            return None, f"{self.home.display(path)} is too large to be configuration"
        data = real.read_bytes()
        if _has_secret(data):
            return None, f"{self.home.display(path)} contains a secret; move it by hand"
        return data, ""


def _safe_name(item: Item) -> str:
    return clean(item.name)


def _key(item: Item) -> tuple[str, str, str]:
    return (item.kind.value, item.name, item.file.display)


def outcome_of(migration: Migration, item: Item) -> Outcome | None:
    """What ``migration`` does with ``item`` (None: the plan did not consider it)."""
    return migration.outcomes.get(_key(item))


def _has_secret(data: bytes) -> bool:
    # A byte that is not UTF-8 (a Latin-1 "é") becomes U+FFFD and every ASCII byte stays itself:
    # a key beside it is still found.
    return bool(scan_text(data.decode("utf-8", "replace")))


def _writable_settings(p: _Planner, item: Item) -> dict[str, Any] | None:
    """The project settings object an item will be merged into, or None (the skip is recorded)."""
    why = p.drafts.unsafe(SETTINGS)
    if why is not None:
        p.skip(item, why)
        return None
    current = _json_value(p, SETTINGS)
    if current is _BROKEN or (current is not None and not isinstance(current, dict)):
        p.skip(item, f"{SETTINGS} is not a valid JSON object; fix it first")
        return None
    return current or {}


# --------------------------------------------------------------------------------------------
# Entry point


def plan_migration(
    inventory: Inventory, options: MigrateOptions | None = None, *, strict: bool = True
) -> Migration:
    """The migration plan for the inventory's repository and home (reads only).

    With ``strict`` (the default), a file the plan reads items from or merges into that does
    not parse stops planning with a ParityError: a plan made without it would leave its items
    out, or apply only part of what was asked. ``parity status`` plans with ``strict=False`` and
    reports the unreadable files itself.
    """
    if inventory.home is None:
        raise ParityError("parity migrate needs the user scope (the home) in the inventory")
    options = options or MigrateOptions()
    if strict:
        broken = blocking_files(inventory, options)
        if broken:
            raise ParityError(_unreadable_message(broken))
    items = build_items(inventory)
    planner = _Planner(inventory, inventory.home, options, _Drafts(inventory.repo.root), items)
    sources = [i for i in items if i.scope in (Scope.USER, Scope.LOCAL)]
    handlers = {
        "rules": _copy_file,
        "agents": _copy_file,
        "commands": _copy_file,
        "skills": _skill,
        "claude-md": _claude_md,
        "mcp": _mcp,
        "hooks": _hook,
        "plugins": _plugin,
        "env": _env,
    }
    mcp_local = {i.name for i in sources if i.kind is ItemKind.MCP and i.scope is Scope.LOCAL}
    for kind in KINDS:
        if options.only is not None and kind not in options.only:
            continue
        ordered = sorted(sources, key=lambda i: i.kind is ItemKind.MARKETPLACE)
        for item in ordered:
            if item.kind.value != kind and not (
                kind == "plugins" and item.kind is ItemKind.MARKETPLACE
            ):
                continue
            if item.name in options.exclude or f"{kind}:{item.name}" in options.exclude:
                planner.skip(item, "excluded (--exclude)")
                continue
            if item.scope is Scope.LOCAL and item.committed:
                # Moving it would make a hook run twice: both files are read.
                planner.skip(item, f"already in the repository ({item.file.display} is committed)")
                continue
            if _personal(item) and not options.include_local:
                planner.skip(item, f"{LOCAL_SETTINGS} is personal; --include-local moves it")
                continue
            if item.kind is ItemKind.MCP and item.scope is Scope.USER and item.name in mcp_local:
                planner.skip(item, "shadowed by this repository's local-scope server of that name")
                continue
            handlers[kind](planner, item)
    if options.only is None:
        _settings_left(planner)
    if planner.environment:
        _declare_environment(planner)
    actions = tuple(planner.drafts.actions())
    plan = Plan(actions, tuple(planner.skipped), tuple(planner.environment))
    return Migration(
        plan,
        tuple(planner.moves),
        tuple(planner.notices),
        _duplicates(planner.moved_hooks),
        dict(planner.outcomes),
        dict(planner.values),
    )


def _personal(item: Item) -> bool:
    """True for an item of ``.claude/settings.local.json``, the personal local scope."""
    return item.scope is Scope.LOCAL and item.file.kind is Kind.SETTINGS


def blocking_files(inventory: Inventory, options: MigrateOptions) -> list[Unreadable]:
    """Unreadable files that a plan for ``options`` would read items from or merge into."""
    found = []
    for bad in unreadable_files(inventory):
        source = bad.file.scope in (Scope.USER, Scope.LOCAL)
        target = bad.file.scope is Scope.PROJECT and bad.file.rel in (SETTINGS, MCP_FILE)
        wanted = options.only is None or bool(options.only & set(bad.kinds))
        if (source or target) and wanted:
            found.append(bad)
    return found


def _unreadable_message(broken: list[Unreadable]) -> str:
    """One line: each file that does not parse, and the way on."""
    files = "; ".join(bad.message for bad in broken)
    others = [k for k in KINDS if k not in {k for bad in broken for k in bad.kinds}]
    return (
        f"cannot plan: {files}. Fix {'it' if len(broken) == 1 else 'them'} and run again, or "
        f"move the other kinds only (--only {','.join(others)}); nothing was written"
    )


# --------------------------------------------------------------------------------------------
# Files: rules, agents, commands, skills


def _copy_file(p: _Planner, item: Item) -> None:
    sub = {ItemKind.RULE: "rules", ItemKind.AGENT: "agents", ItemKind.COMMAND: "commands"}
    folder = sub[item.kind]
    base = p.home.config_dir / folder
    try:
        rel_in = item.file.path.relative_to(base).as_posix()
    except ValueError:
        p.skip(item, "not under ~/.claude")
        return
    target = f".claude/{folder}/{rel_in}"
    data, why = p.home_file(item.file.path)
    if data is None:
        p.skip(item, why)
        return
    others = [o for o in p.project(item) if o.file.rel != target]
    if item.kind is ItemKind.AGENT and others:
        p.skip(
            item, f"conflict: the repository defines agent {item.name!r} in {others[0].file.rel}"
        )
        return
    problem = p.drafts.ensure(target, data)
    if problem is not None:
        p.skip(item, f"conflict: {problem}")
        return
    if p.drafts.original.get(target) == data:
        p.present(item, target)
        return
    p.move(item, target, "copied")


def _skill(p: _Planner, item: Item) -> None:
    folder = item.file.path.parent
    target = f".claude/skills/{folder.name}"
    files: list[tuple[str, bytes, int]] = []
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            data, problem = p.home_file(path)
            if data is None:
                p.skip(item, problem)
                return
            rel = path.relative_to(folder).as_posix()
            files.append((f"{target}/{rel}", data, stat.S_IMODE(path.stat().st_mode)))
            if len(files) > _MAX_SKILL_FILES:
                p.skip(item, f"more than {_MAX_SKILL_FILES} files; copy it by hand")
                return
    for rel, data, _mode in files:
        unsafe = p.drafts.unsafe(rel)
        if unsafe is not None:
            p.skip(item, unsafe)
            return
        now = p.drafts.read(rel)
        if now is not None and now != data:
            p.skip(item, f"conflict: {rel} exists with different content (the repository's stays)")
            return
    new = [(rel, data, mode) for rel, data, mode in files if p.drafts.read(rel) is None]
    if not new:
        p.present(item, target + "/")
        return
    for rel, data, mode in new:
        p.drafts.put(rel, data, mode if mode & 0o111 else None)
    p.move(item, target + "/", f"copied {len(new)} file{'s' if len(new) != 1 else ''}")


# --------------------------------------------------------------------------------------------
# CLAUDE.md


def _claude_md(p: _Planner, item: Item) -> None:
    if item.scope is not Scope.USER:
        p.skip(item, "personal notes stay personal; copy what the project needs into CLAUDE.md")
        return
    data, why = p.home_file(item.file.path)
    if data is None:
        p.skip(item, why)
        return
    source = item.file.display
    begin, end = BEGIN.format(source=source), END.format(source=source)
    target = "CLAUDE.md" if p.drafts.read("CLAUDE.md") is not None else ".claude/CLAUDE.md"
    for candidate in ("CLAUDE.md", ".claude/CLAUDE.md"):
        if begin in p.drafts.text(candidate) if p.drafts.unsafe(candidate) is None else False:
            target = candidate
    unsafe = p.drafts.unsafe(target)
    if unsafe is not None:
        p.skip(item, unsafe)
        return
    body = data.decode("utf-8", "replace")
    rewritten = _rewrite_imports(p, item, body, item.file.path.parent, target, depth=0)
    if rewritten is None:
        return
    section = f"{begin}\n{rewritten.rstrip()}\n{end}\n"
    text = p.drafts.text(target)
    start = text.find(begin)
    if start >= 0:
        stop = text.find(end, start)
        stop = len(text) if stop < 0 else stop + len(end) + 1
        new = text[:start] + section + text[stop:]
    else:
        sep = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
        new = text + sep + section
    if new == text:
        p.present(item, target, "marked section of ")
        return
    p.drafts.put(target, new.encode("utf-8"))
    p.move(item, target, "marked section" if start < 0 else "marked section updated")


def _rewrite_imports(  # noqa: PLR0917 - one recursive helper, called from two places
    p: _Planner, item: Item, text: str, base: Path, target: str, depth: int
) -> str | None:
    """``text`` with ``@`` imports of home files copied into the repo and pointed there."""
    out: list[str] = []
    fence = False
    for line in text.splitlines(keepends=True):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        if fence or "@" not in line:
            out.append(line)
            continue
        pieces: list[str] = []
        last = 0
        for m in _IMPORT.finditer(line):
            if line.count("`", 0, m.start()) % 2:
                continue  # inside a code span
            spelled = m.group(1)
            path = _resolve(p.home, spelled, base)
            if path is None:
                continue
            repo_rel = _import_target(p, path)
            if repo_rel is None:
                p.skip(item, f"import @{spelled} is outside the home and the repository")
                return None
            data, why = p.home_file(path)
            if data is None:
                p.skip(item, f"import @{spelled}: {why}")
                return None
            if depth < 4 and path.suffix == ".md":
                nested = _rewrite_imports(
                    p, item, data.decode("utf-8", "replace"), path.parent, repo_rel, depth + 1
                )
                if nested is None:
                    return None
                data = nested.encode("utf-8")
            problem = p.drafts.ensure(repo_rel, data)
            if problem is not None:
                p.skip(item, f"import @{spelled}: {problem}")
                return None
            relative = os.path.relpath(repo_rel, PurePosixPath(target).parent.as_posix())
            pieces.append(line[last : m.start(1)] + relative)
            last = m.end(1)
        out.append("".join(pieces) + line[last:])
    return "".join(out)


def _resolve(home: Home, spelled: str, base: Path) -> Path | None:
    if spelled.startswith("~/"):
        path = home.home / spelled[2:]
    elif spelled.startswith("/"):
        path = Path(spelled)
    else:
        path = base / spelled
    return path if path.is_file() else None


def _import_target(p: _Planner, path: Path) -> str | None:
    """Where an imported file goes in the repository (None: neither home nor repository)."""
    repo = p.inventory.repo.rel(path)
    if repo is not None and not repo.startswith("../"):
        return repo
    for base, prefix in ((p.home.config_dir, ".claude/"), (p.home.home, ".claude/imports/")):
        try:
            rel = path.absolute().relative_to(base.absolute()).as_posix()
        except ValueError:
            continue
        if prefix == ".claude/" and rel.split("/")[0] not in (
            "rules",
            "skills",
            "agents",
            "commands",
        ):
            return f".claude/imports/{rel}"
        return prefix + rel
    return None


# --------------------------------------------------------------------------------------------
# MCP servers


_STDIO = ("type", "command", "args", "env")
_REMOTE = ("type", "url", "headers", "oauth")


def _mcp(p: _Planner, item: Item) -> None:
    spec = item.data
    if not isinstance(spec, dict):
        p.skip(item, "not an object (the client skips it)")
        return
    shaped = _project_shape(spec)
    if shaped is None:
        p.skip(item, "a url without a type, or a command-less stdio server (the client skips it)")
        return
    names: list[str] = []
    shaped = _replace_secrets(p, item, shaped, names)
    text = repr(shaped)
    if scan_text(text):
        p.skip(item, "holds a secret parity cannot turn into a ${VAR} reference")
        return
    home_ref = _home_reference(p.home, shaped)
    if home_ref is not None:
        p.skip(item, f"runs or reads {home_ref} in the home, which a cloud session does not have")
        return
    why = p.drafts.unsafe(MCP_FILE)
    if why is not None:
        p.skip(item, why)
        return
    current = _json_value(p, MCP_FILE)
    if current is _BROKEN:
        p.skip(item, f"{MCP_FILE} is not valid JSON; fix it first")
        return
    servers = current.get("mcpServers") if isinstance(current, dict) else None
    if isinstance(servers, dict) and item.name in servers:
        existing = servers[item.name]
        if isinstance(existing, dict) and _project_shape(existing) == shaped:
            p.present(item, MCP_FILE)
        else:
            p.skip(item, f"conflict: {MCP_FILE} defines {item.name!r} differently (it stays)")
        return
    if current is not None and not isinstance(servers, (dict, type(None))):
        p.skip(item, f"{MCP_FILE} has a mcpServers that is not an object")
        return
    new = set_member(p.drafts.text(MCP_FILE), ["mcpServers", item.name], shaped)
    p.drafts.put(MCP_FILE, new.encode("utf-8"))
    for name in names:
        p.need(name)
    for ref in _references(shaped):
        p.need(ref)
    note = f"secrets became ${{{'}, ${'.join(names)}}}" if names else "copied"
    p.move(item, MCP_FILE, note if names else f"{item.scope.value}-scope server, copied")
    _reach_notices(p, item, shaped)


_LOCAL_HOSTS = ("localhost", "127.0.0.1", "0.0.0.0", "::1")  # noqa: S104 - names, not a bind


def _reach_notices(p: _Planner, item: Item, spec: dict[str, Any]) -> None:
    """Say now what would not work once the server is moved: localhost, hosts PAR302 flags."""
    from parity.network import host_of
    from parity.rules._cloud import blocked_host, level_phrase, urls_in

    words: list[tuple[str, str]] = []  # (where, text)
    if isinstance(spec.get("url"), str):
        words.append(("url", spec["url"]))
    for i, arg in enumerate(spec.get("args") or []):
        if isinstance(arg, str):
            words.append((f"args[{i}]", arg))
    for field_name in ("env", "headers"):
        values = spec.get(field_name)
        if isinstance(values, dict):
            words.extend((f"{field_name}.{k}", v) for k, v in values.items() if isinstance(v, str))
    local = [where for where, text in words if _local_host(text)]
    if local:
        p.notice(
            item,
            f"reaches localhost ({', '.join(local)}): a cloud session has no such service, so "
            "the server cannot connect there; point it at a host the cloud reaches, or leave it "
            f"out (--exclude {item.name})",
        )
    environments = _environments(p)
    for where, text in words:
        for url, _offset in urls_in(text):
            host = host_of(url)
            for env in environments:
                if host is not None and blocked_host(env, host):
                    p.notice(
                        item,
                        f"reaches {host} ({where}), which {level_phrase(env)} does not allow: "
                        "in a cloud session the proxy answers 403, and parity check reports "
                        f'PAR302 once it is moved; allow the host (network = "custom" with '
                        "allow) or leave the server out",
                    )


def _local_host(text: str) -> bool:
    from urllib.parse import urlsplit

    for match in re.finditer(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s'\"]+", text):
        try:
            host = urlsplit(match.group()).hostname
        except ValueError:
            continue
        if host is not None and (host in _LOCAL_HOSTS or host.startswith("127.")):
            return True
    word = text.strip().lower()
    return any(word == h or word.startswith(h + ":") for h in _LOCAL_HOSTS)


def _environments(p: _Planner) -> list[Any]:
    from parity.config import load_config
    from parity.errors import ConfigError

    try:
        return load_config(p.inventory.repo.root).declared_environments
    except ConfigError:
        return []


def _project_shape(spec: dict[str, Any]) -> dict[str, Any] | None:
    """``spec`` in the key order and shape ``claude mcp add -s project`` writes."""
    kind = spec.get("type")
    if kind is None:
        if "url" in spec:
            return None
        kind = "stdio"
    if kind == "stdio":
        if not isinstance(spec.get("command"), str) or not spec["command"]:
            return None
        out: dict[str, Any] = {
            "type": "stdio",
            "command": spec["command"],
            "args": spec.get("args", []),
        }
        if spec.get("env"):  # an empty "env": {} says nothing
            out["env"] = spec["env"]
        order = _STDIO
    else:
        out = {"type": kind}
        out.update({k: spec[k] for k in _REMOTE[1:] if k in spec})
        order = _REMOTE
    out.update({k: v for k, v in spec.items() if k not in order})
    return out


def _var(*parts: str) -> str:
    name = re.sub(r"[^A-Za-z0-9]+", "_", "_".join(parts)).strip("_").upper()
    return name if name and not name[0].isdigit() else f"MCP_{name}"


def _by_kind(server: str, kind: str | None) -> str:
    """A variable name from the server and what the secret is: POSTGRES_PASSWORD, GITHUB_TOKEN.

    The secret's kind says what it is ("password in URL", "GitHub token"); words the server's
    name already has are not repeated.
    """
    if kind is None:
        return _var(server, "secret")
    if kind == "password in URL":
        return _var(server, "password")
    have = set(_var(server).split("_"))
    words = [w for w in _var(kind).split("_") if w not in have]
    return _var(server, *words) if words else _var(server, "secret")


def _replace_secrets(p: _Planner, item: Item, spec: dict[str, Any], names: list[str]) -> Any:
    """``spec`` with literal secrets replaced by ``${NAME}``; the names go into ``names``.

    A secret stored under a name (an env variable, a header, an ``--option``) is named after it;
    one in a bare argument or inside a URL after the server and what the secret is.
    """
    server = item.name

    def swap(value: str, key: str | None, hint: str | None) -> str:
        found = _secret_span(value, key)
        while found is not None:
            start, end, kind = found
            secret = value[start:end]
            name = _unique(p, hint or _by_kind(server, kind), secret)
            where = f"{key}" if key else (kind or "a value")
            p.values.setdefault(name, (secret, f'{item.file.display}, server "{server}", {where}'))
            name, start, end = reference_span(value, start, end, name)
            value = value[:start] + "${" + name + "}" + value[end:]
            if name not in names:
                names.append(name)
            found = _secret_span(value, key)
        return value

    out = dict(spec)
    if isinstance(out.get("env"), dict):
        out["env"] = {
            k: swap(v, k, k if re.fullmatch(r"[A-Za-z_]\w*", k) else _var(server, k))
            if isinstance(v, str)
            else v
            for k, v in out["env"].items()
        }
    if isinstance(out.get("headers"), dict):
        out["headers"] = {
            k: swap(v, k, _var(server, "token" if k.lower() == "authorization" else k))
            if isinstance(v, str)
            else v
            for k, v in out["headers"].items()
        }
    if isinstance(out.get("args"), list):
        args: list[Any] = []
        for i, arg in enumerate(out["args"]):
            if not isinstance(arg, str):
                args.append(arg)
                continue
            flag, eq, rest = arg.partition("=")
            prev = out["args"][i - 1] if i else None
            if eq and flag.startswith("-"):
                option = flag.lstrip("-")
                args.append(f"{flag}=" + swap(rest, option, _var(server, option)))
                continue
            key: str | None = (
                prev.lstrip("-") if isinstance(prev, str) and prev.startswith("-") else None
            )
            # Named after the option only when it names a credential (--api-key, not --verbose).
            named = key is not None and is_secret_key(key)
            args.append(swap(arg, key, _var(server, key) if named and key else None))
        out["args"] = args
    if isinstance(out.get("url"), str):
        url = out["url"]
        query = url.partition("?")[2]
        for pair in query.split("&"):
            k, eq, v = pair.partition("=")
            if eq and v and _secret_span(v, k) is not None:
                url = url.replace(f"{k}={v}", f"{k}=" + swap(v, k, _var(server, k)), 1)
        out["url"] = swap(url, None, None)
    return out


_SCHEME = re.compile(r"^(?:bearer|basic|token)\s+", re.IGNORECASE)


def _secret_span(value: str, key: str | None) -> tuple[int, int, str | None] | None:
    """Where a secret is in ``value``, and its kind; under a credential name any literal counts.

    Migration is deliberately stricter than the linter: a literal under ``Authorization`` or
    ``*_API_KEY`` is moved out of the repository even when it looks like a placeholder.
    """
    found = scan_value(value, key=key)
    if found is not None:
        return found.start, found.end, found.kind
    if not is_secret_key(key):
        return None
    scheme = _SCHEME.match(value)
    start = scheme.end() if scheme else 0
    literal = value[start:].strip()
    if not literal or literal.startswith("$"):
        return None
    return start, len(value.rstrip()), None


def _unique(p: _Planner, hint: str, secret: str) -> str:
    digest = sha256(secret.encode())
    name = hint
    n = 2
    while p.secret_names.get(name, digest) != digest:
        name = f"{hint}_{n}"
        n += 1
    p.secret_names[name] = digest
    return name


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        for name, _default, _s, _e in references(value):
            yield name
    elif isinstance(value, dict):
        for v in value.values():
            yield from _references(v)
    elif isinstance(value, list):
        for v in value:
            yield from _references(v)


def _home_reference(home: Home, value: Any) -> str | None:
    if isinstance(value, str):
        for marker in ("~/", "$HOME", "${HOME}", "/home/", "/Users/", str(home.home) + "/"):
            if marker in value:
                return repr(marker.rstrip("/") + "/…")
        return None
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        for v in value:
            found = _home_reference(home, v)
            if found is not None:
                return found
    return None


class _Broken:
    pass


_BROKEN: Any = _Broken()


def _json_value(p: _Planner, rel: str) -> Any:
    import json

    text = p.drafts.text(rel)
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return _BROKEN


# --------------------------------------------------------------------------------------------
# Hooks


_HOME_WORD = re.compile(r"(?:~|\$HOME|\$\{HOME\})/\S*|/(?:home|Users)/\S*")


def _hook(p: _Planner, item: Item) -> None:
    from parity.hooks import HookHandler

    hook = item.data
    if not isinstance(hook, HookHandler):
        p.skip(item, "not a hook handler")
        return
    handler = dict(hook.handler)
    command = hook.command
    if command is not None and scan_text(command):
        p.skip(item, "the command holds a secret; move it by hand")
        return
    # An http hook's headers (an object, or the array the client rejects), its url, a prompt:
    # any string of the handler, judged with the name it is stored under.
    if any(_secret_span(text, key) for _where, key, text in walk_strings(hook.handler)):
        p.skip(item, "the hook holds a secret; move it by hand")
        return
    copies: list[tuple[str, bytes, int]] = []
    if command is not None:
        rewritten = _rewrite_command(p, item, hook, handler, copies)
        if rewritten is None:
            return
        handler = rewritten
    text = " ".join(
        [handler.get("command", ""), *handler.get("args", [])]
        if isinstance(handler.get("args"), list)
        else [str(handler.get("command", ""))]
    )
    if _HOME_WORD.search(text.replace(str(p.home.home), "~")) or str(p.home.home) in text:
        p.skip(item, "the command uses files in the home that parity cannot move")
        return
    matcher = f"[{hook.matcher}]" if hook.matcher else ""
    ident = ("hooks", f"{hook.event}{matcher}: {hook_identity(text, p.home.home)}")
    if any(o.scope is Scope.PROJECT and o.key == ident for o in p.items):
        p.present(item, SETTINGS)
        return
    current = _writable_settings(p, item)
    if current is None:
        return
    for rel, data, mode in copies:
        problem = p.drafts.ensure(rel, data, mode)
        if problem is not None:
            p.skip(item, f"conflict: {problem}")
            return
    groups = (current.get("hooks") or {}).get(hook.event)
    text_now = p.drafts.text(SETTINGS)
    if isinstance(groups, list):
        for g, group in enumerate(groups):
            if (
                isinstance(group, dict)
                and group.get("matcher") == hook.matcher
                and isinstance(group.get("hooks"), list)
            ):
                new = append_item(text_now, ["hooks", hook.event, g, "hooks"], handler)
                break
        else:
            new = append_item(text_now, ["hooks", hook.event], _group(hook.matcher, handler))
    else:
        new = set_member(text_now, ["hooks", hook.event], [_group(hook.matcher, handler)])
    p.drafts.put(SETTINGS, new.encode("utf-8"))
    scripts = ", ".join(rel for rel, _d, _m in copies)
    p.move(item, SETTINGS, f"merged; script copied to {scripts}" if copies else "merged")
    p.moved_hooks.append(hook)


def _duplicates(hooks: list[Any]) -> tuple[Duplicate, ...]:
    """For each moved hook, the lines to remove from the file it came from.

    A matcher group whose every handler moved goes whole; otherwise each moved handler.
    """
    from parity.text import display

    moved: dict[tuple[str, str, int], list[Any]] = {}
    for hook in hooks:
        moved.setdefault((hook.file.display, hook.event, hook.group), []).append(hook)
    out = []
    for (_source, _event, _group), group_hooks in moved.items():
        first = group_hooks[0]
        handlers = first.doc.value["hooks"][first.event][first.group]["hooks"]
        if len(group_hooks) == len(handlers):
            paths = [("hooks", first.event, first.group)]
        else:
            paths = [h.path for h in group_hooks]
        lines = first.doc.text.splitlines()
        for path in paths:
            loc = first.doc.locate(path)
            numbered = tuple(
                (n, display(redact(lines[n - 1]))) for n in range(loc.line, loc.end_line + 1)
            )
            pointer = "/" + "/".join(str(part) for part in path)
            out.append(Duplicate(first.file.display, pointer, numbered))
    return tuple(out)


def _group(matcher: str | None, handler: dict[str, Any]) -> dict[str, Any]:
    return {"matcher": matcher, "hooks": [handler]} if matcher else {"hooks": [handler]}


def _rewrite_command(
    p: _Planner,
    item: Item,
    hook: Any,
    handler: dict[str, Any],
    copies: list[tuple[str, bytes, int]],
) -> dict[str, Any] | None:
    from parity.hooks import script_refs

    replacements: dict[str, str] = {}
    home_prefix = f"{p.home.home.as_posix().rstrip('/')}/"
    for simple in hook.commands():
        # /home/me/bin/x.sh is ~/bin/x.sh: read the command with the home spelled as ~.
        argv = tuple(_spelled_as(w, home_prefix) for w in simple.argv)
        spelled = dict(zip(argv, simple.argv, strict=True))
        view = simple._replace(argv=argv)
        for ref in script_refs(view):
            if ref.home_rel is None:
                continue
            path = p.home.home / ref.home_rel
            original = spelled.get(ref.text, ref.text)
            data, why = p.home_file(path)
            if data is None:
                p.skip(item, f"script {why}")
                return None
            try:
                inner = path.relative_to(p.home.config_dir / "hooks").as_posix()
            except ValueError:
                inner = path.name
            rel = f"{HOOKS_DIR}/{inner}"
            mode = stat.S_IMODE(path.stat().st_mode)
            copies.append((rel, data, mode))
            replacements[original] = rel
    out = dict(handler)
    for key in ("command",):
        if isinstance(out.get(key), str):
            out[key] = _substitute(out[key], replacements)
    if isinstance(out.get("args"), list):
        out["args"] = [
            _substitute(a, replacements) if isinstance(a, str) else a for a in out["args"]
        ]
    return out


def _spelled_as(word: str, home_prefix: str) -> str:
    """``word`` with a leading absolute home path written as ``~/``."""
    return f"~/{word[len(home_prefix) :]}" if word.startswith(home_prefix) else word


def _substitute(command: str, replacements: dict[str, str]) -> str:
    for old, rel in replacements.items():
        pieces: list[str] = []
        last = 0
        for m in re.finditer(re.escape(old), command):
            quoted = command.count('"', 0, m.start()) % 2 == 1
            new = f"$CLAUDE_PROJECT_DIR/{rel}" if quoted else f'"$CLAUDE_PROJECT_DIR"/{rel}'
            pieces.append(command[last : m.start()] + new)
            last = m.end()
        command = "".join(pieces) + command[last:]
    return command


# --------------------------------------------------------------------------------------------
# Plugins and their marketplaces


def _plugin(p: _Planner, item: Item) -> None:
    if item.kind is ItemKind.MARKETPLACE:
        # Planned after the plugins: a declaration moves only with a plugin that needs it.
        needed = any(
            i.kind is ItemKind.PLUGIN
            and i.scope in (Scope.USER, Scope.LOCAL)
            and i.name.rpartition("@")[2] == item.name
            for i in p.items
        )
        now = _json_value(p, SETTINGS) if p.drafts.unsafe(SETTINGS) is None else None
        declared = now.get("extraKnownMarketplaces") if isinstance(now, dict) else None
        before = _declared_markets(p.drafts.original.get(SETTINGS))
        if item.name in before:
            p.present(item, SETTINGS)
        elif isinstance(declared, dict) and item.name in declared:
            users = [
                i.name
                for i in p.items
                if i.kind is ItemKind.PLUGIN and i.name.rpartition("@")[2] == item.name
            ]
            p.move(item, SETTINGS, f"declared for {', '.join(sorted(set(users)))}")
        elif needed:
            p.skip(item, "not moved: no plugin that needs it was moved (see plugins)")
        else:
            p.skip(item, "no enabled plugin needs this marketplace")
        return
    current = _writable_settings(p, item)
    if current is None:
        return
    enabled = current.get("enabledPlugins")
    if isinstance(enabled, dict) and item.name in enabled:
        if enabled[item.name] == item.data:
            p.present(item, SETTINGS)
        else:
            p.skip(item, f"conflict: {SETTINGS} sets {item.name!r} differently (it stays)")
        return
    market = item.name.rpartition("@")[2] if "@" in item.name else ""
    declared = current.get("extraKnownMarketplaces")
    declaration: Any = None
    if (
        market
        and market not in _OFFICIAL
        and not (isinstance(declared, dict) and market in declared)
    ):
        declaration, why = marketplace_declaration(_marketplace(p, market))
        if declaration is None:
            p.skip(item, f"its marketplace {market!r} {why}")
            return
    text = p.drafts.text(SETTINGS)
    if declaration is not None:
        text = set_member(text, ["extraKnownMarketplaces", market], declaration)
    text = set_member(text, ["enabledPlugins", item.name], item.data)
    p.drafts.put(SETTINGS, text.encode("utf-8"))
    reason = f"enabled with its marketplace {market!r}" if declaration is not None else "enabled"
    p.move(item, SETTINGS, reason)


def _declared_markets(data: bytes | None) -> set[str]:
    """Marketplace names a settings file's bytes declare in extraKnownMarketplaces."""
    import json

    try:
        value = json.loads(data or b"{}")
    except ValueError:
        return set()
    declared = value.get("extraKnownMarketplaces") if isinstance(value, dict) else None
    return set(declared) if isinstance(declared, dict) else set()


def _marketplace(p: _Planner, name: str) -> Any:
    for other in p.items:
        if (
            other.kind is ItemKind.MARKETPLACE
            and other.name == name
            and other.scope in (Scope.USER, Scope.LOCAL)
            and isinstance(other.data, dict)
        ):
            return other.data
    return None


# --------------------------------------------------------------------------------------------
# Settings env


def _env(p: _Planner, item: Item) -> None:
    value = item.data
    if not isinstance(value, str):
        p.skip(item, "not a string (the client rejects it)")
        return
    if scan_value(value, key=item.name, references=False) is not None or (
        is_secret_key(item.name) and value.strip()
    ):
        if item.name in _declared(p):
            p.skip(item, "secret: already declared in [environments] (name only)")
            p.outcomes[_key(item)] = Outcome(False, "secret, declared", NAMES_ONLY, True)
            return
        p.need(item.name)
        p.values.setdefault(item.name, (value, f"{item.file.display}, env"))
        p.move(item, NAMES_ONLY, "secret: name only")
        return
    if "${" in value or "$HOME" in value or "~/" in value or str(p.home.home) in value:
        p.skip(item, "refers to the laptop's environment or home; set it in the cloud environment")
        return
    current = _writable_settings(p, item)
    if current is None:
        return
    env = current.get("env")
    if isinstance(env, dict) and item.name in env:
        if env[item.name] == value:
            p.present(item, SETTINGS)
        else:
            p.skip(item, f"conflict: {SETTINGS} sets {item.name} differently (it stays)")
        return
    new = set_member(p.drafts.text(SETTINGS), ["env", item.name], value)
    p.drafts.put(SETTINGS, new.encode("utf-8"))
    p.move(item, SETTINGS, "copied (not a secret)")


# --------------------------------------------------------------------------------------------
# Settings that stay


def _settings_left(p: _Planner) -> None:
    """List every other key of the user and local settings as skipped, with the reason."""
    for item in p.items:
        if item.kind is not ItemKind.SETTING or item.scope not in (Scope.USER, Scope.LOCAL):
            continue
        if item.name in p.options.exclude or f"settings:{item.name}" in p.options.exclude:
            p.skip(item, "excluded (--exclude)")
        elif item.scope is Scope.LOCAL and item.committed:
            p.skip(item, f"already in the repository ({item.file.display} is committed)")
        else:
            p.skip(item, _why_not_moved(item.name, item.data))


def _why_not_moved(key: str, value: Any) -> str:
    from parity._resources import load_schema

    if key == "permissions" and isinstance(value, dict):
        counts = [
            f"{len(rules)} {kind}"
            for kind in ("allow", "ask", "deny")
            if isinstance(rules := value.get(kind), list) and rules
        ]
        rules = f" ({', '.join(counts)} rules)" if counts else ""
        return (
            f"your permissions{rules} stay personal: they do not apply in a cloud session, "
            "where a deny rule you rely on no longer protects anything; copy the rules the "
            f"project needs into {SETTINGS} yourself"
        )
    if key == "model":
        return (
            "your model choice stays personal: a cloud session uses the model chosen when it "
            f"starts; set it in {SETTINGS} to choose one for everyone"
        )
    spec = load_schema("settings").get("properties", {}).get(key)
    scopes = spec.get("x-parity-scopes") if isinstance(spec, dict) else None
    if isinstance(scopes, list) and "project" not in scopes:
        return "honoured in user settings only: the repository's settings cannot carry it"
    return (
        "a personal setting (parity moves hooks, env, plugins and marketplaces): copy it "
        f"into {SETTINGS} if the project needs it"
    )


# --------------------------------------------------------------------------------------------
# [environments]


def _declared(p: _Planner) -> set[str]:
    """Environment names the repository's parity config already declares."""
    from parity.config import load_config
    from parity.errors import ConfigError

    try:
        config = load_config(p.inventory.repo.root)
    except ConfigError:
        return set()
    return {name for env in config.declared_environments for name in env.env}


def _declare_environment(p: _Planner) -> None:
    """Add the environment names to the declared cloud environment in the parity config."""
    from parity.config import declare_environment

    root = p.inventory.repo.root

    def read(rel: str) -> str:
        # A config file migrate may not write is left alone (as if nothing were missing).
        return "" if p.drafts.unsafe(rel) is not None else p.drafts.text(rel)

    declared = declare_environment(root, p.environment, read)
    if declared is None or p.drafts.unsafe(declared.path) is not None:
        return
    p.drafts.put(declared.path, declared.text.encode("utf-8"))
    p.moves.append(
        Move(
            "env",
            ", ".join(declared.added),
            "plan",
            declared.path,
            f"declared in environment {declared.environment!r}",
        )
    )


# --------------------------------------------------------------------------------------------
# Rendering


def render_json(migration: Migration) -> str:
    """The plan as ``{"actions", "skipped", "notices", "environment", "duplicates"}``."""
    data = {
        "actions": [
            {
                "kind": m.kind,
                "item": m.item,
                "source": m.source,
                "target": m.target,
                "reason": m.reason,
            }
            for m in migration.moves
        ],
        "skipped": [
            {"kind": s.kind, "item": s.item, "source": s.source, "reason": s.reason}
            for s in migration.skipped
        ],
        "notices": [
            {"kind": n.kind, "item": n.item, "message": n.message} for n in migration.notices
        ],
        "environment": list(migration.environment),
        "duplicates": [
            {
                "source": d.source,
                "pointer": d.pointer,
                "lines": [{"line": n, "text": text} for n, text in d.lines],
            }
            for d in migration.duplicates
        ],
    }
    return redact(dumps(data)) + "\n"


def render_text(migration: Migration, root: Path) -> str:
    """The plan as a unified diff of every file it changes, then what it skips and needs."""
    from parity.diffs import unified

    out: list[str] = []
    writes = [a for a in migration.plan.actions if isinstance(a, WriteFile)]
    for action in writes:
        path = root / action.path
        old = path.read_bytes() if action.expected_sha256 is not None else None
        if old is None:
            out.append(f"new file mode {0o100000 | (action.mode or 0o644):o}\n")
        elif action.mode is not None and action.mode != stat.S_IMODE(path.stat().st_mode):
            out.append(f"new mode {0o100000 | action.mode:o}\n")
        try:
            before = None if old is None else old.decode("utf-8")
            after = action.content.decode("utf-8")
        except UnicodeDecodeError:
            out.append(f"Binary file {action.path} ({len(action.content)} bytes)\n")
            continue
        out.extend(unified(action.path, before, after))
    if not writes:
        out.append("Nothing to move: the repository already has everything it can.\n")
    out.append(_render_outcomes(migration))
    if writes:
        out.append(
            f"\n{len(migration.moves)} item(s) to move into {len(writes)} file(s). "
            "Dry run: `parity migrate --apply` writes it, `--undo` reverts.\n"
        )
    return _safe_lines("".join(out))


def _safe_lines(text: str) -> str:
    # Masked first (a secret may span lines of a file), then every line made display-safe.
    return "\n".join(display(line) for line in redact(text).split("\n"))


def _render_outcomes(migration: Migration) -> str:
    """What stays (and why), what to know, and what the cloud environment must provide."""
    out: list[str] = []
    if migration.skipped:
        out.append("\nSkipped (left where they are):\n")
        for s in migration.skipped:
            out.append(display(f"  {s.kind} {s.item} ({s.source}): {s.reason}") + "\n")
    if migration.notices:
        out.append("\nWarnings (these move, but will not work in a cloud session as they are):\n")
        for n in migration.notices:
            out.append(display(f"  {n.kind} {n.item}: {n.message}") + "\n")
    if migration.environment:
        out.append("\nSet these in the cloud environment's settings (names only, never here):\n")
        out.extend(f"  {display(name)}\n" for name in migration.environment)
    return "".join(out)


def render_applied(migration: Migration, changed: int) -> str:
    """What ``--apply`` says when done: the outcome, hooks now run twice, and what to commit."""
    from parity.shell import git_add

    writes = [a for a in migration.plan.actions if isinstance(a, WriteFile)]
    out = [
        f"parity migrate: moved {len(migration.moves)} item(s), wrote {changed} file(s); "
        "`parity migrate --undo` reverts\n"
    ]
    out.append(_render_outcomes(migration))
    by_source: dict[str, list[Duplicate]] = {}
    for dup in migration.duplicates:
        by_source.setdefault(dup.source, []).append(dup)
    for source, dups in by_source.items():
        out.append(
            f"\nThese hooks are now in {SETTINGS} and still in {source}, so they run twice in "
            f"your own sessions. parity never edits {source}; remove them there (with the comma "
            "that separates each from its neighbour):\n"
        )
        for dup in dups:
            first, last = dup.lines[0][0], dup.lines[-1][0]
            span = f"line {first}" if first == last else f"lines {first}-{last}"
            out.append(f"  {dup.pointer} ({span}):\n")
            out.extend(f"    {n:>4} | {text}\n" for n, text in dup.lines)
    if writes:
        executable = [a.path for a in writes if a.mode is not None and a.mode & 0o111]
        plain = [a.path for a in writes if a.path not in executable]
        out.append(f"\nto commit: {git_add(plain, executable)}\n")
    return _safe_lines("".join(out))
