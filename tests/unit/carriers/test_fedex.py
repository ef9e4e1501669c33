"""FedEx: its recorded answers read into our shapes, every status code row by row, and
the adapter over HTTP (OAuth token reuse and renewal, the request JSON FedEx expects,
failures as CarrierError)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
import respx

from oms_dashboard.carriers.base import CarrierError, Parcel, Party, ShipmentStatus
from oms_dashboard.carriers.fedex import FedExCarrier, rate_request, tracking_request
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


# -- request builders ----------------------------------------------------------------------

SHIPPER = Party(
    name="Acme Outfitters",
    line1="10 FedEx Pkwy",
    line2="Dock 4",
    city="Memphis",
    region="TN",
    postal_code="38118",
    country="US",
)
RECIPIENT = Party(
    name="Ada Byron", line1="1 Rue de Rivoli", city="Paris", postal_code="75001", country="FR"
)
PARCEL = Parcel(weight_grams=1234, length_mm=305, width_mm=200, height_mm=101)


def test_the_track_request_is_fedexs_json_and_refuses_what_fedex_refuses():
    assert tracking_request(["794843185271", "920241085725456"]) == {
        "includeDetailedScans": True,
        "trackingInfo": [
            {"trackingNumberInfo": {"trackingNumber": "794843185271"}},
            {"trackingNumberInfo": {"trackingNumber": "920241085725456"}},
        ],
    }
    with pytest.raises(ValueError, match="tracking_numbers: give at least one"):
        tracking_request([])
    with pytest.raises(ValueError, match="at most 30"):
        tracking_request([str(n) for n in range(31)])


def test_the_rate_request_is_fedexs_json_and_never_declares_the_parcel_smaller():
    assert rate_request(SHIPPER, RECIPIENT, PARCEL, account_number="740561073") == {
        "accountNumber": {"value": "740561073"},
        "rateRequestControlParameters": {"returnTransitTimes": True},
        "requestedShipment": {
            "shipper": {
                "address": {
                    "streetLines": ["10 FedEx Pkwy", "Dock 4"],
                    "city": "Memphis",
                    "postalCode": "38118",
                    "countryCode": "US",
                    "stateOrProvinceCode": "TN",
                }
            },
            "recipient": {
                "address": {
                    "streetLines": ["1 Rue de Rivoli"],
                    "city": "Paris",
                    "postalCode": "75001",
                    "countryCode": "FR",
                }
            },
            "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
            "rateRequestType": ["ACCOUNT", "LIST"],
            "requestedPackageLineItems": [
                {
                    "weight": {"units": "KG", "value": 1.24},
                    "dimensions": {"length": 31, "width": 20, "height": 11, "units": "CM"},
                }
            ],
        },
    }


# -- the adapter over HTTP -----------------------------------------------------------------

BASE = "https://apis-sandbox.fedex.test"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def make_carrier(**overrides: Any) -> FedExCarrier:
    settings: dict[str, Any] = {
        "base_url": BASE,
        "client_id": "client-id",
        "client_secret": "client-secret",
        "account_number": "740561073",
    }
    return FedExCarrier(**(settings | overrides))


def token(value: str = "token-1", expires_in: int = 3600) -> httpx.Response:
    return httpx.Response(
        200, json=load("oauth_token.json") | {"access_token": value, "expires_in": expires_in}
    )


@pytest.fixture
def fedex():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


def test_track_fetches_a_token_once_and_sends_what_fedex_expects(fedex):
    oauth = fedex.post("/oauth/token").mock(return_value=token("abc"))
    track = fedex.post("/track/v1/trackingnumbers").respond(200, json=load("track_response.json"))
    with make_carrier() as carrier:
        first = carrier.track(["776094337676", "920241085725456"])
        carrier.track(["377101283611590"])
    assert [u.status for u in first[:3]] == [DELIV, TRANSIT, EXC]
    assert oauth.call_count == 1
    sent = oauth.calls.last.request
    assert sent.headers["content-type"] == "application/x-www-form-urlencoded"
    assert parse_qs(sent.content.decode()) == {
        "grant_type": ["client_credentials"],
        "client_id": ["client-id"],
        "client_secret": ["client-secret"],
    }
    assert track.call_count == 2
    call = track.calls[0].request
    assert call.headers["authorization"] == "Bearer abc"
    assert call.headers["x-locale"] == "en_US"
    assert json.loads(call.content) == tracking_request(["776094337676", "920241085725456"])
    assert track.calls[1].request.headers["authorization"] == "Bearer abc"


def test_the_token_is_fetched_again_shortly_before_fedex_expires_it(fedex):
    oauth = fedex.post("/oauth/token").mock(side_effect=[token("one"), token("two")])
    track = fedex.post("/track/v1/trackingnumbers").respond(200, json=load("track_response.json"))
    clock = Clock()
    with make_carrier(clock=clock) as carrier:
        carrier.track(["776094337676"])
        clock.now += 3600 - 61
        carrier.track(["776094337676"])
        assert oauth.call_count == 1
        clock.now += 2  # inside the last minute of the hour FedEx gave
        carrier.track(["776094337676"])
    assert oauth.call_count == 2
    assert track.calls.last.request.headers["authorization"] == "Bearer two"


def test_a_401_fetches_a_new_token_and_retries_once(fedex):
    oauth = fedex.post("/oauth/token").mock(side_effect=[token("stale"), token("fresh")])
    track = fedex.post("/track/v1/trackingnumbers").mock(
        side_effect=[
            httpx.Response(401, json=load("token_expired.json")),
            httpx.Response(200, json=load("track_response.json")),
        ]
    )
    with make_carrier() as carrier:
        updates = carrier.track(["776094337676"])
    assert updates[0].status is DELIV
    assert oauth.call_count == 2
    assert [c.request.headers["authorization"] for c in track.calls] == [
        "Bearer stale",
        "Bearer fresh",
    ]


def test_a_second_401_is_an_error_in_fedexs_words_not_a_loop(fedex):
    fedex.post("/oauth/token").mock(side_effect=[token("one"), token("two")])
    track = fedex.post("/track/v1/trackingnumbers").respond(401, json=load("token_expired.json"))
    with make_carrier() as carrier, pytest.raises(CarrierError) as raised:
        carrier.track(["776094337676"])
    assert track.call_count == 2
    assert raised.value.code == "NOT.AUTHORIZED.ERROR"
    assert raised.value.message == "Access token expired. Please modify your request and try again."


def test_credentials_fedex_refuses_are_an_error_in_fedexs_words(fedex):
    fedex.post("/oauth/token").respond(401, json=load("oauth_error.json"))
    track = fedex.post("/track/v1/trackingnumbers")
    with make_carrier() as carrier, pytest.raises(CarrierError) as raised:
        carrier.track(["776094337676"])
    assert raised.value.carrier == "fedex"
    assert raised.value.message.startswith("The given client credentials were not valid.")
    assert track.call_count == 0


def test_a_5xx_with_fedexs_body_raises_its_message(fedex):
    fedex.post("/oauth/token").mock(return_value=token())
    fedex.post("/rate/v1/rates/quotes").respond(503, json=load("service_unavailable.json"))
    with make_carrier() as carrier, pytest.raises(CarrierError) as raised:
        carrier.quote(shipper=SHIPPER, recipient=RECIPIENT, parcel=PARCEL)
    assert (raised.value.carrier, raised.value.code) == ("fedex", "SERVICE.UNAVAILABLE.ERROR")
    assert raised.value.message.startswith("The service is currently unavailable")
    assert raised.value.transient  # worth trying again later


def test_a_5xx_without_fedexs_body_names_the_carrier_and_the_status(fedex):
    fedex.post("/oauth/token").mock(return_value=token())
    fedex.post("/track/v1/trackingnumbers").respond(502, text="<html>Bad Gateway</html>")
    with make_carrier() as carrier, pytest.raises(CarrierError) as raised:
        carrier.track(["776094337676"])
    assert raised.value.code == "HTTP_502" and raised.value.transient
    assert str(raised.value).startswith(
        "fedex: FedEx answered /track/v1/trackingnumbers with HTTP 502"
    )


def test_a_timeout_or_an_unreachable_fedex_is_a_carrier_error(fedex):
    fedex.post("/oauth/token").mock(return_value=token())
    fedex.post("/track/v1/trackingnumbers").mock(side_effect=httpx.ReadTimeout("read timed out"))
    fedex.post("/rate/v1/rates/quotes").mock(side_effect=httpx.ConnectError("connection refused"))
    with make_carrier() as carrier:
        with pytest.raises(CarrierError) as timed_out:
            carrier.track(["776094337676"])
        with pytest.raises(CarrierError) as unreachable:
            carrier.quote(shipper=SHIPPER, recipient=RECIPIENT, parcel=PARCEL)
    assert (timed_out.value.carrier, timed_out.value.code) == ("fedex", "TIMEOUT")
    assert "did not answer POST /track/v1/trackingnumbers in time" in timed_out.value.message
    assert (unreachable.value.carrier, unreachable.value.code) == ("fedex", "UNREACHABLE")
    assert timed_out.value.transient and unreachable.value.transient


def test_quote_sends_fedexs_rate_request_and_returns_its_services(fedex):
    fedex.post("/oauth/token").mock(return_value=token("abc"))
    rates = fedex.post("/rate/v1/rates/quotes").respond(200, json=load("rate_response.json"))
    with make_carrier() as carrier:
        quotes = carrier.quote(shipper=SHIPPER, recipient=RECIPIENT, parcel=PARCEL)
    assert [(q.service, q.amount) for q in quotes][0] == ("INTERNATIONAL_FIRST", Decimal("445.54"))
    sent = rates.calls.last.request
    assert sent.headers["authorization"] == "Bearer abc"
    assert json.loads(sent.content) == rate_request(
        SHIPPER, RECIPIENT, PARCEL, account_number="740561073"
    )


def test_more_than_30_numbers_go_in_several_requests(fedex):
    fedex.post("/oauth/token").mock(return_value=token())
    track = fedex.post("/track/v1/trackingnumbers").respond(200, json=load("track_response.json"))
    numbers = [f"7940000000{n:02d}" for n in range(31)]
    with make_carrier() as carrier:
        carrier.track(numbers)
    sizes = [len(json.loads(c.request.content)["trackingInfo"]) for c in track.calls]
    assert sizes == [30, 1]


def test_a_transport_can_be_given_so_a_sandbox_can_serve_the_adapter():
    router = respx.Router(base_url=BASE)
    router.post("/oauth/token").mock(return_value=token())
    router.post("/track/v1/trackingnumbers").respond(200, json=load("track_response.json"))
    with make_carrier(transport=httpx.MockTransport(router.handler)) as carrier:
        assert len(carrier.track(["776094337676"])) == 3
