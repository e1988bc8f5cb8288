"""One inventory of configuration files of every scope, each loaded once, for every stage."""

from __future__ import annotations

import enum
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, NamedTuple

from parity.discover import Home, Repo

if TYPE_CHECKING:
    from parity.load import Document


class Scope(str, enum.Enum):
    """Where a configuration file lives, which decides whether a cloud session gets it."""

    MANAGED = "managed"
    USER = "user"
    LOCAL = "local"
    PROJECT = "project"


class Kind(str, enum.Enum):
    """What a configuration file is, which decides how it is parsed and checked."""

    SETTINGS = "settings"
    MCP = "mcp"
    GLOBAL_CONFIG = "global-config"  # ~/.claude.json
    MEMORY = "memory"  # CLAUDE.md, CLAUDE.local.md
    SKILL = "skill"
    AGENT = "agent"
    COMMAND = "command"
    RULE = "rule"  # .claude/rules/**/*.md
    HOOK_SCRIPT = "hook-script"  # files under .claude/hooks/ or ~/.claude/hooks/
    SCHEDULED_TASKS = "scheduled-tasks"
    ROUTINES = "routines"
    PLUGINS = "plugins"  # ~/.claude/plugins/{installed_plugins,known_marketplaces}.json
    PLUGIN_MANIFEST = "plugin-manifest"  # <plugin>/.claude-plugin/plugin.json
    MARKETPLACE = "marketplace"  # <repo>/.claude-plugin/marketplace.json
    OTHER = "other"  # a file named on the command line that is none of the above


JSON_KINDS = frozenset(
    {
        Kind.SETTINGS,
        Kind.MCP,
        Kind.GLOBAL_CONFIG,
        Kind.SCHEDULED_TASKS,
        Kind.PLUGINS,
        Kind.PLUGIN_MANIFEST,
        Kind.MARKETPLACE,
    }
)
MARKDOWN_KINDS = frozenset({Kind.MEMORY, Kind.SKILL, Kind.AGENT, Kind.COMMAND, Kind.RULE})


class ConfigFile(NamedTuple):
    """A configuration file found in some scope."""

    kind: Kind
    scope: Scope
    path: Path
    display: str
    rel: str | None = None  # repo-relative POSIX path for files inside the repository
    tracked: bool = False
    ignored: bool = False

    @property
    def in_cloud(self) -> bool:
        """True when a cloud session (a fresh clone, an empty home) gets this file."""
        return self.scope is Scope.PROJECT and self.tracked

    @property
    def shared(self) -> bool:
        """True for the repository's own config: the project scope, and a local-scope file
        (``.claude/settings.local.json``, ``CLAUDE.local.md``) that is committed all the same,
        which every clone has and the client reads."""
        return self.scope is Scope.PROJECT or (self.scope is Scope.LOCAL and self.tracked)


_CLAUDE_NAMES = ("CLAUDE.md", "CLAUDE.local.md", ".mcp.json")


def classify(rel: str) -> tuple[Kind, Scope] | None:
    """The kind and scope of a repo-relative path by its place in the layout, or None."""
    # Fast exit for the great majority of files: this runs once per file of a monorepo.
    if ".claude" not in rel and not rel.endswith(_CLAUDE_NAMES):
        return None
    if rel.startswith("/") or "//" in rel or "/./" in rel or rel.startswith("./"):
        path = PurePosixPath(rel)  # what pathlib makes of such a path
        parts, name = path.parts, path.name
    else:
        # PurePosixPath(rel)'s parts and name without pathlib (this runs for every
        # configuration file): the pieces between slashes but "" and ".".
        parts = tuple(part for part in rel.split("/") if part and part != ".")
        name = parts[-1] if parts else ""
    if name == "CLAUDE.md":
        return Kind.MEMORY, Scope.PROJECT
    if name == "CLAUDE.local.md":
        return Kind.MEMORY, Scope.LOCAL
    if name == ".mcp.json":
        # The client reads .mcp.json from the session's folder and every parent: a nested one
        # (backend/.mcp.json) loads for sessions started in that folder (PAR112).
        return Kind.MCP, Scope.PROJECT
    if len(parts) >= 2 and parts[-2] == ".claude-plugin":
        if name == "plugin.json":
            return Kind.PLUGIN_MANIFEST, Scope.PROJECT
        if name == "marketplace.json":
            return Kind.MARKETPLACE, Scope.PROJECT
    if ".claude" not in parts:
        if rel in (".claude/routines.yaml",):
            return Kind.ROUTINES, Scope.PROJECT
        return None
    i = len(parts) - 1 - parts[::-1].index(".claude")
    inner = parts[i + 1 :]
    if not inner:
        return None
    head = inner[0]
    if inner == ("settings.json",):
        return Kind.SETTINGS, Scope.PROJECT
    if inner == ("settings.local.json",):
        return Kind.SETTINGS, Scope.LOCAL
    if inner == ("scheduled_tasks.json",):
        return Kind.SCHEDULED_TASKS, Scope.PROJECT
    if inner in (("routines.yaml",), ("routines.yml",)) or (
        head == "routines" and len(inner) >= 2 and name.endswith((".yaml", ".yml"))
    ):
        return Kind.ROUTINES, Scope.PROJECT
    if head == "skills" and len(inner) == 3 and name == "SKILL.md":
        return Kind.SKILL, Scope.PROJECT
    if name.endswith(".md") and head in ("agents", "commands", "rules") and len(inner) >= 2:
        kind = {"agents": Kind.AGENT, "commands": Kind.COMMAND, "rules": Kind.RULE}[head]
        return kind, Scope.PROJECT
    if head == "hooks" and len(inner) >= 2:
        return Kind.HOOK_SCRIPT, Scope.PROJECT
    return None


def classify_named(path: Path) -> Kind:
    """The kind of a file named on the command line that sits outside the known layout."""
    name = path.name
    if name == ".mcp.json" or (name.endswith(".json") and "mcp" in name.lower()):
        return Kind.MCP
    if name.startswith("settings") and name.endswith(".json"):
        return Kind.SETTINGS
    if name == "SKILL.md":
        return Kind.SKILL
    if name in ("CLAUDE.md", "CLAUDE.local.md"):
        return Kind.MEMORY
    if name == "scheduled_tasks.json":
        return Kind.SCHEDULED_TASKS
    if name.startswith("routines") and name.endswith((".yaml", ".yml")):
        return Kind.ROUTINES
    return Kind.OTHER


class Inventory:
    """Every configuration file of the repository (and, with ``home``, of the user scope)."""

    def __init__(
        self, repo: Repo, home: Home | None = None, overlay: dict[str, bytes] | None = None
    ) -> None:
        self.repo = repo
        self.home = home
        self.files: list[ConfigFile] = []
        # Repository files read from here instead of the disk (repo-relative path -> bytes): the
        # content `parity check --fix` has planned so far, checked again before it is written.
        self.overlay: dict[str, bytes] = {} if overlay is None else overlay
        self._docs: dict[Path, Document] = {}
        self._extra: dict[tuple[str, bool], Document | None] = {}

    @classmethod
    def build(
        cls,
        repo: Repo,
        home: Home | None = None,
        extra: Iterable[Path] = (),
        overlay: dict[str, bytes] | None = None,
        exclude: Callable[[str], bool] | None = None,
    ) -> Inventory:
        """Collect the configuration files of the repository, the user scope, and ``extra``.

        ``overlay`` gives the content of some repository files (see :attr:`overlay`). Repository
        paths for which ``exclude`` is true (the configuration's ``exclude``) are left out: a
        folder of templates or fixtures is neither read nor checked.
        """
        inv = cls(repo, home, overlay=dict(overlay or {}))
        seen: set[str] = set()
        # classify's own fast test, over every file at once: a monorepo's files are not sorted
        # or classified one by one when only a few can be configuration.
        candidates = sorted(repo.paths_with(".claude", ends=_CLAUDE_NAMES))
        if exclude is not None:
            seen.update(rel for rel in candidates if classify(rel) is not None and exclude(rel))
        for rel in candidates:
            found = classify(rel)
            if found is not None and rel not in seen:
                entry = repo.files[rel]
                inv._add_repo(rel, *found, tracked=entry.tracked, ignored=False)
                seen.add(rel)
        for rel in _ignored_config(repo):
            found = classify(rel)
            if found is not None and rel not in seen and not (exclude and exclude(rel)):
                inv._add_repo(rel, *found, tracked=False, ignored=True)
                seen.add(rel)
        for path in extra:
            named = repo.rel(path)
            if named is not None and (named in seen or (exclude and exclude(named))):
                continue
            placed = classify(named) if named is not None else None
            kind = placed[0] if placed is not None else classify_named(path)
            known = repo.get(named) if named is not None else None
            inv.files.append(
                ConfigFile(
                    kind,
                    Scope.PROJECT,
                    path,
                    named if named is not None else path.as_posix(),
                    named,
                    tracked=known is not None and known.tracked,
                )
            )
        if home is not None:
            inv.files.extend(_user_files(home))
        return inv

    def _add_repo(
        self, rel: str, kind: Kind, scope: Scope, *, tracked: bool, ignored: bool
    ) -> None:
        self.files.append(
            ConfigFile(
                kind, scope, self.repo.abspath(rel), rel, rel, tracked=tracked, ignored=ignored
            )
        )

    def select(self, *kinds: Kind, scopes: Iterable[Scope] | None = None) -> Iterator[ConfigFile]:
        """Files of the given kinds (all kinds when none given), optionally of some scopes only.

        Asking for the project scope also gives the local-scope files that are committed all the
        same (``ConfigFile.shared``): a fresh clone has them and the client reads them (checked
        with client 2.1.330, also with ``CLAUDE_CODE_REMOTE=true``), so they are checked as the
        repository's own config.
        """
        wanted = set(scopes) if scopes is not None else None
        project = wanted is not None and Scope.PROJECT in wanted
        for cf in self.files:
            if kinds and cf.kind not in kinds:
                continue
            if wanted is None or cf.scope in wanted or (project and cf.shared):
                yield cf

    def load(self, cf: ConfigFile) -> Document:
        """The parsed document of ``cf``, loaded once however many rules ask."""
        doc = self._docs.get(cf.path)
        if doc is None:
            doc = self._load(cf)
            self._docs[cf.path] = doc
        return doc

    def _load(self, cf: ConfigFile) -> Document:
        from parity import load

        path = cf.path
        data: bytes | None = None
        if cf.rel is not None:
            if not self.repo.inside(cf.rel) or self.repo.broken_link(cf.rel) is not None:
                # A symlink that leaves the repository, or dangles, is never followed (PAR111).
                return load.load_json(cf.path, cf.display, data=b"")
            if cf.rel in self.repo.links:
                # A link inside the repository: the client reads the file it leads to.
                path = self.repo.abspath(self.repo.link_target(cf.rel))
            data = self.overlay.get(cf.rel)
        elif os.path.islink(path):
            path = path.resolve()  # a user-scope file linked from a dotfiles folder
        if cf.kind in JSON_KINDS:
            return load.load_json(path, cf.display, data=data)
        if cf.kind in MARKDOWN_KINDS:
            return load.load_markdown(path, cf.display, data=data)
        if cf.kind is Kind.ROUTINES:
            return load.load_yaml(path, cf.display, data=data)
        return load.load_text(path, cf.display, data=data)

    def documents(
        self, *kinds: Kind, scopes: Iterable[Scope] | None = None
    ) -> Iterator[tuple[ConfigFile, Document]]:
        """Each selected file with its parsed document."""
        for cf in self.select(*kinds, scopes=scopes):
            yield cf, self.load(cf)

    def repo_file(self, rel: str, *, as_json: bool = False) -> Document | None:
        """Any repository file (a script a hook runs, package.json, .npmrc), loaded once.

        None when the file is not in the working tree or a symlink leads out of the repository.
        """
        key = (rel, as_json)
        if key in self._extra:
            return self._extra[key]
        from parity import load

        known = next((cf for cf in self.files if cf.rel == rel), None)
        if known is not None and (known.kind in JSON_KINDS) == as_json:
            self._extra[key] = self.load(known)
            return self._extra[key]
        path = self.repo.safe_path(rel)
        doc: Document | None = None
        if path is not None and path.is_file():
            loader = load.load_json if as_json else load.load_text
            real = path.resolve() if path.is_symlink() else path
            doc = loader(real, rel, data=self.overlay.get(rel))
        self._extra[key] = doc
        return doc


def _ignored_config(repo: Repo) -> Iterator[str]:
    """Ignored files where configuration lives: they exist locally but not in a clone."""
    yield from sorted(repo.ignored_files)
    for folder in repo.ignored_dirs:
        parts = PurePosixPath(folder).parts
        if ".claude" not in parts and parts[-1:] != (".claude",):
            continue
        base = repo.safe_path(folder.rstrip("/"))
        if base is None:
            continue
        count = 0
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            for name in sorted(filenames):
                count += 1
                if count > 10_000:
                    return
                yield (Path(dirpath) / name).relative_to(repo.root).as_posix()


def _user_files(home: Home) -> Iterator[ConfigFile]:
    base = home.config_dir

    def make(kind: Kind, path: Path, scope: Scope = Scope.USER) -> ConfigFile:
        return ConfigFile(kind, scope, path, home.display(path))

    for name in ("settings.json",):
        if (base / name).is_file():
            yield make(Kind.SETTINGS, base / name)
    if home.global_config.is_file():
        yield make(Kind.GLOBAL_CONFIG, home.global_config)
    if (base / "CLAUDE.md").is_file():
        yield make(Kind.MEMORY, base / "CLAUDE.md")
    for path in home.files("skills", "*/SKILL.md"):
        if path.parent.parent == base / "skills":
            yield make(Kind.SKILL, path)
    for sub, kind in (("agents", Kind.AGENT), ("commands", Kind.COMMAND), ("rules", Kind.RULE)):
        for path in home.files(sub, "*.md"):
            yield make(kind, path)
    for path in home.files("hooks", "*"):
        yield make(Kind.HOOK_SCRIPT, path)
    for name in ("installed_plugins.json", "known_marketplaces.json"):
        path = base / "plugins" / name
        if path.is_file():
            yield make(Kind.PLUGINS, path)
