"""``allow-unknown-settings``: extension keys added on purpose are not PAR011 findings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import tomlkit

from parity.config import INIT_BLOCK, config_from_table
from parity.errors import ConfigError
from tests.helpers import make_repo, run, write

# A template's settings: its own extension keys beside a real typo.
SETTINGS = {
    "x-template-version": "3.2",
    "x-template-owner": "platform-team",
    "teamNotes": "see docs/claude.md",
    "permissions": {"allow": ["Bash(npm test *)"], "reviewedBy": "ops"},
    "permisions": {"deny": ["Read(./.env)"]},
}


def _unknown(repo: Path) -> list[str]:
    result = run(["check", "--select", "PAR011", "--format", "json", str(repo)])
    assert result.code in (0, 1), result.err
    return sorted(f["pointer"] for f in json.loads(result.out)["findings"])


def test_listed_keys_and_patterns_are_accepted(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/settings.json", json.dumps(SETTINGS, indent=2))
    assert _unknown(repo) == [
        "/permisions",
        "/permissions/reviewedBy",
        "/teamNotes",
        "/x-template-owner",
        "/x-template-version",
    ]
    write(
        repo,
        "parity.toml",
        'allow-unknown-settings = ["x-*", "teamNotes", "permissions.reviewedBy"]\n',
    )
    assert _unknown(repo) == ["/permisions"]  # the typo is still reported


def test_a_pattern_names_the_dotted_path(tmp_path: Path) -> None:
    # "reviewedBy" alone is a top-level name; inside permissions it is permissions.reviewedBy.
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/settings.json", json.dumps(SETTINGS, indent=2))
    write(repo, "parity.toml", 'allow-unknown-settings = ["reviewedBy", "*.reviewedBy"]\n')
    assert "/permissions/reviewedBy" not in _unknown(repo)
    write(repo, "parity.toml", 'allow-unknown-settings = ["reviewedBy"]\n')
    assert "/permissions/reviewedBy" in _unknown(repo)


def test_the_option_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="allow-unknown-settings"):
        config_from_table({"allow-unknown-settings": "x-*"}, tmp_path / "parity.toml")
    with pytest.raises(ConfigError, match="allow-unknown-settings"):
        config_from_table({"allow-unknown-settings": [""]}, tmp_path / "parity.toml")


def test_init_writes_it_commented_out_and_valid(tmp_path: Path) -> None:
    line = next(x for x in INIT_BLOCK.splitlines() if "allow-unknown-settings" in x)
    assert line.startswith("# allow-unknown-settings = [")
    table = tomlkit.parse(line.removeprefix("# ")).unwrap()
    config = config_from_table(table, tmp_path / "parity.toml")
    assert config.allow_unknown_settings == ("x-*", "permissions.myTeamNote")
