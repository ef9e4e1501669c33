"""Public holidays for delivery estimates, from the ``holidays`` package.

``domain.delivery`` only asks "is this date a day off?"; this adapter answers for
a country and, when known and supported (US states, CA provinces, AU states...),
its subdivision. Each (country, subdivision, year) is computed once into a frozen
set, so the checker is cheap and safe to share between threads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import lru_cache

import holidays


def holiday_checker(country: str, subdivision: str | None = None) -> Callable[[date], bool]:
    """``is_holiday(date)`` for a destination. A country the package does not know has
    no holidays (weekends still count), so an estimate is never refused for it; an
    unknown subdivision falls back to the country's national holidays."""
    country = country.strip().upper()
    subdiv = _supported_subdivision(country, subdivision)

    def is_holiday(day: date) -> bool:
        return day in holiday_dates(country, subdiv, day.year)

    return is_holiday


@lru_cache(maxsize=1024)
def holiday_dates(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    if country not in _supported():
        return frozenset()
    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


@lru_cache(maxsize=1)
def _supported() -> dict[str, list[str]]:
    return holidays.list_supported_countries()


def _supported_subdivision(country: str, subdivision: str | None) -> str | None:
    if not subdivision:
        return None
    code = subdivision.strip().upper()
    return code if code in _supported().get(country, ()) else None
