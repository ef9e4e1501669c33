"""Money is Decimal, rounded half-up to the currency's minor unit, never float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms_dashboard.domain.money import (
    MINOR_UNITS,
    MoneyError,
    format_minor,
    from_minor,
    line_total,
    parse_amount,
    round_money,
    to_minor,
)


def test_half_up_rounding_to_the_cent():
    assert round_money(Decimal("0.125"), "USD") == Decimal("0.13")
    assert round_money(Decimal("0.124"), "USD") == Decimal("0.12")
    assert round_money(Decimal("2.5"), "JPY") == Decimal("3")


def test_line_total_rounds_once_after_multiplying():
    assert line_total(Decimal("0.335"), 3, "USD") == Decimal("1.01")


def test_minor_units_round_trip_and_format():
    assert to_minor(Decimal("12.50"), "USD") == 1250
    assert format_minor(1250, "USD") == "12.50"
    assert format_minor(5, "EUR") == "0.05"
    assert format_minor(1200, "JPY") == "1200"


@pytest.mark.parametrize(
    "value,message",
    [
        (1.5, "not floats"),
        ("abc", "not a decimal"),
        ("NaN", "not a finite"),
        ("1.005", "more than 2 decimal places"),
    ],
)
def test_bad_amounts_are_refused(value, message):
    with pytest.raises(MoneyError, match=message):
        parse_amount(value, "USD")


def test_unknown_currency_is_refused():
    with pytest.raises(MoneyError, match="unsupported currency 'XYZ'"):
        parse_amount("1.00", "XYZ")


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_minor_units_survive_the_round_trip(minor):
    assert to_minor(from_minor(minor, "USD"), "USD") == minor
    assert parse_amount(format_minor(minor, "USD"), "USD") == from_minor(minor, "USD")


@given(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from(sorted(MINOR_UNITS)),
)
def test_formatting_in_integers_writes_what_the_decimal_would(minor, currency):
    assert format_minor(minor, currency) == str(from_minor(minor, currency))
