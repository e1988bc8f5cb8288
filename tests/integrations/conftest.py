"""Shared fixtures for the integration tests: consumer repositories and shared caches."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, git, make_repo

ROOT = Path(__file__).resolve().parents[2]
CONSUMERS = FIXTURES / "consumers"
# Built at test time so that no key-shaped string is committed anywhere in this repository.
FAKE_KEY = "sk-ant-api03-" + "A" * 93 + "AA"


@pytest.fixture(scope="session")
def runner_temp(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One RUNNER_TEMP for the session: the action installs its venv there once per job."""
    return tmp_path_factory.mktemp("runner-temp")


@pytest.fixture(scope="session")
def tool_cache(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """pip's and virtualenv's caches shared by the session (each test has a fresh fake home)."""
    base = tmp_path_factory.mktemp("tool-cache")
    return {
        "PIP_CACHE_DIR": str(base / "pip"),
        "VIRTUALENV_OVERRIDE_APP_DATA": str(base / "virtualenv"),
    }


@pytest.fixture(scope="session")
def wheelhouse(
    tmp_path_factory: pytest.TempPathFactory, tool_cache: dict[str, str]
) -> dict[str, str]:
    """pip settings that install this project and its build backend from a local wheelhouse.

    Every ``try-repo`` and the action's install step build a fresh venv; downloading once and
    installing with ``PIP_NO_INDEX`` saves the index round trips of each build. When the download
    fails (no index reachable), the builds use pip's own configuration.
    """
    dest = tmp_path_factory.mktemp("wheelhouse")
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "-d", str(dest), "hatchling", str(ROOT)],
        capture_output=True,
        check=False,
        env={**os.environ, **tool_cache},
        timeout=600,
    )
    if proc.returncode != 0:
        return {}
    return {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(dest)}


def plant_secret(repo: Path) -> None:
    """Add a stdio MCP server whose env holds a literal key (what the secret rules catch)."""
    path = repo / ".mcp.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    doc["mcpServers"]["proxy"] = {
        "type": "stdio",
        "command": "npx",
        "args": ["-y", "@example/mcp-proxy@1.2.3"],
        "env": {"ANTHROPIC_API_KEY": FAKE_KEY},
    }
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """The broken consumer, committed, plus a pull-request commit that plants a secret."""
    repo = make_repo(tmp_path / "broken", CONSUMERS / "broken")
    plant_secret(repo)
    git(repo, "commit", "-qam", "add a proxy MCP server")
    return repo


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """The clean consumer, committed."""
    return make_repo(tmp_path / "clean", CONSUMERS / "clean")


def copy_consumer(name: str, dest: Path) -> Path:
    """A consumer's files copied to ``dest`` (not yet a repository)."""
    shutil.copytree(CONSUMERS / name, dest, dirs_exist_ok=True)
    return dest
