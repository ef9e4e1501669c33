"""How times and free text read in a message.

Money and addresses are ``oms_dashboard.formatting``, shared with the pages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime


def day(value: date | None) -> str:
    """``Fri 14 Mar 2025``."""
    return value.strftime("%a %d %b %Y") if value else ""


def when(value: datetime | None) -> str:
    """``14 Mar 2025, 16:00 UTC``."""
    return value.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC") if value else ""


def one_line(text: str, limit: int = 300) -> str:
    """A header-safe single line: newlines in user text cannot inject headers."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
