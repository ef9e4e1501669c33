"""Money as Decimal, stored as integer minor units, rounded half-up to the cent."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for the currencies the mall sells in.
MINOR_UNITS: dict[str, int] = {
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "CAD": 2,
    "AUD": 2,
    "CHF": 2,
    "SEK": 2,
    "MXN": 2,
    "JPY": 0,
    "KRW": 0,
}


class MoneyError(ValueError):
    """A money value that is not a valid amount in its currency."""


def exponent(currency: str) -> int:
    try:
        return MINOR_UNITS[currency.upper()]
    except KeyError:
        raise MoneyError(f"unsupported currency {currency!r}") from None


def quantum(currency: str) -> Decimal:
    return Decimal(1).scaleb(-exponent(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    return amount.quantize(quantum(currency), rounding=ROUND_HALF_UP)


def parse_amount(value: str | int | Decimal, currency: str) -> Decimal:
    """Parse a decimal string such as "12.50"; refuse floats, NaN and extra places."""
    if isinstance(value, float):
        raise MoneyError("amounts must be decimal strings, not floats")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not a decimal amount") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not a finite amount")
    if amount != round_money(amount, currency):
        raise MoneyError(f"{value!r} has more than {exponent(currency)} decimal places")
    return amount


def to_minor(amount: Decimal, currency: str) -> int:
    return int(round_money(amount, currency).scaleb(exponent(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    return Decimal(minor).scaleb(-exponent(currency)).quantize(quantum(currency))


def format_minor(minor: int, currency: str) -> str:
    """The API's decimal string: "12.50", "-0.05", "1234" (what ``str(from_minor(...))``
    gives, in integer arithmetic: a list page formats 150 of these)."""
    places = exponent(currency)
    if not places:
        return str(minor)
    whole, part = divmod(abs(minor), 10**places)
    return f"{'-' if minor < 0 else ''}{whole}.{part:0{places}d}"


def line_total(unit_price: Decimal, quantity: int, currency: str) -> Decimal:
    """A line is rounded once, half-up, after multiplying."""
    return round_money(unit_price * quantity, currency)
