"""What cloud-init detects in each fixture repository: managers, commands, CLIs, MCP packages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from parity.cloudinit.detect import Needs, detect
from parity.config import load_config
from parity.discover import discover_repo
from parity.image import load_profile
from parity.model import Inventory

SCRIPT = ".claude/hooks/session-start.sh"


def needs_of(root: Path) -> Needs:
    repo = discover_repo(root)
    env = load_config(repo.root).environment()
    return detect(Inventory.build(repo), env, load_profile(env.image), SCRIPT)


# fixture -> [(manager, directory, commands)]
INSTALLS = {
    "npm": [("npm", ".", ("npm ci --no-audit --no-fund",))],
    "pnpm": [("pnpm", ".", ("corepack pnpm install --frozen-lockfile",))],
    "yarn-classic": [("yarn", ".", ("yarn install --frozen-lockfile --non-interactive",))],
    "yarn-berry": [("yarn-berry", ".", ("corepack yarn install --immutable",))],
    "uv": [("uv", ".", ("uv sync --frozen",))],
    "poetry": [
        ("poetry", ".", ("POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-interaction",))
    ],
    "poetry-app": [
        (
            "poetry",
            ".",
            ("POETRY_VIRTUALENVS_IN_PROJECT=true poetry install --no-interaction --no-root",),
        )
    ],
    "pip": [
        (
            "pip",
            ".",
            (
                "python3 -m venv .venv",
                ".venv/bin/python -m pip install --disable-pip-version-check "
                "-r requirements-dev.txt -r requirements.txt",
            ),
        )
    ],
    "bundler": [("bundler", ".", ("BUNDLE_FROZEN=true bundle install",))],
    "go": [("go", ".", ("go mod download",))],
    "cargo": [("cargo", ".", ("cargo fetch --locked",))],
    "bun-only": [("npm", ".", ("npm install --no-package-lock --no-audit --no-fund",))],
    "mixed": [
        ("uv", ".", ("uv sync --frozen",)),
        ("npm", "frontend", ("npm ci --no-audit --no-fund",)),
    ],
    "existing-hooks": [
        ("npm", ".", ("npm ci --no-audit --no-fund",)),
        ("bundler", ".", ("BUNDLE_FROZEN=true bundle install",)),
    ],
    "setup-script": [("uv", ".", ("uv sync --frozen",)), ("go", ".", ("go mod download",))],
    "tools": [],
}


def test_every_fixture_has_expectations() -> None:
    from tests.cloudinit.conftest import REPOS

    assert sorted(INSTALLS) == REPOS


@pytest.mark.parametrize("name", sorted(INSTALLS))
def test_installs(name: str, fixture_repo: Callable[[str], Path]) -> None:
    needs = needs_of(fixture_repo(name))
    assert [(s.manager, s.directory, s.commands) for s in needs.installs] == INSTALLS[name]


def test_bun_only_gets_npm_and_says_why(fixture_repo: Callable[[str], Path]) -> None:
    (step,) = needs_of(fixture_repo("bun-only")).installs
    assert "bun" not in " ".join(step.commands).replace("bun.lockb", "")
    assert any("proxy" in note for note in step.notes)
    assert step.lockfiles == ("package.json", "bun.lockb")


def test_workspace_packages_are_covered_by_the_root_install(
    fixture_repo: Callable[[str], Path],
) -> None:
    # packages/ui/package.json has no lockfile of its own: the root pnpm install covers it.
    needs = needs_of(fixture_repo("pnpm"))
    assert [s.directory for s in needs.installs] == ["."]


def test_tools_the_image_lacks(fixture_repo: Callable[[str], Path]) -> None:
    needs = needs_of(fixture_repo("tools"))
    found = {t.command: (t.recipe.kind if t.recipe else None, t.used_by) for t in needs.tools}
    assert found == {
        "aws": ("uv", (".claude/hooks/after-edit.sh",)),
        "sqlite3": ("apt", (".claude/hooks/after-edit.sh",)),
        "terraform": (None, ("the Stop hook in .claude/settings.json",)),
        "wrangler": ("npm", ("the Stop hook in .claude/settings.json",)),
    }  # jq is on the image: not listed


def test_mcp_packages(fixture_repo: Callable[[str], Path]) -> None:
    needs = needs_of(fixture_repo("mixed"))
    assert [(p.server, p.spec, p.pinned) for p in needs.mcp_packages] == [
        ("github", "@modelcontextprotocol/server-github@2025.4.8", True),
        ("fetch", "mcp-fetch-server", False),
    ]


def test_uvx_servers_pinned_and_not(tmp_path: Path) -> None:
    import json

    from parity.cloudinit.render import render_script
    from tests.helpers import make_repo, write

    servers = {
        "loose": {"command": "uvx", "args": ["mcp-server-fetch"]},
        "exact": {"command": "uvx", "args": ["mcp-server-git==2025.1.14", "--repository", "."]},
        "from": {"command": "uvx", "args": ["--python", "3.12", "--from", "awslabs.x@1.0.2", "x"]},
        "tool-run": {"command": "uv", "args": ["tool", "run", "mcp-server-time"]},
        "npx": {"command": "npx", "args": ["-y", "mcp-fetch-server"]},
    }
    write(tmp_path, ".mcp.json", json.dumps({"mcpServers": servers}))
    needs = needs_of(make_repo(tmp_path))
    assert [(p.server, p.spec, p.pinned, p.runner) for p in needs.mcp_packages] == [
        ("npx", "mcp-fetch-server", False, "npx"),
        ("from", "awslabs.x@1.0.2", True, "uvx"),
        ("loose", "mcp-server-fetch", False, "uvx"),
        ("exact", "mcp-server-git==2025.1.14", True, "uvx"),
        ("tool-run", "mcp-server-time", False, "uvx"),
    ]
    script = render_script(needs, SCRIPT)
    # Issue 20.2: unpinned uvx servers get the comment unpinned npx ones get.
    assert "# npx: runs mcp-fetch-server without an exact version; pin one" in script
    assert "# loose: runs mcp-server-fetch without an exact version; pin one (PACKAGE==1.2.3)" in (
        script
    )
    assert "# tool-run: runs mcp-server-time without an exact version" in script
    assert "# exact: runs mcp-server-git==2025.1.14; uvx fetches it when the server starts." in (
        script
    )


def test_setup_script_is_respected(fixture_repo: Callable[[str], Path]) -> None:
    needs = needs_of(fixture_repo("setup-script"))
    covered = {s.manager: s.covered_by for s in needs.installs}
    assert covered == {"uv": "the environment's setup script (scripts/cloud-setup.sh)", "go": None}
    (sqlite,) = needs.tools
    assert sqlite.covered_by == "the environment's setup script (scripts/cloud-setup.sh)"


def test_existing_session_start_hook_is_respected(fixture_repo: Callable[[str], Path]) -> None:
    needs = needs_of(fixture_repo("existing-hooks"))
    covered = {s.manager: s.covered_by for s in needs.installs}
    assert covered == {"npm": None, "bundler": ".claude/hooks/context.sh"}


def test_missing_setup_script_is_noted(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    write(tmp_path, "parity.toml", '[environments.web]\nsetup-script = "nope.sh"\n')
    write(tmp_path, "go.mod", "module x\n")
    needs = needs_of(make_repo(tmp_path))
    assert needs.missing_setup_script
    assert needs.installs[0].covered_by is None


def test_lockfiles_in_test_fixtures_are_not_installed(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    write(tmp_path, "tests/fixtures/app/package.json", "{}")
    write(tmp_path, "tests/fixtures/app/package-lock.json", "{}")
    write(tmp_path, "node_modules/x/package-lock.json", "{}")
    write(tmp_path, "a/b/c/go.mod", "module deep\n")  # deeper than MAX_DEPTH
    assert needs_of(make_repo(tmp_path)).installs == ()


def test_pyproject_with_only_tool_settings_installs_nothing(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    write(tmp_path, "pyproject.toml", "[tool.ruff]\nline-length = 100\n")
    assert needs_of(make_repo(tmp_path)).installs == ()


def test_pyproject_without_lock_installs_the_project_with_dev_extra(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    write(
        tmp_path,
        "pyproject.toml",
        '[project]\nname = "x"\n[project.optional-dependencies]\ndev = ["pytest"]\n',
    )
    (step,) = needs_of(make_repo(tmp_path)).installs
    assert step.commands[-1].endswith("-e '.[dev]'")


def test_monorepo_folders(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    write(tmp_path, "package.json", '{"workspaces": ["packages/*"]}')
    write(tmp_path, "pnpm-lock.yaml", "lockfileVersion: '9.0'\n")
    write(tmp_path, "packages/ui/package.json", "{}")  # a workspace member
    write(tmp_path, "site/package.json", "{}")  # its own project, its own lockfile
    write(tmp_path, "site/package-lock.json", "{}")
    write(tmp_path, "uv.lock", "version = 1\n")
    write(tmp_path, "pyproject.toml", '[project]\nname = "root"\n')
    write(tmp_path, "libs/core/pyproject.toml", '[project]\nname = "core"\n')  # uv member
    needs = needs_of(make_repo(tmp_path))
    assert [(s.manager, s.directory) for s in needs.installs] == [
        ("pnpm", "."),
        ("uv", "."),
        ("npm", "site"),
    ]


def test_lockless_package_json_outside_the_root_is_left_alone(tmp_path: Path) -> None:
    from tests.helpers import make_repo, write

    write(tmp_path, "scripts/package.json", "{}")
    write(tmp_path, "go.mod", "module x\n")
    needs = needs_of(make_repo(tmp_path))
    assert [(s.manager, s.directory) for s in needs.installs] == [("go", ".")]


def test_a_clean_checkout_is_not_asked_file_by_file_what_git_ignores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Nothing ignored, no file is: a 100,000-file checkout is not asked about each one.
    from parity.discover import Repo
    from tests.helpers import calls_of, make_repo, write

    write(tmp_path, "package.json", "{}")
    write(tmp_path, "package-lock.json", "{}")
    write(tmp_path, "web/package.json", "{}")
    write(tmp_path, "web/package-lock.json", "{}")
    root = make_repo(tmp_path)
    asked = calls_of(monkeypatch, Repo, "is_ignored")
    installs = [(step.manager, step.directory) for step in needs_of(root).installs]
    assert installs == [("npm", "."), ("npm", "web")]
    assert asked == []
    (root / ".git/info/exclude").write_text("build/\n")
    write(root, "build/package.json", "{}")
    write(root, "build/package-lock.json", "{}")
    assert [(step.manager, step.directory) for step in needs_of(root).installs] == installs
    assert "web/package.json" in asked
