"""Shared fixtures for the integration tests: consumer repositories and shared caches."""

from __future__ import annotations

import json
import shutil
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
