"""How times and statuses read on a page: plain strings, computed on the server.

Money is ``formatting.money``, shared with the emails and the bell.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from oms_dashboard.domain.statuses import OrderStatus


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
