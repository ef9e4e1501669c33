"""UPS labels, print-return labels and voids: the requests checked against UPS's own request
examples, UPS's recorded answers read value for value, the adapter over a mocked UPS. Track
Alert pushes are in ``test_ups_webhook.py``."""

from __future__ import annotations

import base64
import copy
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import respx

from oms_dashboard.carriers import ups
from oms_dashboard.carriers.base import (
    Carrier,
    CarrierError,
    Parcel,
    Party,
    RateQuote,
    ShipmentStatus,
)
from oms_dashboard.carriers.ups import (
    UpsCarrier,
    parse_label,
    parse_void,
    parse_webhook,
    return_request,
    ship_request,
    void_path,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers" / "ups"
BASE = "https://ups.test"
SHIP = "/api/shipments/v2409/ship"
NUMBER = "1ZWA82900123277535"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def merchant(**changes: Any) -> Party:
    fields = {
        "name": "Harbor Goods",
        "line1": "1200 Airport Way S",
        "line2": "Dock 4",
        "city": "Seattle",
        "region": "WA",
        "postal_code": "98108",
        "country": "US",
        "phone": "2065550100",
    }
    return Party(**(fields | changes))


def customer(**changes: Any) -> Party:
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


def paths(value: Any, prefix: str = "") -> set[str]:
    """Every key path in a JSON body (list items under ``[]``)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            found |= {f"{prefix}.{key}"} | paths(inner, f"{prefix}.{key}")
    elif isinstance(value, list):
        for inner in value:
            found |= paths(inner, f"{prefix}[]")
    return found


def normalised(found: set[str]) -> set[str]:
    # UPS takes an array or a lone object for Package and ShipmentCharge alike.
    return {
        p.replace("Package[]", "Package").replace("ShipmentCharge[]", "ShipmentCharge")
        for p in found
    }


UPS_REQUEST_PATHS = normalised(
    paths(load("ship_request_standard")) | paths(load("return_request_print_return_label"))
)


# -- requests ----------------------------------------------------------------------------


def test_the_ship_request_uses_only_fields_of_ups_own_requests():
    body = ship_request(merchant(), customer(), PARCEL, service="03", account_number="A1B2C3")

    sent = normalised(paths(body))
    # The recorded return client put LabelSpecification beside ShipmentRequest; UPS's spec
    # has it inside, where it is sent.
    allowed = UPS_REQUEST_PATHS | {
        p.replace(".LabelSpecification", ".ShipmentRequest.LabelSpecification")
        for p in UPS_REQUEST_PATHS
    }
    assert sent - allowed == set()


def test_the_ship_request_bills_the_account_and_sends_the_parcel_in_pounds_from_the_us():
    shipment = ship_request(merchant(), customer(), PARCEL, service="02", account_number="A1B2C3")[
        "ShipmentRequest"
    ]["Shipment"]

    assert shipment["Shipper"]["ShipperNumber"] == "A1B2C3"
    assert shipment["Shipper"]["Phone"] == {"Number": "2065550100"}
    assert shipment["ShipFrom"]["Address"]["AddressLine"] == ["1200 Airport Way S", "Dock 4"]
    assert shipment["ShipTo"]["Name"] == "Dana Whitfield"
    assert "Phone" not in shipment["ShipTo"]
    assert shipment["ShipTo"]["Address"] == {
        "AddressLine": ["55 Peachtree Pl NW"],
        "City": "Atlanta",
        "PostalCode": "30318",
        "CountryCode": "US",
        "StateProvinceCode": "GA",
    }
    assert shipment["PaymentInformation"]["ShipmentCharge"] == [
        {"Type": "01", "BillShipper": {"AccountNumber": "A1B2C3"}}
    ]
    assert shipment["Service"] == {"Code": "02"}
    [package] = shipment["Package"]
    assert package["PackageWeight"] == {"UnitOfMeasurement": {"Code": "LBS"}, "Weight": "3.4"}
    assert package["Dimensions"]["Length"] == "11.9"
    assert "ReturnService" not in shipment and "Description" not in shipment


def test_the_label_is_asked_as_a_4x6_gif_and_kilograms_outside_the_us():
    body = ship_request(
        merchant(country="DE", region=None, city="Bonn", postal_code="53113"),
        customer(),
        PARCEL,
        service="07",
        account_number="A1B2C3",
    )["ShipmentRequest"]

    assert body["LabelSpecification"]["LabelImageFormat"]["Code"] == "GIF"
    assert body["LabelSpecification"]["LabelStockSize"] == {"Height": "6", "Width": "4"}
    [package] = body["Shipment"]["Package"]
    assert package["PackageWeight"] == {"UnitOfMeasurement": {"Code": "KGS"}, "Weight": "1.5"}
    assert "StateProvinceCode" not in body["Shipment"]["Shipper"]["Address"]


def test_the_return_request_is_a_print_return_label_from_the_customer_to_the_merchant():
    recorded = load("return_request_print_return_label")["ShipmentRequest"]["Shipment"]
    shipment = return_request(
        merchant(), customer(), PARCEL, service="03", account_number="A1B2C3"
    )["ShipmentRequest"]["Shipment"]

    assert shipment["ReturnService"] == recorded["ReturnService"] == {"Code": "9"}
    # As UPS's recorded return: the account holder ships and receives, the customer sends.
    assert shipment["Shipper"]["Name"] == shipment["ShipTo"]["Name"] == "Harbor Goods"
    assert shipment["Shipper"]["ShipperNumber"] == "A1B2C3"
    assert shipment["ShipFrom"]["Address"]["City"] == "Atlanta"
    assert shipment["ShipTo"]["Address"]["City"] == "Seattle"
    # UPS wants the goods described on a return.
    assert shipment["Description"] == shipment["Package"][0]["Description"] != ""
    assert normalised(paths({"ShipmentRequest": {"Shipment": shipment}})) <= UPS_REQUEST_PATHS


def test_void_path_is_the_1z_number_upper_case_and_nothing_else():
    assert void_path(" 1zwa82900123277535 ") == f"/api/shipments/v2409/void/cancel/{NUMBER}"
    for bad in ("1ZWA8290012327753", "9400100000000000000000", "1ZWA82900123/../x"):
        with pytest.raises(ValueError, match="not a UPS 1Z number"):
            void_path(bad)


# -- answers -----------------------------------------------------------------------------


def pdf_image_size(pdf: bytes) -> tuple[int, int]:
    width = re.search(rb"/Width (\d+)", pdf)
    height = re.search(rb"/Height (\d+)", pdf)
    return int(width.group(1)), int(height.group(1))


def test_the_recorded_ship_answer_becomes_a_4x6_pdf_label_with_the_negotiated_charge():
    label = parse_label(load("ship_response"), service="01")

    assert label.tracking_number == NUMBER
    assert label.carrier_reference == NUMBER
    assert label.service == "01"
    # Negotiated 198.42, not the published 193.64: what the account pays.
    assert label.charge == RateQuote(service="01", amount=Decimal("198.42"), currency="USD")
    assert label.estimated_delivery is None
    assert label.label_pdf.startswith(b"%PDF")
    assert b"/MediaBox [0 0 288.00 432.00]" in label.label_pdf  # 4 x 6 in
    # UPS's landscape GIF stands upright on the page.
    assert pdf_image_size(label.label_pdf) == (812, 1218)


def test_the_recorded_return_answer_reads_its_lone_objects_and_empty_reference():
    label = parse_label(load("return_response"), service="03")

    assert label.tracking_number == "1ZXXXXXXXXXXXXXXXX"
    assert label.charge == RateQuote(service="03", amount=Decimal("14.36"), currency="USD")
    assert label.label_pdf.startswith(b"%PDF")


def test_without_negotiated_rates_the_published_total_is_the_charge():
    payload = load("ship_response")
    del payload["ShipmentResponse"]["ShipmentResults"]["NegotiatedRateCharges"]

    assert parse_label(payload, service="01").charge.amount == Decimal("193.64")


def test_a_label_in_a_printer_language_or_unreadable_is_refused_with_the_number():
    zpl = load("ship_response")
    package = zpl["ShipmentResponse"]["ShipmentResults"]["PackageResults"]
    package["ShippingLabel"]["ImageFormat"]["Code"] = "ZPL"
    broken = copy.deepcopy(zpl)
    broken["ShipmentResponse"]["ShipmentResults"]["PackageResults"]["ShippingLabel"] = {
        "ImageFormat": {"Code": "GIF"},
        "GraphicImage": base64.b64encode(b"not a gif").decode(),
    }

    with pytest.raises(CarrierError, match=f"the label of {NUMBER} is ZPL, not a GIF"):
        parse_label(zpl, service="01")
    with pytest.raises(CarrierError, match=f"the label image of {NUMBER} cannot be read"):
        parse_label(broken, service="01")
    with pytest.raises(CarrierError, match="no ShipmentResults"):
        parse_label({"ShipmentResponse": {}}, service="01")


def test_ups_refusals_raise_its_own_words():
    with pytest.raises(CarrierError) as refused:
        parse_label(load("ship_error_missing_ship_to_address"), service="03")
    with pytest.raises(CarrierError) as unknown:
        parse_void(load("void_error_no_shipment"))

    assert refused.value.message == "Missing or invalid ship to address line 1"
    assert refused.value.code == "120202" and not refused.value.transient
    assert unknown.value.message == "No shipment found within the allowed void period"
    assert unknown.value.code == "190102"


def test_a_voided_answer_is_nothing_and_a_failed_summary_is_an_error():
    assert parse_void(load("void_response")) is None
    failed = load("void_response")
    failed["VoidShipmentResponse"]["SummaryResult"]["Status"] = {
        "Code": "0",
        "Description": "Failed",
    }

    with pytest.raises(CarrierError, match="Failed"):
        parse_void(failed)


# -- the adapter -------------------------------------------------------------------------


@pytest.fixture
def api():
    with respx.mock(base_url=BASE, assert_all_called=False) as mock:
        mock.post("/security/v1/oauth/token").respond(
            200, json=load("oauth_token") | {"access_token": "tok-1"}
        )
        yield mock


@pytest.fixture
def carrier():
    with UpsCarrier(
        base_url=BASE, client_id="id", client_secret="secret", account_number="A1B2C3"
    ) as adapter:
        yield adapter


def test_create_label_posts_the_ship_request_and_returns_the_pdf(api, carrier):
    ship = api.post(SHIP).respond(200, json=load("ship_response"))

    label = carrier.create_label(
        shipper=merchant(), recipient=customer(), parcel=PARCEL, service="03"
    )

    assert label.tracking_number == NUMBER and label.label_pdf.startswith(b"%PDF")
    sent = ship.calls.last.request
    assert sent.headers["Authorization"] == "Bearer tok-1"
    body = json.loads(sent.content)
    assert body == ship_request(
        merchant(), customer(), PARCEL, service="03", account_number="A1B2C3"
    )


def test_create_return_label_sends_the_print_return_label_request(api, carrier):
    ship = api.post(SHIP).respond(200, json=load("return_response"))

    label = carrier.create_return_label(
        shipper=merchant(), recipient=customer(), parcel=PARCEL, service="03"
    )

    assert label.tracking_number == "1ZXXXXXXXXXXXXXXXX"
    shipment = json.loads(ship.calls.last.request.content)["ShipmentRequest"]["Shipment"]
    assert shipment["ReturnService"] == {"Code": "9"}
    assert shipment["ShipFrom"]["Name"] == "Dana Whitfield"


def test_ups_refusing_a_label_is_final_and_ups_failing_is_transient(api, carrier):
    route = api.post(SHIP)
    route.side_effect = [
        httpx.Response(400, json=load("ship_error_missing_ship_to_address")),
        httpx.Response(503, text="Service Unavailable"),
    ]
    ask = lambda: carrier.create_label(  # noqa: E731
        shipper=merchant(), recipient=customer(line1=""), parcel=PARCEL, service="03"
    )

    with pytest.raises(CarrierError, match="Missing or invalid ship to address line 1") as refused:
        ask()
    with pytest.raises(CarrierError, match="HTTP 503") as failed:
        ask()

    assert refused.value.transient is False
    assert failed.value.transient is True


def test_cancel_label_deletes_the_shipment_by_its_tracking_number(api, carrier):
    void = api.delete(f"/api/shipments/v2409/void/cancel/{NUMBER}")
    void.side_effect = [
        httpx.Response(200, json=load("void_response")),
        httpx.Response(400, json=load("void_error_no_shipment")),
    ]

    assert carrier.cancel_label(NUMBER) is None
    with pytest.raises(CarrierError, match="No shipment found within the allowed void period"):
        carrier.cancel_label(NUMBER)

    assert void.call_count == 2


def test_labels_without_a_shipper_number_are_refused_before_calling_ups(api):
    ship = api.post(SHIP).respond(200, json=load("ship_response"))

    adapter = UpsCarrier(base_url=BASE, client_id="id", client_secret="secret")
    with adapter, pytest.raises(CarrierError, match="shipper number") as refused:
        adapter.create_label(shipper=merchant(), recipient=customer(), parcel=PARCEL, service="03")

    assert not refused.value.transient and ship.call_count == 0


def test_the_adapter_reads_track_alert_pushes_and_exports_the_readers(carrier):
    adapter: Carrier = carrier
    [update] = adapter.parse_webhook(load("webhook_track_alert_delivered"))

    assert update.status is ShipmentStatus.DELIVERED
    assert ups.parse_webhook is parse_webhook and ups.parse_label is parse_label
