"""Registering the script in .claude/settings.json: merged as a splice, formatting kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.cloudinit.settings import MATCHER, hook_command, plan_registration
from parity.errors import ParityError
from tests.cloudinit.conftest import CLOUDINIT
from tests.helpers import write

SCRIPT = ".claude/hooks/session-start.sh"
OURS = {"matcher": MATCHER, "hooks": [{"type": "command", "command": hook_command(SCRIPT)}]}


def register(root: Path, text: str | None) -> str:
    if text is not None:
        write(root, ".claude/settings.json", text)
    return plan_registration(root, SCRIPT).after


def kept_lines(before: str, after: str) -> bool:
    """``after`` is ``before`` with lines inserted (and a comma added after a last member)."""
    import difflib

    old = [line.rstrip(",") for line in before.splitlines()]
    new = [line.rstrip(",") for line in after.splitlines()]
    ops = difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes()
    return all(tag in ("equal", "insert") for tag, *_ in ops)


def test_missing_file(tmp_path: Path) -> None:
    reg = plan_registration(tmp_path, SCRIPT)
    assert reg.before is None
    assert json.loads(reg.after) == {"hooks": {"SessionStart": [OURS]}}
    assert reg.after.startswith('{\n  "hooks": {\n    "SessionStart": [\n')
    assert reg.after.endswith("}\n")


@pytest.mark.parametrize("text", ["", "\n", "{}\n", "{ }"])
def test_empty_file(tmp_path: Path, text: str) -> None:
    assert json.loads(register(tmp_path, text)) == {"hooks": {"SessionStart": [OURS]}}


def test_existing_hooks_fixture(tmp_path: Path) -> None:
    before = (CLOUDINIT / "existing-hooks" / ".claude" / "settings.json").read_text()
    after = register(tmp_path, before)
    expected = (CLOUDINIT / "expected" / "existing-hooks.settings.json").read_text()
    assert after == expected
    value = json.loads(after)
    assert list(value) == ["$schema", "env", "hooks", "model"]  # key order kept
    assert list(value["hooks"]) == ["SessionStart", "PreToolUse"]
    assert value["hooks"]["SessionStart"][1] == OURS
    assert kept_lines(before, after)


def test_two_space_no_hooks(tmp_path: Path) -> None:
    before = '{\n  "model": "opus",\n  "permissions": {\n    "allow": []\n  }\n}\n'
    after = register(tmp_path, before)
    assert after == (
        '{\n  "model": "opus",\n  "permissions": {\n    "allow": []\n  },\n'
        '  "hooks": {\n    "SessionStart": [\n      {\n        "matcher": "startup|resume",\n'
        '        "hooks": [\n          {\n            "type": "command",\n'
        f'            "command": {json.dumps(hook_command(SCRIPT))}\n'
        "          }\n        ]\n      }\n    ]\n  }\n}\n"
    )


def test_tabs(tmp_path: Path) -> None:
    before = '{\n\t"hooks": {\n\t\t"Stop": []\n\t}\n}\n'
    after = register(tmp_path, before)
    assert kept_lines(before, after)
    assert '\n\t\t"SessionStart": [\n\t\t\t{\n\t\t\t\t"matcher"' in after
    assert "  " not in after


def test_empty_hooks_object_inside_indented_file(tmp_path: Path) -> None:
    before = '{\n    "hooks": {},\n    "model": "opus"\n}\n'
    after = register(tmp_path, before)
    assert after.startswith('{\n    "hooks": {\n        "SessionStart": [\n            {\n')
    assert after.endswith('        ]\n    },\n    "model": "opus"\n}\n')
    assert json.loads(after)["hooks"] == {"SessionStart": [OURS]}


def test_empty_session_start_array(tmp_path: Path) -> None:
    before = '{\n  "hooks": {\n    "SessionStart": []\n  }\n}\n'
    after = register(tmp_path, before)
    assert json.loads(after) == {"hooks": {"SessionStart": [OURS]}}
    assert '    "SessionStart": [\n      {\n        "matcher"' in after
    assert after.endswith("      }\n    ]\n  }\n}\n")


def test_one_line_file_stays_one_line(tmp_path: Path) -> None:
    before = '{"hooks": {"Stop": [{"hooks": [{"type": "command", "command": "true"}]}]}}'
    after = register(tmp_path, before)
    assert "\n" not in after
    assert after.startswith(before[:-2])
    assert json.loads(after)["hooks"]["SessionStart"] == [OURS]


def test_already_registered_changes_nothing(tmp_path: Path) -> None:
    first = register(tmp_path, '{\n  "model": "opus"\n}\n')
    write(tmp_path, ".claude/settings.json", first)
    reg = plan_registration(tmp_path, SCRIPT)
    assert not reg.changed
    assert reg.after == first
    assert reg.reason == ""


def test_registered_with_another_command_form_is_updated(tmp_path: Path) -> None:
    before = json.dumps(
        {
            "hooks": {
                "SessionStart": [
                    {
                        "matcher": "startup",
                        "hooks": [{"type": "command", "command": f"$CLAUDE_PROJECT_DIR/{SCRIPT}"}],
                    }
                ]
            }
        },
        indent=2,
    )
    write(tmp_path, ".claude/settings.json", before)
    reg = plan_registration(tmp_path, SCRIPT)
    assert reg.changed
    assert "different command" in reg.reason
    assert "matcher" in reg.reason
    assert json.loads(reg.after) == {"hooks": {"SessionStart": [OURS]}}
    assert len(reg.after.splitlines()) == len(before.splitlines())  # edited in place


def test_missing_matcher_is_added(tmp_path: Path) -> None:
    before = (
        '{\n  "hooks": {\n    "SessionStart": [\n      {\n        "hooks": [\n'
        f'          {{"type": "command", "command": {json.dumps(hook_command(SCRIPT))}}}\n'
        "        ]\n      }\n    ]\n  }\n}\n"
    )
    after = register(tmp_path, before)
    assert after.endswith(
        '        ],\n        "matcher": "startup|resume"\n      }\n    ]\n  }\n}\n'
    )
    assert json.loads(after)["hooks"]["SessionStart"][0]["matcher"] == MATCHER


def test_shared_group_keeps_its_matcher(tmp_path: Path) -> None:
    value = {
        "hooks": {
            "SessionStart": [
                {
                    "hooks": [
                        {"type": "command", "command": "echo hi"},
                        {"type": "command", "command": hook_command(SCRIPT)},
                    ]
                }
            ]
        }
    }
    write(tmp_path, ".claude/settings.json", json.dumps(value))
    assert not plan_registration(tmp_path, SCRIPT).changed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"hooks": {,}}', "fix it before running parity cloud-init"),
        ("[1, 2]", "top level must be an object"),
        ('{"hooks": []}', "hooks must be an object"),
        ('{"hooks": {"SessionStart": {}}}', "hooks.SessionStart must be an array"),
        ('// comment\n{"a": 1}', "fix it before running"),
    ],
)
def test_unusable_settings_are_refused(tmp_path: Path, text: str, message: str) -> None:
    write(tmp_path, ".claude/settings.json", text)
    with pytest.raises(ParityError, match=message):
        plan_registration(tmp_path, SCRIPT)
