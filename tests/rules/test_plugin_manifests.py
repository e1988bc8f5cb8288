"""Plugin and marketplace manifests: what `claude plugin validate` (client 2.1.330) refuses.

The name tables below were checked against the client; `tests/oracle/test_plugin_manifests.py`
checks them again wherever the client is installed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.rules._plugins import marketplace_name_problem, reserved_plugin_name
from tests.helpers import FIXTURES, make_repo, run, write

# name -> True when the client refuses it as a third party's plugin name.
PLUGIN_NAMES = {
    "my-plugin": False,
    "md-tools": False,
    "claude": True,
    "claude-foo": True,
    "claude-md-helper": True,
    "claude.md-helper": True,
    "Claude_Code": True,
    "claudecode": True,
    "anthropic-foo": True,
    "anthropicstuff": False,
    "cc-plugin-x": True,
    "ccplugin": False,
    "claude-official": True,
    "tools-official-anthropic": True,
    "my-claude-tools": False,  # only a warning: it "reads as one of Anthropic's own"
    "Plügin": False,  # only a warning: not kebab-case
    "My Plugin": True,  # a space
}
# name -> True when the client refuses it for a marketplace.
MARKETPLACE_NAMES = {
    "my-tools": False,
    "acme-tools": False,
    "claude-plugins-official": False,  # Anthropic's own name: accepted in a manifest
    "agent-skills": False,
    "claude-helpers": False,
    "my-claude": False,
    "anthropic-tools": False,
    "claude_code_plugins": False,
    "claude-marketplace": True,
    "official-claude-stuff": True,
    "builtin": True,
    "inline": True,
    "skills-dir": True,
    "Cläude-market": True,
    "bad name": True,
    "../../../.ssh": True,
}


@pytest.mark.parametrize(("name", "refused"), sorted(PLUGIN_NAMES.items()))
def test_plugin_names_the_client_refuses(name: str, refused: bool) -> None:
    assert (reserved_plugin_name(name) or " " in name) is refused


@pytest.mark.parametrize(("name", "refused"), sorted(MARKETPLACE_NAMES.items()))
def test_marketplace_names_the_client_refuses(name: str, refused: bool) -> None:
    assert (marketplace_name_problem(name) is not None) is refused


def _errors(repo: Path) -> list[dict[str, object]]:
    result = run(["check", "--select", "ALL", "--format", "json", "--exit-zero", str(repo)])
    return [f for f in json.loads(result.out)["findings"] if f["severity"] == "error"]


def test_a_merge_conflict_in_a_marketplace_is_invalid_json(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "files" / "merge-conflict-marketplace")
    errors = _errors(repo)
    assert [(f["code"], f["path"], f["line"]) for f in errors] == [
        ("PAR001", ".claude-plugin/marketplace.json", 5)
    ]
    assert "marketplace cannot be added" in str(errors[0]["message"])


def test_a_plugin_manifest_is_found_in_any_plugin_folder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, "packages/plugin/.claude-plugin/plugin.json", '{"name": "claude-notify"}\n')
    make_repo(repo)
    assert [(f["code"], f["path"]) for f in _errors(repo)] == [
        ("PAR040", "packages/plugin/.claude-plugin/plugin.json")
    ]


def test_an_official_marketplace_may_list_anthropics_own_plugin_names(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    manifest = {
        "name": "claude-plugins-official",
        "owner": {"name": "Anthropic"},
        "plugins": [{"name": "claude-md-management", "source": "./plugins/md"}],
    }
    write(repo, ".claude-plugin/marketplace.json", json.dumps(manifest))
    make_repo(repo)
    assert _errors(repo) == []


def test_names_from_a_manifest_are_quoted_escaped_and_shortened(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    long_name = "claude " + "x" * 400
    manifest = {
        "name": "market\x1b[31m place",
        "owner": {"name": "Acme"},
        "plugins": [{"name": long_name, "source": "./plugins/md"}],
    }
    write(repo, ".claude-plugin/marketplace.json", json.dumps(manifest))
    make_repo(repo)
    messages = [str(f["message"]) for f in _errors(repo)]
    assert len(messages) == 2
    assert '"market\\u001b[31m place"' in messages[0]
    assert "\x1b" not in "".join(messages)
    assert "x" * 100 not in messages[1]
    assert '"claude xxx' in messages[1]
