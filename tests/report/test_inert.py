"""Repository text stays inert in every output format (issue 24 items 2-4).

Names, values and paths come from the repository, which is untrusted: a control character in
them must not reach a terminal, make the JUnit report unreadable, forge a workflow command, or
crash the run (a lone surrogate cannot be encoded as UTF-8).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from parity.findings import REPORT_ORDER, Finding, Severity
from parity.report import FORMATS, Report, renderer
from parity.rules import get
from tests.helpers import make_repo, run, write
from tests.report.consumers import (
    read_json_report,
    read_junit,
    read_sarif,
    read_workflow_commands,
    sarif_path,
    terminal_controls,
)

TITLE = "Bash(\x1b]0;TITLE\x07 x"  # sets the terminal's title when printed raw
LONE = "Bash(\ud800 x"  # valid JSON ("\ud800"), not encodable as UTF-8
CSI = "Bash(\x9b31m\x00\x7f\u202e x"  # C1 CSI, NUL, DEL, a bidi override


def _settings_repo(tmp_path: Path, *rules: str) -> Path:
    repo = tmp_path / "repo"
    # json.dumps writes "\u001b" / "\ud800" escapes: the file is valid JSON, as in the issue.
    write(repo, ".claude/settings.json", json.dumps({"permissions": {"allow": list(rules)}}))
    return make_repo(repo)


def _parse(fmt: str, out: str) -> None:
    """``out`` read by the consumer of ``fmt``; nothing a terminal would act on, in any."""
    {
        "text": lambda o: None,
        "json": read_json_report,
        "sarif": read_sarif,
        "github": read_workflow_commands,
        "junit": read_junit,
    }[fmt](out)
    assert terminal_controls(out) == [], fmt


def test_control_characters_never_reach_the_terminal(tmp_path: Path) -> None:
    """Issue 24 item 2: PAR014 quoted a permission rule raw (ESC, BEL: a title change)."""
    repo = _settings_repo(tmp_path, TITLE, CSI)
    result = run(["check", "--format", "text", str(repo)])
    assert result.code == 1, result.err
    assert terminal_controls(result.out + result.err) == []
    assert r'Invalid permission rule "Bash(\u001b]0;TITLE\u0007 x" in allow' in result.out
    assert r'"Bash(\u009b31m\u0000\u007f\u202e x"' in result.out


def test_colour_output_holds_only_our_own_escapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    repo = _settings_repo(tmp_path, TITLE, CSI)
    out = run(["check", str(repo)]).out
    assert "\x1b[" in out  # coloured
    assert terminal_controls(re.sub(r"\x1b\[[0-9;]*m", "", out)) == []


def test_junit_with_a_control_character_is_still_xml(tmp_path: Path) -> None:
    """Issue 24 item 3: a message quoting ESC made --format junit unparsable."""
    repo = _settings_repo(tmp_path, TITLE, CSI)
    result = run(["check", "--format", "junit", str(repo)])
    assert result.code == 1, result.err
    root = read_junit(result.out)
    messages = [f.get("message") or "" for f in root.iter("failure")]
    assert any(r"Bash(\u001b]0;TITLE\u0007 x" in m for m in messages)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_lone_surrogate_crashes_no_format(tmp_path: Path, fmt: str) -> None:
    """Issue 24 item 4: "Bash(\\ud800 x" made every format exit 3 (UnicodeEncodeError)."""
    repo = _settings_repo(tmp_path, LONE)
    result = run(["check", "--format", fmt, str(repo)])
    assert result.code == 1, result.err
    _parse(fmt, result.out)
    assert r"\ud800" in result.out.replace("\\\\", "\\")


def test_annotations_and_sarif_carry_no_raw_control(tmp_path: Path) -> None:
    """Issue 24: annotations escaped line breaks but not ESC; SARIF messages carried it raw."""
    repo = _settings_repo(tmp_path, TITLE, CSI)
    github = run(["check", "--format", "github", str(repo)]).out
    commands = read_workflow_commands(github)
    assert len(commands) == 2
    assert all(terminal_controls(c.data) == [] for c in commands)
    assert any(r"\u001b]0;TITLE\u0007" in c.data for c in commands)
    sarif = read_sarif(run(["check", "--format", "sarif", str(repo)]).out)
    texts = [r["message"]["text"] for r in sarif["runs"][0]["results"]]
    assert all(terminal_controls(t) == [] for t in texts)
    assert any(r"\u009b31m" in t for t in texts)


# A file name that is not UTF-8 (it arrives with a lone surrogate), with ESC, a newline, a
# comma and a colon in it (the last ones are workflow-command property separators).
_ODD_NAME = b".claude/agents/\xff\x1b[31mred,a:b\nx.md"


@pytest.fixture
def odd_file(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    path = os.path.join(os.fsencode(repo), _ODD_NAME)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(b"---\nname: x\n---\n")  # no description: PAR030
    return make_repo(repo)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_an_odd_file_name_is_shown_inert_in_every_format(odd_file: Path, fmt: str) -> None:
    result = run(["check", "--format", fmt, str(odd_file)])
    assert result.code == 1, result.err
    _parse(fmt, result.out)
    if fmt == "json":
        paths = [f["path"] for f in json.loads(result.out)["findings"]]
        assert os.fsencode(paths[0]) == _ODD_NAME  # exact: a consumer finds the file
    if fmt == "sarif":
        result_ = json.loads(result.out)["runs"][0]["results"][0]
        uri = result_["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert sarif_path(uri) == _ODD_NAME
    if fmt == "github":
        (command,) = read_workflow_commands(result.out)
        assert command.properties["file"] == r".claude/agents/\udcff\x1b[31mred,a:b\nx.md"


# --------------------------------------------------------------------------------------------
# Properties: any finding, whatever characters its path, message and fix hold, renders to
# output its consumer reads, and text output holds no control character.

any_char = st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF)
# Mostly short strings, with every character class (controls, surrogates, XML's forbidden
# ones, markup characters) drawn often.
odd = st.text(
    st.one_of(
        any_char,
        st.sampled_from("\x00\x07\x1b\x7f\x85\x9b\ud800\udcff\ufffe\uffff\u202e\u2028\n\r\t"),
        st.sampled_from("<>&\"':,%|`*[]()\\"),
    ),
    max_size=40,
)


@st.composite
def findings(draw: st.DrawFn) -> Finding:
    line = draw(st.integers(1, 10_000))
    column = draw(st.integers(1, 500))
    severity = draw(st.sampled_from(list(Severity)))
    return Finding(
        path=draw(odd.filter(bool)),
        line=line,
        column=column,
        code="PAR014",
        message=draw(odd),
        name="malformed-permission-rule",
        severity=severity,
        pointer=draw(st.one_of(st.just(""), odd.map(lambda s: "/" + s))),
        fix=draw(st.one_of(st.none(), odd)),
        end_line=line,
        end_column=column + 1,
        fingerprint="0123456789abcdef",
    )


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(findings(), max_size=4), st.sampled_from(sorted(FORMATS)), st.booleans())
def test_every_format_reads_back_whatever_the_text(
    found: list[Finding], fmt: str, color: bool
) -> None:
    report = Report(
        findings=tuple(sorted(found, key=REPORT_ORDER)), rules=(get("PAR014"),), files_checked=1
    )
    out = renderer(fmt)(report, color=color and fmt == "text")
    if fmt == "text" and color:
        out = re.sub(r"\x1b\[[0-9;]*m", "", out)
    _parse(fmt, out)
    if fmt == "github":
        assert len(read_workflow_commands(out)) == len(found)
    if fmt == "junit":
        assert len(read_junit(out).findall(".//failure")) == len(found)
    if fmt == "json":
        doc = read_json_report(out)
        assert [f["path"] for f in doc["findings"]] == [f.path for f in report.findings]


def test_a_suggested_command_quotes_the_file_name(tmp_path: Path) -> None:
    """A fix is often pasted into a shell: a file name such as $(...) must stay a word."""
    repo = make_repo(tmp_path / "repo")
    write(repo, ".claude/agents/$(touch PWNED) x.md", "---\nname: x\ndescription: d\n---\n")
    doc = json.loads(run(["check", "--format", "json", str(repo)]).out)
    fixes = [f["fix"] for f in doc["findings"] if f["code"] == "PAR103"]
    assert fixes == ["`git add '.claude/agents/$(touch PWNED) x.md'` and commit it."]


# --------------------------------------------------------------------------------------------
# The whole pipeline: arbitrary names and values in a repository (permission rules, env names
# and values, hook commands, MCP server names, commands and arguments, plugin names, file
# names), through the real rules, into every format.

# File names: any character but "/" and NUL, as the file system allows.
file_names = st.text(
    st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=30
).filter(lambda n: n not in (".", "..") and len(n.encode()) < 200)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(odd, min_size=6, max_size=6), file_names)
@example(texts=["a", "\ud800 \udcff", "c", "d", "e", "f"], file_name="x")
def test_any_repository_text_reads_back_in_every_format(
    tmp_path_factory: pytest.TempPathFactory, texts: list[str], file_name: str
) -> None:
    from parity.check import CheckOptions, run_check

    a, b, c, d, e, f = texts
    repo = tmp_path_factory.mktemp("any") / "repo"
    write(
        repo,
        ".claude/settings.json",
        json.dumps(
            {
                "permissions": {"allow": [f"Bash({a}", a], "deny": [b]},
                "env": {c: d, "X": e},
                "hooks": {"SessionStart": [{"hooks": [{"type": "command", "command": f}]}]},
                "enabledPlugins": {f"{a}@{b}": True},
                c or "k": [e],
            }
        ),
    )
    write(
        repo,
        ".mcp.json",
        json.dumps({"mcpServers": {d: {"command": e, "args": [f, a]}, b: {"url": c}}}),
    )
    # The agent's body is raw text: a lone surrogate in it becomes bytes that are not UTF-8.
    agent = repo / ".claude" / "agents" / f"{file_name}.md"
    agent.parent.mkdir(parents=True, exist_ok=True)
    agent.write_bytes(f"---\nname: {json.dumps(a)}\n---\n{b}\n".encode("utf-8", "surrogatepass"))
    make_repo(repo)
    report = run_check(CheckOptions(paths=(repo,)))
    assert report.findings
    for fmt in sorted(FORMATS):
        _parse(fmt, renderer(fmt)(report, color=False))
    status = run(["status", "--format", "markdown", str(repo)])
    assert status.code == 0, status.err
    assert terminal_controls(status.out) == []
