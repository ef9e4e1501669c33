"""How money and text read in messages (pure functions; no database needed)."""

from __future__ import annotations

import pytest

from oms_dashboard.notifications.format import money, money_text, one_line


@pytest.mark.parametrize(
    ("minor", "currency", "shown"),
    [
        (1250, "USD", "$12.50"),
        (123456789, "USD", "$1,234,567.89"),
        (-599, "USD", "-$5.99"),
        (1999, "CAD", "CA$19.99"),
        (500, "GBP", "£5.00"),
        (1, "EUR", "€0.01"),
        (1200, "JPY", "JPY 1,200"),
        (1050, "XYZ", "XYZ 1050 (minor units)"),
    ],
)
def test_money_shows_the_currency_and_every_cent(minor, currency, shown):
    assert money(minor, currency) == shown


def test_payload_prices_are_shown_like_money_or_left_as_given():
    assert money_text("17.5", "USD") == "$17.50"
    assert money_text("17.505", "USD") == "17.505 USD"


def test_user_text_cannot_break_an_email_header():
    assert one_line("Mug\r\nBcc: all@example.com") == "Mug Bcc: all@example.com"
    assert len(one_line("x" * 500)) == 300
