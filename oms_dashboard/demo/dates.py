"""Local clock times and how busy each day of the demo is.

Business days are the checkout's: ``domain.delivery`` with the holidays of
``services.delivery_calendar``.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from itertools import accumulate
from zoneinfo import ZoneInfo

import holidays

# Monday .. Sunday: people shop most on Sunday evening and Monday.
WEEKDAY_WEIGHT = (1.15, 1.05, 1.0, 0.95, 0.88, 0.8, 1.12)
# UTC hour of day: the mall's customers are mostly in the Americas.
# fmt: off
HOUR_WEIGHT = (
    1.1, 1.0, 0.85, 0.6, 0.4, 0.25, 0.15, 0.12, 0.12, 0.15, 0.25, 0.4,
    0.6, 0.8, 0.95, 1.0, 1.05, 1.05, 1.1, 1.15, 1.2, 1.25, 1.25, 1.2,
)
# fmt: on


@cache
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_date(at: datetime, tz: str) -> date:
    return at.astimezone(zone(tz)).date()


def at_local(day: date, hours: float, tz: str) -> datetime:
    """``hours`` after local midnight of ``day``, as UTC."""
    midnight = datetime.combine(day, time(0), tzinfo=zone(tz))
    return (midnight + timedelta(hours=hours)).astimezone(UTC)


def black_fridays(years: range) -> list[date]:
    us = holidays.US(years=years)
    return [d + timedelta(days=1) for d, name in us.items() if name == "Thanksgiving Day"]


def day_weight(day: date, first: date, last: date, peaks: list[date]) -> float:
    """How busy the mall is: growing over time, weekly rhythm, a holiday season."""
    span = max((last - first).days, 1)
    growth = 0.45 + 1.0 * ((day - first).days / span) ** 1.4
    weight = growth * WEEKDAY_WEIGHT[day.weekday()]
    for peak in peaks:
        offset = (day - peak).days
        if 0 <= offset <= 3:  # Black Friday to Cyber Monday
            weight *= 2.8
        elif -21 <= offset <= 26:  # the gift-buying weeks up to Christmas
            weight *= 1.55
    if day.month == 1 and day.day <= 10:
        weight *= 0.85  # the January lull
    return weight


def checkout_times(rng: random.Random, *, now: datetime, days: int, count: int) -> list[datetime]:
    """``count`` checkout moments over the ``days`` before ``now``, oldest first."""
    last = now.date()
    first = last - timedelta(days=days)
    calendar = [first + timedelta(days=n) for n in range(days + 1)]
    peaks = black_fridays(range(first.year, last.year + 1))
    weights = [day_weight(d, first, last, peaks) for d in calendar]
    weights[-1] *= (now - datetime.combine(last, time(0), tzinfo=UTC)).total_seconds() / 86400
    day_cum, hour_cum = list(accumulate(weights)), list(accumulate(HOUR_WEIGHT))
    start = now - timedelta(days=days)
    times = []
    while len(times) < count:
        day = rng.choices(calendar, cum_weights=day_cum)[0]
        hour = rng.choices(range(24), cum_weights=hour_cum)[0]
        at = datetime.combine(day, time(hour), tzinfo=UTC) + timedelta(seconds=rng.randrange(3600))
        if start <= at < now:
            times.append(at)
    return sorted(times)
