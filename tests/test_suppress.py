"""Inline suppression in Markdown: ``<!-- parity: ignore PAR102 -->``, and ``ignore-file``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.rules import all_rules
from parity.suppress import Directive, directives, suppressions
from tests.helpers import make_repo, run, write

KNOWN = [r.code for r in all_rules()]
# A skill modelled on the report: it reads a home path on purpose (a migration guide, run on the
# author's machine) and runs one it should not.
SKILL = """\
---
name: migrate-agents
description: Move personal agents into the repository.
---

1. Read `~/.claude/agents/index.md` to list them. <!-- parity: ignore PAR102 -->
2. Copy each agent into `.claude/agents/` and commit it.
3. Run `bash ~/.claude/bin/check-agents.sh` afterwards.
"""


def _findings(repo: Path, *args: str) -> list[tuple[str, int, str]]:
    result = run(["check", "--format", "json", *args, str(repo)])
    assert result.code in (0, 1), result.err
    return [(f["path"], f["line"], f["code"]) for f in json.loads(result.out)["findings"]]


def test_a_line_comment_silences_its_line_only(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/skills/migrate-agents/SKILL.md", SKILL)
    assert _findings(repo, "--select", "PAR102") == [
        (".claude/skills/migrate-agents/SKILL.md", 8, "PAR102")
    ]


def test_a_file_comment_silences_the_whole_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    text = SKILL.replace("---\n\n1.", "---\n<!-- parity: ignore-file PAR1 -->\n\n1.")
    write(repo, ".claude/skills/migrate-agents/SKILL.md", text)
    assert _findings(repo, "--select", "PAR102") == []


def test_only_the_named_rules_are_silenced(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(
        repo,
        "CLAUDE.md",
        "<!-- parity: ignore-file PAR201 -->\nRead @~/.claude/personal.md first.\n",
    )
    assert _findings(repo, "--select", "PAR102") == [("CLAUDE.md", 2, "PAR102")]


def test_without_a_comment_nothing_is_silenced(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/skills/migrate-agents/SKILL.md", SKILL.replace("<!--", "<!-- not"))
    lines = [line for _, line, code in _findings(repo, "--select", "PAR102")]
    assert lines == [6, 8]


def test_json_files_are_not_read_for_comments(tmp_path: Path) -> None:
    # JSON has no comments: a Markdown comment naming the settings file does nothing to it.
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, "CLAUDE.md", "<!-- parity: ignore-file PAR014 -->\n")
    write(repo, ".claude/settings.json", '{"permissions": {"allow": ["bash(ls)"]}}')
    assert _findings(repo, "--select", "PAR014") == [(".claude/settings.json", 1, "PAR014")]


def test_an_unreadable_comment_is_reported_and_silences_nothing(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    text = SKILL.replace("ignore PAR102", "ignore PAR19")  # no rule has this prefix
    write(repo, ".claude/skills/migrate-agents/SKILL.md", text)
    assert sorted(_findings(repo, "--select", "PAR004,PAR102")) == [
        (".claude/skills/migrate-agents/SKILL.md", 6, "PAR004"),
        (".claude/skills/migrate-agents/SKILL.md", 6, "PAR102"),
        (".claude/skills/migrate-agents/SKILL.md", 8, "PAR102"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("x <!-- parity: ignore PAR102 -->", [("line", ("PAR102",), ())]),
        ("<!--parity:ignore PAR102,PAR201-->", [("line", ("PAR102", "PAR201"), ())]),
        ("<!-- Parity: IGNORE-FILE par1 -->", [("file", ("PAR1",), ())]),
        (
            "<!-- parity: ignore PAR102 --> and <!-- parity: ignore-file PAR4 -->",
            [("line", ("PAR102",), ()), ("file", ("PAR4",), ())],
        ),
        ("<!-- parity: ignore ALL -->", [("line", (), ("not a parity rule",))]),
        ("<!-- parity: ignore PAR999 PAR102 -->", [("line", ("PAR102",), ("not a parity",))]),
        ("<!-- parity: ignore -->", [("line", (), ("names no rule",))]),
        ("<!-- parity: noqa PAR102 -->", [("", (), ('unknown keyword "noqa"',))]),
        ("<!-- parity: ignore PAR102", [("", (), ("must close",))]),
        ("<!-- parity is great -->", []),
        ("a plain line about parity", []),
    ],
)
def test_grammar(line: str, expected: list[tuple[str, tuple[str, ...], tuple[str, ...]]]) -> None:
    found = list(directives(line, KNOWN))
    assert len(found) == len(expected)
    for d, (scope, codes, problems) in zip(found, expected, strict=True):
        assert (d.scope, d.codes) == (scope, codes)
        assert len(d.problems) == len(problems)
        for got, want in zip(d.problems, problems, strict=True):
            assert want in got


def test_suppressions_cover_codes_and_prefixes() -> None:
    found = [
        Directive(3, 1, 10, "line", ("PAR102",)),
        Directive(9, 1, 10, "file", ("PAR2",)),
    ]
    s = suppressions(found)
    assert s.covers("PAR102", 3)
    assert not s.covers("PAR102", 4)
    assert not s.covers("PAR103", 3)
    assert s.covers("PAR201", 1)
    assert s.covers("PAR209", 40)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    "<!-- parity: ignore PAR102 -->",
                    "<!-- PARITY: ignore-file PAR1 -->",
                    "<!-- parity: ignore",
                    "par\u0130ty",
                    "Parity",
                    "\n",
                    " ",
                ]
            ),
            st.text(max_size=6),
        ),
        max_size=12,
    ).map("".join)
)
def test_directives_of_a_text_are_those_of_its_lines(text: str) -> None:
    # directives() first asks whether the whole text holds "parity" at all: the same comments
    # as looking at each line.
    known = ("PAR102", "PAR1")
    each = [
        d._replace(line=number)
        for number, line in enumerate(text.split("\n"), start=1)
        for d in directives(line, known)
    ]
    assert list(directives(text, known)) == each
