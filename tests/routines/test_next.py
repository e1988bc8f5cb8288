"""``parity routines next``: exact output for a fixed "now", zones, and bad input."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from parity.routines import schedule
from tests.helpers import FIXTURES, make_repo, run

NOW = "2026-04-12T08:00:00Z"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", FIXTURES / "routines" / "next")


def test_text_table_for_a_fixed_now(repo: Path) -> None:
    result = run(["routines", "next", "--count", "2", "--now", NOW], cwd=repo)
    assert (result.code, result.err) == (0, "")
    assert result.out == (
        "Next fires after 2026-04-12 08:00:00 UTC:\n"
        "FIRES AT (UTC)       JITTER  NAME              SCHEDULE                          SOURCE                           NOTE\n"  # noqa: E501
        "2026-04-12 08:30:00  0s      00000000          */30 * * * * (recurring)          .claude/scheduled_tasks.json:10\n"  # noqa: E501
        "2026-04-12 09:00:00  0s      00000000          */30 * * * * (recurring)          .claude/scheduled_tasks.json:10\n"  # noqa: E501
        "2026-04-12 14:28:30  -1m30s  ffffffff          30 14 12 4 * (one-shot)           .claude/scheduled_tasks.json:18\n"  # noqa: E501
        "2026-04-13 02:23:00  0s      weekly-deps       weekly (23 4 * * 1) Europe/Paris  .claude/routines.yaml:10         plus the cloud's small per-routine stagger\n"  # noqa: E501
        "2026-04-13 03:07:00  0s      nightly-pr-audit  7 3 * * *                         .claude/routines.yaml:5\n"  # noqa: E501
        "2026-04-13 09:00:00  0s      launch            once 2026-04-13T09:00:00Z         .claude/routines.yaml:14\n"  # noqa: E501
        "2026-04-13 09:28:00  +15m    7a14fa7c          13 9 * * 1-5 (recurring)          .claude/scheduled_tasks.json:3\n"  # noqa: E501
        "2026-04-14 03:07:00  0s      nightly-pr-audit  7 3 * * *                         .claude/routines.yaml:5\n"  # noqa: E501
        "2026-04-14 09:28:00  +15m    7a14fa7c          13 9 * * 1-5 (recurring)          .claude/scheduled_tasks.json:3\n"  # noqa: E501
        "2026-04-20 02:23:00  0s      weekly-deps       weekly (23 4 * * 1) Europe/Paris  .claude/routines.yaml:10         plus the cloud's small per-routine stagger\n"  # noqa: E501
        "-                    -       launch            once 2026-01-01T09:00:00Z         .claude/routines.yaml:15         in the past: it does not run\n"  # noqa: E501
        "-                    -       broken            7 3 31 2 *                        .claude/routines.yaml:19         not scheduled: the cron never fires: no date matches it\n"  # noqa: E501
    )


def test_json_in_another_zone(repo: Path) -> None:
    result = run(
        ["routines", "next", "--now", NOW, "--tz", "America/New_York", "--format", "json"],
        cwd=repo,
    )
    assert result.code == 0, result.err
    doc = json.loads(result.out)
    assert doc["now"] == "2026-04-12T04:00:00-04:00"
    assert doc["timezone"] == "America/New_York"
    fires = {(f["name"], f["fires_at"]) for f in doc["fires"]}
    # Routine crons stay in their own zone (UTC, or the schedule's timezone)...
    assert ("nightly-pr-audit", "2026-04-12T23:07:00-04:00") in fires
    assert ("weekly-deps", "2026-04-12T22:23:00-04:00") in fires
    # ...while scheduled-task crons are read in --tz, as the client reads them in local time.
    assert ("ffffffff", "2026-04-12T14:28:30-04:00") in fires
    task = next(f for f in doc["fires"] if f["name"] == "7a14fa7c")
    assert task == {
        "kind": "task",
        "name": "7a14fa7c",
        "schedule": "13 9 * * 1-5 (recurring)",
        "source": ".claude/scheduled_tasks.json",
        "line": 3,
        "nominal": "2026-04-13T09:13:00-04:00",
        "fires_at": "2026-04-13T09:28:00-04:00",
        "jitter_seconds": 900.0,
        "note": "",
    }


def test_recurring_task_stops_at_its_expiry(repo: Path) -> None:
    # 7a14fa7c was created 2026-04-11 04:03 UTC and is not permanent: 7 days later it runs once
    # more and is deleted.
    result = run(
        ["routines", "next", "--count", "10", "--now", "2026-04-15T00:00:00Z", "--format", "json"],
        cwd=repo,
    )
    fires = [f for f in json.loads(result.out)["fires"] if f["name"] == "7a14fa7c"]
    assert [f["fires_at"] for f in fires] == [
        "2026-04-15T09:28:00+00:00",
        "2026-04-16T09:28:00+00:00",
        "2026-04-17T09:28:00+00:00",
        "2026-04-20T09:28:00+00:00",
    ]
    assert fires[-1]["note"] == "last run: the task then expires and is deleted"


def test_clock_is_injectable(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schedule, "now", lambda: datetime(2026, 4, 12, 8, tzinfo=timezone.utc))
    assert (
        run(["routines", "next", "--count", "2"], cwd=repo).out
        == run(["routines", "next", "--count", "2", "--now", NOW], cwd=repo).out
    )


def test_named_file_only(repo: Path) -> None:
    result = run(
        ["routines", "next", ".claude/routines.yaml", "--now", NOW, "--format", "json"], cwd=repo
    )
    assert {f["kind"] for f in json.loads(result.out)["fires"]} == {"routine"}


def test_no_schedules(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "empty")
    result = run(["routines", "next"], cwd=repo)
    assert result.code == 0
    assert result.out.startswith("No schedules found")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--tz", "Mars/Olympus_Mons"], "unknown time zone 'Mars/Olympus_Mons'"),
        (["--now", "yesterday"], "not an ISO 8601 time"),
        (["--now", "2026-04-12T08:00:00"], "has no zone"),
        (["--count", "0"], "--count"),
    ],
)
def test_bad_options_exit_2_with_one_line(repo: Path, args: list[str], message: str) -> None:
    result = run(["routines", "next", *args], cwd=repo)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err
