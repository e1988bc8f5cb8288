"""Repeated findings are folded in text output (``--show-all`` lists them); JSON keeps all."""

from __future__ import annotations

import json
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from parity.findings import REPORT_ORDER, Finding, Severity
from parity.report import Report, renderer
from parity.report.fold import fold, shape
from tests.helpers import FIXTURES, make_repo, run


def _home_path(path: str, line: int, script: str) -> Finding:
    return Finding(
        path=path,
        line=line,
        column=24,
        code="PAR102",
        message=f"The hook runs ~/.claude/hooks/{script}.sh: a path under your home directory.",
        name="home-path-in-repo-config",
        severity=Severity.ERROR,
        fix="Commit the script.",
    )


def _report(findings: list[Finding]) -> Report:
    return Report(findings=tuple(sorted(findings, key=REPORT_ORDER)), files_checked=9)


SETTINGS = ".claude/settings.json"
COPIES = [f"template/releases/{v}/.claude/settings.json" for v in ("1.0", "1.1", "1.2", "2.0")]
FINDINGS = [_home_path(SETTINGS, 9 + 4 * i, f"s{i}") for i in range(7)] + [
    _home_path(copy, line, script)
    for copy in COPIES
    for line, script in ((9, "format"), (13, "lint"))
]


def test_text_exact_with_repeats_folded() -> None:
    out = renderer("text")(_report(FINDINGS), color=False)
    shown = (
        "  {at}  error   PAR102 The hook runs ~/.claude/hooks/{s}.sh: a path under your home "
        "directory.\n         fix: Commit the script.\n"
    )
    assert out == (
        ".claude/settings.json\n"
        + shown.format(at="9:24 ", s="s0")
        + shown.format(at="13:24", s="s1")
        + shown.format(at="17:24", s="s2")
        + "         … 4 more PAR102 like this in this file (lines 21, 25, 29, 33)\n"
        "\n"
        "template/releases/1.0/.claude/settings.json\n"
        + shown.format(at="9:24 ", s="format")
        + shown.format(at="13:24", s="lint")
        + "\n"
        "template/releases/1.1/.claude/settings.json\n"
        + shown.format(at="9:24 ", s="format")
        + shown.format(at="13:24", s="lint")
        + "         … 4 more PAR102 like this in 2 other files under template/releases/\n"
        "\n"
        "Found 15 problems (15 errors) in 5 files.\n"
        "8 repeated findings folded into the … lines; --show-all lists every one "
        "(--format json always does).\n"
    )


def test_show_all_lists_every_finding() -> None:
    out = renderer("text")(_report(FINDINGS), color=False, show_all=True)
    assert out.count("PAR102 The hook runs") == 15
    assert "…" not in out
    assert out.endswith("Found 15 problems (15 errors) in 5 files.\n")


def test_a_single_repeat_is_shown_rather_than_folded() -> None:
    # Four of a kind in a file: a note would stand for one finding, so all four are shown.
    four = [_home_path(SETTINGS, line, f"s{line}") for line in (3, 5, 7, 9)]
    folded = fold(four)
    assert folded.shown == tuple(four)
    assert folded.hidden == 0


def test_different_messages_are_not_folded_together() -> None:
    other = [
        Finding(SETTINGS, line, 1, "PAR102", f"MCP server {line} uses ~/x", "n", Severity.ERROR)
        for line in (40, 41, 42, 43, 44)
    ]
    folded = fold(sorted(FINDINGS[:7] + other, key=REPORT_ORDER))
    assert [n.text() for notes in folded.notes.values() for n in notes] == [
        "… 4 more PAR102 like this in this file (lines 21, 25, 29, 33)",
        "… 2 more PAR102 like this in this file (lines 43, 44)",
    ]


def test_shape_blanks_what_varies() -> None:
    assert shape('Import @~/notes.md of "x" at line 12: `bun i` in ${HOME}') == (
        "Import … of … at line …: … in …"
    )


# Messages made of what each branch of the shape starts from, digits of other scripts, spaces
# of other kinds: the fast path (no quote, path or reference character) must blank them exactly
# as the one pattern does.
_MESSAGE_PIECES = st.sampled_from(
    [
        *('"', "`", "${", "}", "$", "/", "\\", "~", "@", "1", "42", "\u0663", "a", "API_KEY_7"),
        *(" ", "\t", "\u2003", "\n", "…", "(x…(32 chars))", "IxA"),
    ]
)


@given(st.lists(_MESSAGE_PIECES, max_size=12).map("".join))
@settings(max_examples=500, deadline=None)
def test_shape_is_the_one_pattern_substitution(message: str) -> None:
    plain = re.sub(r'"[^"]*"|`[^`]*`|\$\{[^}]*\}|\S*[/\\~@]\S*|\d+', "…", message)
    assert shape(message) == plain


def test_real_layout_end_to_end(tmp_path: Path, fake_home: Path) -> None:
    # A repository committing its ~/.claude template in release folders, as in the report.
    repo = make_repo(tmp_path / "repo", FIXTURES / "repos" / "template-copies")
    text = run(["check", "--select", "PAR102", str(repo)])
    data = json.loads(run(["check", "--select", "PAR102", "--format", "json", str(repo)]).out)
    every = run(["check", "--select", "PAR102", "--show-all", str(repo)])
    assert data["summary"]["total"] == 17  # 7 in the settings file, 2 in each of 5 copies
    assert text.code == every.code == 1
    assert text.out.count("error   PAR102") == 3 + 2 + 2
    assert "… 4 more PAR102 like this in this file (lines 21, 25, 29, 33)" in text.out
    assert "… 6 more PAR102 like this in 3 other files under template/releases/" in text.out
    assert "10 repeated findings folded" in text.out
    assert every.out.count("error   PAR102") == 17
    sarif = json.loads(run(["check", "--select", "PAR102", "--format", "sarif", str(repo)]).out)
    assert len(sarif["runs"][0]["results"]) == 17
