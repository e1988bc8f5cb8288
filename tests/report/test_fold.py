"""Repeated findings are folded in text output (``--show-all`` lists them); JSON keeps all."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from parity.findings import REPORT_ORDER, Finding, Severity
from parity.report import Report, renderer
from parity.report.fold import Note, fold, shape
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


def _fold_as_in_session_28(findings: list[Finding], shown: int) -> list[object]:
    """fold() as it was before it was made faster, as a list of what it decides: the findings
    shown (by identity) and the notes after each, to compare the faster one with."""
    kinds = [(f.code, shape(f.message)) for f in findings]
    files_by_kind: dict[tuple[str, str], list[str]] = defaultdict(list)
    members: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f, kind in zip(findings, kinds, strict=True):
        files = files_by_kind[kind]
        if not files or files[-1] != f.path:
            files.append(f.path)
        members[kind].append(f)
    cross_hidden: set[int] = set()
    cross_groups = []
    for kind, files in files_by_kind.items():
        kept_files = set(files[:shown])
        hidden = [f for f in members[kind] if f.path not in kept_files]
        if len(files) > shown and len(hidden) >= 2:
            cross_hidden.update(id(f) for f in hidden)
            cross_groups.append(([f for f in members[kind] if f.path in kept_files], hidden))
    by_file_kind: dict[tuple[str, tuple[str, str]], list[Finding]] = defaultdict(list)
    for f, kind in zip(findings, kinds, strict=True):
        if id(f) not in cross_hidden:
            by_file_kind[(f.path, kind)].append(f)
    file_hidden: set[int] = set()
    file_notes = {}
    for (_path, kind), group in by_file_kind.items():
        if len(group) - shown >= 2:
            file_hidden.update(id(f) for f in group[shown:])
            file_notes[id(group[shown - 1])] = Note(kind[0], tuple(group[shown:]), same_file=True)
    cross_notes = {}
    for kept, hidden in cross_groups:
        anchor = [f for f in kept if id(f) not in file_hidden][-1]
        cross_notes[id(anchor)] = Note(anchor.code, tuple(hidden), same_file=False)
    decided: list[object] = []
    for f in findings:
        if id(f) not in cross_hidden and id(f) not in file_hidden:
            after = [n for n in (file_notes.get(id(f)), cross_notes.get(id(f))) if n is not None]
            decided.append((id(f), after))
    return decided


_FOLDABLE = st.builds(
    Finding,
    path=st.sampled_from(["a.md", "b/x.json", "b/y.json", "c/z.sh"]),
    line=st.integers(1, 6),
    column=st.just(1),
    code=st.sampled_from(["PAR102", "PAR402"]),
    message=st.sampled_from(["key 1 (x…)", "key 22 (x…)", "uses ~/a", "other"]),
    name=st.just("n"),
    severity=st.just(Severity.ERROR),
)


@given(st.lists(_FOLDABLE, max_size=60), st.booleans(), st.integers(1, 3))
@settings(max_examples=300, deadline=None)
def test_fold_decides_as_before_it_was_made_faster(
    findings: list[Finding], ordered: bool, shown: int
) -> None:
    # In report order, as reports are, and in any order.
    if ordered:
        findings = sorted(findings, key=REPORT_ORDER)
    folded = fold(findings, shown)
    decided = [(id(f), folded.notes.get(i, [])) for i, f in enumerate(folded.shown)]
    assert decided == _fold_as_in_session_28(findings, shown)
