"""Estimated delivery date: cut-off, handling and transit, in business days.

A business day is Monday to Friday and not a public holiday. The holidays come in
as a callable (``services.delivery_calendar`` builds one from the ``holidays``
package) so this module stays pure.

The estimate is the promise shown at checkout, so it takes the slow end of each
carrier range (international standard: 10 days, not 7).

The ship-by deadline (``ship_by``) is the same promise seen from the seller's side:
handling starts when the order is paid (or the next business day after the cut-off
or on a day off) and lasts ``handling_days`` business days; the seller has until the
end of the last one. It is stored on the order when it is paid and read by the
fulfillment queue, the seller standing, the KPIs and the refund rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
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


# The deadline falls at the end of the seller's local business day, not at its
# cut-off: the promise counts the ship day as a whole handling day (transit starts the
# next business day whenever the parcel leaves that day), and sellers ship through
# the afternoon (the demo's parcels leave between 9:30 and 17:30 local) - a 14:00
# deadline would call an afternoon parcel that keeps the customer's date late.
END_OF_BUSINESS_DAY = time(23, 59, 59)


def _zone(seller_tz: str | tzinfo) -> tzinfo:
    return ZoneInfo(seller_tz) if isinstance(seller_tz, str) else seller_tz


def handling_start(
    at: datetime,
    seller_tz: str | tzinfo = "UTC",
    is_holiday: HolidayCheck = no_holidays,
    *,
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
) -> date:
    """The seller's first handling day for an order placed or paid at ``at``: that
    local day, or the next business day when it comes in at or after ``cutoff_hour``
    (seller's local time) or on a day off."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("the time must be timezone-aware")
    if not 0 <= cutoff_hour <= 24:
        raise ValueError("cutoff_hour must be between 0 and 24")
    local = at.astimezone(_zone(seller_tz))
    start = local.date()
    if local.hour >= cutoff_hour or not is_business_day(start, is_holiday):
        start = next_business_day(start, is_holiday)
    return start


def ship_date(
    at: datetime,
    handling_hours: int,
    seller_tz: str | tzinfo = "UTC",
    is_holiday: HolidayCheck = no_holidays,
    *,
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
) -> date:
    """The seller's local business day by which the parcel must leave."""
    start = handling_start(at, seller_tz, is_holiday, cutoff_hour=cutoff_hour)
    return add_business_days(start, handling_days(handling_hours), is_holiday)


def ship_by(
    paid_at: datetime,
    handling_hours: int,
    seller_tz: str | tzinfo = "UTC",
    is_holiday: HolidayCheck = no_holidays,
    *,
    cutoff_hour: int = DEFAULT_CUTOFF_HOUR,
) -> datetime:
    """When the seller must have shipped (UTC): the end (23:59:59 local) of the
    ``handling_days``-th business day after handling starts - the day checkout's
    promise has the parcel leave. ``is_holiday`` is the seller's calendar (its
    country and region).

    Paid Friday 18:00 with 24 h handling: handling starts Monday, one business day
    later is Tuesday, so the deadline is Tuesday 23:59:59 local; with 0 h it is
    Monday's end.
    """
    tz = _zone(seller_tz)
    day = ship_date(paid_at, handling_hours, tz, is_holiday, cutoff_hour=cutoff_hour)
    return datetime.combine(day, END_OF_BUSINESS_DAY, tz).astimezone(UTC)


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
    at_seller = origin_is_holiday or is_holiday
    shipped = ship_date(
        placed_at, handling_hours, seller_timezone, at_seller, cutoff_hour=cutoff_hour
    )
    return add_business_days(shipped, transit_days(zone, service_level), is_holiday)
