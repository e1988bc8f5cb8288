"""The action's entry points in-process: annotation limits, summary escaping, the gate."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from parity.findings import Finding, Severity
from parity.github_action import (
    ActionInputs,
    Workflow,
    annotation_lines,
    rebase,
    run_action_gate,
    status_markdown,
    summary_markdown,
)
from parity.report import Report
from tests.helpers import make_repo, write


def finding(i: int, severity: Severity, message: str = "msg", path: str = "a.json") -> Finding:
    return Finding(
        path=path,
        line=i + 1,
        column=1,
        code="PAR010",
        message=message,
        name="settings-schema",
        severity=severity,
        end_line=i + 1,
        end_column=2,
    )


def test_annotations_most_severe_first_and_capped_per_level() -> None:
    findings = (
        [finding(i, Severity.INFO) for i in range(11)]
        + [finding(i, Severity.WARNING) for i in range(3)]
        + [finding(i, Severity.ERROR) for i in range(12)]
    )
    lines, left_out = annotation_lines(findings)

    levels = [line.split(" ", 1)[0] for line in lines]
    assert Counter(levels) == {"::error": 10, "::warning": 3, "::notice": 9}
    assert levels == sorted(levels, key=["::error", "::warning", "::notice"].index)
    # 2 errors over the cap, and 2 notices (one slot is kept for the "left out" notice).
    assert left_out == 4


def test_no_slot_reserved_when_nothing_is_left_out() -> None:
    lines, left_out = annotation_lines([finding(i, Severity.INFO) for i in range(10)])
    assert (len(lines), left_out) == (10, 0)


def test_summary_escapes_repository_text() -> None:
    report = Report(findings=(finding(0, Severity.ERROR, "a|b <img src=x>\n## heading"),))
    md = summary_markdown(report, shown_root=".", changed_since="", exit_code=1, left_out=0, env={})
    row = next(line for line in md.splitlines() if "PAR010" in line and "a.json" in line)
    assert r"a\|b \<img src=x\> \#\# heading" in row
    from markdown_it import MarkdownIt

    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(md)
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<td>") == 4  # four cells, no extra column
    assert "&lt;img src=x&gt; ## heading" in body  # shown as written, not an image or heading
    assert "<img" not in html


def test_summary_link_survives_an_odd_path() -> None:
    report = Report(findings=(finding(4, Severity.WARNING, path="a b) ![x](http://e/p).json"),))
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "c"}
    md = summary_markdown(
        report, shown_root=".", changed_since="", exit_code=0, left_out=0, env=env
    )
    assert "(https://github.com/o/r/blob/c/a%20b%29%20%21%5Bx%5D%28http%3A//e/p%29.json#L5)" in md


def test_summary_links_to_the_commit() -> None:
    report = Report(findings=(finding(4, Severity.WARNING),))
    env = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_SHA": "abc",
    }
    md = summary_markdown(
        report, shown_root=".", changed_since="", exit_code=0, left_out=0, env=env
    )
    assert "[`a.json:5:1`](https://github.com/o/r/blob/abc/a.json#L5)" in md
    assert md.startswith("## claude-parity: passed")


def test_rebase_prefixes_paths_of_a_subfolder(tmp_path: Path) -> None:
    sub = tmp_path / "services" / "api"
    sub.mkdir(parents=True)
    report = Report(findings=(finding(0, Severity.ERROR, path=".mcp.json"),), root=sub)
    assert [f.path for f in rebase(report, tmp_path).findings] == ["services/api/.mcp.json"]
    assert rebase(report, sub) is report


@pytest.mark.parametrize(
    ("env", "code"),
    [
        ({"PARITY_CHECK_EXIT": "0"}, 0),
        ({"PARITY_CHECK_EXIT": "1", "PARITY_FINDINGS": "3"}, 1),
        ({"PARITY_CHECK_EXIT": "0", "PARITY_EMULATE_EXIT": "1"}, 1),
        ({"PARITY_CHECK_EXIT": "0", "PARITY_EMULATE_EXIT": ""}, 0),
    ],
)
def test_gate(env: dict[str, str], code: int, capsys: pytest.CaptureFixture[str]) -> None:
    assert run_action_gate(env, Workflow({})) == code
    out = capsys.readouterr().out
    assert ("passed" in out) is (code == 0)


def test_inputs_from_env(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    inputs = ActionInputs.from_env(
        {
            "GITHUB_WORKSPACE": str(tmp_path),
            "RUNNER_TEMP": str(tmp_path / "tmp"),
            "INPUT_PATH": "sub",
            "INPUT_SELECT": "PAR0, PAR1\nPAR2",
            "INPUT_FAIL_ON": "Error",
        }
    )
    assert inputs.path == tmp_path / "sub"
    assert inputs.select == ("PAR0", "PAR1", "PAR2")
    assert inputs.ignore == ()
    assert inputs.fail_on is Severity.ERROR
    assert inputs.sarif_file == tmp_path / "tmp" / "claude-parity.sarif"


def test_status_never_imports_the_checkouts_parity(tmp_path: Path) -> None:
    # The status table runs `parity status` in the checkout (the pull request's code).
    marker = tmp_path / "imported"
    repo = make_repo(tmp_path / "pr")
    write(repo, "parity/__init__.py", f"open({str(marker)!r}, 'w').close()\n")
    write(repo, "parity/__main__.py", f"open({str(marker)!r}, 'w').close()\n")

    table = status_markdown(repo)

    assert not marker.exists()
    assert table.startswith("### Parity table\n\n### Cloud parity")
