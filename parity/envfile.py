"""``parity migrate --env-file``: the cloud environment's variables, ready to paste.

A cloud environment's variables are typed into its settings on claude.ai as ``KEY=value`` lines.
This module finds every name the repository needs (``${VAR}`` references in ``.mcp.json``, the
declared environments' ``env``, the names ``parity migrate`` turns secrets into), looks up a value
for each where the developer already has one (the current environment, the user and local
settings ``env``, the user's MCP servers) and writes them to a file of the user's choosing with
mode 0600. Values go to that file only: what is printed is names and where each came from.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from parity import git
from parity.config import Config
from parity.errors import UsageError
from parity.items import Item, ItemKind
from parity.migrate import Migration
from parity.model import Inventory, Scope

ENVIRONMENT = "the current environment"


@dataclass(frozen=True)
class Variable:
    """One name the repository needs, and the value found for it (never shown)."""

    name: str
    needed_by: str
    source: str | None = None  # where the value came from; None when none was found
    advice: str | None = None  # a long-lived credential: what to prefer
    value: str | None = field(default=None, repr=False)
    problem: str | None = None  # why a found value cannot be written as one line

    @property
    def written(self) -> bool:
        """True when the variable goes into the file."""
        return self.value is not None and self.problem is None


def collect(
    inventory: Inventory,
    config: Config,
    migration: Migration,
    environ: Mapping[str, str] | None = None,
) -> list[Variable]:
    """Every variable the repository needs, each with its value when one is found."""
    from parity.preflight import required_variables
    from parity.rules.par404_long_lived_credential_env import advice

    env = os.environ if environ is None else environ
    needed = dict(required_variables(inventory.repo.root, config))
    for name in migration.environment:
        needed.setdefault(name, "parity migrate (a secret it moves out of the repository)")
    found = _home_values(inventory)
    out: list[Variable] = []
    for name, needed_by in sorted(needed.items()):
        value: str | None
        if env.get(name):
            value, source = env[name], ENVIRONMENT
        elif name in found:
            value, source = found[name]
        elif name in migration.values:
            value, source = migration.values[name]
        else:
            out.append(Variable(name, needed_by, advice=advice(name)))
            continue
        problem = "it spans several lines: paste it by hand" if "\n" in value else None
        out.append(Variable(name, needed_by, source, advice(name), value, problem))
    return out


def _home_values(inventory: Inventory) -> dict[str, tuple[str, str]]:
    """Values the user and local scopes hold literally: settings ``env``, MCP servers' env."""
    from parity.items import build_items

    values: dict[str, tuple[str, str]] = {}
    for item in build_items(inventory):
        if item.scope not in (Scope.USER, Scope.LOCAL):
            continue
        if item.kind is ItemKind.ENV and _literal(item.data):
            values.setdefault(item.name, (item.data, f"{item.file.display}, env"))
        elif item.kind is ItemKind.MCP and isinstance(item.data, dict):
            _server_values(item, values)
    return values


def _server_values(item: Item, values: dict[str, tuple[str, str]]) -> None:
    for field_name in ("env", "headers"):
        members = item.data.get(field_name)
        if not isinstance(members, dict):
            continue
        for key, value in members.items():
            if _literal(value):
                where = f'{item.file.display}, server "{item.name}", {field_name} {key}'
                values.setdefault(str(key), (value, where))


def _literal(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and "${" not in value


def check_target(path: Path, root: Path, *, force: bool) -> Path:
    """The file to write, or a UsageError: never committed, never over a file unless forced."""
    target = path.expanduser().absolute()
    if target.is_dir():
        raise UsageError(f"{path}: is a directory; name the file to write")
    if target.exists() and not force:
        raise UsageError(f"{path}: exists; pass --force to replace it")
    if not target.parent.is_dir():
        raise UsageError(f"{path}: no such directory {target.parent}")
    real_root = root.resolve()
    real = target.parent.resolve() / target.name
    if real == real_root or real_root in real.parents:
        rel = real.relative_to(real_root).as_posix()
        if rel.split("/", 1)[0] == ".git":
            raise UsageError(f"{path}: inside the git directory; write it outside the repository")
        if not _ignored(real_root, rel):
            raise UsageError(
                f"{path}: inside the repository and not ignored by git, so it could be committed; "
                "write it outside the repository (or add it to .gitignore)"
            )
    return target


def _ignored(root: Path, rel: str) -> bool:
    """Whether git ignores ``rel`` under ``root`` (False outside a work tree)."""
    tree = git.worktree(root)
    if tree is None:
        return False
    # check-ignore refuses --literal-pathspecs (and takes the path as a name anyway).
    proc = tree.run("check-ignore", "-q", "--no-index", "--", tree.path(rel), literal=False)
    return proc.returncode == 0


def write(target: Path, variables: list[Variable]) -> int:
    """Write ``KEY=value`` lines atomically with mode 0600; the number of lines written."""
    lines = [f"{v.name}={v.value}\n" for v in variables if v.written]
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.writelines(lines)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return len(lines)


def render_text(variables: list[Variable], target: Path, written: int) -> str:
    """What was written and what is missing: names and sources only."""
    from parity.text import clean

    width = max((len(v.name) for v in variables), default=0)
    out = [
        f"Wrote {written} variable{'' if written == 1 else 's'} to {clean(str(target))} "
        "(mode 0600). Paste its lines into the cloud environment's settings on claude.ai, "
        "then delete the file.\n"
    ]
    for v in variables:
        if v.written:
            out.append(f"  {v.name:<{width}}  from {clean(v.source or '')}\n")
    missing = [v for v in variables if not v.written]
    if missing:
        out.append("\nNot written (set these in the cloud environment by hand):\n")
        for v in missing:
            why = v.problem or "no value found here"
            out.append(f"  {v.name:<{width}}  {why}; needed by {clean(v.needed_by)}\n")
    risky = [v for v in variables if v.advice]
    if risky:
        out.append("\nLong-lived credentials (prefer short-lived or narrowly scoped tokens):\n")
        out.extend(f"  {v.name}: {v.advice}\n" for v in risky)
    return "".join(out)


def render_json(variables: list[Variable], target: Path, written: int) -> str:
    """The same as JSON: names, where each value came from, never a value."""
    from parity.text import dumps

    doc = {
        "env_file": str(target),
        "written": written,
        "variables": [
            {
                "name": v.name,
                "needed_by": v.needed_by,
                "source": v.source,
                "written": v.written,
                "problem": v.problem,
                "long_lived": v.advice,
            }
            for v in variables
        ],
    }
    return dumps(doc) + "\n"
