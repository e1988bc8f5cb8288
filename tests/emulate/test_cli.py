"""`parity emulate` end to end, as a new user runs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from parity.emulate.workspace import remove_tree
from tests.emulate.conftest import EMULATE_FIXTURES
from tests.helpers import git, make_repo, run, write

pytestmark = pytest.mark.usefixtures("sandbox_mode")


def test_not_ready_repo_reports_bun_blocked_host_and_missing_cli(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "not-ready")
    result = run(["emulate"], cwd=repo)
    assert result.code == 1, result.err
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "parity emulate: local engine, network trusted, image claude-cloud, source startup, HEAD ("
    )

    def block(script: str) -> list[str]:
        """The report lines of the step running ``script``, up to the next step."""
        start = next(i for i, line in enumerate(lines) if script in line)
        end = next(
            (i for i in range(start + 1, len(lines)) if not lines[i].startswith("      ")),
            len(lines),
        )
        return lines[start:end]

    install = block("install.sh")
    assert install[0].startswith("  failed       hook ")
    assert "      broken command: bun (fails behind the cloud's proxy)" in install
    fetch = block("fetch-schema.sh")
    assert (
        "      blocked host: schemas.internal.example.com (403 x-deny-reason: host_not_allowed)"
        in fetch
    )
    infra = block("infra.sh")
    assert "      missing command: terraform (not in the image: exit 127)" in infra
    assert lines[-1].startswith(
        "Emulation failed: 3 failed steps, 1 blocked host, 1 missing command, 1 broken command in "
    )


def test_not_ready_repo_json_report(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "not-ready")
    result = run(["emulate", "--format", "json"], cwd=repo)
    assert result.code == 1
    report = json.loads(result.out)
    assert report["failed"] is True
    assert report["blocked_hosts"] == ["schemas.internal.example.com"]
    assert report["missing_commands"] == ["terraform"]
    by_script = {step["name"].split("/")[-1]: step for step in report["steps"]}
    assert by_script["install.sh"]["broken_commands"] == ["bun"]
    assert by_script["fetch-schema.sh"]["blocked_hosts"] == ["schemas.internal.example.com"]
    assert by_script["infra.sh"]["missing_commands"] == ["terraform"]
    assert by_script["infra.sh"]["exit_code"] == 127
    assert set(by_script["infra.sh"]) >= {"duration_ms", "stdout_bytes", "status", "hosts"}


def test_ready_repo_passes_and_runs_its_tests_in_the_session(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "ready")
    env_file = write(tmp_path, "cloud.env", "# the cloud environment's variables\nAPP_MODE=test\n")
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "parity",
            "emulate",
            "--env-file",
            str(env_file),
            "--",
            "python3",
            "run_tests.py",
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith(
        "PASS check_ready.py::check_cloud_session\nPASS check_ready.py::check_greet\n"
    )
    assert "  ok           setup-script scripts/cloud-setup.sh" in proc.stdout
    assert "      exports: READY_SRC" in proc.stdout
    assert "  ok           command      python3 run_tests.py" in proc.stdout
    assert proc.stdout.rstrip().splitlines()[-1].startswith("Emulation passed: 3 steps in ")
    assert "warning" not in proc.stdout


def test_failing_command_fails_the_emulation(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "ready")
    result = run(["emulate", "--format", "json", "--", "exit 3"], cwd=repo)
    assert result.code == 1
    report = json.loads(result.out)
    assert report["steps"][-1]["kind"] == "command"
    assert report["steps"][-1]["exit_code"] == 3
    assert report["warnings"][0].startswith("no value for the declared environment variable")


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    bad_ref = run(["emulate", "--ref", "no-such-ref"], cwd=repo)
    assert (bad_ref.code, bad_ref.err) == (
        2,
        "parity: error: --ref no-such-ref: not a commit in this repository\n",
    )
    both = run(["emulate", "--ref", "HEAD", "--staged"], cwd=repo)
    assert both.err == "parity: error: --ref and --staged cannot be used together\n"
    env_file = write(tmp_path, "bad.env", "not a pair\n")
    bad_env = run(["emulate", "--env-file", str(env_file)], cwd=repo)
    assert bad_env.code == 2
    assert bad_env.err.endswith("bad.env:1: expected KEY=value\n")
    outside = run(["emulate"], cwd=tmp_path)
    assert outside.code == 2
    assert "not inside a git repository" in outside.err
    assert run(["emulate", "--image", "no-such-image"], cwd=repo).code == 2


def test_engine_claude_without_the_client_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PARITY_CLAUDE_BIN", str(tmp_path / "no-claude"))
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    result = run(["emulate", "--engine", "claude"], cwd=repo)
    assert result.code == 2
    assert result.err.startswith("parity: error: --engine claude needs the Claude Code client")


def test_keep_prints_where(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    result = run(["emulate", "--keep"], cwd=repo)
    kept = [line for line in result.out.splitlines() if line.startswith("kept: ")]
    assert len(kept) == 1
    folder = Path(kept[0].removeprefix("kept: "))
    try:
        assert (folder / "project" / ".claude" / "settings.json").is_file()
        assert (folder / "home" / ".claude" / "session-env").is_dir()
    finally:
        remove_tree(folder)


def test_help_says_it_is_not_a_security_boundary() -> None:
    result = run(["emulate", "--help"])
    assert result.code == 0
    assert "not a security boundary" in result.out


def test_uncommitted_configuration_is_named_with_the_way_to_try_it(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", EMULATE_FIXTURES / "probe")
    clean = run(["emulate"], cwd=repo)
    assert "warning" not in clean.out
    write(repo, ".mcp.json", '{"mcpServers": {}}')  # untracked
    write(repo, ".claude/settings.json", '{"env": {"A": "1"}}')  # changed
    write(repo, "notes.txt", "not configuration")
    result = run(["emulate"], cwd=repo)
    [warning] = [line for line in result.out.splitlines() if line.startswith("warning: ")]
    assert warning == (
        "warning: uncommitted configuration is not included (a cloud session clones commits): "
        ".claude/settings.json, .mcp.json; try it with `git add` and `parity emulate --staged`, "
        "then commit it"
    )
    git(repo, "add", ".mcp.json")
    staged = run(["emulate", "--staged"], cwd=repo)
    [warning] = [line for line in staged.out.splitlines() if line.startswith("warning: ")]
    assert warning == (
        "warning: configuration not staged is not included: .claude/settings.json "
        "(git add it to try it)"
    )
