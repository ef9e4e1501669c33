"""How money and times read in a message: plain strings, no locale library needed."""

from __future__ import annotations

from datetime import UTC, date, datetime

from oms_dashboard.domain.money import MoneyError, exponent, from_minor, parse_amount, to_minor

# CAD gets its own prefix so a Canadian dollar is never read as a US one.
_SYMBOLS = {"USD": "$", "CAD": "CA$", "GBP": "£", "EUR": "€"}


def money(minor: int, currency: str) -> str:
    """``$1,234.50``, ``€9.99``, or ``JPY 1,200`` for currencies without a symbol here."""
    code = currency.upper()
    try:
        amount = from_minor(minor, code)
        places = exponent(code)
    except MoneyError:
        return f"{code} {minor} (minor units)"
    sign = "-" if amount < 0 else ""
    text = f"{abs(amount):,.{places}f}"
    symbol = _SYMBOLS.get(code)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{code} {text}"


def money_text(amount: str, currency: str) -> str:
    """A decimal string from a payload (``"12.50"``) shown like ``money``; raw if unparseable."""
    try:
        return money(to_minor(parse_amount(amount, currency), currency), currency)
    except (MoneyError, TypeError):
        return f"{amount} {currency}"


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
