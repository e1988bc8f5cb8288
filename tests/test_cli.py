"""The command line end to end: exit codes, options, config, baselines, init."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from parity import __version__
from tests.helpers import FIXTURES, git, make_repo, run, write

BROKEN = FIXTURES / "rules" / "PAR010" / "fail"
CLEAN = FIXTURES / "rules" / "PAR010" / "pass"


def test_version() -> None:
    result = run(["--version"])
    assert result.code == 0
    assert result.out == f"parity, version {__version__}\n"


def test_python_dash_m_and_script_name(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "parity", "--version"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0
    assert __version__ in proc.stdout


def test_help_lists_commands_and_exit_codes() -> None:
    result = run(["--help"])
    assert result.code == 0
    for name in ("check", "rule", "schema", "init"):
        assert name in result.out
    assert "Exit codes" in result.out


def test_unknown_command_and_option_exit_2(tmp_path: Path) -> None:
    assert run(["frobnicate"]).code == 2
    assert run(["check", "--no-such-option"]).code == 2


def test_check_broken_repo_exit_1(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    result = run(["check"], cwd=repo)
    assert result.code == 1
    assert "PAR010" in result.out
    assert result.out.rstrip().endswith("in 1 file.")


def test_check_clean_repo_exit_0(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", CLEAN)
    result = run(["check", str(repo)])
    assert result.code == 0, result.out
    assert result.out.startswith("No problems found")


def test_exit_zero_and_fail_on(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", FIXTURES / "rules" / "PAR013" / "fail")  # info only
    assert run(["check", str(repo)]).code == 0
    assert run(["check", "--fail-on", "info", str(repo)]).code == 1
    assert run(["check", "--fail-on", "info", "--exit-zero", str(repo)]).code == 0


def test_unknown_selector_is_a_usage_error(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", CLEAN)
    result = run(["check", "--select", "PAR999", str(repo)])
    assert result.code == 2
    assert result.err == "parity: error: unknown rule selector 'PAR999'\n"


def test_select_and_ignore(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    assert run(["check", "--ignore", "PAR010", str(repo)]).code == 0
    assert run(["check", "--select", "PAR0", "--ignore", "PAR01", str(repo)]).code == 0
    assert run(["check", "--select", "PAR010", str(repo)]).code == 1


def test_bad_config_exit_2_names_the_key(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", CLEAN)
    write(repo, "pyproject.toml", '[tool.parity]\nfail-onn = "error"\n')
    result = run(["check", str(repo)])
    assert result.code == 2
    assert "fail-onn" in result.err
    assert result.err.count("\n") == 1
    write(repo, "pyproject.toml", '[tool.parity]\nfail-on = "sometimes"\n')
    result = run(["check", str(repo)])
    assert result.code == 2
    assert "tool.parity.fail-on" in result.err


def test_invalid_toml_exit_2(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", CLEAN)
    write(repo, "parity.toml", "select = [\n")
    result = run(["check", str(repo)])
    assert result.code == 2
    assert "invalid TOML" in result.err


def test_config_select_and_per_file_ignores(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    write(repo, "parity.toml", 'per-file-ignores = {".claude/*" = ["PAR010"]}\n')
    assert run(["check", str(repo)]).code == 0
    write(repo, "parity.toml", 'ignore = ["PAR0"]\n')
    assert run(["check", str(repo)]).code == 0


def test_missing_path_exit_2(tmp_path: Path) -> None:
    result = run(["check", str(tmp_path / "nope.json")])
    assert result.code == 2
    assert "no such file" in result.err


def test_output_file_and_statistics(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    out = tmp_path / "report.json"
    result = run(["check", "--format", "json", "-o", str(out), str(repo)])
    assert result.code == 1
    assert result.out == ""
    assert json.loads(out.read_text())["summary"]["errors"] >= 1
    stats = run(["check", "--statistics", str(repo)])
    assert stats.out.splitlines()[0].split("\t")[1:] == ["PAR010", "settings-schema"]


def test_named_file_limits_the_report(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    write(repo, ".mcp.json", '{"mcpServers": {"a": {"command": ""}}}\n')
    only_mcp = run(["check", "--format", "json", str(repo / ".mcp.json")])
    paths = {f["path"] for f in json.loads(only_mcp.out)["findings"]}
    assert paths == {".mcp.json"}


def test_named_file_outside_layout_is_checked_as_what_it_is(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", CLEAN)
    other = write(repo, "examples/team.mcp.json", '{"mcpServers": {"a": {"command": 3}}}\n')
    result = run(["check", "--format", "json", str(other)])
    assert [f["code"] for f in json.loads(result.out)["findings"]] == ["PAR020"]


def test_changed_since(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    assert run(["check", "--changed-since", "HEAD", str(repo)]).code == 0
    write(repo, ".mcp.json", '{"mcpServers": {"a": {"command": ""}}}\n')
    result = run(["check", "--changed-since", "HEAD", "--format", "json", str(repo)])
    assert {f["path"] for f in json.loads(result.out)["findings"]} == {".mcp.json"}
    assert run(["check", "--changed-since", "no-such-rev", str(repo)]).code == 2


def test_baseline_round_trip(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    baseline = tmp_path / "baseline.json"
    assert run(["check", "--baseline", str(baseline), "--write-baseline", str(repo)]).code == 0
    text = baseline.read_text()
    assert "yolo" not in text  # fingerprints only, never messages or values
    result = run(["check", "--baseline", str(baseline), str(repo)])
    assert result.code == 0
    assert "in the baseline" in result.out
    write(repo, ".mcp.json", '{"mcpServers": {"a": {"command": ""}}}\n')
    assert run(["check", "--baseline", str(baseline), str(repo)]).code == 1


@pytest.mark.parametrize(
    "baseline",
    [
        "../outside/victim.json",
        "{outside}/victim.json",
        "out/victim.json",  # out -> ../outside
        ".git/victim.json",
        "hooks/pre-commit",  # hooks -> .git/hooks
        "sub/../../outside/victim.json",
    ],
)
def test_configured_baseline_stays_inside_the_repository(tmp_path: Path, baseline: str) -> None:
    # The configuration is the repository's: a pull request must not make --write-baseline
    # overwrite a file of the user's, or make a check read one.
    outside = tmp_path / "outside"
    outside.mkdir()
    victim = outside / "victim.json"
    victim.write_text("keep\n")
    repo = make_repo(tmp_path / "r", BROKEN)
    (repo / "out").symlink_to("../outside")
    (repo / "hooks").symlink_to(".git/hooks")
    write(repo, "parity.toml", f"baseline = {json.dumps(baseline.format(outside=outside))}\n")

    for args in (["check", "--write-baseline", str(repo)], ["check", str(repo)]):
        result = run(args)
        assert result.code == 2, result.err
        assert result.err.startswith("parity: error: refusing to use the configured baseline ")
        assert len(result.err.splitlines()) == 1
    assert victim.read_text() == "keep\n"
    assert not (repo / ".git/victim.json").exists()
    assert not (repo / ".git/hooks/pre-commit").exists()


def test_configured_baseline_inside_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", BROKEN)
    write(repo, "parity.toml", 'baseline = "./ci/baseline.json"\n')
    write(repo, "config/baseline.json", "{}\n")
    (repo / "ci").mkdir()
    (repo / "ci/baseline.json").symlink_to("../config/baseline.json")

    assert run(["check", "--write-baseline", str(repo)]).code == 0
    assert (repo / "ci/baseline.json").is_symlink()  # written through, the link kept
    assert json.loads((repo / "config/baseline.json").read_text())["findings"]
    result = run(["check", str(repo)])
    assert result.code == 0
    assert "in the baseline" in result.out


def test_command_line_baseline_may_be_anywhere(tmp_path: Path) -> None:
    # A path typed by the user is the user's choice, even with a configured baseline.
    repo = make_repo(tmp_path / "r", BROKEN)
    write(repo, "parity.toml", 'baseline = "../elsewhere.json"\n')
    mine = tmp_path / "mine" / "baseline.json"
    assert run(["check", "--baseline", str(mine), "--write-baseline", str(repo)]).code == 0
    assert run(["check", "--baseline", str(mine), str(repo)]).code == 0
    assert not (tmp_path / "elsewhere.json").exists()


def test_plain_directory_and_empty_repo(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    write(plain, ".claude/settings.json", '{"model": 5}\n')
    assert run(["check", str(plain)]).code == 1
    empty = make_repo(tmp_path / "empty", commit=False)
    assert run(["check", str(empty)]).code == 0


def test_internal_error_exit_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import parity.check

    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("kaboom")

    monkeypatch.setattr(parity.check, "discover_repo", boom)
    result = run(["check", str(tmp_path)])
    assert result.code == 3
    assert "internal error" in result.err
    assert "Traceback" not in result.err


def test_rule_list_and_explain() -> None:
    listing = run(["rule"])
    assert listing.code == 0
    assert listing.out.splitlines()[0].startswith("PAR001  invalid-json")
    one = run(["rule", "PAR010"])
    assert one.out.startswith("# PAR010 settings-schema\n")
    assert "## Why is this bad?" in one.out
    assert run(["rule", "settings-schema"]).out == one.out
    assert run(["rule", "PAR999"]).code == 2


def test_schema_list_and_print() -> None:
    listing = run(["schema"])
    assert "report" in listing.out.split()
    assert json.loads(run(["schema", "report"]).out)["$id"] == "urn:claude-parity:schemas:report"
    assert run(["schema", "nope"]).code == 2


def test_init_keeps_the_rest_of_pyproject(tmp_path: Path) -> None:
    original = '[project]\nname = "demo"  # keep me\n\n[tool.ruff]\nline-length = 90\n'
    write(tmp_path, "pyproject.toml", original)
    result = run(["init"], cwd=tmp_path)
    assert result.code == 0
    text = (tmp_path / "pyproject.toml").read_text()
    assert text.startswith(original)
    assert "[tool.parity]" in text
    assert run(["check", str(tmp_path)]).code == 0  # the block it writes is valid config
    again = run(["init"], cwd=tmp_path)
    assert again.code == 2
    assert (tmp_path / "pyproject.toml").read_text() == text


def test_init_parity_toml_when_no_pyproject(tmp_path: Path) -> None:
    assert run(["init"], cwd=tmp_path).code == 0
    text = (tmp_path / "parity.toml").read_text()
    assert "[environments.default]" in text
    assert "[tool." not in text


def test_subfolder_of_a_repository_is_its_own_project(tmp_path: Path) -> None:
    outer = make_repo(tmp_path / "outer")
    write(outer, "sub/.claude/settings.json", '{"model": 5}\n')
    git(outer, "add", "-A")
    result = run(["check", "--format", "json", str(outer / "sub")])
    assert [f["path"] for f in json.loads(result.out)["findings"]] == [".claude/settings.json"]


def test_init_writes_through_a_symlink_inside_the_repository(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r")
    write(repo, "config/project.toml", '[project]\nname = "demo"\n')
    (repo / "pyproject.toml").symlink_to("config/project.toml")

    assert run(["init"], cwd=repo).code == 0

    assert (repo / "pyproject.toml").is_symlink()  # the link is kept, its target updated
    text = (repo / "config/project.toml").read_text()
    assert text.startswith('[project]\nname = "demo"\n')
    assert "[tool.parity]" in text
    # Like every write, it is journalled: undo puts the file back.
    assert run(["migrate", "--undo"], cwd=repo).code == 0
    assert (repo / "config/project.toml").read_text() == '[project]\nname = "demo"\n'
    assert (repo / "pyproject.toml").is_symlink()


@pytest.mark.parametrize("link", ["{outside}", ".git/config"])
def test_init_refuses_a_symlink_out_of_the_repository(tmp_path: Path, link: str) -> None:
    outside = tmp_path / "outside.toml"
    outside.write_text('[project]\nname = "theirs"\n')
    repo = make_repo(tmp_path / "r")
    (repo / "pyproject.toml").symlink_to(link.format(outside=outside))
    config_before = (repo / ".git/config").read_bytes()

    result = run(["init"], cwd=repo)

    assert result.code == 2
    assert result.err.startswith("parity: error: refusing to write 'pyproject.toml': ")
    assert (repo / "pyproject.toml").is_symlink()
    assert outside.read_text() == '[project]\nname = "theirs"\n'
    assert (repo / ".git/config").read_bytes() == config_before


def test_the_console_script_freezes_what_is_alive_before_exiting() -> None:
    # The interpreter's last collection then skips every object the imports made.
    code = (
        "import gc, sys\nfrom parity.cli import main\nsys.argv = ['parity', '--version']\n"
        "before = gc.get_freeze_count()\nmain()\nprint(before, gc.get_freeze_count())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, after = map(int, proc.stdout.split()[-2:])
    assert before == 0
    assert after > 0


def test_the_console_scripts_check_runs_without_the_cyclic_collector(tmp_path: Path) -> None:
    # Only `check` of the process's own command line: other commands and in-process callers
    # keep collecting.
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    code = (
        "import gc, sys\nfrom parity.cli import main\nsys.argv = ['parity', *sys.argv[1:]]\n"
        "main()\nprint(gc.isenabled())\n"
    )

    def enabled_after(*args: str) -> str:
        proc = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, check=True
        )
        return proc.stdout.split()[-1]

    assert enabled_after("check", "--exit-zero", "--no-cache", str(repo)) == "False"
    assert enabled_after("--help") == "True"
    in_process = (
        "import gc, sys\nfrom parity.cli import main\n"
        "main(['check', '--exit-zero', '--no-cache', sys.argv[1]])\nprint(gc.isenabled())\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", in_process, str(repo)], capture_output=True, text=True, check=True
    )
    assert proc.stdout.split()[-1] == "True"


def test_an_in_process_caller_keeps_collecting() -> None:
    code = (
        "import gc\nfrom parity.cli import main\nmain(['--version'])\nmain(['--help'])\n"
        "print(gc.get_freeze_count())\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split()[-1] == "0"
