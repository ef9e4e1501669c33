"""Money as a person reads it: integer minor units shown in the reader's locale.

Babel (CLDR) knows each locale's digits, separators and where the symbol goes. A
symbol that several currencies share ("$" is the US, Canadian, Australian and
Mexican dollar) becomes the ISO code, so nobody reads a CAD price as USD: in en_US
``USD 12.50``, ``CA$12.50``, ``€12.50``; in de_DE ``12,50 USD``, ``12,50 €``.
The API does not use this: it speaks decimal strings (``domain.money.format_minor``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency

from oms_dashboard.domain.money import MoneyError, from_minor, parse_amount, to_minor

DEFAULT_LOCALE = "en_US"
"""No user or customer carries a locale yet, so every reader gets this one."""

# Symbols CLDR gives, each in its own country, to more than one currency. Derived
# from Babel's data by tests/unit/test_formatting.py, which fails if an upgrade
# changes the set.
AMBIGUOUS_SYMBOLS = frozenset({"$", "£", "¥", "￥", "kr", "kr.", "Rs", "Br", "K", "L"})
_NBSP = "\N{NO-BREAK SPACE}"
# CLDR's currency spacing, which Babel does not apply: a code or a lettered symbol
# touching a digit gets a no-break space ("CHF1.00" -> "CHF 1.00"); "CA$1.00" stays.
_LETTER_THEN_DIGIT = re.compile(r"(?<=[^\W\d_])(?=\d)|(?<=\d)(?=[^\W\d_])")


def format_money(minor: int, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """``USD 1,234.50`` from 123450 minor units; ``1050 XYZ (minor units)`` for a
    currency the mall does not sell, rather than a guess at its decimal places."""
    code = currency.upper()
    try:
        amount = from_minor(minor, code)
    except MoneyError:
        return f"{minor} {code} (minor units)"
    reader = reader_locale(locale)
    pattern = reader.currency_formats["standard"].pattern
    if reader.currency_symbols.get(code, code) in AMBIGUOUS_SYMBOLS:
        pattern = pattern.replace("¤", "¤¤")  # CLDR's placeholder for the ISO code
    text = format_currency(amount, code, format=pattern, locale=reader)
    return _LETTER_THEN_DIGIT.sub(_NBSP, text)


def format_money_text(amount: str, currency: str, *, locale: str = DEFAULT_LOCALE) -> str:
    """A decimal string from a payload (``"12.50"``) shown like ``format_money``; as
    given, with its currency, when it is not a valid amount in that currency."""
    try:
        minor = to_minor(parse_amount(amount, currency), currency)
    except (MoneyError, TypeError):
        return f"{amount} {currency}"
    return format_money(minor, currency, locale=locale)


@lru_cache(maxsize=64)
def reader_locale(name: str | None) -> Locale:
    """``en_US`` or ``en-US``; an unknown or missing locale reads as the default."""
    try:
        return Locale.parse((name or DEFAULT_LOCALE).replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return Locale.parse(DEFAULT_LOCALE)
