"""How money, times and statuses read on a page: plain strings, computed on the server."""

from __future__ import annotations

from datetime import UTC, date, datetime

from oms_dashboard.domain.money import MoneyError, exponent, from_minor
from oms_dashboard.domain.statuses import OrderStatus

# Only symbols nobody misreads; the ISO code always follows, so "$" is never ambiguous.
_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥", "KRW": "₩"}


def money(minor: int, currency: str) -> str:
    """``$1,234.50 USD``: the amount with its currency, from integer minor units."""
    try:
        amount = from_minor(minor, currency)
        places = exponent(currency)
    except MoneyError:
        return f"{minor} {currency} (minor units)"
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.{places}f}"
    return f"{sign}{_SYMBOLS.get(currency.upper(), '')}{text} {currency.upper()}"


def exact_time(at: datetime | None) -> str:
    if at is None:
        return ""
    return at.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def relative_time(at: datetime | None, now: datetime | None = None) -> str:
    """``3 hours ago``, ``in 2 days``: the first thing a reader of a list wants."""
    if at is None:
        return ""
    now = now or datetime.now(UTC)
    seconds = int((now - at).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    if seconds < 60:
        return "just now"
    for size, unit in (
        (86400 * 365, "year"),
        (86400 * 30, "month"),
        (86400, "day"),
        (3600, "hour"),
        (60, "minute"),
    ):
        if seconds >= size:
            n = seconds // size
            text = f"{n} {unit}{'' if n == 1 else 's'}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


def day(value: date | None) -> str:
    return value.strftime("%a %d %b %Y") if value else ""


def status_label(status: str | None) -> str:
    if not status:
        return ""
    try:
        return OrderStatus(status).label
    except ValueError:
        return status.replace("_", " ").capitalize()
