"""What the Buy label dialog and the fulfillment page make of what a seller types and
of what carriers answer: parcel sizes, offers and their promise, refusals in words."""

from __future__ import annotations

from datetime import date

import pytest

from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.domain.fulfillment import Offer, ParcelSize
from oms_dashboard.formatting.carriers import service_title
from oms_dashboard.services.carrier_health import CarrierRefused, CarrierUnavailable
from oms_dashboard.services.carrier_offers import LabelOptions
from oms_dashboard.services.errors import Conflict, ValidationFailed
from oms_dashboard.ui.states.fulfillment import hours_value, settings_errors
from oms_dashboard.ui.states.label_offers import (
    offer_rows,
    parcel_key,
    parse_parcel,
    refusal_text,
)

TYPED = {"weight_grams": "790", "length_mm": "200", "width_mm": "150", "height_mm": " 164 "}


def test_a_typed_parcel_is_read_as_whole_numbers():
    parcel, errors = parse_parcel(TYPED)
    assert errors == {}
    assert parcel == ParcelSize(weight_grams=790, length_mm=200, width_mm=150, height_mm=164)
    assert parcel_key(parcel) == "790/200/150/164"


def test_every_bad_dimension_is_named_at_once():
    parcel, errors = parse_parcel(
        {**TYPED, "weight_grams": "0.5", "height_mm": "", "width_mm": "0"}
    )
    assert parcel is None
    assert errors == {
        "weight_grams": "Weight must be a whole number from 1 to 1,000,000.",
        "width_mm": "Width must be a whole number from 1 to 10,000.",
        "height_mm": "Height must be a whole number from 1 to 10,000.",
    }
    assert parse_parcel({**TYPED, "length_mm": "10001"})[1] == {
        "length_mm": "Length must be a whole number from 1 to 10,000."
    }


def _offer(carrier, service, cents, arrives):
    days = None if arrives is None else (arrives - date(2026, 12, 1)).days
    return Offer(carrier, service, cents, "USD", days, arrives)


def test_offers_say_whether_they_meet_the_promise_and_which_is_recommended():
    ground = _offer("fedex", "FEDEX_GROUND", 899, date(2026, 12, 8))
    two_day = _offer("ups", "02", 1934, date(2026, 12, 3))
    usps = _offer("usps", "USPS_GROUND_ADVANTAGE", 839, None)
    options = LabelOptions(
        order_id="ord_1",
        parcel=None,
        promised=date(2026, 12, 4),
        offers=[usps, ground, two_day],
        preselected=two_day,
        unavailable={},
    )
    rows = offer_rows(options)
    assert [(r.service, r.price, r.arrives, r.promise, r.recommended) for r in rows] == [
        ("USPS Ground Advantage", "USD\xa08.39", "No estimate", "unknown", False),
        ("FedEx Ground", "USD\xa08.99", "Tue 08 Dec", "late", False),
        ("UPS 2nd Day Air", "USD\xa019.34", "Thu 03 Dec", "meets", True),
    ]
    assert rows[2].key == "ups:02" and rows[2].transit == "2 business days"


@pytest.mark.parametrize(
    "carrier, code, title",
    [
        ("ups", "03", "UPS Ground"),
        ("dhl", "P", "DHL Express Worldwide"),
        ("usps", "PRIORITY_MAIL", "USPS Priority Mail"),
        ("fedex", "FEDEX_2_DAY", "FedEx 2Day"),
        ("fedex", "SMART_POST_NEW", "FedEx Smart Post New"),
        ("ups", "96", "UPS 96"),
    ],
)
def test_service_codes_read_as_their_names(carrier, code, title):
    assert service_title(carrier, code) == title


def _refused(message: str, *, transient: bool) -> CarrierRefused:
    """As ``buy_label`` raises it: the carrier's error as its cause."""
    try:
        try:
            raise CarrierError("dhl", message, code="420", transient=transient)
        except CarrierError as error:
            raise CarrierRefused(error) from error
    except CarrierRefused as refused:
        return refused


def test_refusals_read_as_sentences_in_the_carriers_words():
    assert refusal_text("dhl", _refused("Shipper phone number is required.", transient=False)) == (
        "DHL Express refused the label: Shipper phone number is required."
    )
    assert refusal_text("dhl", _refused("timed out", transient=True)).endswith(
        "Try again in a minute, or choose another carrier."
    )
    assert refusal_text("fedex", CarrierUnavailable("fedex", "disabled by an admin")) == (
        "FedEx cannot be used now: disabled by an admin."
    )
    held = Conflict("this order is held for review: nothing ships until an admin releases it")
    assert refusal_text("fedex", held) == (
        "This order is held for review: nothing ships until an admin releases it."
    )
    assert refusal_text("ups", NotImplementedError()) == (
        "UPS labels cannot be bought here yet. Choose another carrier's offer."
    )
    assert refusal_text("fedex", ValidationFailed.one("carrier", "must be one of fedex")) == (
        "Carrier must be one of fedex."
    )


def test_typed_hours_reach_the_service_as_typed_unless_they_are_a_number():
    assert hours_value(" 48 ") == 48
    assert hours_value("2 days") == "2 days"
    assert hours_value("") == ""
    errors = ValidationFailed(
        [
            {"field": "handling_hours", "message": "must be a whole number of hours from 1 to 240"},
            {"field": "address_line1", "message": "is required: carriers pick parcels up there"},
        ]
    )
    assert settings_errors(errors) == {
        "handling_hours": "Handling time must be a whole number of hours from 1 to 240.",
        "address_line1": "Pick-up street is required: carriers pick parcels up there.",
    }
