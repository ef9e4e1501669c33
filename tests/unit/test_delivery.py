"""Estimated delivery: cut-off, handling and transit counted in business days."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oms_dashboard.domain.delivery import (
    add_business_days,
    estimate_delivery,
    handling_days,
    is_business_day,
    transit_days,
)
from oms_dashboard.domain.shipping import ZONES
from oms_dashboard.services.delivery_calendar import holiday_checker

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
US_2026 = {date(2026, 11, 26), date(2026, 12, 25), date(2027, 1, 1)}  # federal, late 2026


def estimate(placed_at, *, handling=24, zone="3", level="standard", holidays=(), **kw):
    kw.setdefault("seller_timezone", "America/New_York")
    return estimate_delivery(
        placed_at=placed_at,
        handling_hours=handling,
        zone=zone,
        service_level=level,
        is_holiday=lambda d: d in holidays,
        **kw,
    )


def test_transit_table():
    assert transit_days("1", "standard") == 2
    assert transit_days("8", "standard") == 5
    assert transit_days("international", "standard") == 10
    assert transit_days("2", "express") == 1
    assert transit_days("international", "express") == 4
    for zone in ZONES:
        assert transit_days(zone, "express") < transit_days(zone, "standard")
    with pytest.raises(KeyError, match="zone '9'"):
        transit_days("9", "standard")


@pytest.mark.parametrize(("hours", "days"), [(0, 0), (1, 1), (24, 1), (25, 2), (48, 2), (72, 3)])
def test_handling_hours_become_business_days(hours, days):
    assert handling_days(hours) == days


def test_thanksgiving_week_in_new_york():
    # Wed 25 Nov 2026 10:00 in New York: handling Thursday is Thanksgiving, so the parcel
    # leaves Friday; 3 transit days run Mon 30, Tue 1, Wed 2 December.
    before_cutoff = datetime(2026, 11, 25, 10, 0, tzinfo=NEW_YORK)
    assert estimate(before_cutoff, holidays=US_2026) == date(2026, 12, 2)
    # After the 14:00 cut-off handling starts Friday: leaves Monday, arrives Thursday.
    after_cutoff = datetime(2026, 11, 25, 15, 0, tzinfo=NEW_YORK)
    assert estimate(after_cutoff, holidays=US_2026) == date(2026, 12, 3)


def test_thanksgiving_with_the_real_us_calendar():
    placed = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)  # 10:00 in New York
    assert estimate_delivery(
        placed_at=placed,
        handling_hours=24,
        zone="3",
        service_level="standard",
        is_holiday=holiday_checker("US"),
        seller_timezone="America/New_York",
    ) == date(2026, 12, 2)


def test_christmas_and_boxing_day_in_london():
    # Wed 23 Dec 2026, 16:00 in London (after cut-off): handling starts Thu 24 and takes a
    # day; Fri 25 Christmas, the weekend, Mon 28 Boxing Day (observed): leaves Tue 29,
    # zone 2 standard takes 2 days -> Thu 31 December.
    gb = holiday_checker("GB")
    late = datetime(2026, 12, 23, 16, 0, tzinfo=LONDON)
    early = datetime(2026, 12, 23, 10, 0, tzinfo=LONDON)
    kw = {"zone": "2", "seller_timezone": "Europe/London"}
    assert estimate_delivery(
        placed_at=late, handling_hours=24, service_level="standard", is_holiday=gb, **kw
    ) == date(2026, 12, 31)
    assert estimate_delivery(
        placed_at=early, handling_hours=24, service_level="standard", is_holiday=gb, **kw
    ) == date(2026, 12, 30)


def test_cutoff_is_read_in_the_sellers_local_time():
    # 18:30 UTC is 13:30 in New York (EST): before the cut-off, handled Tuesday.
    assert estimate(datetime(2026, 11, 24, 18, 30, tzinfo=UTC), handling=0) == date(2026, 11, 27)
    assert estimate(datetime(2026, 11, 24, 19, 30, tzinfo=UTC), handling=0) == date(2026, 11, 30)
    # A fixed UTC offset works as well as a zone name.
    est = timezone(timedelta(hours=-5))
    at_1430 = datetime(2026, 11, 24, 19, 30, tzinfo=UTC)
    assert estimate(at_1430, handling=0, seller_timezone=est) == date(2026, 11, 30)
    assert estimate(at_1430, handling=0, seller_timezone=est, cutoff_hour=16) == date(2026, 11, 27)


def test_weekend_order_starts_on_monday():
    saturday = datetime(2026, 11, 21, 9, 0, tzinfo=NEW_YORK)
    # Handling from Monday 23 takes 1 day (Tue 24); express zone 1 lands Wed 25.
    assert estimate(saturday, zone="1", level="express") == date(2026, 11, 25)


def test_seller_days_off_count_for_handling_and_destination_days_off_for_transit():
    placed = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)  # Monday
    seller_off = {date(2026, 12, 8)}
    assert estimate(
        placed, zone="1", level="express", seller_timezone="UTC",
        origin_is_holiday=lambda d: d in seller_off,
    ) == date(2026, 12, 10)  # fmt: skip
    assert estimate(
        placed, zone="1", level="express", seller_timezone="UTC", holidays={date(2026, 12, 9)}
    ) == date(2026, 12, 10)


def test_naive_placed_at_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        estimate(datetime(2026, 11, 24, 10, 0))


def test_add_business_days_skips_weekends_and_holidays():
    friday = date(2026, 12, 4)
    assert add_business_days(friday, 1) == date(2026, 12, 7)
    assert add_business_days(friday, 0) == friday
    assert add_business_days(date(2026, 12, 5), 0) == date(2026, 12, 7)  # Saturday rolls on
    assert add_business_days(friday, 1, lambda d: d == date(2026, 12, 7)) == date(2026, 12, 8)


# --- properties -----------------------------------------------------------------------

moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
holiday_sets = st.frozensets(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2029, 3, 31)), max_size=40
)
zones = st.sampled_from(ZONES)
levels = st.sampled_from(["standard", "express"])
handling = st.integers(min_value=0, max_value=96)


def business_days_between(start: date, end: date, holidays) -> int:
    """Business days in (start, end]."""
    days, count = start, 0
    while days < end:
        days += timedelta(days=1)
        count += is_business_day(days, lambda d: d in holidays)
    return count


@given(moments, handling, zones, levels, holiday_sets)
@settings(max_examples=200, deadline=None)
def test_estimate_is_a_business_day_at_least_handling_plus_transit_away(
    placed, hours, zone, level, holidays
):
    arrives = estimate(placed, handling=hours, zone=zone, level=level, holidays=holidays)
    assert arrives.weekday() < 5 and arrives not in holidays
    local_day = placed.astimezone(NEW_YORK).date()
    needed = handling_days(hours) + transit_days(zone, level)
    assert business_days_between(local_day, arrives, holidays) >= needed


@given(moments, moments, handling, zones, levels, holiday_sets)
@settings(max_examples=200, deadline=None)
def test_a_later_order_never_arrives_earlier(first, second, hours, zone, level, holidays):
    first, second = sorted((first, second))
    kw = {"handling": hours, "zone": zone, "level": level, "holidays": holidays}
    assert estimate(first, **kw) <= estimate(second, **kw)


@given(
    st.dates(min_value=date(2026, 1, 1), max_value=date(2028, 12, 31)),
    st.integers(0, 13 * 60 + 59),
    st.integers(14 * 60, 24 * 60 - 1),
    handling,
    zones,
    levels,
    holiday_sets,
)
@settings(max_examples=200, deadline=None)
def test_after_cutoff_never_earlier_than_before_on_the_same_day(
    day, before_minute, after_minute, hours, zone, level, holidays
):
    def at(minute):
        return datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=NEW_YORK)

    kw = {"handling": hours, "zone": zone, "level": level, "holidays": holidays}
    assert estimate(at(before_minute), **kw) <= estimate(at(after_minute), **kw)
