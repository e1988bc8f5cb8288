"""Why a step failed: the last meaningful error lines, the whole output kept, the log named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.emulate import CloudSession, Status
from parity.emulate.diagnose import cause, meaningful_lines
from parity.emulate.process import KEEP_OUTPUT, text
from parity.emulate.workspace import remove_tree
from tests.emulate.conftest import options
from tests.helpers import git, make_repo, run, write
from tests.secrets.canaries import canaries

UV = """\
Using CPython 3.11.2 interpreter at: /usr/bin/python3.11
Creating virtual environment at: .venv
Resolved 12 packages in 3ms
error: Failed to fetch: `https://pypi.org/simple/requests/`
  Caused by: Request failed after 3 retries
  Caused by: invalid peer certificate: UnknownIssuer
"""
NPM_CAUSE = "npm error 404 Not Found - GET https://registry.npmjs.org/no-such-package"
NPM = f"""\
npm warn EBADENGINE Unsupported engine {{
npm warn EBADENGINE   package: 'left-pad@1.3.0',
npm warn EBADENGINE }}
npm error code E404
{NPM_CAUSE}
npm error A complete log of this run can be found in: /root/.npm/_logs/2026-debug-0.log
"""
TRACEBACK = """\
Traceback (most recent call last):
  File "/work/setup.py", line 3, in <module>
    main()
  File "/work/setup.py", line 2, in main
    raise SystemExit("cannot reach the registry")
SystemExit: cannot reach the registry
"""


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (UV, "Caused by: invalid peer certificate: UnknownIssuer"),
        (NPM, NPM_CAUSE),
        (TRACEBACK, "SystemExit: cannot reach the registry"),
        ("\x1b[31merror: red\x1b[0m\r\n\n", "error: red"),
        ("downloading 10%\rdownloading 100%\rdone: failed to unpack\n", "done: failed to unpack"),
        ("", "(no stderr)"),
    ],
    ids=["uv", "npm", "traceback", "colour", "progress", "empty"],
)
def test_the_cause_is_the_last_meaningful_line(stderr: str, expected: str) -> None:
    assert cause(stderr) == expected


def test_the_last_lines_skip_chatter_and_frames() -> None:
    assert meaningful_lines(UV) == (
        "error: Failed to fetch: `https://pypi.org/simple/requests/`",
        "Caused by: Request failed after 3 retries",
        "Caused by: invalid peer certificate: UnknownIssuer",
    )
    assert meaningful_lines(TRACEBACK) == ("SystemExit: cannot reach the registry",)
    assert meaningful_lines("a\nb\nc\nd\n", 2) == ("c", "d")


def test_the_report_keeps_the_start_and_the_end_of_large_output() -> None:
    data = b"head\n" + b"x" * (2 * KEEP_OUTPUT) + b"\ntail: the cause\n"
    kept = text(data)
    assert kept.startswith("head\n")
    assert kept.endswith("tail: the cause\n")
    assert "bytes cut; the whole output is in the step's log folder" in kept
    assert len(kept) < KEEP_OUTPUT + 200


def _failing_repo(tmp_path: Path) -> Path:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/hooks/uv-output.txt", UV)
    write(
        repo,
        ".claude/hooks/setup.sh",
        'echo progress on stdout\ncat "$(dirname "$0")/uv-output.txt" >&2\nexit 1\n',
    )
    hook = {"type": "command", "command": 'bash "$CLAUDE_PROJECT_DIR"/.claude/hooks/setup.sh'}
    settings = {"hooks": {"SessionStart": [{"hooks": [hook]}]}}
    write(repo, ".claude/settings.json", json.dumps(settings))
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    return repo


@pytest.mark.usefixtures("sandbox_mode")
def test_a_failed_hook_names_its_cause_and_keeps_its_output(tmp_path: Path) -> None:
    repo = _failing_repo(tmp_path)
    with CloudSession(options(repo, keep=True)) as session:
        [hook] = session.hook_results
        base = session.workspace.base
    try:
        assert hook.status is Status.FAILED
        assert hook.messages[0] == (
            "exit 1: the user sees an error notice: Caused by: invalid peer certificate: "
            "UnknownIssuer"
        )
        assert hook.reasons[-1] == "Caused by: invalid peer certificate: UnknownIssuer"
        log = Path(hook.log)
        assert log.parent == base / "logs"
        assert (log / "stderr").read_text() == UV
        assert (log / "stdout").read_text() == "progress on stdout\n"
    finally:
        remove_tree(base)


def test_the_text_report_names_the_log_and_json_carries_the_output(tmp_path: Path) -> None:
    repo = _failing_repo(tmp_path)
    kept = run(["emulate", "--keep"], cwd=repo)
    lines = kept.out.splitlines()
    [folder] = [line.removeprefix("kept: ") for line in lines if line.startswith("kept: ")]
    try:
        assert "      stderr: Caused by: Request failed after 3 retries" in lines
        assert f"      log: {folder}/logs/step-1 (the whole stdout and stderr)" in lines
    finally:
        remove_tree(Path(folder))
    report = json.loads(run(["emulate", "--format", "json"], cwd=repo).out)
    [step] = report["steps"]
    assert step["stderr"] == UV
    assert step["stdout"] == "progress on stdout\n"
    assert step["reasons"][-1] == "Caused by: invalid peer certificate: UnknownIssuer"
    assert step["log"] is None  # removed with the workspace: no path to a folder that is gone


def test_json_output_masks_secrets(tmp_path: Path) -> None:
    key = canaries()["GitHub token"]
    repo = make_repo(tmp_path / "repo", commit=False)
    hook = {"type": "command", "command": f"echo token {key}; echo {key} >&2; exit 1"}
    write(
        repo, ".claude/settings.json", json.dumps({"hooks": {"SessionStart": [{"hooks": [hook]}]}})
    )
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "hooks")
    for args in (["emulate", "--format", "json"], ["emulate"]):
        result = run(args, cwd=repo)
        assert key not in result.out + result.err
