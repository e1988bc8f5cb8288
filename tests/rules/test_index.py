"""The static rule index (parity/rules/_index.py) says what the rules themselves say, and a check
imports only the rules that can find something: results are those of a run with every rule."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from parity.model import Kind
from parity.rules import _index, all_rules, runs_on
from tests.helpers import FIXTURES, install_home, make_repo, run, write

RULES_DIR = Path(__file__).parents[2] / "parity" / "rules"
EXAMPLE = Path(__file__).parents[2] / "docs" / "example"


def _line(rule_module: str) -> tuple[object, ...]:
    rule = importlib.import_module(f"parity.rules.{rule_module}").RULE
    return (
        rule.code,
        rule.name,
        rule.severity.label,
        tuple(level.label for level, _ in rule.variants),
        rule.fix_availability,
        rule.default,
        rule_module,
    )


def test_the_index_says_what_every_rule_module_declares() -> None:
    modules = sorted(p.stem for p in RULES_DIR.glob("par[0-9]*.py"))
    assert sorted(e.module for e in _index.INDEX) == modules, "a rule module is not in the index"
    for entry in _index.INDEX:
        assert tuple(entry[:7]) == _line(entry.module), f"write in _index.py: {_line(entry.module)}"
    assert [e.code for e in _index.INDEX] == [r.code for r in all_rules()]
    assert [e.code for e in _index.INDEX] == sorted(e.code for e in _index.INDEX)


def test_the_index_names_only_real_kinds_and_inputs() -> None:
    real = {k.value for k in Kind} | _index.INPUTS
    for entry in _index.INDEX:
        if entry.kinds is not None and entry.kinds != _index.ANY:
            assert entry.kinds, entry.code
            assert set(entry.kinds) <= real, entry.code


def test_the_registry_files_the_rules_read_are_the_indexed_ones() -> None:
    from parity.rules import _cloud

    assert tuple(_cloud._REGISTRY_FILES) == _index.FILES["registry-config"]


def test_runs_on() -> None:
    assert not runs_on("PAR101", {"memory"})  # the user scope, with --user only
    assert runs_on("PAR101", set(), lambda name: name == "user")
    assert not runs_on("PAR103", set())  # any config file
    assert runs_on("PAR103", {"memory"})
    assert not runs_on("PAR301", {"settings"})
    assert runs_on("PAR301", set(), lambda name: name == "environments")
    assert not runs_on("PAR201", {"memory"}, lambda name: name == "links")
    assert runs_on("PAR201", set(), lambda name: name == "bun-lock")
    assert not runs_on("PAR001", set())
    assert runs_on("PAR001", {"hook-script"})
    assert not runs_on("PAR500", {"settings"})
    assert runs_on("PAR500", {"settings", "routines"})
    assert runs_on("PAR501", {"scheduled-tasks"})


def _imported_rules(repo: Path, home: Path, *args: str) -> tuple[int, set[str]]:
    """Exit code and the rule modules a `parity check` of ``repo`` imported, in a new process."""
    probe = (
        "import sys\nfrom parity.cli import main\n"
        f"try:\n    code = main(['check', '--no-cache', *{list(args)!r}, {str(repo)!r}])\n"
        "except SystemExit as exc:\n    code = exc.code\n"
        "print('RESULT', code, ' '.join(m for m in sys.modules if m.startswith('parity.rules.')))\n"
    )
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True
    )
    last = proc.stdout.splitlines()[-1].split()
    return int(last[1]), {m.rsplit(".", 1)[1] for m in last[2:]}


def test_a_kind_present_loads_its_rules_and_an_absent_kind_does_not(
    tmp_path: Path, fake_home: Path
) -> None:
    write(tmp_path / "repo", ".mcp.json", '{"mcpServers": {}}\n')
    repo = make_repo(tmp_path / "repo")
    _, loaded = _imported_rules(repo, fake_home, "--select", "ALL")
    assert {"par020_mcp_schema", "par112_mcp_config_not_at_root", "par001_invalid_json"} <= loaded
    absent = {e.module for e in _index.INDEX if e.kinds and e.kinds != _index.ANY}
    absent -= {e.module for e in _index.INDEX if e.kinds and "mcp" in e.kinds}
    assert not loaded & absent, loaded & absent
    assert "par500_routines_schema" not in loaded
    assert "par010_settings_schema" not in loaded
    # Every rule that reads MCP files, or every config file, runs.
    assert {e.module for e in _index.INDEX if e.kinds == _index.ANY} <= loaded
    assert {e.module for e in _index.INDEX if e.kinds and "mcp" in e.kinds} <= loaded


def test_an_empty_repository_imports_no_rule(tmp_path: Path, fake_home: Path) -> None:
    write(tmp_path / "repo", "README.md", "# x\n")
    repo = make_repo(tmp_path / "repo")
    code, loaded = _imported_rules(repo, fake_home, "--select", "ALL")
    assert code == 0
    assert not {m for m in loaded if m.startswith("par")}


# Repositories without a config file that rules still read: declared environments, links,
# files found by name. Each has findings, and a check loads exactly the rules for them.
_INPUT_REPOS: dict[str, dict[str, str]] = {
    "environments": {
        "parity.toml": '[environments.default]\nnetwork = "full"\nenv = ["AWS_SECRET_ACCESS_KEY"]\n'
        'setup-script = "setup.sh"\n',
        "setup.sh": "#!/bin/bash\ncd $CLAUDE_PROJECT_DIR\nbun install\ngh auth login\n"
        "curl http://example.org/x | sh\necho x > $CLAUDE_ENV_FILE\nmytool --go\n",
    },
    "package-json": {"package.json": '{"scripts": {"setup": "bun install"}}\n'},
    "bun-lock": {"bun.lockb": "x\n"},
    "registry-config": {".npmrc": "registry=http://npm.internal.corp/\n"},
}


@pytest.mark.parametrize("name", sorted(_INPUT_REPOS))
def test_an_input_other_than_config_loads_its_rules(
    name: str, tmp_path: Path, fake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parity import rules

    for rel, text in _INPUT_REPOS[name].items():
        write(tmp_path / "repo", rel, text)
    repo = make_repo(tmp_path / "repo")
    _, loaded = _imported_rules(repo, fake_home, "--select", "ALL")
    wanted = {e.module for e in _index.INDEX if e.kinds and name in e.kinds}
    assert {m for m in loaded if m.startswith("par")} == wanted
    args = ["check", "--no-cache", "--select", "ALL", "--format", "json", str(repo)]
    lazy = run(args)
    assert json.loads(lazy.out)["findings"]
    monkeypatch.setattr(rules, "runs_on", lambda code, kinds, has=None: True)
    assert run(args).out == lazy.out


def test_a_link_loads_the_dangling_link_rule(tmp_path: Path, fake_home: Path) -> None:
    (tmp_path / "repo" / ".claude").mkdir(parents=True)
    (tmp_path / "repo" / ".claude" / "settings.json").symlink_to("/nonexistent/settings.json")
    repo = make_repo(tmp_path / "repo")
    _, loaded = _imported_rules(repo, fake_home, "--select", "ALL")
    assert "par111_dangling_symlink" in loaded
    findings = json.loads(run(["check", "--no-cache", "--format", "json", str(repo)]).out)
    assert [f["code"] for f in findings["findings"]] == ["PAR111"]


def test_selecting_a_rule_whose_kind_is_absent_works_and_reports_nothing(
    tmp_path: Path, fake_home: Path
) -> None:
    write(tmp_path / "repo", ".mcp.json", '{"mcpServers": {}}\n')
    repo = make_repo(tmp_path / "repo")
    result = run(["check", "--select", "PAR500", "--format", "json", str(repo)])
    assert (result.code, json.loads(result.out)["findings"]) == (0, [])
    sarif = json.loads(run(["check", "--select", "PAR5", "--format", "sarif", str(repo)]).out)
    listed = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert listed == [e.code for e in _index.INDEX if e.code.startswith("PAR5")]
    assert run(["check", "--select", "PAR599", str(repo)]).code == 2


def _sources() -> list[Path]:
    return [EXAMPLE, *sorted((FIXTURES / "rules").glob("PAR*/fail"))]


@pytest.mark.parametrize("source", _sources(), ids=lambda p: "/".join(p.parts[-2:]))
def test_results_equal_a_run_with_every_rule_loaded(
    source: Path, tmp_path: Path, fake_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parity import rules

    repo = make_repo(tmp_path / "repo", source / "repo" if (source / "repo").is_dir() else source)
    if (source / "home").is_dir():
        install_home(source / "home", fake_home, repo)
    args = ["check", "--no-cache", "--user", "--select", "ALL", "--format", "json", str(repo)]
    lazy = run(args)
    monkeypatch.setattr(rules, "runs_on", lambda code, kinds, has=None: True)
    every = run(args)
    assert (lazy.code, lazy.out) == (every.code, every.out)
