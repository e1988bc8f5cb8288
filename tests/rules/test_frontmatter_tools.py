"""PAR030 on tool names in frontmatter: the list permission rules are read against."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.permissions import ALIASES, KNOWN_TOOLS
from tests.helpers import make_repo, run, write


def _tool_findings(repo: Path) -> list[str]:
    result = run(["check", "--select", "PAR030", "--format", "json", str(repo)])
    assert result.code in (0, 1), result.err
    return [f["message"] for f in json.loads(result.out)["findings"]]


@pytest.mark.parametrize("tool", sorted(KNOWN_TOOLS | set(ALIASES)))
def test_every_tool_a_permission_rule_may_name_is_a_tool_here(tmp_path: Path, tool: str) -> None:
    # One list for both: a tool the client knows in a rule (Cd, enabled in some sessions; an old
    # name it still maps) is no typo in an agent's `tools:` either.
    write(
        tmp_path / "repo",
        ".claude/agents/a.md",
        f"---\nname: a\ndescription: d\ntools: {tool}\n---\n",
    )
    assert _tool_findings(make_repo(tmp_path / "repo")) == []


def test_a_tool_the_client_lacks_is_reported_with_the_near_name(tmp_path: Path) -> None:
    write(
        tmp_path / "repo",
        ".claude/agents/a.md",
        "---\nname: a\ndescription: d\ntools: Read, Frobnicate, bash\n---\n",
    )
    messages = _tool_findings(make_repo(tmp_path / "repo"))
    assert len(messages) == 2
    assert any('"Frobnicate" is not a tool' in m for m in messages)
    assert any('"bash" is not a tool' in m and 'did you mean "Bash"' in m for m in messages)
