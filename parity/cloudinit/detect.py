"""Detect what a cloud session of this repository needs: lockfile installs, CLIs, MCP packages."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from parity.cloudinit.recipes import Recipe, recipe_for
from parity.config import Environment
from parity.hooks import iter_hooks, script_refs
from parity.image import ImageProfile
from parity.model import Inventory, Kind, Scope
from parity.shell import SimpleCommand, is_shebang_shell, parse, parse_script, quote

# Lockfiles deeper than this many folders are not looked for (apps/web/package-lock.json is 2).
MAX_DEPTH = 2
# Folders whose manifests are test data or vendored code, not something a session installs.
_SKIP_PARTS = frozenset(
    {
        "node_modules",
        "vendor",
        "third_party",
        ".venv",
        "venv",
        "fixtures",
        "__fixtures__",
        "testdata",
        "test",
        "tests",
        "example",
        "examples",
    }
)
_JS_LOCKS = ("package-lock.json", "npm-shrinkwrap.json", "pnpm-lock.yaml", "yarn.lock")
_BUN_LOCKS = ("bun.lock", "bun.lockb")
_EXACT_VERSION = re.compile(r"^v?[0-9]+\.[0-9]+\.[0-9]+(?:[-+][0-9A-Za-z.-]+)?$")
# What npm accepts as a package name (old packages may have capitals).
_NPM_NAME = re.compile(r"^(?:@[A-Za-z0-9~-][A-Za-z0-9._~-]*/)?[A-Za-z0-9~-][A-Za-z0-9._~-]*$")
# A PyPI requirement pinned to one version: ``name==1.2.3`` (or uvx's ``name@1.2.3``).
_PYPI_PINNED = re.compile(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?(?:==|@)[0-9][0-9A-Za-z.+!-]*$"
)
# uvx options that take a value (the next word, unless written as --option=value).
_UVX_VALUE_OPTIONS = frozenset(
    {
        "--with",
        "-w",
        "--with-editable",
        "--with-requirements",
        "--python",
        "-p",
        "--index",
        "--default-index",
        "--index-url",
        "-i",
        "--extra-index-url",
        "--find-links",
        "-f",
        "--constraint",
        "-c",
        "--overrides",
        "--env-file",
        "--directory",
        "--project",
        "--cache-dir",
        "--config-file",
    }
)
_REQUIREMENTS = re.compile(r"^requirements[\w.-]*\.txt$")
_MAX_SCRIPT_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Install:
    """One lockfile-driven install, run in ``directory`` (repo-relative, ``.`` for the root)."""

    manager: str  # npm, pnpm, yarn, yarn-berry, uv, poetry, pip, bundler, go, cargo
    directory: str
    lockfiles: tuple[str, ...]  # relative to ``directory``; their hash is the resume stamp
    commands: tuple[str, ...]  # shell lines, run in ``directory``
    target: str | None = None  # what the install leaves behind (a missing one forces a re-run)
    notes: tuple[str, ...] = ()  # comment lines explaining a choice
    venv: bool = False  # leaves a virtualenv in ``directory/.venv``
    covered_by: str | None = None  # a setup script or hook that already does it

    @property
    def sources(self) -> tuple[str, ...]:
        """The lockfiles as repo-relative paths."""
        return tuple(_join(self.directory, name) for name in self.lockfiles)


@dataclass(frozen=True)
class Tool:
    """A CLI that hooks, their scripts or MCP servers run and the image lacks."""

    command: str
    used_by: tuple[str, ...]
    recipe: Recipe | None
    covered_by: str | None = None


@dataclass(frozen=True)
class McpPackage:
    """The package a stdio MCP server runs through ``npx`` (npm) or ``uvx`` (PyPI)."""

    server: str
    spec: str
    pinned: bool
    runner: str = "npx"

    @property
    def installable(self) -> bool:
        """True when the script can fill npx's cache with it: pinned, and a valid npm name."""
        if self.runner != "npx" or not self.pinned:
            return False
        name = self.spec[: self.spec.rindex("@")]
        return bool(_NPM_NAME.fullmatch(name))


@dataclass(frozen=True)
class Needs:
    """Everything detected: the input to rendering."""

    installs: tuple[Install, ...]
    tools: tuple[Tool, ...]
    mcp_packages: tuple[McpPackage, ...]
    inputs: tuple[str, ...]  # repo-relative files the result depends on
    image: str
    image_as_of: str
    setup_script: str | None = None
    missing_setup_script: bool = False


@dataclass
class _Covered:
    """Commands that a declared setup script or another SessionStart hook already runs."""

    commands: list[tuple[SimpleCommand, str]] = field(default_factory=list)

    def manager(self, manager: str) -> str | None:
        for cmd, where in self.commands:
            if _installs_with(cmd.argv, manager):
                return where
        return None

    def tool(self, tool: str, recipe: Recipe | None) -> str | None:
        names = {tool} | ({recipe.package} if recipe is not None else set())
        for cmd, where in self.commands:
            words = {w.rsplit("/", 1)[-1].split("@")[0].split("==")[0] for w in cmd.argv[1:]}
            if "install" in cmd.argv and names & words:
                return where
        return None


def _installs_with(argv: tuple[str, ...], manager: str) -> bool:
    if not argv:
        return False
    prog, rest = argv[0].rsplit("/", 1)[-1], list(argv[1:])
    words = [w for w in rest if not w.startswith("-")]
    if prog in ("corepack", "npx") and rest:
        prog, rest = rest[0], rest[1:]
        words = [w for w in rest if not w.startswith("-")]
    if manager == "npm":
        return prog == "npm" and (
            words[:1] == ["ci"] or (words[:1] in (["install"], ["i"]) and len(words) == 1)
        )
    if manager in ("pnpm", "yarn", "yarn-berry"):
        name = "yarn" if manager.startswith("yarn") else "pnpm"
        return prog == name and (not words or words[0] in ("install", "i"))
    if manager == "uv":
        return prog == "uv" and words[:1] == ["sync"]
    if manager == "poetry":
        return prog == "poetry" and words[:1] == ["install"]
    if manager == "pip":
        pip = prog in ("pip", "pip3") or (prog.startswith("python") and rest[:2] == ["-m", "pip"])
        return pip and "install" in rest and ("-r" in rest or "--requirement" in rest)
    if manager == "bundler":
        return prog in ("bundle", "bundler") and words[:1] == ["install"]
    if manager == "go":
        return prog == "go" and words[:2] == ["mod", "download"]
    if manager == "cargo":
        return prog == "cargo" and words[:1] in (["fetch"], ["build"])
    return False


def _join(directory: str, name: str) -> str:
    return name if directory == "." else f"{directory}/{name}"


def detect(
    inventory: Inventory,
    environment: Environment,
    image: ImageProfile,
    script_rel: str,
) -> Needs:
    """What the generated SessionStart script must do for this repository (reads only)."""
    inputs: set[str] = set()
    covered = _Covered()
    setup = environment.setup_script
    missing_setup = False
    if setup is not None:
        text = _read(inventory, setup)
        if text is None:
            missing_setup = True
        else:
            inputs.add(setup)
            where = f"the environment's setup script ({setup})"
            covered.commands.extend((cmd, where) for cmd in parse_script(text))

    used: dict[str, list[str]] = {}
    for handler in iter_hooks(inventory, scopes=[Scope.PROJECT]):
        if handler.type != "command" or handler.command is None:
            continue
        own = _is_own(handler.commands(), script_rel)
        if own:
            continue
        inputs.add(handler.file.display)
        where = f"the {handler.event} hook in {handler.file.display}"
        for cmd in handler.commands():
            _use(used, cmd.name, where)
            for ref in script_refs(cmd):
                if ref.rel is None or ref.rel == script_rel:
                    continue
                text = _read(inventory, ref.rel)
                if text is None or not _is_shell(ref.rel, text):
                    continue
                inputs.add(ref.rel)
                inner = parse_script(text)
                for sub in inner:
                    _use(used, sub.name, ref.rel)
                if handler.event == "SessionStart":
                    covered.commands.extend((sub, ref.rel) for sub in inner)
            if handler.event == "SessionStart":
                covered.commands.append((cmd, where))

    mcp: list[McpPackage] = []
    for cf, doc in inventory.documents(Kind.MCP, scopes=[Scope.PROJECT]):
        if cf.rel != ".mcp.json":
            continue  # a nested .mcp.json does not load in a session started at the root
        servers = doc.value.get("mcpServers") if doc.ok and isinstance(doc.value, dict) else None
        if not isinstance(servers, dict):
            continue
        inputs.add(cf.display)
        for name, server in servers.items():
            if not isinstance(server, dict) or server.get("type", "stdio") != "stdio":
                continue
            command = server.get("command")
            if not isinstance(command, str) or not command:
                continue
            args = server.get("args", [])
            argv = (
                [command, *(a for a in args if isinstance(a, str))]
                if isinstance(args, list)
                else [command]
            )
            where = f"MCP server {name} in {cf.display}"
            for cmd in parse(" ".join(quote(a) for a in argv)):
                _use(used, cmd.name, where)
                spec = _npx_package(cmd.argv)
                if spec is not None:
                    mcp.append(McpPackage(str(name), spec, _pinned(spec)))
                spec = _uvx_package(cmd.argv)
                if spec is not None:
                    pinned = bool(_PYPI_PINNED.fullmatch(spec))
                    mcp.append(McpPackage(str(name), spec, pinned, "uvx"))

    tools = []
    for command in sorted(used):
        if not image.lacks(command):
            continue
        recipe = recipe_for(command)
        tools.append(Tool(command, tuple(used[command]), recipe, covered.tool(command, recipe)))

    installs = tuple(
        _cover(step, covered) for step in sorted(_installs(inventory), key=_install_order)
    )
    for step in installs:
        inputs.update(step.sources)
    inputs.update(_manifests(inventory, installs))
    return Needs(
        installs=installs,
        tools=tuple(tools),
        mcp_packages=tuple(sorted(set(mcp), key=lambda p: (p.runner, p.spec, p.server))),
        inputs=tuple(sorted(inputs)),
        image=image.name,
        image_as_of=image.as_of,
        setup_script=setup,
        missing_setup_script=missing_setup,
    )


def _cover(step: Install, covered: _Covered) -> Install:
    where = covered.manager(step.manager)
    if where is None:
        return step
    return Install(
        step.manager,
        step.directory,
        step.lockfiles,
        step.commands,
        step.target,
        step.notes,
        step.venv,
        covered_by=where,
    )


_ORDER = ("npm", "pnpm", "yarn", "yarn-berry", "uv", "poetry", "pip", "bundler", "go", "cargo")


def _install_order(step: Install) -> tuple[int, str, int]:
    return (step.directory != ".", step.directory, _ORDER.index(step.manager))


def _is_own(commands: list[SimpleCommand], script_rel: str) -> bool:
    return any(ref.rel == script_rel for cmd in commands for ref in script_refs(cmd))


def _is_shell(rel: str, text: str) -> bool:
    return rel.endswith((".sh", ".bash")) or is_shebang_shell(text)


def _use(used: dict[str, list[str]], name: str, where: str) -> None:
    if name and where not in used.setdefault(name, []):
        used[name].append(where)


def _npx_package(argv: tuple[str, ...]) -> str | None:
    """The package ``npx [-y] pkg@1.2.3 ...`` (or ``npx -p pkg cmd``) runs, or None."""
    if not argv or argv[0].rsplit("/", 1)[-1] != "npx":
        return None
    rest = list(argv[1:])
    while rest:
        word = rest.pop(0)
        if word in ("-p", "--package") and rest:
            return rest[0]
        if word.startswith("--package="):
            return word.split("=", 1)[1]
        if word == "--":
            return rest[0] if rest else None
        if not word.startswith("-"):
            return word
    return None


def _uvx_package(argv: tuple[str, ...]) -> str | None:
    """The package ``uvx [--from SPEC] pkg ...`` (or ``uv tool run``) runs, or None."""
    if not argv:
        return None
    prog = argv[0].rsplit("/", 1)[-1]
    if prog == "uvx":
        rest = list(argv[1:])
    elif prog == "uv" and list(argv[1:3]) == ["tool", "run"]:
        rest = list(argv[3:])
    else:
        return None
    while rest:
        word = rest.pop(0)
        if word == "--from" and rest:
            return rest[0]
        if word.startswith("--from="):
            return word.split("=", 1)[1]
        if word in _UVX_VALUE_OPTIONS:
            if rest:
                rest.pop(0)
            continue
        if word == "--":
            return rest[0] if rest else None
        if not word.startswith("-"):
            return word
    return None


def _pinned(spec: str) -> bool:
    name, _, version = spec[1:].rpartition("@") if spec.startswith("@") else spec.rpartition("@")
    return bool(name) and bool(_EXACT_VERSION.fullmatch(version))


def _read(inventory: Inventory, rel: str) -> str | None:
    path = inventory.repo.safe_path(rel)
    if path is None or not path.is_file():
        return None
    try:
        data = path.read_bytes()[:_MAX_SCRIPT_BYTES]
    except OSError:
        return None
    return data.decode("utf-8", "replace")


# --------------------------------------------------------------------------------------------
# Lockfiles


def _project_dirs(files: Iterable[str]) -> dict[str, set[str]]:
    """Folder -> names of the files in it, for folders not deeper than MAX_DEPTH."""
    dirs: dict[str, set[str]] = {}
    parts: Sequence[str]
    for rel in files:
        if (
            rel in ("", ".")
            or rel.startswith(("/", "./"))
            or rel.endswith(("/", "/."))
            or "//" in rel
            or "/./" in rel
        ):
            path = PurePosixPath(rel)  # what pathlib makes of such a spelling
            parent, parts, name = path.parent.as_posix(), path.parent.parts, path.name
        else:
            # What PurePosixPath reads in a path as git lists it, without one per file (a
            # monorepo has 100,000): the folder is what comes before the last "/" ("." for none).
            folder, _, name = rel.rpartition("/")
            if folder.count("/") >= MAX_DEPTH:
                continue  # deeper than MAX_DEPTH
            parent, parts = (folder, folder.split("/")) if folder else (".", ())
        if (
            len(parts) > MAX_DEPTH
            or _SKIP_PARTS & set(parts)
            or any(p.startswith(".") for p in parts)
        ):
            continue
        dirs.setdefault(parent, set()).add(name)
    return dirs


def _installs(inventory: Inventory) -> Iterator[Install]:
    repo = inventory.repo
    known: Iterable[str] = repo.files
    if repo.ignored_files or repo.ignored_dirs:  # else no file to ask about (a clean checkout)
        known = [rel for rel in known if not repo.is_ignored(rel)]
    dirs = _project_dirs(known)
    js_roots = [d for d, names in dirs.items() if names & set(_JS_LOCKS)]
    py_roots = [d for d, names in dirs.items() if names & {"uv.lock", "poetry.lock"}]
    for directory in sorted(dirs):
        names = dirs[directory]
        read = _Reader(inventory, directory)
        # A folder with its own lockfile is its own project. Without one, it is installed only at
        # the root or next to a bun lockfile: elsewhere it is a workspace member (installed by the
        # root's lockfile) or an example.
        if "package.json" in names and (
            names & set(_JS_LOCKS)
            or (
                (directory == "." or names & set(_BUN_LOCKS))
                and not any(_inside(directory, r) for r in js_roots if r != directory)
            )
        ):
            step = _js(directory, names, read)
            if step is not None:
                yield step
        member = any(_inside(directory, r) for r in py_roots if r != directory)
        step = _python(directory, names, read, locked_above=member)
        if step is not None:
            yield step
        if "Gemfile.lock" in names and "Gemfile" in names:
            yield Install(
                "bundler",
                directory,
                ("Gemfile.lock",),
                ("BUNDLE_FROZEN=true bundle install",),
                notes=("BUNDLE_FROZEN: install exactly Gemfile.lock; fail if Gemfile disagrees.",),
            )
        if "go.mod" in names:
            yield Install(
                "go",
                directory,
                ("go.sum",) if "go.sum" in names else ("go.mod",),
                ("go mod download",),
            )
        if "Cargo.toml" in names and "Cargo.lock" in names:
            yield Install("cargo", directory, ("Cargo.lock",), ("cargo fetch --locked",))


def _inside(directory: str, root: str) -> bool:
    return root == "." or directory.startswith(root + "/")


class _Reader:
    """Reads small manifest files of one project folder."""

    def __init__(self, inventory: Inventory, directory: str) -> None:
        self.inventory = inventory
        self.directory = directory

    def text(self, name: str) -> str:
        return _read(self.inventory, _join(self.directory, name)) or ""

    def has(self, *names: str) -> bool:
        """True when one of ``names`` is a file, or a folder holding files, in this folder."""
        files = self.inventory.repo.files
        for name in names:
            rel = _join(self.directory, name)
            if rel in files or any(f.startswith(rel + "/") for f in files):
                return True
        return False

    def json(self, name: str) -> dict[str, Any]:
        try:
            value = json.loads(self.text(name) or "{}")
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}

    def toml(self, name: str) -> dict[str, Any]:
        import tomlkit
        from tomlkit.exceptions import TOMLKitError

        try:
            value: dict[str, Any] = tomlkit.parse(self.text(name)).unwrap()
        except (TOMLKitError, ValueError):
            return {}
        return value


def _js(directory: str, names: set[str], read: _Reader) -> Install | None:
    manifest = read.json("package.json")
    pinned = manifest.get("packageManager")
    pinned = pinned if isinstance(pinned, str) else ""
    pinned_name = pinned.split("@", 1)[0]
    if "package-lock.json" in names or "npm-shrinkwrap.json" in names:
        lock = "npm-shrinkwrap.json" if "npm-shrinkwrap.json" in names else "package-lock.json"
        return Install("npm", directory, (lock,), ("npm ci --no-audit --no-fund",), "node_modules")
    if "pnpm-lock.yaml" in names:
        notes: tuple[str, ...] = ()
        command = "pnpm install --frozen-lockfile"
        if pinned_name == "pnpm":
            notes = (f"package.json pins {pinned}: corepack runs that version.",)
            command = "corepack " + command
        return Install("pnpm", directory, ("pnpm-lock.yaml",), (command,), "node_modules", notes)
    if "yarn.lock" in names:
        return _yarn(directory, names, read, pinned)
    bun = sorted(names & set(_BUN_LOCKS))
    install = "npm install --no-package-lock --no-audit --no-fund"
    if bun:
        return Install(
            "npm",
            directory,
            ("package.json", *bun),
            (install,),
            "node_modules",
            (
                f"Only {', '.join(bun)}: bun is on the cloud image, but its package downloads "
                "fail behind the cloud's proxy, so npm installs from package.json instead. "
                "Versions are not locked: committing a package-lock.json makes this `npm ci`.",
            ),
        )
    return Install(
        "npm",
        directory,
        ("package.json",),
        (install,),
        "node_modules",
        ("No lockfile: versions are not locked; commit one to get a reproducible `npm ci`.",),
    )


def _yarn(directory: str, names: set[str], read: _Reader, pinned: str) -> Install:
    rc = read.text(".yarnrc.yml")
    version = pinned.split("@", 1)[1] if pinned.startswith("yarn@") else ""
    berry = (
        ".yarnrc.yml" in names
        or "__metadata:" in read.text("yarn.lock")[:2000]
        or (version[:1].isdigit() and not version.startswith("1."))
    )
    if not berry:
        return Install(
            "yarn",
            directory,
            ("yarn.lock",),
            ("yarn install --frozen-lockfile --non-interactive",),
            "node_modules",
        )
    notes = ["Yarn 2+ (berry): --immutable fails instead of rewriting yarn.lock."]
    command = "yarn install --immutable"
    if "yarnPath:" not in rc and version:
        notes.append(f"package.json pins yarn@{version}: corepack runs that version.")
        command = "corepack " + command
    return Install(
        "yarn-berry",
        directory,
        ("yarn.lock",),
        (command,),
        ".yarn/install-state.gz",
        tuple(notes),
    )


def _python(
    directory: str, names: set[str], read: _Reader, *, locked_above: bool = False
) -> Install | None:
    if "uv.lock" in names:
        return Install(
            "uv",
            directory,
            ("uv.lock",),
            ("uv sync --frozen",),
            ".venv",
            ("--frozen: install exactly uv.lock, without re-resolving.",),
            venv=True,
        )
    if "poetry.lock" in names:
        return _poetry(directory, read)
    requirements = sorted(n for n in names if _REQUIREMENTS.fullmatch(n))
    venv = ("python3 -m venv .venv",)
    pip = ".venv/bin/python -m pip install --disable-pip-version-check"
    if requirements:
        flags = " ".join(f"-r {quote(r)}" for r in requirements)
        return Install(
            "pip",
            directory,
            tuple(requirements),
            (*venv, f"{pip} {flags}"),
            ".venv",
            ("A virtualenv: the image's system Python is externally managed (PEP 668).",),
            venv=True,
        )
    if ("pyproject.toml" in names or "setup.py" in names) and not locked_above:
        # (A project inside a folder with uv.lock or poetry.lock is a workspace member.)
        project = read.toml("pyproject.toml").get("project")
        if "setup.py" not in names and not isinstance(project, dict):
            return None  # a pyproject.toml holding only tool settings
        extras = project.get("optional-dependencies") if isinstance(project, dict) else None
        target = "'.[dev]'" if isinstance(extras, dict) and "dev" in extras else "."
        manifest = "pyproject.toml" if "pyproject.toml" in names else "setup.py"
        return Install(
            "pip",
            directory,
            (manifest,),
            (*venv, f"{pip} -e {target}"),
            ".venv",
            ("No lockfile or requirements*.txt: installs the project itself, unpinned.",),
            venv=True,
        )
    return None


def _poetry(directory: str, read: _Reader) -> Install:
    doc = read.toml("pyproject.toml")
    tool = doc.get("tool", {}).get("poetry", {}) if isinstance(doc.get("tool"), dict) else {}
    tool = tool if isinstance(tool, dict) else {}
    project = doc.get("project") if isinstance(doc.get("project"), dict) else {}
    name = str(tool.get("name") or (project or {}).get("name") or "")
    module = name.replace("-", "_").replace(".", "_").lower()
    has_package = (
        tool.get("package-mode") is False
        or "packages" in tool
        or (module and read.has(module, f"src/{module}", f"{module}.py"))
    )
    base = "POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-interaction"
    notes = ["In-project .venv, so the session's shell can put it on PATH."]
    if has_package:
        command = base
    else:
        command = base + " --no-root"
        notes.append(
            f"--no-root: no package folder for {name or 'the project'} was found, and "
            "installing the project itself would fail."
        )
    return Install(
        "poetry", directory, ("poetry.lock",), (command,), ".venv", tuple(notes), venv=True
    )


def _manifests(inventory: Inventory, installs: Iterable[Install]) -> set[str]:
    """Manifests whose content changed the chosen commands (package.json, pyproject.toml)."""
    out = set()
    for step in installs:
        for name in ("package.json", "pyproject.toml", ".yarnrc.yml"):
            rel = _join(step.directory, name)
            if inventory.repo.get(rel) is not None:
                out.add(rel)
    return out
