"""The toolkit's own configuration: ``[tool.parity]`` in pyproject.toml, or parity.toml."""

from __future__ import annotations

import functools
import importlib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from parity.errors import ConfigError
from parity.findings import Severity

CONFIG_FILES = ("parity.toml", ".parity.toml", "pyproject.toml")
NETWORK_LEVELS = ("none", "trusted", "full", "custom")


class Environment(NamedTuple):
    """A cloud environment the repository declares it runs in (network level, variables, image)."""

    name: str
    network: str = "trusted"
    allow: tuple[str, ...] = ()
    env: tuple[str, ...] = ()
    setup_script: str | None = None
    image: str = "claude-cloud"


DEFAULT_ENVIRONMENT = Environment("default")


# The default's (no environment declared): read-only, so one mapping serves every Config.
_NO_ENVIRONMENTS: Mapping[str, Environment] = MappingProxyType({})


class Config(NamedTuple):
    """The resolved configuration; every field has the documented default."""

    source: Path | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    fail_on: Severity = Severity.WARNING
    baseline: str | None = None
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    environments: Mapping[str, Environment] = _NO_ENVIRONMENTS
    daily_cap: int | None = None
    cloud_init_script: str | None = None
    fix: bool = False  # `fix = true`: every `parity check` applies the safe fixes
    unfixable: tuple[str, ...] = ()
    extend_safe_fixes: tuple[str, ...] = ()
    allow_unknown_settings: tuple[str, ...] = ()

    @property
    def excluded(self) -> Callable[[str], bool] | None:
        """A test for repo-relative paths that ``exclude`` and ``extend-exclude`` leave out, or
        None when they leave nothing out. Patterns are gitignore patterns (``templates/``,
        ``**/fixtures/**``, ``!keep/this``), matched against the path from the repository root."""
        return _excluder((*self.exclude, *self.extend_exclude))

    @property
    def declared_environments(self) -> list[Environment]:
        """The declared environments, or the implicit default one (Trusted network)."""
        return list(self.environments.values()) or [DEFAULT_ENVIRONMENT]

    def environment(self, name: str | None = None) -> Environment:
        """The environment called ``name`` (or the first declared, or the default)."""
        if name is None:
            return self.declared_environments[0]
        try:
            return self.environments[name]
        except KeyError:
            raise ConfigError(f"no environment named {name!r} is declared") from None


@functools.cache
def _excluder(patterns: tuple[str, ...]) -> Callable[[str], bool] | None:
    """The test :attr:`Config.excluded` gives for these patterns, built once."""
    if not patterns:
        return None
    import pathspec  # only when the config uses path patterns: it is slow to import

    spec = pathspec.PathSpec.from_lines("gitignore", patterns)
    return spec.match_file


def find_config(root: Path) -> tuple[Path, dict[str, Any]] | None:
    """The first config file at ``root`` that holds parity settings, with its table."""
    for name in CONFIG_FILES:
        path = root / name
        if not path.is_file() or (name == "pyproject.toml" and not _may_hold_parity(path)):
            continue
        doc = _parse(path)
        if name == "pyproject.toml":
            table = doc.get("tool", {}).get("parity") if isinstance(doc.get("tool"), dict) else None
            if table is None:
                continue
            if not isinstance(table, dict):
                raise ConfigError(f"{path}: [tool.parity] must be a table")
            return path, table
        return path, doc
    return None


def _may_hold_parity(pyproject: Path) -> bool:
    """False when ``pyproject`` parses with the standard library's parser and has no
    ``[tool.parity]``: most Python projects, which then need no tomlkit (slow to import and to
    parse). A parity table, a file that does not parse or read, and Python 3.10 (no tomllib)
    go through :func:`_parse`, whose values and messages parity reports, as before."""
    try:
        # By name: the code is type-checked for Python 3.10 too, which has no tomllib.
        tomllib = importlib.import_module("tomllib")
    except ImportError:
        return True
    try:
        doc = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return True
    tool = doc.get("tool")
    return isinstance(tool, dict) and "parity" in tool


def _parse(path: Path) -> dict[str, Any]:
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read the configuration: {exc}") from None
    try:
        value: dict[str, Any] = tomlkit.parse(text).unwrap()
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    return value


def load_config(root: Path, explicit: Path | None = None) -> Config:
    """Load and validate the configuration for the repository at ``root``."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: configuration file not found")
        table = _parse(explicit)
        if explicit.name == "pyproject.toml":
            table = table.get("tool", {}).get("parity", {})
        return config_from_table(table, explicit)
    found = find_config(root)
    if found is None:
        return Config()
    return config_from_table(found[1], found[0])


def config_from_table(table: dict[str, Any], source: Path | None) -> Config:
    """Validate a parsed parity table against ``config.schema.json`` and build a Config."""
    _validate(table, source)
    envs = {
        name: Environment(
            name=name,
            network=spec.get("network", "trusted"),
            allow=tuple(spec.get("allow", ())),
            env=tuple(spec.get("env", ())),
            setup_script=spec.get("setup-script"),
            image=spec.get("image", "claude-cloud"),
        )
        for name, spec in table.get("environments", {}).items()
    }
    select = table.get("select")
    return Config(
        source=source,
        select=tuple(select) if select is not None else None,
        ignore=tuple(table.get("ignore", ())),
        extend_select=tuple(table.get("extend-select", ())),
        extend_ignore=tuple(table.get("extend-ignore", ())),
        per_file_ignores=tuple(
            (glob, tuple(codes)) for glob, codes in table.get("per-file-ignores", {}).items()
        ),
        fail_on=Severity.parse(table.get("fail-on", "warning")),
        baseline=table.get("baseline"),
        exclude=tuple(table.get("exclude", ())),
        extend_exclude=tuple(table.get("extend-exclude", ())),
        environments=envs,
        daily_cap=table.get("routines", {}).get("daily-cap"),
        cloud_init_script=table.get("cloud-init", {}).get("script"),
        fix=bool(table.get("fix", False)),
        unfixable=tuple(table.get("unfixable", ())),
        extend_safe_fixes=tuple(table.get("extend-safe-fixes", ())),
        allow_unknown_settings=tuple(table.get("allow-unknown-settings", ())),
    )


def _validate(table: dict[str, Any], source: Path | None) -> None:
    if not table:
        return
    from jsonschema import Draft202012Validator

    from parity._resources import load_schema

    validator = Draft202012Validator(load_schema("config"))
    errors = sorted(validator.iter_errors(table), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path)
        prefix = "tool.parity" if source is not None and source.name == "pyproject.toml" else ""
        key = ".".join(p for p in (prefix, where) if p) or "(top level)"
        name = source if source is not None else "configuration"
        raise ConfigError(f"{name}: {key}: {_explain(err.message)}")


def _explain(message: str) -> str:
    if "Additional properties are not allowed" in message:
        return "unknown key " + message.split("(", 1)[-1].split(" was", 1)[0].split(" were", 1)[0]
    return message


INIT_BLOCK = """\
# parity: checks that this repository works the same in a Claude Code cloud session.
# Docs: `parity rule` lists every rule; `parity rule PAR101` explains one.
[tool.parity]
# Rule selection, by code or prefix ("PAR1" = every scope-parity rule).
# select = ["PAR"]
# ignore = []
# extend-select = []
# Fail (exit 1) on findings at or above this severity: error, warning or info.
fail-on = "warning"
# Findings recorded here are not reported again (`parity check --write-baseline`).
# baseline = ".parity-baseline.json"
# Apply the safe fixes on every `parity check`, as `--fix` does (`--no-fix` overrides).
# fix = true
# Rules whose fixes are never applied, and rules whose unsafe fixes count as safe.
# unfixable = []
# extend-safe-fixes = []
# Settings keys you add on purpose, which PAR011 (unknown key) then accepts; * is a wildcard.
# allow-unknown-settings = ["x-*", "permissions.myTeamNote"]

# The cloud environment this repository expects (set up on claude.ai).
[tool.parity.environments.default]
# none | trusted | full | custom
network = "trusted"
# Extra domains for "custom"; "*.example.com" allowed.
allow = []
# Names of variables set in the environment's settings; never values.
env = []
# setup-script = "scripts/cloud-setup.sh"
image = "claude-cloud"
"""


def render_init(path: Path) -> str:
    """The new text of ``path`` with a commented parity block added; the rest is kept as it was."""
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    existing = path.read_text(encoding="utf-8") if path.exists() else ""
    try:
        doc = tomlkit.parse(existing)
    except TOMLKitError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    block = INIT_BLOCK
    if path.name != "pyproject.toml":
        block = block.replace("[tool.parity.", "[").replace("[tool.parity]\n", "")
        if "parity" in doc.unwrap() or doc.unwrap():
            raise ConfigError(f"{path}: already exists; edit it instead")
    elif "parity" in doc.get("tool", {}):
        raise ConfigError(f"{path}: already has a [tool.parity] table")
    sep = (
        ""
        if not existing or existing.endswith("\n\n")
        else ("\n" if existing.endswith("\n") else "\n\n")
    )
    return existing + sep + block


class Declaration(NamedTuple):
    """Variable names added to a declared environment: the config file's new text."""

    path: str  # repo-relative config file
    text: str
    environment: str
    added: tuple[str, ...]


def declare_environment(
    root: Path, names: Sequence[str], read: Callable[[str], str]
) -> Declaration | None:
    """Add ``names`` to the ``env`` list of the first declared environment (created as
    ``default`` when none is), keeping the rest of the config file as it was (tomlkit).

    ``read`` gives the current text of a repo-relative file ("" when it does not exist): the
    planners pass their drafts. The file is the one holding the parity configuration, else
    ``pyproject.toml`` when there is one, else ``parity.toml``. None when every name is declared
    already or the file is not valid TOML (nothing to write).
    """
    import tomlkit
    from tomlkit.exceptions import TOMLKitError

    found = find_config(root)
    rel = found[0].relative_to(root).as_posix() if found else None
    if rel is None:
        rel = "pyproject.toml" if (root / "pyproject.toml").is_file() else "parity.toml"
    try:
        doc = tomlkit.parse(read(rel))
    except TOMLKitError:
        return None
    table: Any = doc
    if rel.endswith("pyproject.toml"):
        if "tool" not in doc:
            doc.add("tool", tomlkit.table(is_super_table=True))
        if "parity" not in doc["tool"]:
            doc["tool"]["parity"] = tomlkit.table(is_super_table=True)
        table = doc["tool"]["parity"]
    if "environments" not in table:
        table["environments"] = tomlkit.table(is_super_table=True)
    envs = table["environments"]
    name = next(iter(envs), "default")
    if name not in envs:
        envs[name] = tomlkit.table()
    env_table = envs[name]
    if "env" not in env_table:
        env_table["env"] = tomlkit.array()
    declared = env_table["env"]
    missing = [n for n in dict.fromkeys(names) if n not in list(declared)]
    if not missing:
        return None
    for n in missing:
        declared.append(n)
    return Declaration(rel, tomlkit.dumps(doc), name, tuple(missing))


def write_init(target: Path) -> None:
    """Add the commented parity block to ``target`` through the one writer (``parity.apply``).

    Like every write of parity: atomic, journalled (``parity migrate --undo`` reverts it), and
    refused when ``target`` resolves out of its repository (or folder, outside git) or into
    ``.git``. A symlink that stays inside is written through: the link is kept.
    """
    from parity.apply import Fence, Plan, WriteFile, apply, sha256
    from parity.discover import git_root

    folder = target.absolute().parent
    root = git_root(folder) or folder
    try:
        rel = (folder.resolve() / target.name).relative_to(root.resolve()).as_posix()
    except (ValueError, OSError, RuntimeError):
        raise ConfigError(f"{target}: not inside {root}") from None
    Fence.of(root).target(rel)  # refused before it is even read
    before = target.read_bytes() if target.is_file() else None
    text = render_init(target)
    expected = sha256(before) if before is not None else None
    plan = Plan((WriteFile(rel, text.encode("utf-8"), expected_sha256=expected),))
    apply(plan, root, command="parity init")
