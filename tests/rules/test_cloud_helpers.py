"""The shared pieces of the image, tooling and network rules: installs, URLs, profiles, files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.discover import discover_repo
from parity.errors import ConfigError
from parity.image import resolve_profile
from parity.model import Inventory
from parity.rules._cloud import checkable_host, fetch_of, install_of, probed_names, urls_in
from parity.shell import parse
from tests.helpers import make_repo, write


@pytest.mark.parametrize(
    ("line", "manager", "system"),
    [
        ("npm ci", "npm", False),
        ("npm install -g vercel", "npm", True),
        ("python3 -m pip install -r requirements.txt", "pip", False),
        ("uv pip install ruff", "uv", False),
        ("sudo apt-get install -y jq", "apt", True),
        ("bundle", "bundler", False),
        ("go mod download", "go", False),
        ("bun add zod", "bun", False),
    ],
)
def test_installs_are_recognised(line: str, manager: str, system: bool) -> None:
    install = install_of(parse(line)[0])
    assert install is not None
    assert (install.manager, install.system) == (manager, system)


@pytest.mark.parametrize("line", ["npm test", "npm run build", "uv run pytest", "pip --version"])
def test_other_commands_are_not_installs(line: str) -> None:
    assert install_of(parse(line)[0]) is None


def test_fetching_launchers() -> None:
    fetched = fetch_of(parse("npx -y acme@1.0.0")[0])
    assert fetched is not None
    assert fetched.packages == ("acme@1.0.0",)
    assert fetch_of(parse("node server.js")[0]) is None


def test_urls_and_hosts() -> None:
    text = "curl -fsS https://api.acme.dev/x?y=1, then http://localhost:3000/"
    assert [u for u, _ in urls_in(text)] == ["https://api.acme.dev/x?y=1", "http://localhost:3000/"]
    assert checkable_host("api.acme.dev")
    for host in ("localhost", "10.1.2.3", "printer.local", "example.com", "${HOST}", "intranet"):
        assert not checkable_host(host)


def test_probed_names_cover_checks_functions_and_sourced_scripts() -> None:
    text = 'command -v deno || exit 0\nmytool() { :; }\n. "$NVM_DIR/nvm.sh"\n'
    assert {"deno", "mytool", "nvm"} <= probed_names(text)


def test_users_add_image_profiles(tmp_path: Path) -> None:
    profile = {"name": "team", "commands": ["bash", "terraform"], "known-missing": ["deno"]}
    write(tmp_path, ".parity/images/team.json", json.dumps(profile))
    write(tmp_path, "images/other.json", json.dumps({**profile, "name": "other"}))
    team = resolve_profile("team", tmp_path)
    assert team.has("terraform")
    assert team.lacks("deno")
    assert resolve_profile("images/other.json", tmp_path).name == "other"
    assert resolve_profile("claude-cloud", tmp_path).has("npm")
    with pytest.raises(ConfigError):
        resolve_profile("no-such-image", tmp_path)


def test_repo_file_never_follows_a_link_out_of_the_repository(tmp_path: Path) -> None:
    secret = tmp_path / "outside.txt"
    secret.write_text("outside\n")
    repo_dir = make_repo(tmp_path / "repo", commit=False)
    write(repo_dir, "scripts/setup.sh", "#!/bin/sh\nnpm ci\n")
    (repo_dir / "scripts/link.sh").symlink_to(secret)
    inventory = Inventory.build(discover_repo(repo_dir))
    doc = inventory.repo_file("scripts/setup.sh")
    assert doc is not None
    assert "npm ci" in doc.text
    assert inventory.repo_file("scripts/setup.sh") is doc
    assert inventory.repo_file("scripts/link.sh") is None
    assert inventory.repo_file("../outside.txt") is None
    assert inventory.repo_file("scripts/missing.sh") is None
