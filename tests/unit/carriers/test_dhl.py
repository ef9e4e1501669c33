"""DHL Express: the Unified Tracking and MyDHL answers DHL publishes, read into our shapes,
and the adapter over HTTP with DHL's credentials."""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from oms_dashboard.carriers.base import (
    CarrierError,
    Parcel,
    Party,
    ScanLocation,
    ShipmentStatus,
)
from oms_dashboard.carriers.dhl import (
    STATUSES,
    DhlCarrier,
    dhl_datetime,
    parse_error,
    parse_rates,
    parse_tracking,
    rate_request,
    status_for,
    tracking_request,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "carriers" / "dhl"
BERLIN = ZoneInfo("Europe/Berlin")
MYDHL = "https://express.api.dhl.com/mydhlapi"
TRACKING = "https://api-eu.dhl.com"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def only(updates):
    assert len(updates) == 1
    return updates[0]


# -- the status table ------------------------------------------------------------------

PUBLISHED = [
    ("pre-transit", ShipmentStatus.SHIPPED),
    ("transit", ShipmentStatus.IN_TRANSIT),
    ("delivered", ShipmentStatus.DELIVERED),
    ("failure", ShipmentStatus.DELIVERY_EXCEPTION),
    ("unknown", None),
]


def test_the_table_has_every_code_dhl_publishes_and_no_other():
    assert sorted(STATUSES) == sorted(code for code, _ in PUBLISHED)


@pytest.mark.parametrize("code,status", PUBLISHED)
def test_each_dhl_code_maps_to_our_status_and_keeps_dhls_word(code, status):
    row = STATUSES[code]
    assert row.status is status
    assert status_for(code) is status
    assert row.meaning.startswith(f"{code}: ")


@pytest.mark.parametrize("code", ["out-for-delivery", "DELIVERED", "", None])
def test_a_code_dhl_does_not_publish_maps_to_none(code):
    assert status_for(code) is None


def test_a_shipment_with_an_unpublished_code_still_parses_with_no_status():
    payload = fixture("tracking_delivered")
    payload["shipments"][0]["status"]["statusCode"] = "lost-in-space"
    update = only(parse_tracking(payload))
    assert update.status is None
    assert len(update.scans) == 6


# -- tracking --------------------------------------------------------------------------


def test_dhls_own_example_reads_as_shipped_with_its_estimated_day():
    update = only(parse_tracking(fixture("tracking_doc_example")))
    assert update.tracking_number == "7777777770"  # a JSON number in DHL's example
    assert update.status is ShipmentStatus.SHIPPED
    assert update.estimated_delivery == date(2018, 8, 3)
    assert update.signature_required is False
    (scan,) = update.scans
    assert scan.at == datetime(2018, 3, 2, 7, 53, 47, tzinfo=UTC)
    assert scan.at.utcoffset() == timedelta(0)
    assert scan.code == "pre-transit"
    assert scan.description == "DELIVERED - JESSICA"
    assert scan.location == ScanLocation(
        city="Oderweg 2, AMSTERDAM", postal_code="1043 AG", country="NL"
    )


def test_a_delivered_package_local_times_are_read_in_germany():
    update = only(parse_tracking(fixture("tracking_delivered")))
    assert update.tracking_number == "423475729485"
    assert update.status is ShipmentStatus.DELIVERED
    assert update.estimated_delivery is None
    assert [s.code for s in update.scans] == [
        "delivered",
        "transit",
        "transit",
        "transit",
        "transit",
        "pre-transit",
    ]
    delivered, loaded, destination, _, origin, announced = update.scans
    # DHL writes 08:59 without an offset; the scan was in Germany, on summer time.
    assert delivered.at == datetime(2019, 8, 30, 8, 59, tzinfo=BERLIN)
    assert delivered.at.utcoffset() == timedelta(hours=2)
    assert delivered.description == "The shipment has been successfully delivered"
    assert delivered.location == ScanLocation(country="DE")
    # No place on this scan: a domestic German shipment, so still German time.
    assert loaded.location is None
    assert loaded.at.isoformat() == "2019-08-30T07:42:00+02:00"
    assert destination.location.label == "Radefeld, DE"
    assert origin.location == ScanLocation(city="Feucht", country="DE")
    assert announced.at.isoformat() == "2019-08-28T21:36:00+02:00"


def test_a_package_in_transit_after_failed_attempts_keeps_dhls_offsets():
    update = only(parse_tracking(fixture("tracking_in_transit")))
    assert update.tracking_number == "3SHM00001165430"
    assert update.status is ShipmentStatus.IN_TRANSIT
    assert len(update.scans) == 10
    latest, not_home = update.scans[:2]
    assert latest.at.isoformat() == "2019-09-03T11:33:05+02:00"
    assert latest.code == "failure"
    assert latest.description == "NOT_HOME_SYSTEM_INTERVENTION_DELIVERY_AT_PARCELSHOP"
    assert latest.location is None
    assert not_home.description == "NOT_HOME"
    assert update.scans[-1].description == "PRENOTIFICATION_RECEIVED"
    assert update.scans[-1].at.isoformat() == "2019-09-02T20:57:16+02:00"


def test_a_failed_delivery_attempt_is_an_exception_scan():
    update = only(parse_tracking(fixture("tracking_failed_attempt")))
    assert update.status is ShipmentStatus.DELIVERED
    assert [s.code for s in update.scans] == ["delivered", "transit", "failure"]
    attempt = update.scans[-1]
    assert status_for(attempt.code) is ShipmentStatus.DELIVERY_EXCEPTION
    assert attempt.at == datetime(2016, 4, 4, 11, 49, 31, tzinfo=UTC)
    assert attempt.description.startswith("próba doręczenia zakończona niepowodzeniem.")
    assert attempt.location == ScanLocation(city="Rzeszów")


def test_a_package_returned_to_the_shipper():
    update = only(parse_tracking(fixture("tracking_returned_to_shipper")))
    assert update.status is ShipmentStatus.IN_TRANSIT  # DHL's current word: transit
    assert update.estimated_delivery == date(2019, 5, 20)  # from the time frame
    assert len(update.scans) == 42
    returned = update.scans[2]
    assert returned.code == "failure"
    assert returned.description == "RETURNED_TO_SHIPPER - JVGL06048524927870655"
    assert returned.location.label == "AMM"
    assert [s.code for s in update.scans].count("unknown") == 4
    first = update.scans[-1]
    assert first.at == datetime(2019, 5, 16, 8, 14, 23, 412000, tzinfo=UTC)


def test_events_without_a_status_code_and_without_a_place_are_kept_in_utc():
    update = only(parse_tracking(fixture("tracking_no_status_code")))
    assert update.status is ShipmentStatus.DELIVERED
    gated_out = update.scans[2]
    assert gated_out.code == ""
    assert gated_out.description == "Gated out at Port/Terminal"
    # Malaysia to New Zealand and no place given: no zone can be known.
    assert gated_out.at == datetime(2019, 1, 28, 23, 16, tzinfo=UTC)


def test_scans_come_newest_first_whatever_order_dhl_sends():
    payload = fixture("tracking_delivered")
    payload["shipments"][0]["events"].reverse()
    update = only(parse_tracking(payload))
    assert update.scans[0].code == "delivered"
    assert update.scans[-1].code == "pre-transit"


def test_the_newest_shipment_wins_when_dhl_returns_one_number_twice():
    old = fixture("tracking_failed_attempt")["shipments"][0]  # 2016
    new = fixture("tracking_in_transit")["shipments"][0]  # 2019
    old = copy.deepcopy(old) | {"id": new["id"]}
    update = only(parse_tracking({"shipments": [old, new]}))
    assert update.status is ShipmentStatus.IN_TRANSIT
    assert update.scans[0].at.year == 2019


def test_tracking_asks_dhl_express_one_number_at_a_time():
    assert tracking_request(["1234567890", "JD014600006281230704"]) == [
        {"trackingNumber": "1234567890", "service": "express"},
        {"trackingNumber": "JD014600006281230704", "service": "express"},
    ]


# -- error bodies ----------------------------------------------------------------------

ERRORS = [
    ("tracking_error_not_found", "No shipment with given tracking number found.", "404"),
    ("tracking_error_unauthorized", "Unauthorized for given resource.", "401"),
    (
        "tracking_error_bad_input",
        "Input is invalid: Provided language code 'en_de' isn't valid according to "
        "'ISO 639-1 alpha-2'",
        "400",
    ),
    (
        "rates_error_400",
        "The account number is not found or invalid. Please check the account number and retry.",
        "400",
    ),
    (
        "rates_error_500",
        "999: Process failure occurred. Process ID associated for that transaction (1234567890)",
        "500",
    ),
    (
        "mydhl_error_422_validation",
        "Multiple problems found, see Additional Details: #/location: expected maxLength: "
        "80, actual: 85; #/customerDetails/shipperDetails/postalAddress/cityName: expected "
        "maxLength: 45, actual: 49; #/customerDetails/shipperDetails/contactInformation/"
        "fullName: expected maxLength: 255, actual: 260",
        "422",
    ),
]


@pytest.mark.parametrize("name,message,code", ERRORS)
@pytest.mark.parametrize("parse", [parse_tracking, parse_rates])
def test_an_error_body_raises_with_dhls_message(parse, name, message, code):
    with pytest.raises(CarrierError) as raised:
        parse(fixture(name))
    assert raised.value.carrier == "dhl"
    assert raised.value.message == message
    assert raised.value.code == code


def test_a_good_body_is_no_error():
    assert parse_error(fixture("tracking_delivered")) is None
    assert parse_error(fixture("rates_response_doc_example")) is None


def test_a_body_missing_what_dhl_always_sends_says_so():
    with pytest.raises(CarrierError, match="unreadable tracking answer") as raised:
        parse_tracking({"shipments": [{"id": "1", "events": [{"statusCode": "transit"}]}]})
    assert raised.value.code == "bad-response"


# -- rates -----------------------------------------------------------------------------


def test_dhls_rates_example_is_quoted_in_the_billing_currency():
    (quote,) = parse_rates(fixture("rates_response_doc_example"))
    assert quote.service == "P"
    assert quote.amount == Decimal("157.95")
    assert quote.currency == "GBP"  # BILLC, not the BASEC 182.84 EUR
    assert quote.transit_days == 3


def test_without_a_billing_price_the_public_then_the_base_price_is_used():
    payload = fixture("rates_response_doc_example")
    prices = payload["products"][0]["totalPrice"]
    del prices[0]  # BILLC
    assert parse_rates(payload)[0].amount == Decimal("157.95")
    del prices[0]  # PULCL
    (quote,) = parse_rates(payload)
    assert (quote.amount, quote.currency) == (Decimal("182.84"), "EUR")


def test_several_products_each_become_a_quote_and_an_unpriced_one_is_left_out():
    quotes = parse_rates(fixture("rates_response_several_products"))
    assert [(q.service, q.amount, q.currency, q.transit_days) for q in quotes] == [
        ("N", Decimal("141.51"), "GBP", 2),
        ("1", Decimal("163.07"), "GBP", 1),
    ]


SINGAPORE = Party(
    name="Olu's Electronic Store",
    line1="Blk 6 Lock Rd",
    line2="02-10 Gillman Barracks",
    city="SINGAPORE",
    postal_code="048582",
    country="SG",
)
PARIS = Party(
    name="Agilent", line1="9", line2="Rue Simart", city="PARIS", postal_code="75001", country="FR"
)
BOX = Parcel(weight_grams=1000, length_mm=100, width_mm=200, height_mm=300)


def test_the_rate_request_is_dhls_documented_request():
    example = fixture("rates_request_example")
    body = rate_request(
        SINGAPORE,
        PARIS,
        BOX,
        account_number="123456789",
        planned_at=datetime(2022, 11, 20, 13, 0, tzinfo=UTC),
    )
    assert body == {
        "customerDetails": {
            "shipperDetails": {
                "postalCode": "048582",
                "cityName": "SINGAPORE",
                "countryCode": "SG",
                "addressLine1": "Blk 6 Lock Rd",
                "addressLine2": "02-10 Gillman Barracks",
            },
            "receiverDetails": {
                "postalCode": "75001",
                "cityName": "PARIS",
                "countryCode": "FR",
                "addressLine1": "9",
                "addressLine2": "Rue Simart",
            },
        },
        "accounts": [{"typeCode": "shipper", "number": "123456789"}],
        "plannedShippingDateAndTime": "2022-11-20T13:00:00GMT+00:00",
        "unitOfMeasurement": "metric",
        "isCustomsDeclarable": True,
        "nextBusinessDay": True,
        "packages": [
            {"weight": 1.0, "dimensions": {"length": 10.0, "width": 20.0, "height": 30.0}}
        ],
    }
    # Every value we send is the value DHL's own example sends for the same shipment.
    for key in ("accounts", "plannedShippingDateAndTime", "unitOfMeasurement"):
        assert body[key] == example[key]
    for party in ("shipperDetails", "receiverDetails"):
        ours, theirs = body["customerDetails"][party], example["customerDetails"][party]
        assert ours == {k: theirs[k] for k in ours}
    assert body["packages"][0]["dimensions"] == example["packages"][0]["dimensions"]
    assert body["packages"][0]["weight"] == example["packages"][0]["weight"]


@pytest.mark.parametrize(
    "origin,destination,declarable",
    [("DE", "FR", False), ("DE", "CH", True), ("US", "US", False), ("GB", "DE", True)],
)
def test_only_goods_crossing_a_customs_border_are_declared(origin, destination, declarable):
    shipper = Party(name="A", line1="1", city="X", postal_code="1", country=origin)
    recipient = Party(name="B", line1="2", city="Y", postal_code="2", country=destination)
    body = rate_request(shipper, recipient, BOX, account_number="1", planned_at=_berlin_noon())
    assert body["isCustomsDeclarable"] is declarable


def _berlin_noon() -> datetime:
    return datetime(2026, 1, 15, 12, 0, tzinfo=BERLIN)


def test_planned_times_carry_the_shippers_gmt_offset():
    assert dhl_datetime(_berlin_noon()) == "2026-01-15T12:00:00GMT+01:00"
    new_york = datetime(2026, 7, 1, 9, 30, tzinfo=ZoneInfo("America/New_York"))
    assert dhl_datetime(new_york) == "2026-07-01T09:30:00GMT-04:00"
    with pytest.raises(ValueError, match="time zone"):
        dhl_datetime(datetime(2026, 7, 1, 9, 30))


def test_without_a_planned_time_the_next_full_hour_where_the_shipper_is_is_asked():
    body = rate_request(SINGAPORE, PARIS, BOX, account_number="1")
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00GMT\+08:00", body["plannedShippingDateAndTime"])


def test_an_envelope_thinner_than_a_centimetre_is_declared_at_dhls_minimum():
    envelope = Parcel(weight_grams=120, length_mm=320, width_mm=230, height_mm=4)
    body = rate_request(SINGAPORE, PARIS, envelope, account_number="1", planned_at=_berlin_noon())
    assert body["packages"] == [
        {"weight": 0.12, "dimensions": {"length": 32.0, "width": 23.0, "height": 1.0}}
    ]


# -- the adapter over HTTP -------------------------------------------------------------


def make_carrier(**overrides) -> DhlCarrier:
    settings = {
        "base_url": MYDHL,
        "tracking_base_url": TRACKING,
        "client_id": "mydhl-key",
        "client_secret": "mydhl-secret",
        "account_number": "123456789",
        "tracking_api_key": "tracking-key",
    } | overrides
    return DhlCarrier(**settings)


def answer(name: str, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=fixture(name))


@respx.mock
def test_track_sends_the_api_key_header_and_reads_each_answer():
    by_number = {"423475729485": "tracking_delivered", "3SHM00001165430": "tracking_in_transit"}
    route = respx.get(f"{TRACKING}/track/shipments").mock(
        side_effect=lambda request: answer(by_number[request.url.params["trackingNumber"]])
    )
    updates = make_carrier().track(["423475729485", "3SHM00001165430"])
    assert [(u.tracking_number, u.status) for u in updates] == [
        ("423475729485", ShipmentStatus.DELIVERED),
        ("3SHM00001165430", ShipmentStatus.IN_TRANSIT),
    ]
    assert route.call_count == 2
    for call in route.calls:
        assert call.request.headers["DHL-API-Key"] == "tracking-key"
        assert "Authorization" not in call.request.headers
        assert call.request.url.params["service"] == "express"


@respx.mock
def test_quote_sends_basic_credentials_on_every_call_and_dhls_request_json():
    route = respx.post(f"{MYDHL}/rates").mock(return_value=answer("rates_response_doc_example"))
    carrier = make_carrier()
    for _ in range(2):
        quotes = carrier.quote(shipper=SINGAPORE, recipient=PARIS, parcel=BOX)
        assert [(q.service, q.amount, q.currency) for q in quotes] == [
            ("P", Decimal("157.95"), "GBP")
        ]
    basic = "Basic " + base64.b64encode(b"mydhl-key:mydhl-secret").decode()
    assert route.call_count == 2  # no token call in between: MyDHL has none
    for call in route.calls:
        assert call.request.headers["Authorization"] == basic
        assert "DHL-API-Key" not in call.request.headers
        sent = json.loads(call.request.content)
        expected = rate_request(
            SINGAPORE, PARIS, BOX, account_number="123456789", planned_at=_berlin_noon()
        )
        assert sent | {"plannedShippingDateAndTime": None} == expected | {
            "plannedShippingDateAndTime": None
        }


@respx.mock
def test_a_number_dhl_does_not_know_is_skipped_with_dhls_message():
    def by_number(request):
        if request.url.params["trackingNumber"] == "8264715546":
            return answer("tracking_error_not_found", 404)
        return answer("tracking_delivered")

    respx.get(f"{TRACKING}/track/shipments").mock(side_effect=by_number)
    carrier = make_carrier()
    updates = carrier.track(["8264715546", "423475729485"])
    assert [u.tracking_number for u in updates] == ["423475729485"]
    assert carrier.not_found == {"8264715546": "No shipment with given tracking number found."}


@respx.mock
def test_a_wrong_tracking_key_raises_dhls_401_without_retrying():
    route = respx.get(f"{TRACKING}/track/shipments").mock(
        return_value=answer("tracking_error_unauthorized", 401)
    )
    with pytest.raises(CarrierError) as raised:
        make_carrier().track(["423475729485", "3SHM00001165430"])
    assert (raised.value.message, raised.value.code) == ("Unauthorized for given resource.", "401")
    assert route.call_count == 1


@respx.mock
def test_wrong_mydhl_credentials_raise_a_401_carrier_error():
    route = respx.post(f"{MYDHL}/rates").mock(return_value=httpx.Response(401, text="Unauthorized"))
    with pytest.raises(CarrierError) as raised:
        make_carrier().quote(shipper=SINGAPORE, recipient=PARIS, parcel=BOX)
    assert str(raised.value) == "dhl: HTTP 401 Unauthorized (401)"
    assert route.call_count == 1


@respx.mock
def test_a_refused_rate_request_raises_dhls_message():
    respx.post(f"{MYDHL}/rates").mock(return_value=answer("rates_error_400", 400))
    with pytest.raises(CarrierError, match="account number is not found") as raised:
        make_carrier().quote(shipper=SINGAPORE, recipient=PARIS, parcel=BOX)
    assert raised.value.code == "400"


@respx.mock
@pytest.mark.parametrize(
    "response,message,code",
    [
        (answer("rates_error_500", 500), "999: Process failure occurred", "500"),
        (httpx.Response(503, text="<html>busy</html>"), "HTTP 503 Service Unavailable", "503"),
    ],
)
def test_a_dhl_server_error_raises_a_carrier_error_naming_dhl(response, message, code):
    respx.post(f"{MYDHL}/rates").mock(return_value=response)
    with pytest.raises(CarrierError) as raised:
        make_carrier().quote(shipper=SINGAPORE, recipient=PARIS, parcel=BOX)
    assert raised.value.carrier == "dhl"
    assert raised.value.message.startswith(message)
    assert raised.value.code == code


@respx.mock
@pytest.mark.parametrize(
    "failure,code",
    [
        (httpx.ReadTimeout("read timed out"), "timeout"),
        (httpx.ConnectError("refused"), "unreachable"),
    ],
)
def test_a_timeout_or_a_dead_connection_raises_a_carrier_error_naming_dhl(failure, code):
    respx.get(f"{TRACKING}/track/shipments").mock(side_effect=failure)
    with pytest.raises(CarrierError) as raised:
        make_carrier().track(["423475729485"])
    assert raised.value.carrier == "dhl"
    assert raised.value.code == code
    assert str(raised.value).startswith("dhl: DHL ")


@respx.mock
def test_a_success_that_is_not_json_is_an_error():
    respx.post(f"{MYDHL}/rates").mock(return_value=httpx.Response(200, text="OK"))
    with pytest.raises(CarrierError, match="not a JSON object"):
        make_carrier().quote(shipper=SINGAPORE, recipient=PARIS, parcel=BOX)


def test_one_base_url_serves_both_apis_through_a_given_transport():
    # How the in-process carrier sandbox reaches the adapter: one base URL, a transport.
    seen = []

    def sandbox(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, request.url.path))
        if request.url.path.endswith("/track/shipments"):
            return answer("tracking_delivered")
        return answer("rates_response_several_products")

    carrier = DhlCarrier(
        base_url="http://testserver/sandbox/carriers/dhl",
        client_id="k",
        client_secret="s",
        account_number="1",
        transport=httpx.MockTransport(sandbox),
        timeout=httpx.Timeout(2.0),
    )
    with carrier:
        assert carrier.track(["423475729485"])[0].status is ShipmentStatus.DELIVERED
        assert len(carrier.quote(shipper=SINGAPORE, recipient=PARIS, parcel=BOX)) == 2
    assert seen == [
        ("GET", "/sandbox/carriers/dhl/track/shipments"),
        ("POST", "/sandbox/carriers/dhl/rates"),
    ]
