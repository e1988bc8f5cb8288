"""Fixture repositories for cloud-init: copied from tests/fixtures/cloudinit, git-initialised."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, make_repo

CLOUDINIT = FIXTURES / "cloudinit"
REPOS = sorted(p.name for p in CLOUDINIT.iterdir() if p.is_dir() and p.name != "expected")


@pytest.fixture
def fixture_repo(tmp_path: Path) -> Callable[[str], Path]:
    """Copy the fixture repository ``name`` into a temp dir, git init and commit it."""

    def make(name: str) -> Path:
        return make_repo(tmp_path / name, CLOUDINIT / name)

    return make
