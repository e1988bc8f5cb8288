"""Which files parity reads, and how: unparsable files, symlinks, nested and local files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import FIXTURES, make_repo, run, write
from tests.secrets.canaries import canaries

CASES = FIXTURES / "repos" / "files"


def _findings(repo: Path, *args: str) -> list[dict[str, object]]:
    result = run(["check", "--select", "ALL", "--format", "json", *args, str(repo)])
    assert result.code in (0, 1), result.err
    findings: list[dict[str, object]] = json.loads(result.out)["findings"]
    return findings


def _where(findings: list[dict[str, object]], *codes: str) -> list[str]:
    return sorted(
        f"{f['code']} {f['path']}:{f['line']}" for f in findings if not codes or f["code"] in codes
    )


# --- A secret in a file that does not parse (17.6) -------------------------------------------


def test_a_secret_in_a_file_that_does_not_parse_is_still_reported(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CASES / "unparsable-secret")
    findings = _findings(repo)
    assert _where(findings, "PAR001", "PAR401", "PAR402") == [
        "PAR001 .claude/agents/deployer.md:5",
        "PAR001 .mcp.json:8",
        "PAR401 .mcp.json:7",
        "PAR402 .claude/agents/deployer.md:7",
    ]
    par401 = next(f for f in findings if f["code"] == "PAR401")
    assert "does not parse" in str(par401["message"])
    assert "Tz7Kq2Wm9Xr4Lp8Vn3Bd6Hc1Jf5Gs0Ya" not in json.dumps(findings)


def test_a_provider_key_in_jsonc_settings_is_an_error_and_masked(tmp_path: Path) -> None:
    token = canaries("unparsable")["GitHub token"]
    repo = tmp_path / "repo"
    text = f'{{\n  // CI token\n  "env": {{"GH_TOKEN": "{token}"}}\n}}\n'
    write(repo, ".claude/settings.json", text)
    make_repo(repo)
    findings = _findings(repo)
    secret = [f for f in findings if f["code"] == "PAR401"]
    assert [(f["line"], f["severity"]) for f in secret] == [(3, "error")]
    assert {f["code"] for f in findings} >= {"PAR001", "PAR401"}
    for fmt in ("text", "json", "sarif", "github", "junit"):
        out = run(["check", "--format", fmt, str(repo)]).out
        assert token[4:] not in out


# --- Symbolic links (21.1, 17.3) ---------------------------------------------------------------


def test_links_inside_the_repository_are_followed_and_checked_as_their_name(
    tmp_path: Path,
) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "rules" / "PAR111" / "pass", commit=False)
    # What the link's target says is checked as the file the link's name says it is.
    write(repo, "AGENTS.md", "# Agents\n\n@~/.claude/team-notes.md\n")
    write(repo, "skills/deploy/SKILL.md", "---\nname: deploy\ndescription: [unclosed\n---\n")
    write(repo, "scripts/fmt.sh", "#!/bin/sh\nexit 0\n", mode=0o644)
    from tests.helpers import git

    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "fixture")
    findings = _findings(repo)
    assert _where(findings) == [
        "PAR001 .claude/skills/deploy/SKILL.md:4",
        "PAR102 CLAUDE.md:3",
        "PAR105 .claude/settings.json:7",
    ]


def test_a_link_out_of_the_repository_is_reported_and_never_read(
    tmp_path: Path, fake_home: Path
) -> None:
    token = canaries("outside")["GitHub token"]
    settings = json.dumps({"model": 5, "env": {"T": token}})
    outside = write(fake_home, "private-config/claude/settings.json", settings)
    write(fake_home, "private-config/claude/CLAUDE.md", f"secret {token}\n")
    repo = tmp_path / "repo"
    (repo / ".claude").mkdir(parents=True)
    (repo / ".claude" / "settings.json").symlink_to(outside)
    climbing = Path("../..") / fake_home.name / "private-config/claude/CLAUDE.md"
    (repo / "CLAUDE.md").symlink_to(climbing)
    make_repo(repo)
    for fmt in ("text", "json", "sarif"):
        result = run(["check", "--select", "ALL", "--format", fmt, str(repo)])
        assert token[4:] not in result.out
        assert str(fake_home) not in result.out
        assert "private-config" not in result.out
    findings = _findings(repo)
    assert _where(findings) == ["PAR111 .claude/settings.json:1", "PAR111 CLAUDE.md:1"]
    assert "outside the repository" in str(findings[0]["message"])


def test_a_dangling_link_names_its_target_inside_the_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "CLAUDE.md").symlink_to("docs/AGENTS.md")
    make_repo(repo)
    findings = _findings(repo)
    assert _where(findings) == ["PAR111 CLAUDE.md:1"]
    assert "docs/AGENTS.md, which does not exist" in str(findings[0]["message"])


def test_an_uncommitted_target_of_a_committed_link_is_not_in_a_clone(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, ".gitignore", "notes/\n")
    write(repo, "notes/AGENTS.md", "# Notes\n")
    (repo / "CLAUDE.md").symlink_to("notes/AGENTS.md")
    make_repo(repo)
    findings = _findings(repo)
    assert _where(findings, "PAR103") == ["PAR103 CLAUDE.md:1"]
    assert "notes/AGENTS.md" in str(findings[0]["message"])


def test_a_user_file_linked_from_a_dotfiles_folder_is_read(tmp_path: Path, fake_home: Path) -> None:
    write(fake_home, "dotfiles/CLAUDE.md", "Always answer in French.\n")
    (fake_home / ".claude").mkdir()
    (fake_home / ".claude" / "CLAUDE.md").symlink_to("../dotfiles/CLAUDE.md")
    repo = make_repo(tmp_path / "repo")
    findings = _findings(repo, "--user")
    assert _where(findings) == ["PAR101 ~/.claude/CLAUDE.md:1"]


# --- Nested .mcp.json (22.1) --------------------------------------------------------------------


def test_nested_mcp_files_are_found_validated_and_scanned(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CASES / "nested-mcp")
    findings = _findings(repo)
    assert _where(findings, "PAR020", "PAR112", "PAR209", "PAR401") == [
        "PAR020 backend/.mcp.json:11",
        "PAR112 backend/.mcp.json:1",
        "PAR112 web/.mcp.json:1",
        "PAR209 backend/.mcp.json:5",
        "PAR401 backend/.mcp.json:7",
    ]
    info = [f for f in findings if f["code"] == "PAR112"]
    assert {f["severity"] for f in info} == {"info"}
    assert "(Sentry, supabase)" in str(info[0]["message"])
    # Not loaded at the root: they are neither items of `parity status` nor pre-installed.
    status = json.loads(run(["status", "--format", "json", str(repo)]).out)
    assert [r for r in status["items"] if r["kind"] == "mcp"] == []


def test_cloud_init_preinstalls_only_the_servers_of_the_root_mcp_file(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "rules" / "PAR112" / "fail")
    assert "server-postgres" not in run(["cloud-init", str(repo)]).out
    (repo / "backend" / ".mcp.json").replace(repo / ".mcp.json")
    assert "server-postgres@0.6.2" in run(["cloud-init", str(repo)]).out


def test_a_nested_mcp_file_is_checked_when_named_on_the_command_line(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CASES / "nested-mcp")
    result = run(["check", "--format", "json", str(repo / "backend" / ".mcp.json")])
    paths = {f["path"] for f in json.loads(result.out)["findings"]}
    assert paths == {"backend/.mcp.json"}


# --- A committed .claude/settings.local.json (22.3) -----------------------------------------


def test_a_committed_local_settings_file_is_checked_like_project_settings(tmp_path: Path) -> None:
    # Read(/Users/jane/…) is left alone, as in project settings: an allow rule that matches
    # nothing in a cloud session is harmless (the corpus has 14, all accumulated approvals).
    repo = make_repo(tmp_path / "repo", CASES / "committed-local")
    findings = _findings(repo)
    local = ".claude/settings.local.json"
    assert _where(findings, "PAR102", "PAR104", "PAR106", "PAR120", "PAR201", "PAR601") == sorted(
        [
            f"PAR102 {local}:18",  # ~/.claude/hooks/notify-done.sh
            f"PAR104 {local}:19",  # scripts/format-changed.sh is missing
            f"PAR120 {local}:19",  # ... and relative to whatever folder the session is in
            f"PAR106 {local}:1",  # it is committed, though personal
            "PAR106 CLAUDE.local.md:1",
            f"PAR201 {local}:12",  # bun install
            f"PAR601 {local}:7",  # bypassPermissions
        ]
    )
    advice = next(f for f in findings if f["code"] == "PAR106" and f["path"] == local)
    assert advice["severity"] == "info"
    assert "git rm --cached" in str(advice["fix"])


def test_a_committed_local_file_is_in_the_cloud_and_not_migrated_again(
    tmp_path: Path, fake_home: Path
) -> None:
    repo = make_repo(tmp_path / "repo", CASES / "committed-local")
    status = json.loads(run(["status", "--format", "json", str(repo)]).out)
    hooks = [r for r in status["items"] if r["kind"] == "hooks"]
    assert hooks
    assert all(r["in_cloud"] for r in hooks)
    plan = json.loads(run(["migrate", "--format", "json", str(repo)], cwd=repo).out)
    assert plan["actions"] == []
    assert {s["reason"] for s in plan["skipped"]} == {
        "already in the repository (.claude/settings.local.json is committed)",
        "already in the repository (CLAUDE.local.md is committed)",
    }


# --- @ imports (17.4, 22.4) -----------------------------------------------------------------------


def test_imports_that_climb_out_of_the_repository_are_missing_like_home_imports(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    write(repo, "CLAUDE.md", "# App\n\nShared rules: @../../shared/notes.md\n@docs/team.md\n")
    write(repo, "docs/team.md", "Team notes, see @~/notes/team.md and @/opt/company/rules.md\n")
    write(repo, ".claude/CLAUDE.md", "Architecture: @./../.claude_docs/architecture.md\n")
    write(repo, ".claude_docs/architecture.md", "# Architecture\n")
    make_repo(repo)
    findings = _findings(repo)
    assert _where(findings, "PAR102", "PAR103", "PAR113") == [
        "PAR102 CLAUDE.md:3",
        "PAR102 docs/team.md:1",
        "PAR102 docs/team.md:1",
    ]
    out = next(f for f in findings if f["path"] == "CLAUDE.md")
    assert "points outside the repository" in str(out["message"])
    assert out["severity"] == "error"


def test_import_targets_are_checked_in_the_committed_tree(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", FIXTURES / "rules" / "PAR113" / "fail", commit=False)
    write(repo, "docs/local-only.md", "# Mine\n")
    write(repo, "CLAUDE.md", (repo / "CLAUDE.md").read_text() + "Mine: @docs/local-only.md\n")
    from tests.helpers import git

    git(repo, "add", "-A", ":!docs/local-only.md")
    git(repo, "commit", "-q", "-m", "fixture")
    findings = _findings(repo)
    assert _where(findings, "PAR103", "PAR113") == [
        "PAR103 CLAUDE.md:8",  # exists, but a fresh clone does not have it
        "PAR113 .claude/CLAUDE.md:1",
        "PAR113 CLAUDE.md:3",
        "PAR113 CLAUDE.md:6",
        "PAR113 docs/l4.md:1",
        "PAR113 docs/services.md:3",
    ]
    cycle = next(f for f in findings if "closes a cycle" in str(f["message"]))
    assert cycle["severity"] == "info"


def test_two_findings_in_one_imported_file_have_their_own_fingerprints(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    write(repo, "CLAUDE.md", "@docs/guide.md\n")
    write(repo, "docs/guide.md", "First @missing-one.md\nthen @missing-two.md\n")
    make_repo(repo)
    prints = [f["fingerprint"] for f in _findings(repo) if f["code"] == "PAR113"]
    assert len(prints) == 2
    assert len(set(prints)) == 2


# --- Excluding folders of templates (18.7, second half) -----------------------------------------


def test_one_line_of_config_excludes_a_folder_of_claude_templates(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CASES / "template-releases")
    noisy = _findings(repo)
    assert {f["path"] for f in noisy} >= {
        "releases/v1.4/home/.claude/settings.json",
        "releases/v1.5/home/.claude/settings.json",
    }
    write(repo, "parity.toml", 'exclude = ["releases/"]\n')
    result = run(["check", "--select", "ALL", "--format", "json", str(repo)])
    report = json.loads(result.out)
    assert [f for f in report["findings"] if f["path"].startswith("releases/")] == []
    assert report["summary"]["files_checked"] == 2  # CLAUDE.md and .claude/settings.json
    # The same files are out of `parity status` and of what cloud-init installs for.
    status = json.loads(run(["status", "--format", "json", str(repo)]).out)
    assert not [r for r in status["items"] if r["path"].startswith("releases/")]
    assert "releases/" not in run(["cloud-init", str(repo)]).out


def test_extend_exclude_adds_to_exclude_and_named_files_are_excluded_too(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", CASES / "template-releases")
    write(
        repo,
        "pyproject.toml",
        '[tool.parity]\nexclude = ["releases/v1.4/"]\nextend-exclude = ["releases/v1.5/"]\n',
    )
    named = repo / "releases" / "v1.5" / "home" / ".claude" / "settings.json"
    for args in ([str(repo)], [str(named)]):
        result = run(["check", "--select", "ALL", "--format", "json", *args])
        assert json.loads(result.out)["findings"] == [], result.out
