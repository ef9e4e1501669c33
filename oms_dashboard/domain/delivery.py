"""Estimated delivery date: cut-off, handling and transit, in business days.

A business day is Monday to Friday and not a public holiday. The holidays come in
as a callable (``services.delivery_calendar`` builds one from the ``holidays``
package) so this module stays pure.

The estimate is the promise shown at checkout, so it takes the slow end of each
carrier range (international standard: 10 days, not 7).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo

from oms_dashboard.domain.shipping import INTERNATIONAL, NEIGHBOUR, ServiceLevel

HolidayCheck = Callable[[date], bool]

# Business days in transit, by service level and zone (see domain.shipping zones).
TRANSIT_DAYS: dict[ServiceLevel, dict[str, int]] = {
    ServiceLevel.STANDARD: {
        "1": 2, "2": 2, "3": 3, "4": 3, "5": 4, "6": 4, "7": 5, "8": 5,
        NEIGHBOUR: 6, INTERNATIONAL: 10,
    },
    ServiceLevel.EXPRESS: {
        "1": 1, "2": 1, "3": 1, "4": 1, "5": 2, "6": 2, "7": 2, "8": 2,
        NEIGHBOUR: 3, INTERNATIONAL: 4,
    },
}  # fmt: skip
DEFAULT_CUTOFF_HOUR = 14
HOURS_PER_BUSINESS_DAY = 24
# A calendar that says every day is a holiday would never end; no real one has a
# year without a working day.
_MAX_DAYS_OFF_IN_A_ROW = 366


def no_holidays(day: date) -> bool:
    return False


def transit_days(zone: str, service_level: str) -> int:
    """Business days the carrier takes for a zone; ``KeyError`` names a bad zone/level."""
    try:
        return TRANSIT_DAYS[ServiceLevel(service_level)][zone]
    except (KeyError, ValueError):
        raise KeyError(f"no transit time for zone {zone!r} by {service_level!r}") from None


def handling_days(handling_hours: int) -> int:
    """Seller handling in business days: 24 h is one, 25 h two, 0 h same day."""
    if handling_hours < 0:
        raise ValueError("handling hours cannot be negative")
    return -(-handling_hours // HOURS_PER_BUSINESS_DAY)


def is_business_day(day: date, is_holiday: HolidayCheck = no_holidays) -> bool:
    return day.weekday() < 5 and not is_holiday(day)


def next_business_day(day: date, is_holiday: HolidayCheck = no_holidays) -> date:
    """The first business day strictly after ``day``."""
    for _ in range(_MAX_DAYS_OFF_IN_A_ROW):
        day += timedelta(days=1)
        if is_business_day(day, is_holiday):
            return day
    raise ValueError(f"no business day within a year after {day}: check the holiday calendar")


def add_business_days(day: date, days: int, is_holiday: HolidayCheck = no_holidays) -> date:
    """``days`` business days after ``day``; 0 gives ``day`` itself, rolled forward to a
    business day if it is not one."""
    if days == 0 and is_business_day(day, is_holiday):
        return day
    for _ in range(max(days, 1)):
        day = next_business_day(day, is_holiday)
    return day


def estimate_delivery(
    *,
    placed_at: datetime,
    handling_hours: int,
    zone: str,
    service_level: str,
    is_holiday: HolidayCheck = no_holidays,
    seller_timezone: str | tzinfo = "UTC",
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
    origin_is_holiday: HolidayCheck | None = None,
) -> date:
    """The date the parcel should arrive, in the destination's calendar.

    Handling starts on the seller's local order date, or on the next business day
    when the order comes in at or after ``cutoff_hour`` (seller's local time) or on
    a day off. Handling days count the seller's days off (``origin_is_holiday``,
    defaulting to the destination's ``is_holiday``, right for domestic orders);
    transit days count the destination's.
    """
    if placed_at.tzinfo is None or placed_at.utcoffset() is None:
        raise ValueError("placed_at must be timezone-aware")
    if not 0 <= cutoff_hour <= 24:
        raise ValueError("cutoff_hour must be between 0 and 24")
    tz = ZoneInfo(seller_timezone) if isinstance(seller_timezone, str) else seller_timezone
    at_seller = origin_is_holiday or is_holiday
    local = placed_at.astimezone(tz)
    start = local.date()
    if local.hour >= cutoff_hour or not is_business_day(start, at_seller):
        start = next_business_day(start, at_seller)
    shipped = add_business_days(start, handling_days(handling_hours), at_seller)
    return add_business_days(shipped, transit_days(zone, service_level), is_holiday)
