"""The README's copy-paste snippets are valid: pre-commit config, workflows (actionlint)."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import run
from tests.integrations.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def snippet(name: str) -> str:
    """The fenced block after ``<!-- snippet: NAME -->`` in the README."""
    m = re.search(rf"<!-- snippet: {name} -->\n```yaml\n(.*?)```", README, re.S)
    assert m, f"README has no snippet {name!r}"
    return m.group(1)


def tool(name: str) -> str:
    found = shutil.which(name, path=str(BIN)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it is in the dev extra)")
    return found


def actionlint(repo: Path, workflow: str) -> subprocess.CompletedProcess[str]:
    """actionlint on one workflow in a repository whose root holds this project's action.yml."""
    # actionlint finds the project (and so local actions) by its git root.
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / ".github" / "workflows").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "action.yml", repo / "action.yml")
    path = repo / ".github" / "workflows" / "parity.yml"
    path.write_text(workflow, encoding="utf-8")
    return subprocess.run(
        [tool("actionlint"), "-no-color", str(path.relative_to(repo))],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )


def local(workflow: str) -> str:
    """The workflow using this checkout's action (``uses: ./``) instead of the published one."""
    replaced = re.sub(r"uses: OWNER/claude-parity@\S+", "uses: ./", workflow)
    assert replaced != workflow
    return replaced


def test_pre_commit_config_snippet_is_valid(tmp_path: Path) -> None:
    config = tmp_path / ".pre-commit-config.yaml"
    config.write_text(snippet("pre-commit-config"), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = re.findall(r"- id: (\S+)", snippet("pre-commit-config"))
    manifest = (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8")
    assert hooks == re.findall(r"^- id: (\S+)", manifest, re.M)


@pytest.mark.parametrize("name", ["workflow", "ci-gate"])
def test_workflow_snippets_pass_actionlint(name: str, tmp_path: Path) -> None:
    text = snippet(name)
    proc = actionlint(tmp_path, local(text) if "OWNER/claude-parity" in text else text)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_actionlint_reads_our_action_metadata(tmp_path: Path) -> None:
    # The check above is only worth something if actionlint validates inputs against action.yml.
    workflow = local(snippet("workflow")).replace("sarif-file: parity.sarif", "sarif-fil: x")
    proc = actionlint(tmp_path, workflow)
    assert proc.returncode == 1
    assert 'input "sarif-fil" is not defined in action "claude-parity"' in proc.stdout


def test_workflow_snippet_matches_the_workflow_schema(tmp_path: Path) -> None:
    path = tmp_path / "parity.yml"
    path.write_text(snippet("workflow"), encoding="utf-8")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            str(path),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_sample_output_is_what_parity_prints() -> None:
    """Every line of the README's `parity check docs/example` sample, in order ("..." elides)."""
    m = re.search(r"```text\n\$ parity check docs/example\n(.*?)```", README, re.S)
    assert m, "README has no sample output of parity check docs/example"
    result = run(["check", "docs/example"], cwd=ROOT)
    printed = result.out.splitlines()
    at = 0
    for line in m.group(1).splitlines():
        if line == "...":
            continue
        assert line in printed[at:], f"not printed (in this order): {line}"
        at = printed.index(line, at) + 1
    assert printed[-1] == m.group(1).splitlines()[-1]
