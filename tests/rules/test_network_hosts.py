"""Hosts no cloud VM reaches (PAR305), URL values in env (PAR302) and installers' downloads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.network import private_host
from tests.helpers import make_repo, run, write


def _findings(repo: Path, code: str) -> list[dict[str, object]]:
    result = run(["check", "--select", code, "--format", "json", str(repo)])
    assert result.code in (0, 1), result.err
    findings: list[dict[str, object]] = json.loads(result.out)["findings"]
    return findings


def _repo(tmp_path: Path, command: str, *, network: str | None = None, **files: str) -> Path:
    repo = make_repo(tmp_path / "repo", commit=False)
    hook = {"hooks": [{"type": "command", "command": command}]}
    write(repo, ".claude/settings.json", json.dumps({"hooks": {"SessionStart": [hook]}}))
    if network is not None:
        write(repo, "parity.toml", f'[environments.default]\nnetwork = "{network}"\n')
    for rel, text in files.items():
        write(repo, rel.replace("__", "/"), text)
    return repo


@pytest.mark.parametrize(
    ("host", "private"),
    [
        ("hooks.corp-internal.example", True),
        ("db.internal", True),
        ("printer.local", True),
        ("nas.lan", True),
        ("git.corp", True),
        ("wiki.intranet", True),
        ("router.home.arpa", True),
        ("myapp.test", True),
        ("x.invalid", True),
        ("jenkins", True),
        ("10.1.2.3", True),
        ("172.20.0.5", True),
        ("192.168.1.10", True),
        ("169.254.169.254", True),
        ("100.101.102.103", True),
        ("fd12:3456::10", True),
        ("fe80::1", True),
        ("localhost", False),
        ("app.localhost", False),
        ("127.0.0.1", False),
        ("::1", False),
        ("0.0.0.0", False),  # noqa: S104 - a host name in a URL, nothing binds
        ("api.acme.io", False),
        ("8.8.8.8", False),
        ("172.32.0.1", False),
        ("${API_HOST}", False),
        ("your-kali-host", False),  # a stand-in for the reader's own host
        ("example.com", False),  # a public documentation placeholder, not a private name
    ],
)
def test_private_network_hosts(host: str, private: bool) -> None:
    assert (private_host(host) is not None) is private


@pytest.mark.parametrize("network", [None, "none", "trusted", "custom", "full"])
def test_a_private_host_is_reported_at_every_network_level(
    tmp_path: Path, fake_home: Path, network: str | None
) -> None:
    repo = _repo(tmp_path, "curl -fsS https://hooks.corp-internal.example/notify", network=network)
    (finding,) = _findings(repo, "PAR305")
    assert finding["severity"] == "error"
    assert "outside your company or home network" in str(finding["message"])
    assert "Full included" in str(finding["message"])


def test_url_values_in_settings_env_are_checked_against_the_level(
    tmp_path: Path, fake_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    settings = {"env": {"ANTHROPIC_BASE_URL": "https://api.minimax.io/anthropic"}}
    write(repo, ".claude/settings.json", json.dumps(settings))
    (finding,) = _findings(repo, "PAR302")
    assert finding["pointer"] == "/env/ANTHROPIC_BASE_URL"
    assert finding["severity"] == "warning"
    assert "points at api.minimax.io" in str(finding["message"])
    write(repo, "parity.toml", '[environments.default]\nnetwork = "full"\n')
    assert _findings(repo, "PAR302") == []


CYPRESS = json.dumps({"devDependencies": {"cypress": "13.6.0"}})
PUPPETEER = json.dumps({"dependencies": {"puppeteer": "23.1.0"}})


@pytest.mark.parametrize(
    "case",
    [
        ("npx cypress install", {}, None, "download.cypress.io"),
        ("npm ci", {"package.json": CYPRESS}, None, "download.cypress.io"),
        ("yarn install --frozen-lockfile", {"package.json": CYPRESS}, None, "download.cypress.io"),
        ("CYPRESS_INSTALL_BINARY=0 npm ci", {"package.json": CYPRESS}, None, None),
        ("npm ci --ignore-scripts", {"package.json": CYPRESS}, None, None),
        ("npm ci", {}, None, None),
        ("npx -y playwright@1.48.0 install --with-deps chromium", {}, None, "cdn.playwright.dev"),
        ("python -m playwright install chromium", {}, None, "cdn.playwright.dev"),
        ("terraform -chdir=infra init", {}, None, "registry.terraform.io"),
        ("huggingface-cli download acme/model", {}, None, "huggingface.co"),
        ("pyenv install 3.12.4", {}, None, "www.python.org"),
        ("npx puppeteer browsers install chrome", {}, None, None),  # on the Trusted list
        ("npx puppeteer browsers install chrome", {}, "none", "storage.googleapis.com"),
        ("npx puppeteer browsers list", {}, "none", None),
        ("npm ci", {"package.json": PUPPETEER}, None, None),
        ("nvm install 20", {}, None, None),
        ("nvm install 20", {}, "none", "nodejs.org"),
        ("npx playwright install", {}, "full", None),
    ],
)
def test_installers_download_hosts_are_checked(
    tmp_path: Path, fake_home: Path, case: tuple[str, dict[str, str], str | None, str | None]
) -> None:
    command, files, network, hosts = case
    repo = _repo(tmp_path, command, network=network, **files)
    downloads = [f for f in _findings(repo, "PAR303") if "downloads" in str(f["message"])]
    if hosts is None:
        assert downloads == []
        return
    (finding,) = downloads
    assert f"from {hosts} (where it downloads from as of " in str(finding["message"])
    assert finding["severity"] == "warning"
