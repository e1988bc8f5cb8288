"""Fixtures for migrate tests: a fake home and a repository, installed from fixture folders."""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from parity.discover import Home, discover_repo
from parity.migrate import MigrateOptions, Migration, plan_migration
from parity.model import Inventory
from tests.helpers import FIXTURES, install_home, make_repo


@dataclass
class Setup:
    """A repository and the fake home it is planned against."""

    repo: Path
    home: Path

    def plan(self, options: MigrateOptions | None = None) -> Migration:
        inventory = Inventory.build(discover_repo(self.repo), Home.from_env())
        return plan_migration(inventory, options)


def install(tmp: Path, home: Path, home_fixture: Path | None, repo_fixture: Path | None) -> Setup:
    """Copy a fixture repository (committed) and a fixture home into place."""
    repo = make_repo(tmp / "repo", repo_fixture)
    if home_fixture is not None:
        install_home(home_fixture, home, repo)
    return Setup(repo, home)


def tree_hash(root: Path, *, skip_git: bool = True) -> dict[str, str]:
    """Every entry under ``root`` with a hash of its bytes (or link target) and mode."""
    found: dict[str, str] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        if skip_git and rel_dir.parts[:1] == (".git",):
            continue
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            rel = (rel_dir / name).as_posix()
            if skip_git and rel.split("/")[0] == ".git":
                continue
            st = path.lstat()
            if path.is_symlink():
                found[rel] = "link:" + os.readlink(path)
            elif path.is_file():
                digest = hashlib.sha256(path.read_bytes()).hexdigest()
                found[rel] = f"{digest}:{st.st_mode:o}"
            else:
                found[rel] = f"dir:{st.st_mode:o}"
    return found


MIGRATE = FIXTURES / "migrate"
REALISTIC = FIXTURES / "homes" / "realistic"
PARTIAL = FIXTURES / "repos" / "partial"
