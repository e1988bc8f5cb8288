"""``parity preflight``: what a cloud session clones against what the checkout has.

Each case is a real repository with a bare local "remote" standing in for GitHub: the remote is
configured as ``https://github.com/acme/app.git`` and git's ``insteadOf`` sends fetch and push to
the bare repository, so the host check sees GitHub while nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import git, run, write

GITHUB_URL = "https://github.com/acme/app.git"
CLEAN_SETTINGS = '{\n  "permissions": {"allow": ["Bash(npm test)"]}\n}\n'
BAD_SETTINGS = '{\n  "permissions": {"allow": ["Bash(*)"]}\n}\n'
MCP = (
    '{"mcpServers": {"api": {"command": "npx", "args": ["-y", "api-mcp@1.2.3"],'
    ' "env": {"API_TOKEN": "${ACME_API_TOKEN}", "MODE": "${MODE:-fast}"}}}}\n'
)


def _clone(bare: Path, dest: Path) -> Path:
    git(bare.parent, "clone", "-q", str(bare), str(dest))
    git(dest, "remote", "set-url", "origin", GITHUB_URL)
    git(dest, "config", f"url.{bare.as_uri()}.insteadOf", GITHUB_URL)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Iterator[Path]:
    """A work tree whose branch main is pushed to its (GitHub-named) origin, nothing pending."""
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    write(work, ".claude/settings.json", CLEAN_SETTINGS)
    write(work, "CLAUDE.md", "# Project\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "config")
    git(work, "remote", "add", "origin", GITHUB_URL)
    git(work, "config", f"url.{bare.as_uri()}.insteadOf", GITHUB_URL)
    git(work, "push", "-q", "-u", "origin", "main")
    return work


def _commit(repo: Path, rel: str, text: str, message: str) -> None:
    write(repo, rel, text)
    git(repo, "add", rel)
    git(repo, "commit", "-q", "-m", message)


def _json(repo: Path, *args: str) -> tuple[int, dict[str, object]]:
    result = run(["preflight", "--format", "json", *args, str(repo)])
    assert result.code in (0, 1), result.err
    return result.code, json.loads(result.out)


def _items(doc: dict[str, object], section: str) -> list[dict[str, object]]:
    items = doc["items"]
    assert isinstance(items, list)
    return [i for i in items if i["section"] == section]


def _statuses(doc: dict[str, object], section: str) -> list[object]:
    return [i["status"] for i in _items(doc, section)]


def test_in_step_and_clean_passes(project: Path) -> None:
    code, doc = _json(project)
    assert code == 0
    assert doc["failed"] is False
    assert _statuses(doc, "repository") == ["ok"]
    assert _statuses(doc, "branch") == ["ok"]
    assert _statuses(doc, "working tree") == ["ok"]
    assert "origin (https://github.com/acme/app.git)" in str(_items(doc, "repository")[0])


def test_unpushed_config_commit_fails_and_names_the_commit(project: Path) -> None:
    _commit(project, "notes.txt", "n\n", "notes")
    _commit(project, ".mcp.json", MCP, "add the api server")
    code, doc = _json(project)
    assert code == 1
    (item,) = [i for i in _items(doc, "branch") if i["status"] == "fail"]
    assert str(item["message"]).startswith("2 commits not pushed to origin/main, 1 of them")
    (detail,) = item["details"]  # type: ignore[misc]
    assert detail.endswith("add the api server: .mcp.json")
    assert item["fix"] == "git push origin HEAD:main"


def test_unpushed_commit_without_config_is_a_warning(project: Path) -> None:
    _commit(project, "src/app.py", "print()\n", "code")
    code, doc = _json(project)
    assert code == 0
    assert _statuses(doc, "branch") == ["warn"]
    assert "none changes configuration" in str(_items(doc, "branch")[0]["message"])


def test_behind_the_remote_is_a_warning(project: Path, tmp_path: Path) -> None:
    other = _clone(tmp_path / "remote.git", tmp_path / "other")
    _commit(other, "README.md", "r\n", "docs")
    git(other, "push", "-q", "origin", "main")
    git(project, "fetch", "-q", "origin")
    code, doc = _json(project)
    assert code == 0
    (item,) = _items(doc, "branch")
    assert item["status"] == "warn"
    assert str(item["message"]).startswith("origin/main has 1 commit this checkout does not")


def test_detached_head_fails(project: Path) -> None:
    git(project, "checkout", "-q", "--detach", "HEAD")
    code, doc = _json(project)
    assert code == 1
    (item,) = _items(doc, "branch")
    assert item["status"] == "fail"
    assert str(item["message"]).startswith("Detached HEAD")


def test_branch_never_pushed_fails(project: Path) -> None:
    git(project, "switch", "-q", "-c", "feature")
    code, doc = _json(project)
    assert code == 1
    (item,) = _items(doc, "branch")
    assert "Branch feature has no upstream" in str(item["message"])
    assert item["fix"] == "git push -u origin feature"


def test_dirty_and_untracked_configuration_fail(project: Path) -> None:
    write(project, ".claude/settings.json", BAD_SETTINGS)
    write(project, ".claude/skills/deploy/SKILL.md", "---\nname: deploy\n---\n")
    write(project, "scratch.txt", "x\n")
    code, doc = _json(project)
    assert code == 1
    by_message = {str(i["message"]).split(":")[0]: i for i in _items(doc, "working tree")}
    changed = by_message["1 configuration file with uncommitted changes"]
    assert changed["details"] == [".claude/settings.json"]
    untracked = by_message["1 untracked configuration file, which a cloud session does not get"]
    assert untracked["details"] == [".claude/skills/deploy/SKILL.md"]
    other = by_message["1 other file not committed"]
    assert other["status"] == "warn"


def test_no_remote_fails_and_estimates_the_bundle(tmp_path: Path) -> None:
    repo = tmp_path / "solo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    _commit(repo, ".claude/settings.json", CLEAN_SETTINGS, "config")
    code, doc = _json(repo)
    assert code == 1
    (item,) = _items(doc, "repository")
    assert item["status"] == "fail"
    message = str(item["message"])
    assert message.startswith("No git remote: ")
    assert "the client uploads .git instead: about " in message
    assert "KiB, within the client's default bundle limit of 100.0 MiB" in message
    # No upstream either: that is the branch section's problem.
    assert _statuses(doc, "branch") == ["fail"]


def test_bundle_seed_accepts_a_repository_without_github(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = tmp_path / "solo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    _commit(repo, ".claude/settings.json", CLEAN_SETTINGS, "config")
    monkeypatch.setenv("CCR_ENABLE_BUNDLE", "1")
    _code, doc = _json(repo)
    (item,) = _items(doc, "repository")
    assert item["status"] == "ok"
    assert "the bundle seed is on" in str(item["message"])


def test_non_github_remote_is_named(project: Path) -> None:
    git(project, "remote", "set-url", "origin", "git@gitlab.com:acme/app.git")
    code, doc = _json(project)
    assert code == 1
    (item,) = _items(doc, "repository")
    assert str(item["message"]).startswith(
        "No remote on github.com (remotes: origin on gitlab.com)"
    )


def test_github_hosts_can_be_extended(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    git(project, "remote", "set-url", "origin", "https://ghe.acme.example/acme/app.git")
    monkeypatch.setenv("PARITY_GITHUB_HOSTS", "ghe.acme.example")
    _code, doc = _json(project)
    assert _statuses(doc, "repository") == ["ok"]


def test_credentials_in_a_remote_url_are_never_shown(project: Path) -> None:
    token = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"
    git(
        project, "remote", "set-url", "origin", f"https://x-access-token:{token}@github.com/a/b.git"
    )
    for fmt in ("text", "json", "markdown"):
        result = run(["preflight", "--format", fmt, str(project)])
        assert token not in result.out + result.err
        assert "x-access-token" not in result.out


def test_finding_fixed_locally_but_not_pushed(project: Path, tmp_path: Path) -> None:
    other = _clone(tmp_path / "remote.git", tmp_path / "other")
    _commit(other, ".claude/settings.json", BAD_SETTINGS, "allow everything")
    git(other, "push", "-q", "origin", "main")
    git(project, "pull", "-q", "origin", "main")
    _commit(project, ".claude/settings.json", CLEAN_SETTINGS, "narrow the allow rule")
    code, doc = _json(project)
    assert code == 1
    (item,) = _items(doc, "lint")
    assert item["status"] == "fail"
    assert str(item["message"]).startswith("1 finding fixed locally, not pushed")
    (detail,) = item["details"]  # type: ignore[misc]
    assert detail.startswith(".claude/settings.json:2:")
    assert " PAR602 " in detail


def test_finding_present_only_in_the_pushed_tree(project: Path, tmp_path: Path) -> None:
    other = _clone(tmp_path / "remote.git", tmp_path / "other")
    _commit(other, ".claude/settings.json", BAD_SETTINGS, "allow everything")
    git(other, "push", "-q", "origin", "main")
    git(project, "fetch", "-q", "origin")
    code, doc = _json(project)
    assert code == 1
    (item,) = _items(doc, "lint")
    assert str(item["message"]).startswith("1 finding present only in the pushed tree")


def test_finding_only_in_local_commits_is_information(project: Path) -> None:
    _commit(project, "src/x.py", "x\n", "code")  # not config: the branch item is a warning
    _commit(project, "docs/readme.txt", "d\n", "docs")
    write(project, ".claude/settings.json", BAD_SETTINGS)
    git(project, "commit", "-q", "-am", "wider")
    code, doc = _json(project)
    assert code == 1  # an unpushed config commit
    (item,) = _items(doc, "lint")
    assert item["status"] == "info"
    assert str(item["message"]).startswith("1 finding only in local commits")


def test_no_lint_skips_the_pushed_tree(project: Path) -> None:
    _commit(project, ".claude/settings.json", BAD_SETTINGS, "wider")
    _code, doc = _json(project, "--no-lint")
    assert _items(doc, "lint") == []


def test_environment_lists_names_only(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    secret = "tok_" + "9f8e7d6c5b4a39281706f5e4d3c2b1a0"
    monkeypatch.setenv("ACME_API_TOKEN", secret)
    _commit(project, ".mcp.json", MCP, "server")
    git(project, "push", "-q", "origin", "main")
    _commit(
        project,
        "pyproject.toml",
        '[tool.parity.environments.ci]\nenv = ["LINEAR_API_KEY"]\n',
        "declare",
    )
    git(project, "push", "-q", "origin", "main")
    for fmt in ("text", "json", "markdown"):
        assert secret not in run(["preflight", "--format", fmt, str(project)]).out
    _code, doc = _json(project)
    (item,) = _items(doc, "environment")
    assert item["status"] == "info"
    assert item["details"] == [
        'ACME_API_TOKEN (set here; from .mcp.json (server "api"))',
        "LINEAR_API_KEY (not set here; from environment 'ci' (pyproject.toml))",
    ]  # MODE has a default: not needed


def test_routines_need_github_and_a_declared_environment(project: Path) -> None:
    git(project, "remote", "set-url", "origin", "git@gitlab.com:acme/app.git")
    _commit(
        project,
        "pyproject.toml",
        '[tool.parity.environments.default]\nnetwork = "trusted"\n',
        "declare",
    )
    _commit(
        project,
        ".claude/routines.yaml",
        "routines:\n"
        "  - name: pr-review\n"
        "    environment: staging\n"
        "    prompt: Review the pull request.\n"
        "    triggers:\n"
        "      - github: {event: pull_request.opened}\n",
        "routine",
    )
    _code, doc = _json(project)
    (item,) = _items(doc, "routines")
    assert item["status"] == "fail"
    assert item["details"] == [
        'routine "pr-review": environment "staging" is not declared (declared: default)',
        'routine "pr-review": GitHub trigger pull_request.opened on a repository with no '
        "GitHub remote never fires",
    ]


def test_not_a_repository(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    code, doc = _json(plain)
    assert code == 1
    (item,) = doc["items"]  # type: ignore[misc]
    assert item["status"] == "fail"
    assert item["message"].startswith("Not inside a git work tree")


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run(["preflight", str(tmp_path / "nope")])
    assert result.code == 2
    assert "Traceback" not in result.err


def test_text_report_is_exact(project: Path) -> None:
    _commit(project, ".mcp.json", MCP, "add the api server")
    sha = git(project, "rev-parse", "--short", "HEAD").strip()
    result = run(["preflight", str(project)])
    assert result.code == 1
    assert result.out == (
        "Repository\n"
        "    ok  GitHub remote: origin (https://github.com/acme/app.git).\n"
        "Branch\n"
        "  FAIL  1 commit not pushed to origin/main, 1 of them changing configuration a cloud "
        "session reads:\n"
        f"          {sha} add the api server: .mcp.json\n"
        "          fix: git push origin HEAD:main\n"
        "Lint\n"
        "  info  1 finding only in local commits (a cloud session will see them once they are "
        "pushed):\n"
        "          .mcp.json:1:97 PAR403 ${ACME_API_TOKEN} at mcpServers.api.env.API_TOKEN is not "
        "known to be set in a cloud session (the repository declares no cloud environment in "
        "[tool.parity.environments]): the client leaves the text "
        '${ACME_API_TOKEN} as it is and server "api" runs without the value.\n'
        "          fix: Fix them before you push (parity check).\n"
        "Working tree\n"
        "    ok  The working tree is clean.\n"
        "Environment\n"
        "  info  The repository needs 1 variable from the cloud environment's settings (0 set in "
        "this shell, 1 not):\n"
        '          ACME_API_TOKEN (not set here; from .mcp.json (server "api"))\n'
        "          fix: Set each in the cloud environment's settings on claude.ai; `parity migrate "
        "--env-file FILE` writes the values you have as KEY=value lines to paste.\n"
        "\n"
        "A cloud session would not get what this checkout has: 1 problem.\n"
    )


def test_markdown_report(project: Path) -> None:
    git(project, "checkout", "-q", "--detach", "HEAD")
    result = run(["preflight", "--format", "markdown", str(project)])
    assert result.code == 1
    assert result.out.startswith(
        "### Cloud preflight\n\nA cloud session would not get what this checkout has: 1 problem."
    )
    assert "**Branch**\n\n- ❌ Detached HEAD: a cloud session checks out a branch" in result.out


def test_repository_git_config_cannot_run_commands(project: Path, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    script = write(tmp_path, "monitor.sh", f"#!/bin/sh\ntouch {marker}\n", mode=0o755)
    git(project, "config", "core.fsmonitor", str(script))
    write(project, ".claude/settings.json", BAD_SETTINGS)
    run(["preflight", str(project)])
    assert not marker.exists()
    assert not os.path.exists(project / ".git" / "index.lock")


README = Path(__file__).resolve().parents[2] / "README.md"
_SAMPLE = re.compile(r"```text\n\$ parity preflight\n(.*?)```", re.S)


def readme_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """The README's scenario: a fix committed but not pushed, a skill not committed."""
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, "2026-12-01T10:00:00Z")  # stable commit ids
    monkeypatch.setenv("LINEAR_API_KEY", "lin_api_" + "x" * 40)
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    app = tmp_path / "app"
    app.mkdir()
    git(app, "init", "-q", "-b", "main")
    url = "git@github.com:acme/app.git"
    git(app, "remote", "add", "origin", url)
    git(app, "config", f"url.{bare.as_uri()}.insteadOf", url)
    write(app, ".claude/settings.json", BAD_SETTINGS)
    write(
        app,
        ".mcp.json",
        '{"mcpServers": {"linear": {"type": "http", "url": "https://mcp.linear.app/mcp",'
        ' "headers": {"Authorization": "Bearer ${LINEAR_API_KEY}"}}}}\n',
    )
    git(app, "add", "-A")
    git(app, "commit", "-q", "-m", "Claude Code config")
    git(app, "push", "-q", "-u", "origin", "main")
    _commit(app, ".claude/settings.json", CLEAN_SETTINGS, "Narrow the allow rule")
    write(
        app,
        ".claude/skills/release/SKILL.md",
        "---\nname: release\ndescription: Cut a release.\n---\n",
    )
    result = run(["preflight"], cwd=app)
    assert result.code == 1, result.err
    return result.out + f"$ echo $?\n{result.code}\n"


def test_readme_sample_is_what_preflight_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regenerate with PARITY_UPDATE_README=1 (never edit the sample by hand)."""
    text = README.read_text(encoding="utf-8")
    found = _SAMPLE.search(text)
    assert found is not None, "README has no `$ parity preflight` sample"
    sample = readme_sample(tmp_path, monkeypatch)
    if os.environ.get("PARITY_UPDATE_README") == "1":
        text = text[: found.start(1)] + sample + text[found.end(1) :]
        README.write_text(text, encoding="utf-8")
    assert found.group(1) == sample or os.environ.get("PARITY_UPDATE_README") == "1"


def test_repository_text_stays_inert_and_secrets_masked(project: Path) -> None:
    key = "sk-ant-api03-" + "Zq9" * 31 + "AA"
    write(project, ".claude/commands/a\x1b]0;TITLE\x07b.md", "x\n")
    write(project, ".claude/x.json", "{}\n")
    git(project, "add", ".claude/x.json")
    git(project, "commit", "-q", "-m", f"use {key}\x1b[2J now")
    for fmt in ("text", "json", "markdown"):
        out = run(["preflight", "--format", fmt, str(project)]).out
        assert key not in out
        assert "\x1b" not in out
        assert "\x07" not in out
    doc = json.loads(run(["preflight", "--format", "json", str(project)]).out)
    (untracked,) = [i for i in _items(doc, "working tree") if "untracked" in str(i["message"])]
    assert untracked["details"] == [".claude/commands/a\x1b]0;TITLE\x07b.md"]
