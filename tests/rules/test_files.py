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
