"""DHL Express labels, return labels and the tracking push: the MyDHL requests built
against DHL's published example, DHL's answers read into our shapes, and the adapter
over HTTP. (Kept apart from test_contract.py, which every carrier's helper edits.)"""

from __future__ import annotations

import base64
import copy
import json
import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import respx

from oms_dashboard.carriers.base import (
    CarrierError,
    Label,
    Parcel,
    Party,
    RateQuote,
    ShipmentStatus,
    TrackingUpdate,
)
from oms_dashboard.carriers.dhl import (
    DhlCarrier,
    parse_label,
    parse_tracking,
    parse_webhook,
    return_request,
    ship_request,
)

FIXTURES = Path(__file__).parents[2] / "fixtures" / "carriers" / "dhl"
MYDHL = "https://express.api.dhl.com/mydhlapi"
BERLIN = ZoneInfo("Europe/Berlin")
PLACEHOLDER_PDF = base64.b64decode(
    "JVBERi0xLjcNCiW1tbW1DQoxIDAgb2JqDQo8PC9UeXBlL0NhdGFsb2cvUGFnZXMgL1hSZWZTdG0gMjgwMDg+"
    "Pg0Kc3RhcnR4cmVmDQoyODcyMw0KJSVFT0Y="
)
"""The short PDF DHL's own examples carry (SOURCES.md), as the fixtures' labels."""

SELLER = Party(
    name="Shop",
    line1="1 Main St",
    city="Memphis",
    postal_code="38118",
    country="US",
    phone="+19015550100",
)
CUSTOMER = Party(
    name="Ann Lee",
    line1="350 5th Ave",
    line2="Floor 3",
    city="New York",
    postal_code="10118",
    country="US",
    phone="+12125550199",
)
PARIS = Party(
    name="Luc", line1="9 Rue Simart", city="Paris", postal_code="75018", country="FR", phone="1"
)
BERLIN_SHOP = Party(
    name="Laden", line1="Unter den Linden 1", city="Berlin", postal_code="10117", country="DE"
)
BOX = Parcel(weight_grams=2500, length_mm=300, width_mm=200, height_mm=105)
PLANNED = datetime(2026, 11, 2, 15, 0, tzinfo=ZoneInfo("America/Chicago"))


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


# -- the requests ------------------------------------------------------------------------


def assert_shape_of(ours: Any, theirs: Any, path: str = "#") -> None:
    """Every field we send is one DHL's example sends, with a value of the same kind."""
    if isinstance(ours, dict):
        assert isinstance(theirs, dict), path
        for key, value in ours.items():
            assert key in theirs, f"{path}/{key} is not in DHL's example"
            assert_shape_of(value, theirs[key], f"{path}/{key}")
    elif isinstance(ours, list):
        assert isinstance(theirs, list) and theirs, path
        for item in ours:
            twin = theirs[0]
            if isinstance(item, dict) and "typeCode" in item:
                twin = next((t for t in theirs if t.get("typeCode") == item["typeCode"]), twin)
            assert_shape_of(item, twin, f"{path}/0")
    elif isinstance(ours, bool):
        assert isinstance(theirs, bool), path
    elif isinstance(ours, int | float):
        assert isinstance(theirs, int | float) and not isinstance(theirs, bool), path
    else:
        assert isinstance(ours, str) and isinstance(theirs, str), path


def test_the_label_request_is_shaped_like_dhls_documented_request():
    body = ship_request(
        SELLER, CUSTOMER, BOX, service="N", account_number="123456789", planned_at=PLANNED
    )
    assert_shape_of(body, fixture("shipment_request_domestic_example"))


def test_the_label_request_carries_the_parties_the_parcel_and_what_we_ask_dhl_for():
    body = ship_request(
        SELLER, CUSTOMER, BOX, service="N", account_number="123456789", planned_at=PLANNED
    )
    assert body == {
        "plannedShippingDateAndTime": "2026-11-02T15:00:00GMT-06:00",
        "pickup": {"isRequested": False},
        "productCode": "N",
        "getRateEstimates": True,
        "accounts": [{"typeCode": "shipper", "number": "123456789"}],
        "outputImageProperties": {
            "encodingFormat": "pdf",
            "imageOptions": [
                {"typeCode": "label", "templateName": "ECOM26_A6_002"},
                {"typeCode": "waybillDoc", "isRequested": False},
            ],
        },
        "customerDetails": {
            "shipperDetails": {
                "postalAddress": {
                    "postalCode": "38118",
                    "cityName": "Memphis",
                    "countryCode": "US",
                    "addressLine1": "1 Main St",
                },
                "contactInformation": {
                    "companyName": "Shop",
                    "fullName": "Shop",
                    "phone": "+19015550100",
                },
            },
            "receiverDetails": {
                "postalAddress": {
                    "postalCode": "10118",
                    "cityName": "New York",
                    "countryCode": "US",
                    "addressLine1": "350 5th Ave",
                    "addressLine2": "Floor 3",
                },
                "contactInformation": {
                    "companyName": "Ann Lee",
                    "fullName": "Ann Lee",
                    "phone": "+12125550199",
                },
            },
        },
        "content": {
            "packages": [
                {"weight": 2.5, "dimensions": {"length": 30.0, "width": 20.0, "height": 10.5}}
            ],
            "isCustomsDeclarable": False,
            "description": "Goods",
            "incoterm": "DAP",
            "unitOfMeasurement": "metric",
        },
        "estimatedDeliveryDate": {"isRequested": True, "typeCode": "QDDC"},
        "getAdditionalInformation": [{"typeCode": "pickupDetails", "isRequested": True}],
    }


def test_a_return_travels_from_the_recipient_to_the_shipper_who_pays():
    body = return_request(
        SELLER, CUSTOMER, BOX, service="N", account_number="123456789", planned_at=PLANNED
    )
    assert_shape_of(body, fixture("shipment_request_domestic_example"))
    details = body["customerDetails"]
    assert details["shipperDetails"]["postalAddress"]["cityName"] == "New York"
    assert details["receiverDetails"]["postalAddress"]["cityName"] == "Memphis"
    assert body["accounts"] == [
        {"typeCode": "shipper", "number": "123456789"},
        {"typeCode": "payer", "number": "123456789"},
    ]
    assert body["content"]["description"] == "Returned goods"


def test_without_a_planned_time_the_next_full_hour_where_the_sender_is_is_asked():
    label = ship_request(SELLER, PARIS, BOX, service="P", account_number="1")
    back = return_request(SELLER, PARIS, BOX, service="P", account_number="1")
    memphis = datetime.now(ZoneInfo("America/Chicago")).strftime("%z")
    paris = datetime.now(ZoneInfo("Europe/Paris")).strftime("%z")
    for body, offset in ((label, memphis), (back, paris)):
        planned = body["plannedShippingDateAndTime"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00GMT[+-]\d\d:\d\d", planned)
        assert planned.endswith(f"GMT{offset[:3]}:{offset[3:]}")


@pytest.mark.parametrize(
    ("shipper", "recipient", "declarable"),
    [(SELLER, CUSTOMER, False), (SELLER, PARIS, True), (BERLIN_SHOP, PARIS, False)],
)
def test_only_goods_crossing_a_customs_border_are_declared(shipper, recipient, declarable):
    body = ship_request(shipper, recipient, BOX, service="P", account_number="1")
    assert body["content"]["isCustomsDeclarable"] is declarable


def test_a_party_without_phone_is_sent_without_one_for_dhl_to_name_the_field():
    body = ship_request(BERLIN_SHOP, PARIS, BOX, service="P", account_number="1")
    contact = body["customerDetails"]["shipperDetails"]["contactInformation"]
    assert contact == {"companyName": "Laden", "fullName": "Laden"}


# -- the answers -------------------------------------------------------------------------


def test_dhls_domestic_example_is_a_label_with_no_charge_and_no_estimate():
    label = parse_label(fixture("shipment_response_domestic_example"), service="I")
    assert label == Label(
        tracking_number="5374534546",
        service="I",
        label_pdf=PLACEHOLDER_PDF,
        carrier_reference=None,
        charge=None,
        estimated_delivery=None,
    )


def test_dhls_international_example_carries_its_estimated_delivery_day():
    label = parse_label(fixture("shipment_response_international_example"), service="P")
    assert label.tracking_number == "1103733901"
    assert label.label_pdf.startswith(b"%PDF-1.7")
    assert label.estimated_delivery == date(2022, 12, 28)
    assert label.charge is None


def test_the_billed_charge_and_the_transit_days_become_the_labels_charge():
    label = parse_label(fixture("shipment_response_with_charges_built"), service="N")
    assert label.charge == RateQuote(
        service="N", amount=Decimal("23.84"), currency="GBP", transit_days=1
    )
    assert label.estimated_delivery == date(2022, 12, 14)


def test_the_label_is_the_first_label_document_whatever_comes_before_it():
    payload = fixture("shipment_response_international_example")
    invoice = payload["documents"].pop()
    invoice["content"] = base64.b64encode(b"%PDF-1.4 invoice").decode()
    payload["documents"].insert(0, invoice)
    payload["documents"][1]["content"] = base64.b64encode(b"%PDF-1.4 label one").decode()
    assert parse_label(payload, service="P").label_pdf == b"%PDF-1.4 label one"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda p: p.update(documents=[]), "DHL's answer has no label document"),
        (lambda p: p["documents"][0].update(imageFormat="ZPL"), "as ZPL, not PDF"),
        (lambda p: p["documents"][0].update(content="not base64!"), "is not base64"),
        (
            lambda p: p["documents"][0].update(content=base64.b64encode(b"GIF89a").decode()),
            "is not a PDF",
        ),
        (lambda p: p.pop("shipmentTrackingNumber"), "unreadable shipment answer"),
    ],
)
def test_an_answer_without_a_usable_label_is_a_carrier_error(change, message):
    payload = fixture("shipment_response_domestic_example")
    change(payload)
    with pytest.raises(CarrierError, match=message) as raised:
        parse_label(payload, service="I")
    assert raised.value.code == "bad-response" and not raised.value.transient


@pytest.mark.parametrize(
    ("name", "message", "code"),
    [
        ("shipment_error_400_bad_date", "998: ShipTimeStamp is not well formatted.", "400"),
        ("shipment_error_400_invalid_parameter", "7008: The requested Special Service", "400"),
        ("shipment_error_422_validation", "#/content/packages/0/identifiers/0: extraneous", "422"),
        ("shipment_error_500", "999: Process failure occurred.", "500"),
    ],
)
def test_dhls_shipment_error_bodies_raise_dhls_own_words(name, message, code):
    with pytest.raises(CarrierError) as raised:
        parse_label(fixture(name), service="N")
    assert raised.value.carrier == "dhl"
    assert raised.value.message.startswith(message)
    assert raised.value.code == code


# -- the push (webhook) ------------------------------------------------------------------


def test_a_push_is_read_exactly_as_the_tracking_answer_it_carries():
    (update,) = parse_webhook(fixture("push_notification_built"))
    assert [update] == parse_tracking(fixture("tracking_delivered"))
    assert update.tracking_number == "423475729485"
    assert update.status is ShipmentStatus.DELIVERED
    assert len(update.scans) == 6
    assert update.scans[0].at == datetime(2019, 8, 30, 8, 59, tzinfo=BERLIN)


def test_a_push_with_only_the_status_is_one_scan_at_that_time():
    (update,) = parse_webhook(fixture("push_status_only_built"))
    assert update.status is ShipmentStatus.DELIVERED
    (scan,) = update.scans
    assert scan.at == datetime(2019, 8, 30, 8, 59, tzinfo=BERLIN)
    assert scan.at.utcoffset() is not None
    assert scan.code == "delivered"
    assert scan.description == "The shipment has been successfully delivered"


@pytest.mark.parametrize("scope", ["subscription.validate", "subscription.ready"])
def test_a_subscription_hand_shake_carries_no_tracking(scope):
    message = fixture("push_validate_built") | {"scope": scope}
    assert parse_webhook(message) == []


def test_a_push_without_a_scope_is_read_as_a_unified_api_body():
    assert parse_webhook(fixture("tracking_in_transit")) == parse_tracking(
        fixture("tracking_in_transit")
    )


def test_push_scans_come_newest_first_with_aware_times():
    payload = copy.deepcopy(fixture("push_notification_built"))
    payload["shipments"][0]["events"].reverse()
    (update,) = parse_webhook(payload)
    times = [scan.at for scan in update.scans]
    assert times == sorted(times, reverse=True)
    assert all(t.tzinfo is not None for t in times)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ([], "a DHL push message is a JSON object"),
        ({"scope": "subscription.push"}, "a DHL push message without shipments"),
        ({"scope": "subscription.push", "shipments": ["x"]}, "a DHL push shipment is a JSON"),
        (
            {"scope": "subscription.push", "shipments": [{"id": "1", "events": [{}]}]},
            "unreadable tracking answer",
        ),
    ],
)
def test_a_push_that_cannot_be_read_is_a_carrier_error(message, words):
    with pytest.raises(CarrierError, match=words):
        parse_webhook(message)


# -- the adapter over HTTP -------------------------------------------------------------


def make_carrier() -> DhlCarrier:
    return DhlCarrier(
        base_url=MYDHL,
        client_id="mydhl-key",
        client_secret="mydhl-secret",
        account_number="123456789",
    )


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


@respx.mock
def test_create_label_posts_dhls_request_with_basic_credentials_and_reads_the_label():
    route = respx.post(f"{MYDHL}/shipments").mock(
        return_value=httpx.Response(201, json=fixture("shipment_response_with_charges_built"))
    )
    with make_carrier() as carrier:
        label = carrier.create_label(shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N")
    assert (label.tracking_number, label.label_pdf, label.charge.amount) == (
        "5374534546",
        PLACEHOLDER_PDF,
        Decimal("23.84"),
    )
    request = route.calls.last.request
    assert request.headers["Authorization"] == basic("mydhl-key", "mydhl-secret")
    sent = json.loads(request.content)
    assert sent["productCode"] == "N"
    assert sent["accounts"] == [{"typeCode": "shipper", "number": "123456789"}]
    assert sent["customerDetails"]["receiverDetails"]["postalAddress"]["cityName"] == "New York"


@respx.mock
def test_create_return_label_sends_the_return_the_other_way_round():
    route = respx.post(f"{MYDHL}/shipments").mock(
        return_value=httpx.Response(201, json=fixture("shipment_response_domestic_example"))
    )
    with make_carrier() as carrier:
        label = carrier.create_return_label(
            shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N"
        )
    assert label.service == "N" and label.label_pdf == PLACEHOLDER_PDF
    sent = json.loads(route.calls.last.request.content)
    assert sent["customerDetails"]["shipperDetails"]["postalAddress"]["cityName"] == "New York"
    assert {"typeCode": "payer", "number": "123456789"} in sent["accounts"]


@respx.mock
@pytest.mark.parametrize(
    ("name", "status", "transient"),
    [
        ("shipment_error_422_validation", 422, False),
        ("shipment_error_400_bad_date", 400, False),
        ("shipment_error_500", 500, True),
    ],
)
def test_a_refused_label_raises_dhls_message_transient_only_for_a_server_error(
    name, status, transient
):
    respx.post(f"{MYDHL}/shipments").mock(return_value=httpx.Response(status, json=fixture(name)))
    with make_carrier() as carrier, pytest.raises(CarrierError) as raised:
        carrier.create_label(shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N")
    assert raised.value.message == fixture(name)["detail"]
    assert raised.value.code == str(status)
    assert raised.value.transient is transient


@respx.mock
def test_cancelling_is_refused_with_dhls_reason_and_nothing_is_sent():
    route = respx.route().mock(return_value=httpx.Response(200, json={}))
    with make_carrier() as carrier, pytest.raises(CarrierError) as raised:
        carrier.cancel_label("5374534546")
    assert "MyDHL API has no call to cancel a shipment" in raised.value.message
    assert (raised.value.code, raised.value.transient) == ("not-supported", False)
    assert route.call_count == 0


def test_the_adapter_reads_dhls_push_like_the_parser():
    with make_carrier() as carrier:
        updates = carrier.parse_webhook(fixture("push_notification_built"))
    assert all(isinstance(u, TrackingUpdate) for u in updates)
    assert updates == parse_webhook(fixture("push_notification_built"))
    assert updates[0].scans[-1].at.astimezone(UTC) == datetime(2019, 8, 28, 19, 36, tzinfo=UTC)
