"""How money and addresses read on pages, in emails and in the bell."""

from __future__ import annotations

from collections import defaultdict

import pytest
from babel import Locale, localedata
from babel.numbers import get_currency_precision, get_territory_currencies

from oms_dashboard.domain.money import MINOR_UNITS
from oms_dashboard.formatting.addresses import address_lines
from oms_dashboard.formatting.money import AMBIGUOUS_SYMBOLS, format_money, format_money_text

NB = "\N{NO-BREAK SPACE}"


@pytest.mark.parametrize(
    ("minor", "currency", "locale", "shown"),
    [
        # en_US, the default: "$" alone could be any dollar, so dollars say which.
        (1250, "USD", "en_US", f"USD{NB}12.50"),
        (123456789, "USD", "en_US", f"USD{NB}1,234,567.89"),
        (-599, "USD", "en_US", f"-USD{NB}5.99"),
        (1999, "CAD", "en_US", "CA$19.99"),
        (1999, "AUD", "en_US", "A$19.99"),
        (1, "EUR", "en_US", "€0.01"),
        (1200, "JPY", "en_US", f"JPY{NB}1,200"),  # "¥" is also the yuan
        (500, "GBP", "en_US", f"GBP{NB}5.00"),  # CLDR gives "£" to FKP, GIP, SHP, SSP too
        (100, "CHF", "en_US", f"CHF{NB}1.00"),  # a lettered symbol is spaced from the digits
        # de_DE: its own separators and the symbol after the amount.
        (123450, "USD", "de_DE", f"1.234,50{NB}USD"),
        (123450, "CAD", "de_DE", f"1.234,50{NB}CA$"),
        (123450, "EUR", "de_DE", f"1.234,50{NB}€"),
        (1200, "JPY", "de_DE", f"1.200{NB}JPY"),
        # fr_CA: "$" is the Canadian dollar there, so CAD says so; USD is "$ US".
        (123450, "USD", "fr_CA", f"1{NB}234,50{NB}${NB}US"),
        (123450, "CAD", "fr_CA", f"1{NB}234,50{NB}CAD"),
        (123450, "EUR", "fr_CA", f"1{NB}234,50{NB}€"),
        (1200, "JPY", "fr_CA", f"1{NB}200{NB}JPY"),
    ],
)
def test_an_amount_reads_in_the_locale_with_an_unmistakable_currency(
    minor, currency, locale, shown
):
    assert format_money(minor, currency, locale=locale) == shown


def test_no_dollar_reads_as_another_in_any_locale():
    for locale in ("en_US", "en_CA", "en_AU", "en_GB", "de_DE", "fr_CA", "es_MX", "ja_JP"):
        shown = {c: format_money(100, c, locale=locale) for c in ("USD", "CAD", "AUD", "MXN")}
        assert len(set(shown.values())) == 4, (locale, shown)
        assert not any(text.startswith("$") or text.endswith(f"{NB}$") for text in shown.values())


def test_unknown_locales_read_as_the_default_and_unknown_currencies_are_not_guessed():
    assert format_money(1250, "USD", locale="xx_YY") == f"USD{NB}12.50"
    assert format_money(1250, "usd", locale="en-US") == f"USD{NB}12.50"
    assert format_money(1050, "XYZ") == "1050 XYZ (minor units)"


def test_payload_prices_read_like_money_or_stay_as_given():
    assert format_money_text("17.5", "USD") == f"USD{NB}17.50"
    assert format_money_text("17.505", "USD") == "17.505 USD"


def test_the_mall_and_babel_agree_on_decimal_places():
    for currency, places in MINOR_UNITS.items():
        assert get_currency_precision(currency) == places, currency


def test_ambiguous_symbols_are_the_ones_cldr_shares_between_currencies():
    """Every locale of a country, with that country's currencies: which symbols
    name more than one currency? (Loads all of CLDR: a second or so.)"""
    owners = defaultdict(set)
    for name in localedata.locale_identifiers():
        locale = Locale.parse(name)
        if locale.territory:
            for code in get_territory_currencies(locale.territory):
                owners[locale.currency_symbols.get(code, code)].add(code)
    assert {s for s, codes in owners.items() if len(codes) > 1} == AMBIGUOUS_SYMBOLS


@pytest.mark.parametrize(
    ("fields", "lines"),
    [
        (
            dict(line1="12 Elm Street", line2="Apt 4", city="Austin", region="TX",
                 postal_code="78701", country="US"),
            ["Ann Lee", "12 Elm Street", "Apt 4", "AUSTIN, TX 78701", "UNITED STATES"],
        ),
        (
            dict(line1="100 Queen St W", line2=None, city="Toronto", region="ON",
                 postal_code="M5H 2N2", country="CA"),
            ["ANN LEE", "100 QUEEN ST W", "TORONTO ON M5H 2N2", "CANADA"],
        ),
        (
            dict(line1="1 Market St", line2=None, city="Manchester", region=None,
                 postal_code="M4 1HN", country="GB"),
            ["Ann Lee", "1 Market St", "MANCHESTER", "M4 1HN", "UNITED KINGDOM"],
        ),
        (
            dict(line1="Marienplatz 8", line2=None, city="München", region=None,
                 postal_code="80331", country="DE"),
            ["Ann Lee", "Marienplatz 8", "80331 MÜNCHEN", "GERMANY"],
        ),
        (  # a country the address data does not know: the fields as given
            dict(line1="1 Road", line2=None, city="Town", region=None, postal_code="123",
                 country="QQ"),
            ["Ann Lee", "1 Road", "Town 123", "QQ"],
        ),
    ],
)  # fmt: skip
def test_an_address_reads_in_its_countrys_format(fields, lines):
    assert address_lines(name="Ann Lee", **fields) == lines
