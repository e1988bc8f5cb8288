"""Cron validity, gaps and runs through croniter; the client's deterministic jitter."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from parity.routines.schedule import (
    Jitter,
    cron_problem,
    describe_gap,
    iter_fires,
    jitter_fraction,
    min_gap,
    one_shot_fire,
    recurring_fires,
    runs_by_weekday,
    zone,
)

UTC = timezone.utc
HEX_IDS = st.text(alphabet="0123456789abcdef", min_size=8, max_size=8)
CRONS = st.sampled_from(
    ["*/5 * * * *", "7 * * * *", "0 * * * *", "30 9 * * 1-5", "13 9 * * *", "0 0 1 * *"]
)
MOMENTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 1, 1), timezones=st.just(UTC)
)


@pytest.mark.parametrize(
    ("cron", "problem"),
    [
        ("7 3 * * *", None),
        ("7 9 * * MON-FRI", None),
        ("0 7 3 * * *", "has 6 fields"),
        ("@daily", "has 1 field;"),
        ("61 * * * *", "not a valid cron expression (out of range)"),
        ("7 9 * * MON-FRY", "not a valid cron expression"),
        ("0 0 30 2 *", "never fires"),
        ("0 0 L * *", 'uses "L" in the day-of-month field, a croniter extension'),
        ("0 9 ? * *", 'uses "?"'),
    ],
)
def test_cron_problem(cron: str, problem: str | None) -> None:
    found = cron_problem(cron)
    assert found == problem if problem is None else problem in (found or "")


@pytest.mark.parametrize(
    ("cron", "accepted"),
    [
        ("13 9 * * 1-5", True),
        ("*/30 * * * *", True),
        ("1-59/2 0,12 * * 7", True),
        ("13 9 * * MON-FRI", False),
        ("5/15 * * * *", False),
        ("0 0 1 JAN *", False),
    ],
)
def test_client_syntax_is_narrower(cron: str, accepted: bool) -> None:
    assert cron_problem(cron) is None
    assert (cron_problem(cron, client=True) is None) is accepted


@pytest.mark.parametrize(
    ("cron", "gap"),
    [
        ("*/15 * * * *", timedelta(minutes=15)),
        ("7,37 9 * * *", timedelta(minutes=30)),
        ("7 * * * *", timedelta(hours=1)),
        ("7 3 * * *", timedelta(days=1)),
        ("7 3 * * 1-5", timedelta(days=1)),
        ("7 3 1 1 *", None),
        ("* * * 6 *", timedelta(minutes=1)),  # only in June: still found
    ],
)
def test_min_gap(cron: str, gap: timedelta | None) -> None:
    assert min_gap(cron, UTC) == gap


def test_runs_by_weekday() -> None:
    assert runs_by_weekday("7 * * * *", UTC) == (24.0,) * 7
    assert runs_by_weekday("13 9,15 * * 1-5", UTC) == (2, 2, 2, 2, 2, 0, 0)
    assert runs_by_weekday("7 3 * * 0", UTC) == (0, 0, 0, 0, 0, 0, 1)
    # Too many to count one by one: the rate is extrapolated.
    assert runs_by_weekday("* * * * *", UTC) == pytest.approx((1440.0,) * 7, rel=0.01)


def test_describe_gap() -> None:
    assert describe_gap(timedelta(minutes=15)) == "15 minutes"
    assert describe_gap(timedelta(hours=1)) == "1 hour"
    assert describe_gap(timedelta(seconds=90)) == "90 seconds"


def test_zone() -> None:
    assert zone(None) is UTC
    assert zone("UTC") is UTC
    assert str(zone("Europe/Paris")) == "Europe/Paris"
    with pytest.raises(ValueError, match="unknown time zone"):
        zone("Europe/Atlantis")


def test_fires_follow_daylight_saving_time() -> None:
    paris = zone("Europe/Paris")
    fires = list(iter_fires("7 3 * * *", paris, datetime(2026, 3, 28, 12, tzinfo=UTC), limit=2))
    assert [f.astimezone(UTC).hour for f in fires] == [1, 1]
    assert [f.hour for f in fires] == [3, 3]


# --- jitter -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("task_id", "fraction"),
    [
        ("00000000", 0.0),
        ("80000000", 0.5),
        ("ffffffff", 0xFFFFFFFF / 2**32),
        ("7a14fa7c", 0x7A14FA7C / 2**32),
        ("7a14fa7c-extra", 0x7A14FA7C / 2**32),  # only the first 8 characters count
        ("12xyz", 0x12 / 2**32),  # parseInt stops at the first non-hex character
        ("0x1f", 0x1F / 2**32),  # and accepts a 0x prefix
        ("  ab", 0xAB / 2**32),  # and leading blanks
        ("-0000010", -0x10 / 2**32),  # and a sign
        ("wiki-sync", 0.0),  # not a number: NaN -> 0
        ("", 0.0),
    ],
)
def test_jitter_fraction_is_the_clients_parse_int(task_id: str, fraction: float) -> None:
    assert jitter_fraction(task_id) == fraction


@given(HEX_IDS)
def test_same_id_same_fraction_in_range(task_id: str) -> None:
    assert jitter_fraction(task_id) == jitter_fraction(task_id)
    assert 0 <= jitter_fraction(task_id) < 1


@settings(max_examples=60, deadline=None)
@given(HEX_IDS, CRONS, MOMENTS)
def test_recurring_jitter_is_late_within_ten_percent_and_fifteen_minutes(
    task_id: str, cron: str, after: datetime
) -> None:
    fires = recurring_fires(cron, UTC, after, task_id, 3)
    assert len(fires) == 3
    nominal = list(iter_fires(cron, UTC, after, limit=4))
    assert [f.nominal for f in fires] == nominal[:3]
    for i, fire in enumerate(fires):
        interval = nominal[i + 1] - nominal[i]
        assert timedelta(0) <= fire.offset <= min(interval / 10, timedelta(minutes=15))
    assert fires == recurring_fires(cron, UTC, after, task_id, 3)


def test_recurring_jitter_values() -> None:
    after = datetime(2026, 4, 12, 8, tzinfo=UTC)
    # Every 5 minutes: 10% of 300 s is 30 s; 0x80000000 is half of it.
    (fire,) = recurring_fires("*/5 * * * *", UTC, after, "80000000", 1)
    assert fire.offset == timedelta(seconds=15)
    # Daily: 10% is 2.4 h, capped at 15 minutes.
    (fire,) = recurring_fires("7 3 * * *", UTC, after, "80000000", 1)
    assert fire.offset == timedelta(minutes=15)
    # The 2.1.330 binary's fallback configuration: 50% capped at 30 minutes.
    fallback = Jitter(recurring_frac=0.5, recurring_cap=timedelta(minutes=30))
    (fire,) = recurring_fires("*/5 * * * *", UTC, after, "80000000", 1, jitter=fallback)
    assert fire.offset == timedelta(seconds=75)


@settings(max_examples=60, deadline=None)
@given(HEX_IDS, st.integers(0, 59), st.integers(0, 23), MOMENTS)
def test_one_shot_jitter_is_early_only_at_00_and_30_within_90_seconds(
    task_id: str, minute: int, hour: int, created: datetime
) -> None:
    cron = f"{minute} {hour} * * *"
    fire = one_shot_fire(cron, UTC, created, task_id)
    assert fire is not None
    assert fire.nominal == next(iter_fires(cron, UTC, created, limit=1))
    if minute % 30:
        assert fire.offset == timedelta(0)
    else:
        assert -timedelta(seconds=90) <= fire.offset <= timedelta(0)
        assert fire.actual >= created
    assert fire == one_shot_fire(cron, UTC, created, task_id)


def test_one_shot_never_before_creation() -> None:
    created = datetime(2026, 4, 12, 14, 29, 30, tzinfo=UTC)
    fire = one_shot_fire("30 14 * * *", UTC, created, "ffffffff")
    assert fire is not None
    assert fire.nominal == datetime(2026, 4, 12, 14, 30, tzinfo=UTC)
    assert fire.actual == created
