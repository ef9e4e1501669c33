"""FedEx Ship API v1 and the tracking webhook: FedEx's recorded examples read into a
Label and TrackingUpdates (exact values), the request JSON set beside FedEx's own
examples, FedEx's error bodies in its words, and the adapter's calls over HTTP."""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

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
from oms_dashboard.carriers.fedex import (
    FedExCarrier,
    cancel_request,
    parse_cancel,
    parse_label,
    parse_tracking,
    parse_webhook,
    return_request,
    ship_request,
    webhook_signature,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers" / "fedex"
PDF = b"%PDF-1.4\n% a label\n%%EOF\n"
SHIPPER = Party(name="Acme Outfitters", line1="10 FedEx Pkwy", line2="Dock 4", city="Memphis",
                postal_code="38116", country="US", region="TN", phone="9018328595")  # fmt: skip
RECIPIENT = Party(name="Ann Lee", line1="20 W 34th St", city="New York", postal_code="10118",
                  country="US", region="NY")  # fmt: skip
PARCEL = Parcel(weight_grams=1234, length_mm=305, width_mm=200, height_mm=101)


def load(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def shape(value: Any) -> Any:
    """The keys of a JSON value, all the way down (lists by their first item)."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__ if isinstance(value, bool) else "value"


def with_label(payload: dict[str, Any], pdf: bytes = PDF, kind: str = "LABEL") -> dict[str, Any]:
    """FedEx's example with a real label in its package document (FedEx's example holds
    the words "encoded label" there)."""
    payload = copy.deepcopy(payload)
    document = payload["output"]["transactionShipments"][0]["pieceResponses"][0][
        "packageDocuments"
    ][0]
    document.update(contentType=kind, encodedLabel=base64.b64encode(pdf).decode())
    return payload


def shipment_of(payload: dict[str, Any]) -> dict[str, Any]:
    return payload["output"]["transactionShipments"][0]


# -- the label answer ----------------------------------------------------------------------


def test_fedexs_example_with_its_label_reads_as_a_label_with_charge_and_date():
    label = parse_label(with_label(load("ship_response.json")))
    assert label == Label(
        tracking_number="794953535000",
        service="STANDARD_OVERNIGHT",
        label_pdf=PDF,
        carrier_reference=None,  # FedEx cancels by tracking number alone
        charge=RateQuote("STANDARD_OVERNIGHT", Decimal("3.78"), "USD", transit_days=2),
        estimated_delivery=date(2001, 4, 5),  # operationalDetail.deliveryDate
    )


def test_fedexs_example_as_published_holds_no_pdf_and_is_refused():
    # Its documents carry the words "encoded label" and a link, not a PDF.
    with pytest.raises(CarrierError, match="as a link only") as raised:
        parse_label(load("ship_response.json"))
    assert raised.value.carrier == "fedex" and not raised.value.transient
    without_links = load("ship_response.json")
    for document in shipment_of(without_links)["shipmentDocuments"]:
        del document["url"]
    for document in shipment_of(without_links)["pieceResponses"][0]["packageDocuments"]:
        del document["url"]
    with pytest.raises(CarrierError, match="carries no PDF label"):
        parse_label(without_links)


def test_the_document_marked_label_is_the_label_even_after_another_pdf():
    payload = with_label(load("ship_response.json"), b"%PDF-1.4 the label")
    invoice = base64.b64encode(b"%PDF-1.4 an invoice").decode()
    shipment_of(payload)["shipmentDocuments"][0]["encodedLabel"] = invoice
    shipment_of(payload)["pieceResponses"][0]["packageDocuments"].insert(
        0, {"contentType": "COMMERCIAL_INVOICE", "encodedLabel": invoice}
    )
    assert parse_label(payload).label_pdf == b"%PDF-1.4 the label"
    # Without a LABEL document, the first PDF FedEx sent is taken, and only a PDF.
    unmarked = with_label(load("ship_response.json"), b"GIF89a not a pdf", "COMMERCIAL_INVOICE")
    shipment_of(unmarked)["shipmentDocuments"][0]["encodedLabel"] = invoice
    assert parse_label(unmarked).label_pdf == b"%PDF-1.4 an invoice"


def test_the_charge_is_the_rate_fedex_calls_actual_else_the_first_else_the_packages():
    payload = with_label(load("ship_response.json"))
    rating = shipment_of(payload)["completedShipmentDetail"]["shipmentRating"]
    list_rate = rating["shipmentRateDetails"][0] | {
        "rateType": "PAYOR_LIST_SHIPMENT",
        "totalNetCharge": 41.125,
        "currency": "CAD",
    }
    rating["shipmentRateDetails"].append(list_rate)
    assert parse_label(payload).charge == RateQuote(
        "STANDARD_OVERNIGHT", Decimal("41.13"), "CAD", 2
    )
    del shipment_of(payload)["completedShipmentDetail"]["shipmentRating"]
    assert parse_label(payload).charge == RateQuote(
        "STANDARD_OVERNIGHT", Decimal("121.56"), "USD", 2
    )  # completedPackageDetails[].packageRating netCharge
    del shipment_of(payload)["completedShipmentDetail"]["completedPackageDetails"]
    assert parse_label(payload).charge is None  # netChargeAmount names no currency


def test_the_delivery_date_falls_back_to_the_piece_then_fedexs_commitment():
    payload = with_label(load("ship_response.json"))
    operational = shipment_of(payload)["completedShipmentDetail"]["operationalDetail"]
    del operational["deliveryDate"]
    assert parse_label(payload).estimated_delivery == date(2012, 9, 23)  # deliveryTimestamp
    del shipment_of(payload)["pieceResponses"][0]["deliveryTimestamp"]
    assert parse_label(payload).estimated_delivery == date(2019, 10, 15)  # commitDate
    del operational["commitDate"]
    assert parse_label(payload).estimated_delivery is None


def test_the_tracking_number_comes_from_the_piece_when_fedex_gives_no_master():
    payload = with_label(load("ship_response.json"))
    del shipment_of(payload)["masterTrackingNumber"]
    shipment_of(payload)["pieceResponses"][0]["trackingNumber"] = "794953535999"
    assert parse_label(payload).tracking_number == "794953535999"
    shipment_of(payload)["pieceResponses"] = []  # the label went with the piece
    with pytest.raises(CarrierError, match="link only"):
        parse_label(payload)


def test_ship_error_bodies_and_empty_answers_are_carrier_errors_in_fedexs_words():
    with pytest.raises(CarrierError) as raised:
        parse_label(load("ship_error.json"))
    assert raised.value.code == "ACCOUNTNUMBER.REGISTRATION.REQUIRED"
    assert raised.value.message == (
        "Please enter a valid 9-digit FedEx account number or register for a new FedEx "
        "account number."
    )
    with pytest.raises(CarrierError, match="Ship response has no output"):
        parse_label({"transactionId": "x"})
    with pytest.raises(CarrierError, match="no transactionShipments"):
        parse_label({"output": {"transactionShipments": []}})


# -- the cancel answer ---------------------------------------------------------------------


def test_fedexs_cancel_answer_is_a_cancellation():
    assert parse_cancel(load("cancel_response.json")) is None


@pytest.mark.parametrize(
    "name,code,message",
    [
        ("cancel_error.json", "SHIPMENT.USER.UNAUTHORIZED", "Requested user is not authorized"),
        ("cancel_not_found_error.json", "NOT.FOUND.ERROR", "The resource you requested is no"),
    ],
)
def test_cancel_error_bodies_are_carrier_errors_in_fedexs_words(name, code, message):
    with pytest.raises(CarrierError) as raised:
        parse_cancel(load(name))
    assert (raised.value.carrier, raised.value.code) == ("fedex", code)
    assert raised.value.message.startswith(message)


def test_a_shipment_fedex_did_not_cancel_is_an_error_with_its_message():
    answer = load("cancel_response.json")
    answer["output"] |= {"cancelledShipment": False, "message": "Already tendered."}
    with pytest.raises(CarrierError, match="^fedex: Already tendered.$"):
        parse_cancel(answer)
    answer["output"] = {"cancelledShipment": False, "alerts": [{"message": "First."}]}
    with pytest.raises(CarrierError, match="First."):
        parse_cancel(answer)
    with pytest.raises(CarrierError, match="did not cancel"):
        parse_cancel({"output": {}})


# -- the webhook push ----------------------------------------------------------------------


def test_fedexs_push_reads_as_the_track_results_it_carries():
    updates = parse_webhook(load("webhook_push.json"))
    assert [(u.tracking_number, u.status) for u in updates] == [
        ("776094337676", ShipmentStatus.DELIVERED),
        ("377101283611590", ShipmentStatus.DELIVERY_EXCEPTION),
    ]
    delivered, exception = updates
    assert [s.code for s in delivered.scans] == ["DL", "OD", "AO", "PU", "AF", "DE", "DE", "OD"]
    assert delivered.scans[0].at == datetime.fromisoformat("2024-04-26T09:26:00-07:00")
    assert delivered.signature_required is True and delivered.estimated_delivery is None
    assert exception.estimated_delivery == date(2026, 7, 6)
    assert exception.scans[0].description == (
        "Delivery exception: Customer not available or business closed"
    )
    assert exception.scans[0].location.label == "DENVER, CO, US"
    for update in updates:
        times = [s.at for s in update.scans]
        assert all(t.tzinfo is not None for t in times) and times == sorted(times, reverse=True)
    # The same entries, read by the Track API's rules.
    track = parse_tracking(load("track_response.json"))
    assert updates == [u for u in track if u.tracking_number in {"776094337676", "377101283611590"}]


def test_a_push_without_fedexs_output_is_refused():
    for body in ({}, {"output": None}, {"transactionId": "x"}):
        with pytest.raises(CarrierError, match="webhook body has no output"):
            parse_webhook(body)
    assert parse_webhook({"output": {"completeTrackResults": []}}) == []


def test_fedexs_signature_is_base64_hmac_sha256_of_the_raw_body_keyed_by_the_token():
    raw = (FIXTURES / "webhook_push.json").read_bytes()
    token = "Sandbox0Security0Token0Of26Chars"
    expected = hmac.new(token.encode(), raw, hashlib.sha256).digest()
    signature = webhook_signature(raw, token)
    assert base64.b64decode(signature) == expected and len(signature) == 44
    assert webhook_signature(raw + b" ", token) != signature
    assert webhook_signature(raw, token + "x") != signature


# -- the requests beside FedEx's examples ----------------------------------------------------


def test_the_ship_request_has_the_shape_of_fedexs_examples_and_asks_for_a_4x6_pdf():
    body = ship_request(SHIPPER, RECIPIENT, PARCEL, service="FEDEX_2_DAY",
                        account_number="740561073", ship_date=date(2026, 7, 1))  # fmt: skip
    example = load("ship_request.json")
    shipment, theirs = body["requestedShipment"], example["requestedShipment"]
    assert shape(shipment["shipper"]) == shape(theirs["shipper"])
    ours = shape(shipment["recipients"][0])  # one entry with contact and address
    assert ours["address"] == shape(theirs["recipients"][1]["address"])
    assert ours["contact"].items() <= shape(theirs["recipients"][0]["contact"]).items()
    for key in ("serviceType", "packagingType", "pickupType", "shippingChargesPayment"):
        assert key in theirs
    assert body == {
        "labelResponseOptions": "LABEL",
        "accountNumber": {"value": "740561073"},
        "requestedShipment": {
            "shipper": {
                "contact": {"personName": "Acme Outfitters", "phoneNumber": "9018328595"},
                "address": {
                    "streetLines": ["10 FedEx Pkwy", "Dock 4"],
                    "city": "Memphis",
                    "postalCode": "38116",
                    "countryCode": "US",
                    "stateOrProvinceCode": "TN",
                },
            },
            "recipients": [
                {
                    "contact": {"personName": "Ann Lee"},  # no phone given, none invented
                    "address": {
                        "streetLines": ["20 W 34th St"],
                        "city": "New York",
                        "postalCode": "10118",
                        "countryCode": "US",
                        "stateOrProvinceCode": "NY",
                    },
                }
            ],
            "shipDatestamp": "2026-07-01",
            "serviceType": "FEDEX_2_DAY",
            "packagingType": "YOUR_PACKAGING",
            "pickupType": "DROPOFF_AT_FEDEX_LOCATION",
            "blockInsightVisibility": False,
            "shippingChargesPayment": {"paymentType": "SENDER"},
            "rateRequestType": ["ACCOUNT", "LIST"],
            "labelSpecification": {"imageType": "PDF", "labelStockType": "STOCK_4X6"},
            "requestedPackageLineItems": [
                {
                    "weight": {"units": "KG", "value": 1.24},  # 1234 g, never declared less
                    "dimensions": {"length": 31, "width": 20, "height": 11, "units": "CM"},
                }
            ],
        },
    }
    with pytest.raises(ValueError, match="service"):
        ship_request(SHIPPER, RECIPIENT, PARCEL, service="", account_number="740561073")


def test_the_return_request_is_fedexs_print_return_example_the_other_way_round():
    body = return_request(SHIPPER, RECIPIENT, PARCEL, service="FEDEX_GROUND",
                          account_number="740561073", ship_date=date(2026, 7, 9))  # fmt: skip
    example = load("ship_return_request.json")["requestedShipment"]
    shipment = body["requestedShipment"]
    assert shipment["shipmentSpecialServices"] == example["shipmentSpecialServices"]
    assert shipment["shipper"]["contact"]["personName"] == "Ann Lee"  # sends it back
    assert shipment["recipients"][0]["address"]["city"] == "Memphis"  # to the seller
    outbound = ship_request(RECIPIENT, SHIPPER, PARCEL, service="FEDEX_GROUND",
                            account_number="740561073", ship_date=date(2026, 7, 9))  # fmt: skip
    del shipment["shipmentSpecialServices"]
    assert body == outbound
    assert "shipmentSpecialServices" not in outbound["requestedShipment"]


def test_the_cancel_request_is_fedexs_example_with_all_packages_named():
    example = load("cancel_request.json")
    body = cancel_request("794842623031", account_number="XXX561073")
    assert {k: body[k] for k in example} == example
    assert body["deletionControl"] == "DELETE_ALL_PACKAGES"
    with pytest.raises(ValueError, match="tracking_number"):
        cancel_request("", account_number="XXX561073")


# -- the adapter over HTTP -----------------------------------------------------------------

BASE = "https://apis-sandbox.fedex.test"


def make_carrier(**overrides: Any) -> FedExCarrier:
    settings: dict[str, Any] = {
        "base_url": BASE,
        "client_id": "client-id",
        "client_secret": "client-secret",
        "account_number": "740561073",
    }
    return FedExCarrier(**(settings | overrides))


def token(value: str = "token-1") -> httpx.Response:
    return httpx.Response(200, json=load("oauth_token.json") | {"access_token": value})


@pytest.fixture
def fedex():
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        router.post("/oauth/token").mock(side_effect=[token("one"), token("two")])
        yield router


def test_create_label_posts_fedexs_ship_request_and_returns_the_label(fedex):
    ship = fedex.post("/ship/v1/shipments").respond(
        200, json=with_label(load("ship_response.json"))
    )
    with make_carrier() as carrier:
        label = carrier.create_label(
            shipper=SHIPPER, recipient=RECIPIENT, parcel=PARCEL, service="STANDARD_OVERNIGHT"
        )
    assert label.tracking_number == "794953535000" and label.label_pdf == PDF
    sent = ship.calls.last.request
    assert sent.headers["authorization"] == "Bearer one"
    assert json.loads(sent.content) == ship_request(
        SHIPPER, RECIPIENT, PARCEL, service="STANDARD_OVERNIGHT", account_number="740561073"
    )


def test_create_return_label_posts_the_return_request(fedex):
    ship = fedex.post("/ship/v1/shipments").respond(
        200, json=with_label(load("ship_response.json"))
    )
    with make_carrier() as carrier:
        carrier.create_return_label(
            shipper=SHIPPER, recipient=RECIPIENT, parcel=PARCEL, service="FEDEX_GROUND"
        )
    assert json.loads(ship.calls.last.request.content) == return_request(
        SHIPPER, RECIPIENT, PARCEL, service="FEDEX_GROUND", account_number="740561073"
    )


def test_cancel_label_puts_fedexs_cancel_request_and_renews_a_refused_token(fedex):
    cancel = fedex.put("/ship/v1/shipments/cancel").mock(
        side_effect=[
            httpx.Response(401, json=load("token_expired.json")),
            httpx.Response(200, json=load("cancel_response.json")),
        ]
    )
    with make_carrier() as carrier:
        assert carrier.cancel_label("794842623031") is None
    assert [c.request.method for c in cancel.calls] == ["PUT", "PUT"]
    assert [c.request.headers["authorization"] for c in cancel.calls] == [
        "Bearer one",
        "Bearer two",
    ]
    assert json.loads(cancel.calls.last.request.content) == cancel_request(
        "794842623031", account_number="740561073"
    )


def test_ship_and_cancel_errors_keep_fedexs_words_and_say_when_to_try_again(fedex):
    fedex.post("/ship/v1/shipments").mock(
        side_effect=[
            httpx.Response(400, json=load("ship_error.json")),
            httpx.Response(503, json=load("service_unavailable.json")),
            httpx.ReadTimeout("read timed out"),
        ]
    )
    fedex.put("/ship/v1/shipments/cancel").respond(404, json=load("cancel_not_found_error.json"))
    arguments = {"shipper": SHIPPER, "recipient": RECIPIENT, "parcel": PARCEL,
                 "service": "FEDEX_GROUND"}  # fmt: skip
    raised = []
    with make_carrier() as carrier:
        for call in (
            lambda: carrier.create_label(**arguments),
            lambda: carrier.create_label(**arguments),
            lambda: carrier.create_return_label(**arguments),
            lambda: carrier.cancel_label("794842623031"),
        ):
            with pytest.raises(CarrierError) as error:
                call()
            raised.append(error.value)
    assert [(e.code, e.transient) for e in raised] == [
        ("ACCOUNTNUMBER.REGISTRATION.REQUIRED", False),
        ("SERVICE.UNAVAILABLE.ERROR", True),
        ("TIMEOUT", True),
        ("NOT.FOUND.ERROR", False),
    ]
    assert raised[0].message.startswith("Please enter a valid 9-digit FedEx account number")


def test_the_adapter_reads_a_push_as_parse_webhook_does():
    with make_carrier() as carrier:
        updates = carrier.parse_webhook(load("webhook_push.json"))
    assert updates == parse_webhook(load("webhook_push.json"))
    assert all(isinstance(u, TrackingUpdate) for u in updates)
    assert updates[0].scans[0].at - updates[0].scans[-1].at > timedelta(0)
