"""Canary secrets planted everywhere a secret can hide never appear in any output or baseline."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from parity.check import CheckOptions, _finding, run_check
from parity.findings import Location, Severity, Violation
from parity.report import FORMATS, Report, renderer
from parity.rules.base import Rule
from parity.secrets import mask
from parity.text import LIMITS
from tests.helpers import make_repo, run, write
from tests.secrets.canaries import body, canaries, fragments, private_key

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


# --------------------------------------------------------------------------------------------
# Keys across every truncation point (issue 19 item 3).  Values used to be cut before they
# were masked: a key cut in two no longer matches its format, and the part before the cut was
# printed.  Every limit parity shortens quoted text to is declared in parity.text.LIMITS; a key
# is placed so that it starts at every offset around each of them, whatever leads the quoted
# text (a quote, "Bash(, {"serverName": "), in every field kind and every output format.

_CUT_SECRETS = {
    kind: canaries("cut")[kind] for kind in ("Anthropic API key", "GitHub token", "Slack token")
}
_LEAD = 24  # the longest text a quote may put before the value ({"headers": ["Authorization: )


def _across(secret: str) -> list[str]:
    """Values that put ``secret`` across every cut, at every offset."""
    return [
        "x" * n + " " + secret + " tail"
        for limit in LIMITS
        for n in range(max(0, limit - len(secret) - _LEAD - 1), limit + 1)
    ]


_VALUES = [v for s in _CUT_SECRETS.values() for v in _across(s)]
_ENTROPY = body("cut-entropy", 32)  # a secret only by the name it is stored under
# Where the name decides, the name moves the value across the cut: "Authorization: Bearer …"
# after a filler, and names such as xxxx_TOKEN.
_PADS = ["x" * n for n in range(1, max(LIMITS) + 1)]
_HEADERS = [f"{pad} Authorization: Bearer {_ENTROPY}" for pad in _PADS]


def _assert_uncut(text: str, what: str) -> None:
    for secret in (*_CUT_SECRETS.values(), _ENTROPY):
        prefix = mask(secret).split("…")[0]
        rest = secret[len(prefix) :]
        for i in range(len(rest) - 9):
            assert rest[i : i + 10] not in text, f"{what} shows a piece of a secret"


def test_every_cut_is_covered() -> None:
    """Each limit has a key starting at every offset that makes the cut fall inside it.

    A quote cut at ``limit`` shows ``limit - 1`` characters and ``…``: a key starting at ``s``
    (after ``lead`` characters of quoting) is cut when ``s < limit - 1 < s + len(key)``.
    """
    for secret in _CUT_SECRETS.values():
        for limit in LIMITS:
            for lead in range(1, _LEAD + 1):
                starts = {lead + v.index(secret) for v in _across(secret)}
                cut = set(range(max(limit - len(secret), lead + 1), limit - 1))
                assert cut <= starts, (limit, lead)


def _plant_cuts(repo: Path) -> None:
    write(
        repo,
        ".claude/settings.json",
        json.dumps(
            {
                "permissions": {
                    "allow": [f"Bash({v}" for v in _VALUES],  # malformed: no ")"
                    "deny": [f"Read({v}" for v in _VALUES[::7]],
                },
                "allowedMcpServers": [{"serverName": v} for v in _VALUES],
                "deniedMcpServers": [{"serverUrl": [v]} for v in _VALUES[::5]],
                "pluginConfigs": {
                    "tool@market": {
                        "mcpServers": {
                            "srv": {
                                **{f"headers{i}": [v] for i, v in enumerate(_HEADERS)},
                                **{f"env{i}": [[f"API_KEY={v}"]] for i, v in enumerate(_VALUES)},
                                **{
                                    f"obj{i}": [{f"{p}_TOKEN": _ENTROPY}]
                                    for i, p in enumerate(_PADS)
                                },
                            }
                        }
                    }
                },
                **{v: True for v in _VALUES[::3]},  # unknown setting names
                "hooks": {v: [] for v in _VALUES[::3]},  # unknown hook event names
                "env": {f"K{i}": [v] for i, v in enumerate(_VALUES[::5])},
            }
        ),
    )
    write(
        repo,
        ".mcp.json",
        json.dumps(
            {
                "mcpServers": {
                    **{v: {"args": []} for v in _VALUES[::4]},  # no command: names quoted
                    **{
                        f"h{i}": {"type": "http", "url": "https://x.example.com", "headers": [v]}
                        for i, v in enumerate(_HEADERS)
                    },
                    **{
                        f"e{i}": {"command": "npx", "env": [f"K={v}"]}
                        for i, v in enumerate(_VALUES)
                    },
                }
            }
        ),
    )
    routines = "".join(
        f"  - name: {json.dumps(v)}\n    prompt: Summarise.\n    triggers:\n"
        "      - schedule: {cron: '7 3 * * *'}\n"
        for v in _VALUES
    )
    write(repo, ".claude/routines.yaml", "routines:\n" + routines)


@pytest.fixture(scope="module")
def cut_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("cuts") / "repo"
    repo.mkdir()
    _plant_cuts(repo)
    return make_repo(repo)


@pytest.fixture(scope="module")
def cut_report(cut_repo: Path) -> Report:
    """One check of the repository (it is large): every format renders this report."""
    return run_check(CheckOptions(paths=(cut_repo,)))


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_format_shows_a_key_across_a_cut(cut_report: Report, fmt: str) -> None:
    _assert_uncut(renderer(fmt)(cut_report), f"check --format {fmt}")


def test_the_command_line_shows_no_key_across_a_cut(cut_repo: Path) -> None:
    result = run(["check", "--format", "json", str(cut_repo)])
    assert result.code == 1, result.err
    _assert_uncut(result.out + result.err, "check")


def test_the_cut_fields_are_reported(cut_report: Report) -> None:
    """The planted values are quoted (else the tests above would prove nothing)."""
    messages = [f.message for f in cut_report.findings]
    for quoted in (
        'Invalid permission rule "Bash(xxx',  # PAR014, RULE_LIMIT
        'Unknown name "xxx',  # an unknown hook event, NAME_LIMIT
        'Unknown setting "xxx',
        'Invalid value [["',  # anyOf on an array, VALUE_LIMIT
        'Invalid value [{"',
        "A routine name is kebab-case",
    ):
        assert any(quoted in m for m in messages), quoted
    assert any(m.count("…") >= 2 for m in messages)  # masked, then cut
    codes = {f.code for f in cut_report.findings}
    assert {"PAR014", "PAR010", "PAR011", "PAR020", "PAR500"} <= codes


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_routines_check_shows_no_key_across_a_cut(cut_repo: Path, fmt: str) -> None:
    result = run(["routines", "check", "--format", fmt], cwd=cut_repo)
    assert result.code == 1, result.err
    assert "PAR500" in result.out
    _assert_uncut(result.out + result.err, f"routines check --format {fmt}")


_SINGLE: dict[str, Callable[[object], dict[str, object]]] = {
    "theme": lambda v: {"theme": v},
    "attribution": lambda v: {"attribution": [v]},
    "forceLoginOrgUUID": lambda v: {"forceLoginOrgUUID": {"id": v}},
    "permissions.defaultMode": lambda v: {"permissions": {"defaultMode": v}},
    "statusLine.type": lambda v: {"statusLine": {"type": v, "command": "x"}},
    "hooks.Stop": lambda v: {"hooks": {"Stop": [{"hooks": [{"type": v}]}]}},
    "enabledPlugins": lambda v: {"enabledPlugins": {"p@m": v}},
    "apiKeyHelper": lambda v: {"apiKeyHelper": [v]},
}


@pytest.mark.parametrize("field", sorted(_SINGLE))
def test_single_values_across_every_cut(field: str) -> None:
    """Fields that hold one value: schema messages for each placement, no piece of a key."""
    from parity.validate import problems

    for value in _VALUES + [[{f"{p}_API_KEY": _ENTROPY}] for p in _PADS]:
        text = " ".join(p.message for p in problems("settings", _SINGLE[field](value)))
        assert text, f"{field}: no problem reported"
        _assert_uncut(text, field)


def _plant_home_cuts(home: Path) -> None:
    write(
        home,
        ".claude/settings.json",
        json.dumps(
            {
                "env": {f"{p}_TOKEN": _ENTROPY for p in _PADS[::7]},
                "hooks": {
                    "Stop": [
                        {"hooks": [{"type": "command", "command": f"notify {v}"}]}
                        for v in _VALUES[::3]
                    ]
                },
                "enabledPlugins": {f"{v}@market": True for v in _VALUES[::9]},
            }
        ),
    )
    write(
        home,
        ".claude.json",
        json.dumps(
            {
                "mcpServers": {
                    **{v: {"command": "npx", "args": ["-y", "x@1"]} for v in _VALUES[::5]},
                    **{
                        f"h{i}": {"type": "http", "url": "https://x.example.com", "headers": [v]}
                        for i, v in enumerate(_VALUES[::3])
                    },
                }
            }
        ),
    )


@pytest.fixture
def cut_home(cut_repo: Path, fake_home: Path) -> Path:
    _plant_home_cuts(fake_home)
    return fake_home


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_status_shows_no_key_across_a_cut(cut_repo: Path, cut_home: Path, fmt: str) -> None:
    result = run(["status", "--format", fmt, str(cut_repo)])
    assert result.code == 0, result.err
    assert "MCP server" in result.out or "mcp" in result.out
    _assert_uncut(result.out + result.err, f"status --format {fmt}")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_migrate_shows_no_key_across_a_cut(cut_repo: Path, cut_home: Path, fmt: str) -> None:
    result = run(["migrate", "--format", fmt], cwd=cut_repo)
    assert result.code == 0, result.err
    assert result.out.strip()
    _assert_uncut(result.out + result.err, f"migrate --format {fmt}")


@pytest.mark.parametrize("fmt", ["text", "json"])
def test_routines_next_shows_no_key(cut_repo: Path, fmt: str) -> None:
    result = run(["routines", "next", "--format", fmt], cwd=cut_repo)
    assert result.code == 0, result.err
    assert "7 3 * * *" in result.out
    _assert_uncut(result.out + result.err, f"routines next --format {fmt}")


def test_emulate_report_shows_no_key_across_a_cut() -> None:
    from parity.emulate.render import render_json, render_text
    from parity.emulate.result import EmulationResult, Status, StepResult

    steps = tuple(
        StepResult("hook", f"deploy {v}", Status.FAILED, messages=(f"exit 1: {v}",))
        for v in _VALUES[::3]
    )
    result = EmulationResult("parity", "trusted", "claude-cloud", "HEAD", "main", steps)
    _assert_uncut(render_text(result), "emulate text")
    _assert_uncut(render_json(result), "emulate json")
