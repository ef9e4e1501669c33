"""The UPS adapter against UPS's recorded and schema-built answers (tests/fixtures/carriers/ups)."""

from __future__ import annotations

import base64
import copy
import json
import logging
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
import respx

from oms_dashboard.carriers import ups
from oms_dashboard.carriers.base import (
    Carrier,
    CarrierError,
    Parcel,
    Party,
    ScanLocation,
    ShipmentStatus,
)
from oms_dashboard.carriers.ups import (
    TOKEN_MARGIN_SECONDS,
    UpsCarrier,
    rate_request,
    tracking_request,
)
from oms_dashboard.carriers.ups_parse import (
    STATUSES,
    parse_error,
    parse_rates,
    parse_tracking,
    status_of,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers" / "ups"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def offsets(update) -> list[float]:
    return [s.at.utcoffset().total_seconds() / 3600 for s in update.scans]


# -- tracking ----------------------------------------------------------------------------


def test_a_delivered_package_reads_every_scan_newest_first_in_its_own_offset():
    [update] = parse_tracking(load("track_delivered"))

    assert update.tracking_number == "1Z5338FF0107231059"
    assert update.status is ShipmentStatus.DELIVERED
    assert update.signature_required is True
    # Only a DEL date: a delivered package has no estimate left.
    assert update.estimated_delivery is None
    assert [s.code for s in update.scans] == ["D", "O", "I", "I", "I", "I", "P", "M"]
    assert offsets(update) == [-4, -4, -4, -5, -5, -7, -7, -4]

    delivered = update.scans[0]
    assert delivered.at == datetime(2025, 7, 3, 14, 32, 12, tzinfo=tz(-4))
    assert delivered.description == "DELIVERED"  # UPS's trailing space dropped
    assert delivered.location == ScanLocation(
        city="ATLANTA", region="GA", postal_code="30318", country="US"
    )
    assert update.scans[5].at == datetime(2025, 6, 30, 23, 15, tzinfo=tz(-7))
    assert update.scans[5].location.label == "SEATTLE, WA, US"
    # The label scan has no offset and only a country: read in the US fallback zone (EDT).
    label = update.scans[-1]
    assert label.description == "Shipper created a label, UPS has not received the package yet."
    assert label.at == datetime(2025, 6, 30, 9, 30, 12, tzinfo=tz(-4))
    assert label.location == ScanLocation(country="US")


def test_a_two_package_shipment_in_transit_gives_one_update_per_package():
    first, second = parse_tracking(load("track_in_transit"))

    assert (first.tracking_number, second.tracking_number) == (
        "1Z7X41E40390215812",
        "1Z7X41E40390215821",
    )
    assert first.status is second.status is ShipmentStatus.IN_TRANSIT
    assert first.estimated_delivery == second.estimated_delivery == date(2025, 11, 6)
    assert first.signature_required is second.signature_required is False
    # No gmtOffset and no GMT stamp on the newest scan: local time in ZIP 80022's zone (MST).
    assert first.scans[0].at == datetime(2025, 11, 4, 6, 15, tzinfo=tz(-7))
    assert first.scans[0].at.astimezone(UTC) == datetime(2025, 11, 4, 13, 15, tzinfo=UTC)
    assert first.scans[1].at == datetime(2025, 11, 3, 22, 10, tzinfo=tz(-5))
    assert [s.description for s in second.scans] == [
        "Origin Scan",
        "Shipper created a label, UPS has not received the package yet.",
    ]


def test_a_failed_attempt_is_a_delivery_exception_with_the_rescheduled_date():
    [update] = parse_tracking(load("track_exception"))

    assert update.status is ShipmentStatus.DELIVERY_EXCEPTION
    assert update.estimated_delivery == date(2026, 1, 15)  # RDD wins over SDD 2026-01-14
    assert update.signature_required is True  # ADULT_SIGNATURE_REQUIRED
    attempt = update.scans[0]
    assert attempt.code == "X"
    assert attempt.description.startswith("The receiver was not available for delivery.")
    assert attempt.at == datetime(2026, 1, 14, 16, 30, tzinfo=tz(-6))
    assert attempt.location.label == "CHICAGO, IL, US"
    assert offsets(update) == [-6, -6, -6, -5, -5]


def test_the_track_apis_openapi_example_reads_as_a_customs_exception():
    [update] = parse_tracking(load("track_openapi_example"))

    assert update.tracking_number == "1Z023E2X0214323462"
    assert update.status is ShipmentStatus.DELIVERY_EXCEPTION  # type X, whatever the text says
    assert update.signature_required is True
    assert update.estimated_delivery is None
    [scan] = update.scans
    assert scan.at == datetime(2021, 2, 10, 7, 13, 56, tzinfo=tz(-5))
    assert scan.description == "Your package was released by the customs agency."
    assert scan.location == ScanLocation(
        city="Wayne", region="NJ", postal_code="07470", country="US"
    )


def test_a_gmt_stamp_without_an_offset_is_read_as_gmt_even_without_its_leading_zero():
    payload = load("track_openapi_example")
    activity = payload["trackResponse"]["shipment"][0]["package"][0]["activity"][0]
    del activity["gmtOffset"]  # leaves gmtDate 20210210, gmtTime "74700" (07:47:00)

    [update] = parse_tracking(payload)

    assert update.scans[0].at == datetime(2021, 2, 10, 7, 47, tzinfo=UTC)


def test_without_a_current_status_the_newest_scan_decides():
    payload = load("track_exception")
    del payload["trackResponse"]["shipment"][0]["package"][0]["currentStatus"]

    [update] = parse_tracking(payload)

    assert update.status is ShipmentStatus.DELIVERY_EXCEPTION


def test_an_unknown_status_type_maps_to_none_and_the_scans_still_read():
    payload = load("track_delivered")
    package = payload["trackResponse"]["shipment"][0]["package"][0]
    package["currentStatus"]["type"] = "ZZ"
    package["activity"][0]["status"]["type"] = "ZZ"

    [update] = parse_tracking(payload)

    assert update.status is None
    assert update.scans[0].code == "ZZ"
    assert len(update.scans) == 8


def test_a_lone_package_object_where_the_schema_says_array_is_read():
    payload = load("track_exception")
    shipment = payload["trackResponse"]["shipment"][0]
    shipment["package"] = shipment["package"][0]

    [update] = parse_tracking(payload)

    assert update.tracking_number == "1Z0F1R440344079624"


def test_scans_out_of_order_come_back_newest_first():
    payload = load("track_delivered")
    package = payload["trackResponse"]["shipment"][0]["package"][0]
    package["activity"].reverse()

    [update] = parse_tracking(payload)

    assert [s.code for s in update.scans] == ["D", "O", "I", "I", "I", "I", "P", "M"]


def test_a_scan_with_no_readable_date_at_all_is_left_out(caplog):
    payload = load("track_exception")
    package = payload["trackResponse"]["shipment"][0]["package"][0]
    package["activity"][2]["date"] = "2026-01-14"
    package["activity"][2]["gmtDate"] = ""

    with caplog.at_level(logging.WARNING):
        [update] = parse_tracking(payload)

    assert len(update.scans) == 4
    assert "no readable date" in caplog.text


def test_an_unknown_number_inside_a_good_answer_is_skipped_with_upss_message(caplog):
    with caplog.at_level(logging.WARNING):
        assert parse_tracking(load("track_not_found_warning")) == []
    assert "1ZW999A10300000000" in caplog.text
    assert "Tracking Information Not Found (TW0001)" in caplog.text


def test_a_track_error_body_raises_upss_message():
    with pytest.raises(CarrierError) as raised:
        parse_tracking(load("track_error_invalid_number"))
    assert (raised.value.carrier, raised.value.message, raised.value.code) == (
        "ups",
        "Invalid inquiry number",
        "TV1002",
    )


def test_an_answer_that_is_no_track_response_raises():
    with pytest.raises(CarrierError, match="no trackResponse"):
        parse_tracking({"RateResponse": {}})


# -- rates -------------------------------------------------------------------------------


def quotes_by_service(payload) -> dict[str, tuple[Decimal, str, int | None]]:
    return {q.service: (q.amount, q.currency, q.transit_days) for q in parse_rates(payload)}


def test_a_shop_answer_quotes_every_service_to_the_cent():
    assert quotes_by_service(load("rate_shop")) == {
        "12": (Decimal("20.25"), "USD", 3),
        "14": (Decimal("117.15"), "USD", 1),
        "59": (Decimal("31.43"), "USD", 2),
        "03": (Decimal("12.49"), "USD", None),  # Ground: no guaranteed days
        "13": (Decimal("70.26"), "USD", 1),
        "01": (Decimal("81.07"), "USD", 1),
        "02": (Decimal("27.74"), "USD", 2),
    }
    assert [q.service for q in parse_rates(load("rate_shop"))][:3] == ["12", "14", "59"]


def test_time_in_transit_gives_ground_its_days():
    quotes = quotes_by_service(load("rate_shop_time_in_transit"))
    assert quotes["03"] == (Decimal("12.49"), "USD", 2)
    assert quotes["12"] == (Decimal("20.25"), "USD", 3)
    assert len(quotes) == 7


def test_the_negotiated_total_is_the_price_when_ups_gives_one():
    [quote] = parse_rates(load("rate_tpfc_negotiated"))
    assert (quote.service, quote.amount, quote.currency, quote.transit_days) == (
        "01",
        Decimal("146.95"),  # the published TotalCharges read 0.00
        "USD",
        1,
    )


def test_a_rate_error_body_raises_upss_message():
    with pytest.raises(CarrierError) as raised:
        parse_rates(load("rate_error"))
    assert raised.value.message == "BillShipper payment method is not valid for this shipment."
    assert raised.value.code == "111600"
    assert str(raised.value).startswith("ups: BillShipper payment method")


def test_a_rate_without_a_readable_amount_names_the_service():
    payload = load("rate_shop")
    payload["RateResponse"]["RatedShipment"][3]["TotalCharges"]["MonetaryValue"] = ""
    with pytest.raises(CarrierError, match="service 03 has no readable amount"):
        parse_rates(payload)


# -- errors ------------------------------------------------------------------------------


def test_parse_error_reads_upss_error_shapes_and_nothing_else():
    assert parse_error(load("rate_shop")) is None
    assert parse_error(load("track_delivered")) is None
    assert parse_error(["not", "a", "body"]) is None

    both = parse_error(
        {
            "response": {
                "errors": [
                    {"code": "111210", "message": "The requested service is unavailable."},
                    {"code": "111100", "message": "The requested service is invalid."},
                ]
            }
        }
    )
    assert both.message == (
        "The requested service is unavailable.; The requested service is invalid."
    )
    assert both.code == "111210"
    # The older Track answers put the list at the top level.
    top = parse_error({"errors": [{"code": "TV1002", "message": "Invalid inquiry number"}]})
    assert (top.message, top.code) == ("Invalid inquiry number", "TV1002")


# -- the status table --------------------------------------------------------------------

EXPECTED_STATUSES = [
    ("M", ShipmentStatus.SHIPPED, "Billing Information Received"),
    ("MV", None, "Billing Information Voided"),
    ("P", ShipmentStatus.SHIPPED, "Pickup"),
    ("I", ShipmentStatus.IN_TRANSIT, "In Transit"),
    ("DO", ShipmentStatus.IN_TRANSIT, "Delivered Origin CFS (Freight Only)"),
    ("DD", ShipmentStatus.IN_TRANSIT, "Delivered Destination CFS (Freight Only)"),
    ("W", ShipmentStatus.IN_TRANSIT, "Warehousing (Freight Only)"),
    ("O", ShipmentStatus.OUT_FOR_DELIVERY, "Out for Delivery"),
    ("D", ShipmentStatus.DELIVERED, "Delivered"),
    ("X", ShipmentStatus.DELIVERY_EXCEPTION, "Exception"),
    ("RS", ShipmentStatus.DELIVERY_EXCEPTION, "Returned to Shipper"),
    ("NA", None, "Not Available"),
]


def test_the_table_holds_every_published_status_type_and_no_other():
    assert sorted(STATUSES) == sorted(code for code, _, _ in EXPECTED_STATUSES)


@pytest.mark.parametrize("code,status,meaning", EXPECTED_STATUSES)
def test_each_status_type_maps_to_our_status(code, status, meaning):
    row = STATUSES[code]
    assert (row.code, row.status, row.meaning) == (code, status, meaning)
    assert status_of(code) is status
    assert status_of(code.lower()) is status


@pytest.mark.parametrize("code", ["ZZ", "", None, "DELIVERED", "011"])
def test_an_unknown_status_maps_to_none(code):
    assert status_of(code) is None


@pytest.mark.parametrize("code,status,_meaning", EXPECTED_STATUSES)
def test_a_package_takes_the_status_of_its_current_type(code, status, _meaning):
    payload = copy.deepcopy(load("track_in_transit"))
    payload["trackResponse"]["shipment"][0]["package"][0]["currentStatus"]["type"] = code
    assert parse_tracking(payload)[0].status is status


# -- request builders --------------------------------------------------------------------


def make_party(**changes) -> Party:
    fields = {
        "name": "Harbor Goods",
        "line1": "1200 Airport Way S",
        "line2": "Dock 4",
        "city": "Seattle",
        "region": "WA",
        "postal_code": "98108",
        "country": "US",
    }
    return Party(**(fields | changes))


def make_recipient(**changes) -> Party:
    fields = {
        "name": "Dana Whitfield",
        "line1": "55 Peachtree Pl NW",
        "city": "Atlanta",
        "region": "GA",
        "postal_code": "30318",
        "country": "US",
    }
    return Party(**(fields | changes))


PARCEL = Parcel(weight_grams=1500, length_mm=300, width_mm=200, height_mm=100)


def test_tracking_request_asks_each_number_once_on_the_details_path():
    requests = tracking_request(
        ["1Z5338FF0107231059", " 1Z5338FF0107231059 ", "1Z7X41E40390215812"]
    )
    assert [(r.inquiry_number, r.path) for r in requests] == [
        ("1Z5338FF0107231059", "/api/track/v1/details/1Z5338FF0107231059"),
        ("1Z7X41E40390215812", "/api/track/v1/details/1Z7X41E40390215812"),
    ]
    assert requests[0].params == {"locale": "en_US", "returnSignature": "false"}


@pytest.mark.parametrize(
    "number", ["", "1Z12", "../../security/v1/oauth/token", "1Z999?x=1", "1" * 35]
)
def test_tracking_request_refuses_what_is_no_inquiry_number(number):
    with pytest.raises(ValueError, match="tracking_numbers: .* is not a UPS inquiry number"):
        tracking_request([number])


def test_a_domestic_us_rate_request_is_upss_shop_with_time_in_transit_in_pounds_and_inches():
    body = rate_request(
        make_party(), make_recipient(), PARCEL, account_number="A1B2C3", time_in_transit=True
    )
    assert body == {
        "RateRequest": {
            "Request": {"RequestOption": "Shoptimeintransit"},
            "Shipment": {
                "Shipper": {
                    "Name": "Harbor Goods",
                    "ShipperNumber": "A1B2C3",
                    "Address": {
                        "AddressLine": ["1200 Airport Way S", "Dock 4"],
                        "City": "Seattle",
                        "StateProvinceCode": "WA",
                        "PostalCode": "98108",
                        "CountryCode": "US",
                    },
                },
                "ShipTo": {
                    "Name": "Dana Whitfield",
                    "Address": {
                        "AddressLine": ["55 Peachtree Pl NW"],
                        "City": "Atlanta",
                        "StateProvinceCode": "GA",
                        "PostalCode": "30318",
                        "CountryCode": "US",
                    },
                },
                "ShipFrom": {
                    "Name": "Harbor Goods",
                    "Address": {
                        "AddressLine": ["1200 Airport Way S", "Dock 4"],
                        "City": "Seattle",
                        "StateProvinceCode": "WA",
                        "PostalCode": "98108",
                        "CountryCode": "US",
                    },
                },
                "Package": {
                    "PackagingType": {"Code": "02", "Description": "Package"},
                    # 300 x 200 x 100 mm = 11.81 x 7.87 x 3.94 in, rounded up to a tenth
                    "Dimensions": {
                        "UnitOfMeasurement": {"Code": "IN"},
                        "Length": "11.9",
                        "Width": "7.9",
                        "Height": "4.0",
                    },
                    # 1500 g = 3.307 lb
                    "PackageWeight": {"UnitOfMeasurement": {"Code": "LBS"}, "Weight": "3.4"},
                },
                "PaymentDetails": {
                    "ShipmentCharge": [{"Type": "01", "BillShipper": {"AccountNumber": "A1B2C3"}}]
                },
                "ShipmentRatingOptions": {"NegotiatedRatesIndicator": "Y"},
                "DeliveryTimeInformation": {"PackageBillType": "03"},
                "ShipmentTotalWeight": {"UnitOfMeasurement": {"Code": "LBS"}, "Weight": "3.4"},
            },
        }
    }


def test_a_rate_request_from_outside_the_us_is_metric_and_without_an_account_bills_nobody():
    shipper = make_party(city="Bonn", region=None, postal_code="53113", country="de", line2=None)
    body = rate_request(shipper, make_recipient(country="FR", region=None), PARCEL)
    shipment = body["RateRequest"]["Shipment"]

    assert body["RateRequest"]["Request"] == {"RequestOption": "Shop"}
    assert shipment["Shipper"] == {
        "Name": "Harbor Goods",
        "Address": {
            "AddressLine": ["1200 Airport Way S"],
            "City": "Bonn",
            "PostalCode": "53113",
            "CountryCode": "DE",
        },
    }
    assert shipment["Package"]["Dimensions"] == {
        "UnitOfMeasurement": {"Code": "CM"},
        "Length": "30.0",
        "Width": "20.0",
        "Height": "10.0",
    }
    assert shipment["Package"]["PackageWeight"] == {
        "UnitOfMeasurement": {"Code": "KGS"},
        "Weight": "1.5",
    }
    for absent in ("PaymentDetails", "ShipmentRatingOptions", "DeliveryTimeInformation"):
        assert absent not in shipment


def test_a_feather_weighs_at_least_a_tenth():
    feather = Parcel(weight_grams=1, length_mm=1, width_mm=1, height_mm=1)
    body = rate_request(make_party(), make_recipient(), feather)
    assert body["RateRequest"]["Shipment"]["Package"]["PackageWeight"]["Weight"] == "0.1"


# -- the adapter over HTTP ---------------------------------------------------------------

BASE = "https://ups.test"
TRACKED = "1Z5338FF0107231059"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_body(token: str, expires_in: str = "14399") -> dict:
    return load("oauth_token") | {"access_token": token, "expires_in": expires_in}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def carrier(clock):
    with UpsCarrier(
        base_url=BASE + "/",
        client_id="client-id",
        client_secret="client-secret",
        account_number="A1B2C3",
        timeout=2.0,
        transaction_src="oms-test",
        clock=clock,
    ) as ups_carrier:
        yield ups_carrier


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        yield mock


def test_the_token_is_fetched_once_with_basic_credentials_and_reused(api, carrier):
    token = api.post("/security/v1/oauth/token").respond(200, json=token_body("tok-1"))
    track = api.get(f"/api/track/v1/details/{TRACKED}").respond(200, json=load("track_delivered"))
    rate = api.post("/api/rating/v2409/Shoptimeintransit").respond(
        200, json=load("rate_shop_time_in_transit")
    )

    [update] = carrier.track([TRACKED])
    carrier.track([TRACKED])
    quotes = carrier.quote(shipper=make_party(), recipient=make_recipient(), parcel=PARCEL)

    assert update.status is ShipmentStatus.DELIVERED
    assert len(quotes) == 7
    assert token.call_count == 1
    sent = token.calls.last.request
    assert (
        sent.headers["Authorization"]
        == "Basic " + base64.b64encode(b"client-id:client-secret").decode()
    )
    assert sent.headers["x-merchant-id"] == "A1B2C3"
    assert sent.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sent.content == b"grant_type=client_credentials"

    calls = [c.request for c in (*track.calls, *rate.calls)]
    assert all(r.headers["Authorization"] == "Bearer tok-1" for r in calls)
    assert all(r.headers["transactionSrc"] == "oms-test" for r in calls)
    trans_ids = [r.headers["transId"] for r in calls]
    assert len(set(trans_ids)) == 3 and all(len(t) == 32 for t in trans_ids)
    assert track.calls.last.request.url.params["locale"] == "en_US"


def test_the_token_is_fetched_again_shortly_before_it_expires(api, carrier, clock):
    token = api.post("/security/v1/oauth/token").mock(
        side_effect=[
            httpx.Response(200, json=token_body("tok-1", expires_in="3600")),
            httpx.Response(200, json=token_body("tok-2", expires_in="3600")),
        ]
    )
    track = api.get(f"/api/track/v1/details/{TRACKED}").respond(200, json=load("track_delivered"))

    carrier.track([TRACKED])
    clock.now += 3600 - TOKEN_MARGIN_SECONDS - 1
    carrier.track([TRACKED])
    assert token.call_count == 1
    clock.now += 2
    carrier.track([TRACKED])

    assert token.call_count == 2
    assert track.calls.last.request.headers["Authorization"] == "Bearer tok-2"


def test_a_401_fetches_a_new_token_and_retries_once(api, carrier):
    token = api.post("/security/v1/oauth/token").mock(
        side_effect=[
            httpx.Response(200, json=token_body("tok-1")),
            httpx.Response(200, json=token_body("tok-2")),
        ]
    )
    track = api.get(f"/api/track/v1/details/{TRACKED}").mock(
        side_effect=[
            httpx.Response(
                401,
                json={
                    "response": {
                        "errors": [
                            {"code": "250002", "message": "Invalid Authentication Information."}
                        ]
                    }
                },
            ),
            httpx.Response(200, json=load("track_delivered")),
        ]
    )

    [update] = carrier.track([TRACKED])

    assert update.tracking_number == TRACKED
    assert token.call_count == 2
    assert [c.request.headers["Authorization"] for c in track.calls] == [
        "Bearer tok-1",
        "Bearer tok-2",
    ]


def test_a_second_401_is_upss_refusal_not_a_loop(api, carrier):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    refused = {
        "response": {
            "errors": [{"code": "250002", "message": "Invalid Authentication Information."}]
        }
    }
    track = api.get(f"/api/track/v1/details/{TRACKED}").respond(401, json=refused)

    with pytest.raises(CarrierError) as raised:
        carrier.track([TRACKED])

    assert (raised.value.carrier, raised.value.message, raised.value.code) == (
        "ups",
        "Invalid Authentication Information.",
        "250002",
    )
    assert track.call_count == 2


def test_refused_credentials_raise_upss_message_and_call_no_api(api, carrier):
    api.post("/security/v1/oauth/token").respond(
        401,
        json={
            "response": {"errors": [{"code": "250003", "message": "Invalid Access License number"}]}
        },
    )
    track = api.get(f"/api/track/v1/details/{TRACKED}").respond(200, json={})

    with pytest.raises(CarrierError, match="ups: Invalid Access License number"):
        carrier.track([TRACKED])
    assert track.call_count == 0


def test_quote_posts_upss_rate_request_and_reads_the_answer(api, carrier):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    domestic = api.post("/api/rating/v2409/Shoptimeintransit").respond(
        200, json=load("rate_shop_time_in_transit")
    )
    abroad = api.post("/api/rating/v2409/Shop").respond(200, json=load("rate_shop"))

    quotes = carrier.quote(shipper=make_party(), recipient=make_recipient(), parcel=PARCEL)
    carrier.quote(shipper=make_party(), recipient=make_recipient(country="CA"), parcel=PARCEL)

    assert json.loads(domestic.calls.last.request.content) == rate_request(
        make_party(), make_recipient(), PARCEL, account_number="A1B2C3", time_in_transit=True
    )
    assert domestic.calls.last.request.headers["Content-Type"] == "application/json"
    ground = next(q for q in quotes if q.service == "03")
    assert (ground.amount, ground.currency, ground.transit_days) == (Decimal("12.49"), "USD", 2)
    sent_abroad = json.loads(abroad.calls.last.request.content)["RateRequest"]
    assert sent_abroad["Request"] == {"RequestOption": "Shop"}
    assert "DeliveryTimeInformation" not in sent_abroad["Shipment"]


def test_a_rate_refusal_raises_upss_message(api, carrier):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    api.post("/api/rating/v2409/Shoptimeintransit").respond(400, json=load("rate_error"))

    with pytest.raises(CarrierError) as raised:
        carrier.quote(shipper=make_party(), recipient=make_recipient(), parcel=PARCEL)
    assert raised.value.message == "BillShipper payment method is not valid for this shipment."
    assert raised.value.code == "111600"


def test_track_skips_a_number_ups_does_not_know_and_reports_the_rest(api, carrier, caplog):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    api.get(f"/api/track/v1/details/{TRACKED}").respond(200, json=load("track_delivered"))
    not_found = {
        "response": {"errors": [{"code": "TW0001", "message": "Tracking Information Not Found"}]}
    }
    api.get("/api/track/v1/details/1ZW999A10300000000").respond(404, json=not_found)
    api.get("/api/track/v1/details/1Z7X41E40390215812").respond(200, json=load("track_in_transit"))

    with caplog.at_level(logging.WARNING):
        updates = carrier.track([TRACKED, "1ZW999A10300000000", "1Z7X41E40390215812"])

    assert [u.tracking_number for u in updates] == [
        TRACKED,
        "1Z7X41E40390215812",
        "1Z7X41E40390215821",
    ]
    assert (
        "UPS has no tracking for 1ZW999A10300000000: Tracking Information Not Found" in caplog.text
    )


def test_a_404_without_upss_body_is_a_wrong_address_not_an_unknown_number(api, carrier):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    api.get(f"/api/track/v1/details/{TRACKED}").respond(404, text="<html>Not Found</html>")

    with pytest.raises(CarrierError, match="ups: UPS answered HTTP 404"):
        carrier.track([TRACKED])


def test_an_invalid_inquiry_answer_raises_upss_message(api, carrier):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    api.get(f"/api/track/v1/details/{TRACKED}").respond(
        400, json=load("track_error_invalid_number")
    )
    with pytest.raises(CarrierError, match=r"ups: Invalid inquiry number \(TV1002\)"):
        carrier.track([TRACKED])


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_server_error_without_upss_body_raises_naming_ups(api, carrier, status):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    api.get(f"/api/track/v1/details/{TRACKED}").respond(
        status, text="<html>Service Unavailable</html>"
    )

    with pytest.raises(CarrierError) as raised:
        carrier.track([TRACKED])
    assert raised.value.carrier == "ups"
    assert raised.value.message == f"UPS answered HTTP {status}"
    assert raised.value.code == str(status)


def test_a_timeout_raises_naming_ups(api, carrier):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    api.get(f"/api/track/v1/details/{TRACKED}").mock(side_effect=httpx.ReadTimeout)

    with pytest.raises(CarrierError, match="ups: UPS did not answer in time") as raised:
        carrier.track([TRACKED])
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)


def test_an_unreachable_token_endpoint_raises_naming_ups(api, carrier):
    api.post("/security/v1/oauth/token").mock(side_effect=httpx.ConnectError)
    with pytest.raises(CarrierError, match="ups: UPS could not be reached"):
        carrier.quote(shipper=make_party(), recipient=make_recipient(), parcel=PARCEL)


def test_a_body_that_is_not_json_raises_naming_ups(api, carrier):
    api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    api.get(f"/api/track/v1/details/{TRACKED}").respond(200, text="<html>maintenance</html>")
    with pytest.raises(CarrierError, match="HTTP 200 with a body that is not JSON"):
        carrier.track([TRACKED])


def test_a_bad_number_is_refused_before_any_call(api, carrier):
    token = api.post("/security/v1/oauth/token").respond(200, json=token_body("tok"))
    with pytest.raises(ValueError, match="tracking_numbers"):
        carrier.track([TRACKED, "../../security/v1/oauth/token"])
    assert token.call_count == 0


def test_the_adapter_serves_an_in_process_transport():
    seen = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if request.url.path.endswith("/security/v1/oauth/token"):
            return httpx.Response(200, json=token_body("sandbox"))
        return httpx.Response(200, json=load("track_exception"))

    with UpsCarrier(
        base_url="http://sandbox.local/sandbox/carriers/ups",
        client_id="id",
        client_secret="secret",
        transport=httpx.MockTransport(handler),
    ) as sandboxed:
        [update] = sandboxed.track(["1Z0F1R440344079624"])

    assert update.status is ShipmentStatus.DELIVERY_EXCEPTION
    assert seen == [
        "/sandbox/carriers/ups/security/v1/oauth/token",
        "/sandbox/carriers/ups/api/track/v1/details/1Z0F1R440344079624",
    ]


def test_the_adapter_module_speaks_the_carrier_protocol():
    adapter: Carrier = UpsCarrier(base_url=BASE, client_id="id", client_secret="secret")
    assert adapter.name == "ups"
    assert ups.parse_tracking is parse_tracking and ups.STATUSES is STATUSES
    adapter.close()
