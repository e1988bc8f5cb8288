"""Reading routines and scheduled tasks, and the rules' messages where wording is the product."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from parity.model import Kind, classify
from parity.routines import schedule
from parity.routines.model import read_schedule
from parity.rules.par507_prompt_assumes_memory import PHRASES
from tests.helpers import make_repo, run, write

UTC = timezone.utc


@pytest.mark.parametrize(
    ("spec", "cron"),
    [
        ({"cron": "7 3 * * *"}, "7 3 * * *"),
        ({"preset": "hourly"}, "0 * * * *"),
        ({"preset": "hourly", "at": ":17"}, "17 * * * *"),
        ({"preset": "daily", "at": "03:07"}, "7 3 * * *"),
        ({"preset": "weekdays", "at": "08:53"}, "53 8 * * 1-5"),
        ({"preset": "weekly", "at": "09:13"}, "13 9 * * 1"),
        ({"preset": "weekly", "at": "09:13", "day": "Friday"}, "13 9 * * 5"),
        ({"preset": "daily", "at": 547}, "7 9 * * *"),  # YAML 1.1 read 9:07 as 547
    ],
)
def test_presets_become_crons(spec: dict[str, object], cron: str) -> None:
    found = read_schedule(spec, ("s",))
    assert (found.cron, found.problem) == (cron, None)


@pytest.mark.parametrize(
    ("spec", "key", "problem"),
    [
        ({"preset": "daily"}, "preset", '"at" is missing'),
        ({"preset": "daily", "at": "25:00"}, "at", "\"at\" is '25:00'"),
        ({"preset": "weekly", "at": "09:00", "day": "someday"}, "day", "unknown day"),
        ({"preset": "monthly"}, "preset", "unknown preset"),
        ({"once": "2026-12-01T09:00:00"}, "once", "has no time zone"),
        ({"once": "next tuesday"}, "once", "is not a timestamp"),
        ({"cron": "7 3 * * *", "timezone": "Moon/Base"}, "timezone", "not a known IANA"),
        ({"cron": "7 3 * * *", "once": "2026-12-01T09:00:00Z"}, "once", "has both"),
        ({}, "", "has none"),
    ],
)
def test_schedule_problems(spec: dict[str, object], key: str, problem: str) -> None:
    found = read_schedule(spec, ("s",))
    assert found.key == key
    assert problem in (found.problem or "")


def test_once_is_kept_in_utc() -> None:
    found = read_schedule({"once": "2026-12-01T10:00:00+01:00"}, ("s",))
    assert found.once == datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(
    "rel",
    [
        ".claude/routines.yaml",
        ".claude/routines.yml",
        ".claude/routines/a.yaml",
        ".claude/routines/b.yml",
    ],
)
def test_routines_files_are_classified(rel: str) -> None:
    assert classify(rel) == (Kind.ROUTINES, classify(".claude/routines.yaml")[1])  # type: ignore[index]


@pytest.mark.parametrize(
    "text",
    [
        "Summarise what changed since the last run.",
        "Group the updates as last time.",
        "Group them the same as last time.",
        "Pick up where you left off.",
        "Compare with the previous run.",
        "As you remember, the flaky test is in billing.",
        "Check everything since you last checked.",
        "Do what you did last time you ran.",
    ],
)
def test_memory_phrases_found(text: str) -> None:
    assert PHRASES.search(text)


@pytest.mark.parametrize(
    "text",
    [
        "Remember to run the tests before pushing.",
        "Look at the last run of the CI workflow.",
        "List the failures since the last release.",
        "Summarise the pull requests opened in the last 24 hours.",
        "Read TODO.md, do the next item, and update TODO.md.",
        "The run takes about ten minutes; report the time.",
    ],
)
def test_memory_phrases_not_found(text: str) -> None:
    assert PHRASES.search(text) is None


TASK = {
    "id": "7a14fa7c",
    "cron": "13 9 * * 1-5",
    "prompt": "Audit.",
    "createdAt": 1775880219539,  # 2026-04-11 04:03:39 UTC
    "recurring": True,
}


def _expiry_message(tmp_path: Path, task: dict[str, object]) -> list[str]:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/scheduled_tasks.json", json.dumps({"tasks": [task]}))
    result = run(["routines", "check", "--format", "json"], cwd=repo)
    return [f["message"] for f in json.loads(result.out)["findings"] if f["code"] == "PAR511"]


def test_expiry_wording_follows_the_clock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "now", lambda: datetime(2026, 4, 12, tzinfo=UTC))
    (message,) = _expiry_message(tmp_path / "a", TASK)
    assert "deletes it 7 days after its createdAt: it expires on 2026-04-18 04:03 UTC" in message
    monkeypatch.setattr(schedule, "now", lambda: datetime(2026, 5, 1, tzinfo=UTC))
    (message,) = _expiry_message(tmp_path / "b", TASK)
    assert "it expired on 2026-04-18 04:03 UTC" in message


@pytest.mark.parametrize(
    ("extra", "days"),
    [
        ({"maxAgeMs": 86_400_000}, "1 day"),
        ({"maxAgeMs": 0}, "30 days"),
        ({"maxAgeMs": 10**12}, "30 days"),
    ],
)
def test_expiry_honours_max_age(tmp_path: Path, extra: dict[str, object], days: str) -> None:
    (message,) = _expiry_message(tmp_path, {**TASK, **extra})
    assert f"deletes it {days} after" in message


@pytest.mark.parametrize("extra", [{"permanent": True}, {"recurring": False}])
def test_no_expiry_for_permanent_or_one_shot(tmp_path: Path, extra: dict[str, object]) -> None:
    assert _expiry_message(tmp_path, {**TASK, **extra}) == []


def test_herd_suggests_distinct_free_minutes(tmp_path: Path) -> None:
    entries = "".join(
        f'  - name: r{i}\n    prompt: p\n    triggers:\n      - schedule: {{cron: "0 3 * * *"}}\n'
        for i in range(3)
    )
    entries += (
        '  - name: busy\n    prompt: p\n    triggers:\n      - schedule: {cron: "7 5 * * *"}\n'
    )
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, ".claude/routines.yaml", "routines:\n" + entries)
    result = run(["routines", "check", "--format", "json", "--fail-on", "info"], cwd=repo)
    fixes = [f["fix"] for f in json.loads(result.out)["findings"] if f["code"] == "PAR508"]
    # r0 keeps its time; minute 7 is taken by "busy", so the offers start at 13.
    assert fixes == [
        'Offset it to minute 13: cron: "13 3 * * *".',
        'Offset it to minute 19: cron: "19 3 * * *".',
    ]


def test_daily_cap_message(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "repo", commit=False)
    write(repo, "parity.toml", "[routines]\ndaily-cap = 10\n")
    write(
        repo,
        ".claude/routines.yaml",
        "routines:\n  - name: triage\n    prompt: p\n    triggers:\n"
        '      - schedule: {cron: "7 * * * 1-5"}\n'
        '      - schedule: {once: "2026-12-01T09:07:00Z"}\n',
    )
    result = run(["routines", "check", "--format", "json"], cwd=repo)
    (finding,) = json.loads(result.out)["findings"]
    assert finding["code"] == "PAR509"
    assert finding["message"].startswith(
        "Routine schedules add up to 24 runs on a Monday, over the daily cap of 10"
    )
    assert timedelta(hours=1)  # the cap counts schedules only; "once" adds nothing
