"""Canary secrets planted everywhere a secret can hide never appear in any output or baseline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from parity.check import _finding
from parity.findings import Location, Severity, Violation
from parity.report import FORMATS
from parity.rules.base import Rule
from tests.helpers import make_repo, run, write
from tests.secrets.canaries import canaries, fragments, private_key

PLACES = ("settings", "mcp", "hook", "memory", "skill", "named", "home")


def _secrets(place: str) -> list[str]:
    return [*canaries(place).values(), private_key(place)]


ALL = [s for place in PLACES for s in _secrets(place)]


def _plant(repo: Path, home: Path) -> None:
    settings = _secrets("settings")
    write(
        repo,
        ".claude/settings.json",
        json.dumps(
            {
                "env": {f"SECRET_{i}": s for i, s in enumerate(settings)},
                "permissions": {"allow": [f"Bash(curl -H 'Authorization: Bearer {settings[4]}')"]},
                "hooks": {
                    "SessionStart": [
                        {"hooks": [{"type": "command", "command": f"deploy --key {settings[0]}"}]}
                    ]
                },
                "apiKeyHelper": f"echo {settings[0]}",
            },
            indent=2,
        ),
    )
    mcp = _secrets("mcp")
    write(
        repo,
        ".mcp.json",
        json.dumps(
            {
                "mcpServers": {
                    "local": {
                        "command": "npx",
                        "args": ["-y", "tool@1.0.0", "--token", *mcp],
                        "env": {f"KEY_{i}": s for i, s in enumerate(mcp)},
                    },
                    "remote": {
                        "type": "http",
                        "url": f"https://mcp.example.com/mcp?key={mcp[1]}",
                        "headers": {"Authorization": f"Bearer {mcp[4]}", "X-Other": mcp[0]},
                    },
                }
            },
            indent=2,
        ),
    )
    hook = _secrets("hook")
    write(
        repo,
        ".claude/hooks/session-start.sh",
        "#!/bin/bash\n" + "".join(f'export K{i}="{s}"\n' for i, s in enumerate(hook)),
        mode=0o755,
    )
    write(repo, "CLAUDE.md", "# Notes\n\n" + "".join(f"- {s}\n" for s in _secrets("memory")))
    write(
        repo,
        ".claude/skills/deploy/SKILL.md",
        "---\nname: deploy\ndescription: Deploy.\n---\n\n"
        + "".join(f"Use `{s}`.\n" for s in _secrets("skill")),
    )
    write(repo, "notes/deploy.txt", "".join(f"key {s}\n" for s in _secrets("named")))
    user = _secrets("home")
    write(home, ".claude/settings.json", json.dumps({"env": {"K": user[0]}}))
    write(
        home,
        ".claude.json",
        json.dumps({"mcpServers": {"x": {"command": "x", "env": {"T": user[4]}}}}),
    )
    write(home, ".claude/CLAUDE.md", f"token {user[2]}\n")


def _assert_clean(text: str, what: str) -> None:
    for secret in ALL:
        for piece in fragments(secret):
            assert piece not in text, f"{what} shows a piece of a planted secret"


@pytest.fixture
def planted(tmp_path: Path, fake_home: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    _plant(repo, fake_home)
    return make_repo(repo)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_output_format_shows_a_secret(planted: Path, fmt: str) -> None:
    result = run(["check", "--user", "--format", fmt, str(planted)])
    assert result.code == 1, result.err
    _assert_clean(result.out + result.err, f"--format {fmt}")


def test_every_place_is_reported(planted: Path) -> None:
    result = run(["check", "--format", "json", str(planted)])
    findings = json.loads(result.out)["findings"]
    flagged = {f["path"] for f in findings if f["code"] in ("PAR401", "PAR402")}
    assert flagged >= {
        ".claude/settings.json",
        ".mcp.json",
        ".claude/hooks/session-start.sh",
        "CLAUDE.md",
        ".claude/skills/deploy/SKILL.md",
    }
    hook_lines = {f["line"] for f in findings if f["path"] == ".claude/hooks/session-start.sh"}
    assert len(hook_lines) == len(_secrets("hook"))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_a_named_file_is_scanned_as_text_and_masked(planted: Path, fmt: str) -> None:
    result = run(["check", "--format", fmt, str(planted / "notes/deploy.txt")], cwd=planted)
    assert result.code == 1, result.err
    assert "notes/deploy.txt" in result.out
    _assert_clean(result.out + result.err, f"named file, --format {fmt}")


def test_named_file_has_one_finding_per_secret(planted: Path) -> None:
    result = run(["check", "--format", "json", "notes/deploy.txt"], cwd=planted)
    findings = json.loads(result.out)["findings"]
    assert sorted(f["line"] for f in findings) == list(range(1, len(_secrets("named")) + 1))
    assert all(f["code"] == "PAR402" for f in findings)


def test_baseline_holds_no_secret(planted: Path) -> None:
    baseline = planted.parent / "baseline.json"
    result = run(["check", "--user", "--write-baseline", "--baseline", str(baseline), str(planted)])
    assert result.code == 0, result.err
    text = baseline.read_text()
    assert json.loads(text)["findings"]
    _assert_clean(text, "the baseline")


def _leaky(_ctx: object) -> list[Violation]:
    return []


def test_the_engine_masks_what_any_rule_quotes() -> None:
    secret = canaries("engine")["GitHub token"]
    rule = Rule(
        code="PAR999",
        name="leaky",
        severity=Severity.WARNING,
        summary="Quotes a value.",
        docs="## What it does\n## Why is this bad?\n## Example\n## Fix\n",
        check=_leaky,
    )
    v = Violation(Location("x.json", pointer=f"/env/{secret}"), f"bad {secret}", f"drop {secret}")
    finding = _finding(rule, v)
    for text in (finding.message, finding.fix or "", finding.pointer):
        assert secret not in text
        assert "ghp_…(40 chars)" in text


def test_error_messages_are_masked(tmp_path: Path) -> None:
    secret = canaries("error")["Anthropic API key"]
    result = run(["check", "--config", str(tmp_path / f"{secret}.toml"), str(tmp_path)])
    assert result.code == 2
    assert "sk-ant-…" in result.err
    assert all(piece not in result.err for piece in fragments(secret))
