"""PAR014 proposes the corrected rule when the intent is clear."""

from __future__ import annotations

import pytest

from parity.permissions import problem
from parity.rules.par014_permission_rule import _fix


@pytest.mark.parametrize(
    ("text", "fix"),
    [
        ("bash(git status)", 'Write "Bash(git status)".'),
        ("webFetch", 'Write "WebFetch".'),
        ("WebFetch(docs.example.com)", 'Write "WebFetch(domain:docs.example.com)".'),
        ("WebFetch(https://docs.example.com/a?b=1)", 'Write "WebFetch(domain:docs.example.com)".'),
        ("WebFetch(Domain:example.com)", 'Write "WebFetch(domain:example.com)".'),
        ("Read(src:*)", 'Write a glob: "Read(src*)".'),
        ("Read()", 'Write "Read" (every use of the tool) or give a pattern: "Read(pattern)".'),
        (
            "mcp__github__get_issue(42)",
            'Write "mcp__github__get_issue" without parentheses (MCP rules take no pattern); '
            '"mcp__github__*" covers every tool of the server.',
        ),
        ("Bash(:*)", 'Name the command before :*, e.g. "Bash(npm run test *)".'),
        ("  ", "Remove the empty entry."),
    ],
)
def test_fix_names_the_rule_to_write(text: str, fix: str) -> None:
    assert problem(text, "allow") is not None
    assert _fix(text, "allow") == fix
    if fix.startswith('Write "'):
        corrected = fix.split('"')[1]
        assert problem(corrected, "allow") is None, corrected
