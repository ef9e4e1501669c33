"""The ship-by deadline: handling counted in the seller's business days, as the promise
counts it, ending at 23:59:59 local on the last one."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms_dashboard.demo.timeline import Fulfilment, ship_time
from oms_dashboard.domain.delivery import (
    END_OF_BUSINESS_DAY,
    estimate_delivery,
    handling_start,
    ship_by,
    transit_days,
)
from oms_dashboard.services.delivery_calendar import holiday_checker

NY, LONDON, BERLIN, LA, KOLKATA = (
    ZoneInfo(z)
    for z in (
        "America/New_York",
        "Europe/London",
        "Europe/Berlin",
        "America/Los_Angeles",
        "Asia/Kolkata",
    )
)
GB = holiday_checker("GB")
US = holiday_checker("US")


def local_end(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, END_OF_BUSINESS_DAY, tz).astimezone(UTC)


# (why, paid at, handling hours, seller zone, holidays, cut-off, deadline's local day)
CASES = [
    ("Friday evening, 24 h: starts Monday, ends Tuesday",
     datetime(2026, 12, 4, 18, tzinfo=NY), 24, NY, None, 14, date(2026, 12, 8)),
    ("Friday morning, 24 h: starts Friday, ends Monday",
     datetime(2026, 12, 4, 10, tzinfo=NY), 24, NY, None, 14, date(2026, 12, 7)),
    ("at the cut-off exactly: the next business day",
     datetime(2026, 12, 1, 14, tzinfo=NY), 24, NY, None, 14, date(2026, 12, 3)),
    ("a minute before the cut-off: today",
     datetime(2026, 12, 1, 13, 59, tzinfo=NY), 24, NY, None, 14, date(2026, 12, 2)),
    ("0 h before the cut-off: the same day",
     datetime(2026, 12, 1, 10, tzinfo=NY), 0, NY, None, 14, date(2026, 12, 1)),
    ("0 h after the cut-off: the next business day",
     datetime(2026, 12, 1, 15, tzinfo=NY), 0, NY, None, 14, date(2026, 12, 2)),
    ("0 h on Saturday: Monday",
     datetime(2026, 12, 5, 10, tzinfo=NY), 0, NY, None, 14, date(2026, 12, 7)),
    ("48 h from Monday morning: Wednesday",
     datetime(2026, 11, 30, 9, tzinfo=NY), 48, NY, None, 14, date(2026, 12, 2)),
    ("48 h from Thursday evening: starts Friday, ends Tuesday",
     datetime(2026, 12, 3, 20, tzinfo=NY), 48, NY, None, 14, date(2026, 12, 8)),
    ("25 h is two business days",
     datetime(2026, 11, 30, 9, tzinfo=NY), 25, NY, None, 14, date(2026, 12, 2)),
    ("Sunday, 24 h: starts Monday, ends Tuesday",
     datetime(2026, 12, 6, 11, tzinfo=NY), 24, NY, None, 14, date(2026, 12, 8)),
    ("Thanksgiving: Wednesday 10:00, Thursday off, ends Friday",
     datetime(2026, 11, 25, 10, tzinfo=NY), 24, NY, US, 14, date(2026, 11, 27)),
    ("Christmas in London: Thu 24 Dec, Fri 25 and Mon 28 off, ends Tue 29",
     datetime(2026, 12, 24, 10, tzinfo=LONDON), 24, LONDON, GB, 14, date(2026, 12, 29)),
    ("paid on Christmas Day, 0 h: the next business day, Tue 29",
     datetime(2026, 12, 25, 9, tzinfo=LONDON), 0, LONDON, GB, 14, date(2026, 12, 29)),
    ("a later cut-off keeps 15:00 today",
     datetime(2026, 12, 1, 15, tzinfo=NY), 24, NY, None, 17, date(2026, 12, 2)),
    ("20:00 UTC is noon in Los Angeles: before the cut-off",
     datetime(2026, 12, 1, 20, tzinfo=UTC), 24, LA, None, 14, date(2026, 12, 2)),
    ("20:00 UTC is 21:00 in Berlin: after it",
     datetime(2026, 12, 1, 20, tzinfo=UTC), 24, BERLIN, None, 14, date(2026, 12, 3)),
    ("half-hour zone: 08:00 UTC is 13:30 in Kolkata",
     datetime(2026, 12, 1, 8, tzinfo=UTC), 24, KOLKATA, None, 14, date(2026, 12, 2)),
    ("half-hour zone: 08:31 UTC is 14:01 in Kolkata",
     datetime(2026, 12, 1, 8, 31, tzinfo=UTC), 24, KOLKATA, None, 14, date(2026, 12, 3)),
    ("US spring forward (Sun 8 Mar): Friday 10:00 EST ends Monday 23:59 EDT",
     datetime(2026, 3, 6, 10, tzinfo=NY), 24, NY, None, 14, date(2026, 3, 9)),
    ("EU fall back (Sun 25 Oct): Friday 10:00 CEST ends Monday 23:59 CET",
     datetime(2026, 10, 23, 10, tzinfo=BERLIN), 24, BERLIN, None, 14, date(2026, 10, 26)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("paid", "hours", "tz", "holidays", "cutoff", "day"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_ship_by(paid, hours, tz, holidays, cutoff, day):
    got = ship_by(paid, hours, tz, holidays or (lambda _d: False), cutoff_hour=cutoff)
    assert got == local_end(day, tz)
    assert got.tzinfo is UTC
    local = got.astimezone(tz)
    assert (local.date(), local.time()) == (day, END_OF_BUSINESS_DAY)


def test_the_dst_deadlines_in_utc():
    # 23:59:59 EDT (UTC-4) and 23:59:59 CET (UTC+1), the offsets after each change.
    assert ship_by(datetime(2026, 3, 6, 10, tzinfo=NY), 24, NY) == datetime(
        2026, 3, 10, 3, 59, 59, tzinfo=UTC
    )
    assert ship_by(datetime(2026, 10, 23, 10, tzinfo=BERLIN), 24, BERLIN) == datetime(
        2026, 10, 26, 22, 59, 59, tzinfo=UTC
    )


def test_a_zone_name_works_as_well_as_a_zone():
    paid = datetime(2026, 12, 4, 23, tzinfo=UTC)
    assert ship_by(paid, 24, "America/New_York") == ship_by(paid, 24, NY)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"paid_at": datetime(2026, 12, 1, 10)}, "timezone-aware"),
        ({"cutoff_hour": 25}, "cutoff_hour"),
        ({"handling_hours": -1}, "negative"),
    ],
)
def test_bad_input_is_refused(kwargs, message):
    args = {"paid_at": datetime(2026, 12, 1, 10, tzinfo=UTC), "handling_hours": 24} | kwargs
    cutoff = args.pop("cutoff_hour", 14)
    with pytest.raises(ValueError, match=message):
        ship_by(args["paid_at"], args["handling_hours"], "UTC", cutoff_hour=cutoff)


@settings(max_examples=200, deadline=None)
@given(
    paid=st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31)),
    hours=st.integers(min_value=0, max_value=240),
    tz=st.sampled_from([NY, LONDON, BERLIN, LA, KOLKATA]),
    cutoff=st.integers(min_value=0, max_value=24),
)
def test_the_deadline_is_the_day_the_promise_has_the_parcel_leave(paid, hours, tz, cutoff):
    """The customer's date is the ship-by day plus transit: one rule for both."""
    paid = paid.replace(tzinfo=UTC)
    deadline = ship_by(paid, hours, tz, GB, cutoff_hour=cutoff)
    promised = estimate_delivery(
        placed_at=paid,
        handling_hours=hours,
        zone="1",
        service_level="standard",
        is_holiday=lambda _d: False,
        origin_is_holiday=GB,
        seller_timezone=tz,
        cutoff_hour=cutoff,
    )
    leaves = deadline.astimezone(tz).date()
    assert leaves >= handling_start(paid, tz, GB, cutoff_hour=cutoff)
    assert deadline > paid
    # With no destination holidays the 2 transit days are the next 2 weekdays.
    day, left = leaves, transit_days("1", "standard")
    while left:
        day += timedelta(days=1)
        left -= day.weekday() < 5
    assert promised == day


@pytest.mark.parametrize(("hours", "tz"), [(24, "America/New_York"), (48, "Europe/London"),
                                           (72, "Europe/Berlin")])  # fmt: skip
def test_the_demo_ships_one_parcel_in_twenty_late(hours, tz):
    """demo.timeline.ship_time plans handling as this rule counts it."""
    rng = random.Random(hours)
    zone = ZoneInfo(tz)
    late, n = 0, 3000
    for _ in range(n):
        paid = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(minutes=rng.uniform(0, 90 * 24 * 60))
        f = Fulfilment(paid, paid, hours, tz, GB, tz, GB, None, "normal", timedelta(hours=1))
        shipped = ship_time(rng, f)
        deadline = ship_by(paid, hours, zone, GB)
        late += shipped > deadline
        # An on-time parcel leaves within the seller's working hours of its last day.
        assert shipped - deadline < timedelta(days=7)
    assert 0.02 <= late / n <= 0.09


@pytest.mark.parametrize(("hours", "tz"), [(24, "America/Toronto"), (48, "America/Denver"),
                                           (72, "Europe/Berlin")])  # fmt: skip
@pytest.mark.parametrize("late", [True, False])
def test_the_demo_ships_late_or_on_time_when_told(hours, tz, late):
    """The recent weeks' lateness is decided by count (demo.orders); ship_time keeps it."""
    rng = random.Random(hours)
    for _ in range(500):
        paid = datetime(2026, 9, 1, tzinfo=UTC) + timedelta(minutes=rng.uniform(0, 90 * 24 * 60))
        f = Fulfilment(paid, paid, hours, tz, GB, tz, GB, None, "normal", timedelta(hours=1), late)
        shipped = ship_time(rng, f)
        assert (shipped > ship_by(paid, hours, ZoneInfo(tz), GB)) is late, paid
