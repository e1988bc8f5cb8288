"""What the clone's project scope gives a session start: its settings and SessionStart hooks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from parity.emulate.hookrun import EVENT, HookSpec


@dataclass(frozen=True)
class ProjectConfig:
    """What the clone's project settings give the session start."""

    settings: dict[str, Any]  # .claude/settings.json (empty when absent or unreadable)
    hooks: tuple[HookSpec, ...]  # its SessionStart handlers, in order


SETTINGS = ".claude/settings.json"


def read_project(project: Path) -> ProjectConfig:
    """The project scope of the clone: its ``.claude/settings.json`` (never user or local ones).

    A cloud session starts at the repository's root and reads that one file; listing a large
    clone to find it would cost more than the rest of the session start.
    """
    from parity import git
    from parity.discover import Repo, RepoFile
    from parity.hooks import iter_hooks
    from parity.model import Inventory, Kind, Scope

    proc = git.run(project, "ls-files", "-z", "--stage", "--", SETTINGS)
    listed = proc.stdout if proc.returncode == 0 else b""
    files = {}
    if listed:
        mode = int(listed.split(b" ", 1)[0], 8)
        files[SETTINGS] = RepoFile(SETTINGS, tracked=True, mode=mode)
    inventory = Inventory.build(Repo(project, True, files))
    settings: dict[str, Any] = {}
    for cf, doc in inventory.documents(Kind.SETTINGS, scopes=[Scope.PROJECT]):
        if cf.rel == SETTINGS and doc.ok and isinstance(doc.value, dict):
            settings = doc.value
    hooks = tuple(
        HookSpec(h.matcher, h.handler)
        for h in iter_hooks(inventory, scopes=[Scope.PROJECT])
        if h.event == EVENT and h.file.tracked
    )
    return ProjectConfig(settings, hooks)


def string_env(value: object) -> dict[str, str]:
    """The string values of a settings ``env`` object (others are not variables)."""
    if not isinstance(value, dict):
        return {}
    return {str(k): v for k, v in value.items() if isinstance(v, str)}
