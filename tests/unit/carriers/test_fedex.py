"""FedEx: its recorded answers read into our shapes, every status code row by row, and
the adapter over HTTP (OAuth token reuse and renewal, the request JSON FedEx expects,
failures as CarrierError)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from oms_dashboard.carriers.base import CarrierError, ShipmentStatus
from oms_dashboard.carriers.fedex_parse import (
    STATUSES,
    parse_error,
    parse_rates,
    parse_tracking,
    tracking_errors,
    transit_days,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers" / "fedex"
SHIP, TRANSIT, OFD, DELIV, EXC = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.DELIVERY_EXCEPTION,
)


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def make_track_body(*results: dict[str, Any], number: str = "794843185271") -> dict[str, Any]:
    """A Track API v1 answer around the given ``trackResults`` entries."""
    return {
        "output": {
            "completeTrackResults": [{"trackingNumber": number, "trackResults": list(results)}]
        }
    }


def make_result(code: str = "IT", *events: dict[str, Any], **fields: Any) -> dict[str, Any]:
    return {
        "latestStatusDetail": {"code": code, "derivedCode": code},
        "scanEvents": list(events),
        **fields,
    }


def make_event(when: str, code: str = "AR", **fields: Any) -> dict[str, Any]:
    return {
        "date": when,
        "eventType": code,
        "eventDescription": "Arrived at FedEx location",
        **fields,
    }


def offset(hours: int) -> timedelta:
    return timedelta(hours=hours)


# -- tracking: the recorded answer ---------------------------------------------------------


@pytest.fixture(scope="module")
def updates():
    return {u.tracking_number: u for u in parse_tracking(load("track_response.json"))}


def test_one_update_per_number_found_and_the_unknown_number_is_left_out(updates):
    assert list(updates) == ["776094337676", "920241085725456", "377101283611590"]


def test_a_delivered_package_after_two_exceptions(updates):
    u = updates["776094337676"]
    assert u.status is DELIV
    assert u.signature_required is True  # "Adult Signature Required"
    assert u.estimated_delivery is None  # FedEx gave only actual dates
    assert [s.code for s in u.scans] == ["DL", "OD", "AO", "PU", "AF", "DE", "DE", "OD"]
    delivered, on_vehicle = u.scans[0], u.scans[1]
    assert delivered.at == datetime.fromisoformat("2024-04-26T09:26:00-07:00")
    assert delivered.at.utcoffset() == offset(-7)
    assert delivered.description == "Delivered"
    assert delivered.location is None  # FedEx sent an empty address for this scan
    assert on_vehicle.description == "On FedEx vehicle for delivery"
    assert on_vehicle.location is not None
    assert on_vehicle.location.label == "CLOVIS, CA, US"
    assert on_vehicle.location.postal_code == "93612"
    assert u.scans[6].description == "Delivery exception: Customer not available or business closed"
    assert u.scans[4].description == "At local FedEx facility: Tendered at FedEx Facility"


def test_a_package_in_transit(updates):
    u = updates["920241085725456"]
    assert u.status is TRANSIT
    assert u.estimated_delivery == date(2026, 7, 3)  # the end of FedEx's estimated window
    assert u.signature_required is False
    assert [(s.at.isoformat(), s.code, s.location and s.location.label) for s in u.scans] == [
        ("2026-07-01T21:14:00-05:00", "DP", "MEMPHIS, TN, US"),
        ("2026-07-01T16:02:00-05:00", "AR", "MEMPHIS, TN, US"),
        ("2026-06-30T19:30:00-04:00", "DP", "NEWARK, NJ, US"),
        ("2026-06-30T15:10:00-04:00", "PU", "NEWARK, NJ, US"),
        ("2026-06-30T09:12:00-04:00", "OC", None),
    ]
    assert u.scans[-1].description == "Shipment information sent to FedEx"


def test_a_delivery_exception(updates):
    u = updates["377101283611590"]
    assert u.status is EXC
    assert u.estimated_delivery == date(2026, 7, 6)  # dateAndTimes ESTIMATED_DELIVERY
    latest = u.scans[0]
    assert latest.code == "DE"
    assert latest.at == datetime.fromisoformat("2026-07-02T14:37:00-06:00")
    assert latest.description == "Delivery exception: Customer not available or business closed"
    assert latest.location.label == "DENVER, CO, US"
    assert u.scans[-1].at.utcoffset() == offset(-4)  # picked up in Atlanta, its own offset


def test_a_number_fedex_cannot_find_is_reported_with_fedexs_words():
    errors = tracking_errors(load("track_response.json"))
    assert list(errors) == ["123456789012"]
    error = errors["123456789012"]
    assert error.carrier == "fedex"
    assert error.code == "TRACKING.TRACKINGNUMBER.NOTFOUND"
    assert error.message == (
        "Tracking number cannot be found. Please correct the tracking number and try again."
    )


# -- tracking: rules the recorded answer does not reach ------------------------------------


def test_a_scan_without_offset_is_read_in_the_scan_places_zone():
    memphis = {
        "city": "MEMPHIS",
        "stateOrProvinceCode": "TN",
        "postalCode": "38118",
        "countryCode": "US",
    }
    body = make_track_body(
        make_result("AR", make_event("2026-07-01T09:30:00", scanLocation=memphis)),
    )
    [update] = parse_tracking(body)
    assert update.scans[0].at.utcoffset() == offset(-5)  # Central Daylight Time
    assert update.scans[0].at.hour == 9


def test_a_scan_without_offset_or_place_is_taken_as_utc_and_one_without_date_is_dropped():
    body = make_track_body(
        make_result("AR", make_event("2026-07-01T09:30:00"), {"eventType": "AR"})
    )
    [update] = parse_tracking(body)
    assert len(update.scans) == 1
    assert update.scans[0].at.utcoffset() == timedelta(0)


def test_scans_come_out_newest_first_whatever_order_fedex_sends():
    body = make_track_body(
        make_result(
            "AR", make_event("2026-07-01T08:00:00-05:00"), make_event("2026-07-02T08:00:00-05:00")
        )
    )
    [update] = parse_tracking(body)
    assert [s.at.day for s in update.scans] == [2, 1]


def test_a_reused_tracking_number_is_read_from_its_latest_shipment():
    old = make_result("DL", make_event("2025-01-10T10:00:00-05:00", "DL"))
    new = make_result("OD", make_event("2026-07-02T08:00:00-05:00", "OD"))
    [update] = parse_tracking(make_track_body(old, new))
    assert update.status is OFD
    assert update.scans[0].code == "OD"


def test_an_unknown_code_maps_to_no_status_without_crashing():
    [update] = parse_tracking(
        make_track_body(make_result("ZZ", make_event("2026-07-01T08:00:00Z", "ZZ")))
    )
    assert update.status is None
    assert update.scans[0].code == "ZZ"


def test_the_estimate_falls_back_to_fedexs_commitment():
    window = {"window": {"ends": "2026-07-09T10:30:00-07:00"}}
    [update] = parse_tracking(make_track_body(make_result("IT", standardTransitTimeWindow=window)))
    assert update.estimated_delivery == date(2026, 7, 9)


@pytest.mark.parametrize(
    "kind", ["ADULT_SIGNATURE_REQUIRED", "DIRECT_SIGNATURE_REQUIRED", "INDIRECT_SIGNATURE_REQUIRED"]
)
def test_signature_handlings_mark_the_update(kind):
    result = make_result("IT", specialHandlings=[{"type": kind, "description": "Signature"}])
    [update] = parse_tracking(make_track_body(result))
    assert update.signature_required is True


# -- errors --------------------------------------------------------------------------------


def test_a_track_error_body_raises_with_fedexs_message():
    with pytest.raises(CarrierError) as raised:
        parse_tracking(load("track_error.json"))
    assert raised.value.carrier == "fedex"
    assert raised.value.message == "Please provide tracking number."
    assert raised.value.code == "TRACKING.TRACKINGNUMBER.EMPTY"


def test_a_rate_error_body_raises_with_fedexs_message():
    with pytest.raises(CarrierError) as raised:
        parse_rates(load("rate_error.json"))
    assert raised.value.code == "ACCOUNT.NUMBER.MISMATCH"
    assert raised.value.message.startswith("When payment Type is SENDER")


@pytest.mark.parametrize(
    "name,code,message",
    [
        (
            "oauth_error.json",
            "NOT.AUTHORIZED.ERROR",
            "The given client credentials were not valid.",
        ),
        ("token_expired.json", "NOT.AUTHORIZED.ERROR", "Access token expired."),
        (
            "service_unavailable.json",
            "SERVICE.UNAVAILABLE.ERROR",
            "The service is currently unavailable",
        ),
    ],
)
def test_fedex_error_bodies_become_carrier_errors(name, code, message):
    error = parse_error(load(name))
    assert (error.carrier, error.code) == ("fedex", code)
    assert error.message.startswith(message)
    assert str(error).startswith("fedex: ")


def test_several_errors_are_all_said_and_a_body_without_output_is_refused():
    body = {"errors": [{"code": "A", "message": "First."}, {"code": "B", "message": "Second."}]}
    assert parse_error(body).message == "First.; Second."
    with pytest.raises(CarrierError, match="Track response has no output"):
        parse_tracking({"transactionId": "x"})
    with pytest.raises(CarrierError, match="Rate response has no output"):
        parse_rates({})


# -- rates ---------------------------------------------------------------------------------


def test_fedexs_rate_example_gives_one_quote_per_service_at_the_account_rate():
    quotes = parse_rates(load("rate_response.json"))
    assert [(q.service, q.amount, q.currency, q.transit_days) for q in quotes] == [
        ("INTERNATIONAL_FIRST", Decimal("445.54"), "CAD", 3),
        ("INTERNATIONAL_PRIORITY", Decimal("345.15"), "CAD", 3),
        ("INTERNATIONAL_ECONOMY", Decimal("209.56"), "CAD", 3),
    ]


def test_the_list_rate_is_used_when_there_is_no_account_rate_and_unpriced_services_are_skipped():
    body = {
        "output": {
            "rateReplyDetails": [
                {
                    "serviceType": "FEDEX_GROUND",
                    "ratedShipmentDetails": [
                        {
                            "rateType": "PREFERRED_CURRENCY",
                            "totalNetCharge": 9.99,
                            "currency": "EUR",
                        },
                        {"rateType": "LIST", "totalNetCharge": 12.3, "currency": "USD"},
                    ],
                    "operationalDetail": {"transitTime": "ONE_DAY"},
                },
                {
                    "serviceType": "FEDEX_2_DAY",
                    "ratedShipmentDetails": [{"rateType": "LIST", "currency": "USD"}],
                },
            ]
        }
    }
    [quote] = parse_rates(body)
    assert (quote.service, quote.amount, quote.currency, quote.transit_days) == (
        "FEDEX_GROUND",
        Decimal("12.30"),
        "USD",
        1,
    )


@pytest.mark.parametrize(
    "value,days",
    [
        ("ONE_DAY", 1),
        ("TWO_DAYS", 2),
        ("SEVEN_DAYS", 7),
        ("TWENTY_DAYS", 20),
        ("UNKNOWN", None),
        ("", None),
        (None, None),
    ],
)
def test_fedex_transit_words_become_days(value, days):
    assert transit_days(value) == days


# -- the status table, row by row ----------------------------------------------------------

EXPECTED = {
    "AA": (TRANSIT, "At Airport"),
    "AC": (TRANSIT, "At Canada Post facility"),
    "AD": (OFD, "At Delivery"),
    "AE": (None, "Shipment arriving early"),
    "AF": (TRANSIT, "At FedEx Facility"),
    "AO": (None, "Shipment arriving On-time"),
    "AP": (SHIP, "At Pickup"),
    "AR": (TRANSIT, "Arrived at"),
    "AX": (TRANSIT, "At USPS facility"),
    "BR": (TRANSIT, "Broker"),
    "CA": (EXC, "Shipment Cancelled / Carrier"),
    "CC": (TRANSIT, "Cleared Customs"),
    "CD": (EXC, "Clearance Delay"),
    "CH": (None, "Location Changed"),
    "CP": (TRANSIT, "Clearance in Progress"),
    "CU": (TRANSIT, "Customs"),
    "DD": (TRANSIT, "Delivery Delay"),
    "DE": (EXC, "Delivery Exception"),
    "DL": (DELIV, "Delivered"),
    "DP": (TRANSIT, "Departed"),
    "DR": (None, "Vehicle furnished but not used"),
    "DS": (None, "Vehicle Dispatched"),
    "DY": (TRANSIT, "Delay"),
    "EA": (TRANSIT, "Enroute to Airport / Export Approved"),
    "ED": (OFD, "Enroute to Delivery"),
    "EO": (TRANSIT, "Enroute to Origin Airport"),
    "EP": (None, "Enroute to Pickup"),
    "FD": (TRANSIT, "At FedEx Destination"),
    "HL": (EXC, "Hold at Location"),
    "IT": (TRANSIT, "In Transit"),
    "IX": (TRANSIT, "In transit (see Details)"),
    "LO": (TRANSIT, "Left Origin"),
    "LP": (None, "Return label link cancelled by shipment originator"),
    "OC": (SHIP, "Order Created"),
    "OD": (OFD, "Out for Delivery"),
    "OF": (TRANSIT, "At FedEx origin facility"),
    "OX": (TRANSIT, "Shipment information sent to USPS"),
    "PD": (None, "Pickup Delay"),
    "PF": (TRANSIT, "Plane in Flight"),
    "PL": (TRANSIT, "Plane Landed"),
    "PM": (TRANSIT, "In Progress"),
    "PU": (SHIP, "Picked Up"),
    "PX": (SHIP, "Picked up (see Details)"),
    "RC": (None, "CDO Cancelled / Recipient"),
    "RD": (None, "Return label link expired"),
    "RG": (None, "Return label link expiring soon"),
    "RM": (None, "CDO Modified"),
    "RP": (None, "Return label link emailed to return sender"),
    "RR": (None, "CDO requested"),
    "RS": (EXC, "Return to Shipper"),
    "SE": (EXC, "Shipment Exception"),
    "SF": (TRANSIT, "At Sort Facility"),
    "SH": (None, "Shipper"),
    "SP": (None, "Split Status"),
    "TP": (TRANSIT, "Transfer Partner"),
    "TR": (TRANSIT, "Transfer"),
}


def test_the_table_holds_every_published_code_and_no_other():
    assert sorted(STATUSES) == sorted(EXPECTED)
    assert len(STATUSES) == 56


@pytest.mark.parametrize("code", sorted(EXPECTED))
def test_each_fedex_code_maps_to_its_status_and_keeps_fedexs_words(code):
    status, meaning = EXPECTED[code]
    row = STATUSES[code]
    assert (row.code, row.status, row.meaning) == (code, status, meaning)
    [update] = parse_tracking(
        make_track_body(make_result(code, make_event("2026-07-01T08:00:00Z", code)))
    )
    assert update.status is status
