"""The DHL Express sandbox answers the real adapter: ``DhlCarrier`` over an in-process
transport tracks sandbox packages through their whole lives, quotes every sandbox
service, buys labels and return labels (refused in DHL's words when DHL would refuse),
and reads the sandbox's tracking push back into what the sandbox holds."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pypdfium2
import pytest
import zxingcpp
from sqlmodel import func, select

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.carriers import dhl_labels, sandbox
from oms_dashboard.carriers.base import (
    CarrierError,
    Parcel,
    Party,
    RateQuote,
    ScanLocation,
    ShipmentStatus,
    TrackingUpdate,
)
from oms_dashboard.carriers.dhl import DhlCarrier, parse_label, parse_rates
from oms_dashboard.carriers.sandbox import dhl as sandbox_dhl
from oms_dashboard.carriers.sandbox.dhl import router
from oms_dashboard.carriers.sandbox.dhl_shipments import read_shipment_request
from oms_dashboard.documents.labels import render_label
from oms_dashboard.inprocess import InProcessTransport
from oms_dashboard.models import SandboxShipment
from tests.factories import make_customs

MEMPHIS = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
CINCINNATI = ScanLocation(city="Hebron", region="KY", postal_code="41048", country="US")
NEW_YORK = ScanLocation(city="New York", region="NY", postal_code="10118", country="US")
LEIPZIG = ScanLocation(city="Leipzig", postal_code="04435", country="DE")
PARIS = ScanLocation(city="Paris", postal_code="75001", country="FR")
FIXTURES = Path(__file__).parents[1] / "fixtures" / "carriers" / "dhl"
START = datetime(2026, 11, 2, 14, 5, tzinfo=UTC)


BASE_URL = "http://oms.sandbox/sandbox/carriers/dhl"


def sandbox_transport(engine) -> InProcessTransport:
    app = create_sandbox_app(engine)
    app.include_router(router)
    return InProcessTransport(app)


def make_adapter(engine, *, client_id: str = "x", client_secret: str = "y") -> DhlCarrier:
    return DhlCarrier(
        base_url=BASE_URL,
        client_id=client_id,
        client_secret=client_secret,
        account_number="123456789",
        transport=sandbox_transport(engine),
    )


def raw_client(engine) -> httpx.Client:
    """DHL's JSON itself, as the adapter receives it."""
    return httpx.Client(transport=sandbox_transport(engine), base_url=BASE_URL)


def make_package(session, *, service, origin, destination, estimated, signature=False) -> str:
    package = sandbox.register_package(
        session,
        carrier="dhl",
        service=service,
        origin=origin,
        destination=destination,
        estimated_delivery=estimated,
        signature_required=signature,
        at=START,
    )
    session.commit()
    return package.tracking_number


def scan(session, number, status, at, location=None, reason=None) -> None:
    sandbox.record_scan(
        session,
        carrier="dhl",
        tracking_number=number,
        status=status,
        location=location,
        reason=reason,
        at=at,
    )
    session.commit()


def assert_tracked_as_the_sandbox_says(
    update: TrackingUpdate, session, number: str, status: ShipmentStatus
) -> None:
    package = sandbox.packages(session, "dhl", [number])[number]
    assert update.status is status
    assert len(update.scans) == len(package.events)
    for got, want in zip(update.scans, package.events, strict=True):
        assert got.at == want.at and got.at.tzinfo is not None
        assert (got.location.city, got.location.country) == (
            want.location.city,
            want.location.country,
        )
        if want.reason:
            assert want.reason in got.description
    assert update.estimated_delivery == package.estimated_delivery
    # DHL's Unified API carries no "signature required": the adapter always says False.
    assert update.signature_required is False


def track_one(adapter: DhlCarrier, number: str) -> TrackingUpdate:
    updates = adapter.track([number])
    assert [u.tracking_number for u in updates] == [number]
    return updates[0]


LIFECYCLES = {
    "domestic, delivered": (
        dict(service="N", origin=MEMPHIS, destination=NEW_YORK, estimated=date(2026, 11, 4)),
        [
            (ShipmentStatus.IN_TRANSIT, CINCINNATI, None, ShipmentStatus.IN_TRANSIT),
            # DHL has no out-for-delivery group: the courier run reads as in transit.
            (ShipmentStatus.OUT_FOR_DELIVERY, NEW_YORK, None, ShipmentStatus.IN_TRANSIT),
            (ShipmentStatus.DELIVERED, NEW_YORK, None, ShipmentStatus.DELIVERED),
        ],
    ),
    "international, an exception then delivered": (
        dict(
            service="P",
            origin=MEMPHIS,
            destination=PARIS,
            estimated=date(2026, 11, 6),
            signature=True,
        ),
        [
            (ShipmentStatus.IN_TRANSIT, LEIPZIG, None, ShipmentStatus.IN_TRANSIT),
            (ShipmentStatus.OUT_FOR_DELIVERY, PARIS, None, ShipmentStatus.IN_TRANSIT),
            (
                ShipmentStatus.DELIVERY_EXCEPTION,
                PARIS,
                "Recipient not available",
                ShipmentStatus.DELIVERY_EXCEPTION,
            ),
            (ShipmentStatus.DELIVERED, PARIS, None, ShipmentStatus.DELIVERED),
        ],
    ),
}


@pytest.mark.parametrize("lifecycle", list(LIFECYCLES))
def test_the_adapter_tracks_a_sandbox_package_through_its_whole_life(engine, session, lifecycle):
    package, steps = LIFECYCLES[lifecycle]
    number = make_package(session, **package)
    with make_adapter(engine) as adapter:
        update = track_one(adapter, number)
        assert_tracked_as_the_sandbox_says(update, session, number, ShipmentStatus.SHIPPED)
        assert update.scans[0].code == "pre-transit"
        for hours, (status, place, reason, read_as) in enumerate(steps, start=1):
            scan(session, number, status, START + timedelta(hours=7 * hours), place, reason)
            update = track_one(adapter, number)
            assert_tracked_as_the_sandbox_says(update, session, number, read_as)
        assert len(update.scans) == len(steps) + 1


def test_a_scan_is_written_in_local_time_of_its_place_and_read_back_the_same_instant(
    engine, session
):
    number = make_package(session, service="P", origin=MEMPHIS, destination=PARIS, estimated=None)
    at = datetime(2026, 11, 3, 6, 30, 15, tzinfo=UTC)
    scan(session, number, ShipmentStatus.IN_TRANSIT, at, LEIPZIG)
    harness_scan = datetime(2026, 11, 3, 9, 0, 0, 123456, tzinfo=UTC)  # like utcnow()
    scan(session, number, ShipmentStatus.IN_TRANSIT, harness_scan, PARIS)
    query = {"trackingNumber": number, "service": "express"}
    with raw_client(engine) as client, make_adapter(engine) as adapter:
        raw = client.get("/track/shipments", params=query, headers={"DHL-API-Key": "x"}).json()
        update = track_one(adapter, number)
    newest, leipzig = raw["shipments"][0]["events"][:2]
    assert leipzig["timestamp"] == "2026-11-03T07:30:15+01:00"  # Leipzig, CET
    assert leipzig["statusCode"] == "transit"
    assert newest["timestamp"] == "2026-11-03T10:00:00.123456+01:00"
    assert [s.at for s in update.scans[:2]] == [harness_scan, at]
    assert update.estimated_delivery is None


def test_an_unknown_number_is_dhls_not_found_and_hides_no_other(engine, session):
    number = make_package(
        session, service="N", origin=MEMPHIS, destination=NEW_YORK, estimated=None
    )
    with make_adapter(engine) as adapter:
        updates = adapter.track(["0000000000", number])
        assert [u.tracking_number for u in updates] == [number]
        assert adapter.not_found == {"0000000000": "No shipment with given tracking number found."}


SHIPPER = Party(name="Shop", line1="1 Main St", city="Memphis", postal_code="38118", country="US")
DOMESTIC = Party(
    name="Ann", line1="350 5th Ave", city="New York", postal_code="10118", country="US"
)
ABROAD = Party(name="Luc", line1="9 Rue Simart", city="Paris", postal_code="75001", country="FR")


@pytest.mark.parametrize(("recipient", "international"), [(DOMESTIC, False), (ABROAD, True)])
def test_quotes_are_every_sandbox_service_at_the_sandbox_price_to_the_cent(
    engine, recipient, international
):
    parcel = Parcel(weight_grams=2500, length_mm=300, width_mm=200, height_mm=100)
    with make_adapter(engine) as adapter:
        quotes = adapter.quote(shipper=SHIPPER, recipient=recipient, parcel=parcel)
    expected = {}
    for service in sandbox.SERVICES["dhl"]:
        cents, days = sandbox.sandbox_quote("dhl", service, grams=2500, international=international)
        expected[service.code] = (Decimal(cents) / 100, "USD", days)
    assert {q.service: (q.amount, q.currency, q.transit_days) for q in quotes} == expected


def test_calls_without_credentials_are_refused_the_dhl_way(engine, session):
    number = make_package(
        session, service="N", origin=MEMPHIS, destination=NEW_YORK, estimated=None
    )
    parcel = Parcel(weight_grams=500, length_mm=100, width_mm=100, height_mm=100)
    with make_adapter(engine, client_id="", client_secret="") as adapter:
        with pytest.raises(CarrierError) as tracking:
            adapter.track([number])
        with pytest.raises(CarrierError) as rating:
            adapter.quote(shipper=SHIPPER, recipient=DOMESTIC, parcel=parcel)
    assert (tracking.value.code, tracking.value.message) == (
        "401",
        "Unauthorized for given resource.",
    )
    assert (rating.value.code, rating.value.message) == ("401", "Invalid Credentials")
    assert not tracking.value.transient and not rating.value.transient


def test_dhls_own_documented_rate_request_is_answered_in_the_currency_it_names(engine):
    """MyDHL's published request example (SG -> FR, 1 kg, values declared in SGD)."""
    request = json.loads((FIXTURES / "rates_request_example.json").read_text())
    with raw_client(engine) as client:
        answer = client.post("/rates", json=request, auth=("x", "y"))
        assert answer.status_code == 200, answer.text
        quotes = parse_rates(answer.json())
        request.pop("packages")
        refused = client.post("/rates", json=request, auth=("x", "y"))
    assert {q.service: (q.amount, q.currency) for q in quotes} == {
        s.code: (
            Decimal(sandbox.sandbox_quote("dhl", s, grams=1000, international=True)[0]) / 100,
            "SGD",
        )
        for s in sandbox.SERVICES["dhl"]
    }
    assert refused.status_code == 422
    with pytest.raises(CarrierError, match="#/packages: expected packages each with a weight"):
        parse_rates(refused.json())


# -- labels, returns, cancellation and the push -----------------------------------------

SELLER = replace(SHIPPER, phone="+19015550100")
CUSTOMER = replace(DOMESTIC, phone="+12125550199")
CUSTOMER_ABROAD = replace(ABROAD, phone="+33140000000")
BOX = Parcel(weight_grams=2500, length_mm=300, width_mm=200, height_mm=100)
CUSTOMS = make_customs()


def test_a_label_whose_number_begins_with_99_scans_as_that_number():
    pdf = render_label(
        carrier="dhl",
        service="EXPRESS DOMESTIC",
        tracking_number="9982653040",
        shipper=SELLER,
        recipient=CUSTOMER,
        parcel=BOX,
        ship_date=date(2026, 11, 2),
    )
    assert scanned_numbers(pdf) == ["9982653040"]


def scanned_numbers(pdf: bytes) -> list[str]:
    """What a scanner reads off the label's first 4 x 6 in page."""
    page = pypdfium2.PdfDocument(pdf)[0]
    width, height = page.get_size()
    assert (round(width / 72, 2), round(height / 72, 2)) == (4.0, 6.0)
    return [found.text for found in zxingcpp.read_barcodes(page.render(scale=203 / 72).to_pil())]


def sandbox_price(service_code: str, grams: int, *, international: bool) -> tuple[Decimal, int]:
    service = next(s for s in sandbox.SERVICES["dhl"] if s.code == service_code)
    cents, days = sandbox.sandbox_quote("dhl", service, grams=grams, international=international)
    return Decimal(cents) / 100, days


def shipments_in_sandbox(session) -> int:
    return session.exec(select(func.count()).select_from(SandboxShipment)).one()


def test_two_labels_in_a_row_are_two_packages_dhl_tracks_as_shipped(engine, session):
    price, days = sandbox_price("N", 2500, international=False)
    with make_adapter(engine) as adapter:
        labels = [
            adapter.create_label(shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N")
            for _ in range(2)
        ]
        for label in labels:
            assert label.label_pdf.startswith(b"%PDF")
            assert re.fullmatch(r"\d{10}", label.tracking_number)  # a DHL waybill number
            assert scanned_numbers(label.label_pdf) == [label.tracking_number]
            assert label.service == "N"
            assert label.charge == RateQuote("N", price, "USD", days)
            # The sandbox promises business days from the planned day it was asked for.
            assert label.estimated_delivery > date.today()
            update = track_one(adapter, label.tracking_number)
            assert update.status is ShipmentStatus.SHIPPED
            assert update.estimated_delivery == label.estimated_delivery
            (scan,) = update.scans
            assert (scan.code, scan.location.city) == ("pre-transit", "Memphis")
    assert labels[0].tracking_number != labels[1].tracking_number
    package = sandbox.packages(session, "dhl", [labels[0].tracking_number])
    registered = package[labels[0].tracking_number]
    assert (registered.origin.city, registered.destination.city) == ("Memphis", "New York")
    assert registered.service == "N"


def test_a_label_abroad_is_priced_as_international_and_intra_eu_goods_are_not_declared(engine):
    price, days = sandbox_price("P", 2500, international=True)
    leipzig = Party(
        name="Laden",
        line1="Hauptstr. 1",
        city="Leipzig",
        postal_code="04435",
        country="DE",
        phone="+4934100000",
    )
    with make_adapter(engine) as adapter:
        abroad = adapter.create_label(
            shipper=SELLER, recipient=CUSTOMER_ABROAD, parcel=BOX, service="P", customs=CUSTOMS
        )
        europe = adapter.create_label(
            shipper=leipzig, recipient=CUSTOMER_ABROAD, parcel=BOX, service="P"
        )
    assert abroad.charge == RateQuote("P", price, "USD", days)
    assert europe.charge.amount == price  # another country, even inside the EU
    assert scanned_numbers(europe.label_pdf) == [europe.tracking_number]


def test_the_sandboxs_push_for_a_package_reads_back_as_what_the_sandbox_holds(engine, session):
    with make_adapter(engine) as adapter:
        label = adapter.create_label(
            shipper=SELLER, recipient=CUSTOMER_ABROAD, parcel=BOX, service="P", customs=CUSTOMS
        )
        number = label.tracking_number
        steps = [
            (ShipmentStatus.IN_TRANSIT, LEIPZIG, None),
            (ShipmentStatus.DELIVERY_EXCEPTION, PARIS, "Recipient not available"),
            (ShipmentStatus.DELIVERED, PARIS, None),
        ]
        for status, place, reason in steps:
            scan(session, number, status, datetime.now(UTC), place, reason)
            package = sandbox.packages(session, "dhl", [number])[number]
            # The body is posted as JSON to the OMS's carrier events endpoint.
            body = json.loads(json.dumps(sandbox_dhl.webhook_body(package)))
            (update,) = adapter.parse_webhook(body)
            assert update.tracking_number == number
            assert_tracked_as_the_sandbox_says(update, session, number, status)
            assert update == track_one(adapter, number)
    assert body["scope"] == "subscription.push"


def test_a_return_label_is_a_package_from_the_customer_back_to_the_seller(engine, session):
    with make_adapter(engine) as adapter:
        outbound = adapter.create_label(shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N")
        back = adapter.create_return_label(
            shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N"
        )
        update = track_one(adapter, back.tracking_number)
    assert back.tracking_number != outbound.tracking_number
    assert back.label_pdf.startswith(b"%PDF")
    assert scanned_numbers(back.label_pdf) == [back.tracking_number]
    assert update.status is ShipmentStatus.SHIPPED
    assert update.scans[0].location.city == "New York"
    package = sandbox.packages(session, "dhl", [back.tracking_number])[back.tracking_number]
    assert (package.origin.city, package.destination.city) == ("New York", "Memphis")


def test_the_sandbox_reads_a_request_billing_a_payer_as_a_return():
    outbound = dhl_labels.ship_request(SELLER, CUSTOMER, BOX, service="N", account_number="1")
    back = dhl_labels.return_request(SELLER, CUSTOMER, BOX, service="N", account_number="1")
    assert read_shipment_request(outbound).is_return is False
    assert read_shipment_request(back).is_return is True


def test_dhl_cannot_cancel_a_label_so_the_package_stays_known(engine, session):
    with make_adapter(engine) as adapter:
        label = adapter.create_label(shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N")
        with pytest.raises(CarrierError) as fresh:
            adapter.cancel_label(label.tracking_number)
        scan(session, label.tracking_number, ShipmentStatus.IN_TRANSIT, datetime.now(UTC))
        with pytest.raises(CarrierError) as moving:
            adapter.cancel_label(label.tracking_number)
        assert track_one(adapter, label.tracking_number).status is ShipmentStatus.IN_TRANSIT
    for refused in (fresh.value, moving.value):
        assert refused.carrier == "dhl" and refused.code == "not-supported"
        assert "MyDHL API has no call to cancel a shipment" in refused.message
        assert refused.transient is False


def test_a_recipient_without_phone_is_refused_in_dhls_words_and_nothing_is_booked(engine, session):
    before = shipments_in_sandbox(session)
    with make_adapter(engine) as adapter:
        with pytest.raises(CarrierError) as one:
            adapter.create_label(shipper=SELLER, recipient=DOMESTIC, parcel=BOX, service="N")
        with pytest.raises(CarrierError) as two:
            adapter.create_label(shipper=SHIPPER, recipient=DOMESTIC, parcel=BOX, service="N")
    assert (one.value.code, one.value.transient) == ("422", False)
    assert one.value.message == (
        "#/customerDetails/receiverDetails/contactInformation: required key [phone] not found"
    )
    assert two.value.message == (
        "Multiple problems found, see Additional Details: "
        "#/customerDetails/shipperDetails/contactInformation: required key [phone] not found; "
        "#/customerDetails/receiverDetails/contactInformation: required key [phone] not found"
    )
    assert shipments_in_sandbox(session) == before


@pytest.mark.parametrize(
    ("change", "status", "detail"),
    [
        (
            lambda body: body.update(plannedShippingDateAndTime="tomorrow at noon"),
            400,
            "998: ShipTimeStamp is not well formatted.(Expected Sample Format : "
            "'2010-02-11T17:10:09 GMT+01:00')",
        ),
        (
            lambda body: body.update(productCode="X"),
            422,
            "#/productCode: X is not a valid enum value",
        ),
        (
            lambda body: body["content"]["packages"][0].update(weight=0),
            422,
            "#/content/packages/0/weight: 0 is not greater or equal to 0.001",
        ),
        (lambda body: body.pop("content"), 422, "#: required key [content] not found"),
    ],
)
def test_a_request_dhl_would_refuse_gets_dhls_error_body(engine, session, change, status, detail):
    body = dhl_labels.ship_request(SELLER, CUSTOMER, BOX, service="N", account_number="1")
    change(body)
    with raw_client(engine) as client:
        answer = client.post("/shipments", json=body, auth=("x", "y"))
    assert answer.status_code == status
    assert answer.json()["detail"] == detail
    assert answer.json()["instance"] == "/expressapi/shipments"
    with pytest.raises(CarrierError) as raised:
        parse_label(answer.json(), service="N")
    assert (raised.value.message, raised.value.code) == (detail, str(status))


def test_labels_without_credentials_are_refused_the_dhl_way(engine):
    adapter = make_adapter(engine, client_id="", client_secret="")
    with adapter, pytest.raises(CarrierError) as raised:
        adapter.create_label(shipper=SELLER, recipient=CUSTOMER, parcel=BOX, service="N")
    assert (raised.value.code, raised.value.message) == ("401", "Invalid Credentials")


def test_dhls_own_documented_request_is_answered_in_dhls_documented_shape(engine):
    """MyDHL's published domestic example (GB), with a product the sandbox offers."""
    request = json.loads((FIXTURES / "shipment_request_domestic_example.json").read_text())
    request["productCode"] = "N"
    with raw_client(engine) as client:
        answer = client.post("/shipments", json=request, auth=("x", "y"))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    documented = json.loads((FIXTURES / "shipment_response_international_example.json").read_text())
    assert set(body) <= set(documented)  # no field DHL's answer does not have
    assert set(body["packages"][0]) == set(documented["packages"][0])
    assert set(body["documents"][0]) == set(documented["documents"][0])
    _, days = sandbox_price("N", 296, international=False)  # 0.296 kg, GB to GB
    assert body["shipmentDetails"] == [{"pickupDetails": {"totalTransitDays": str(days)}}]
    # The example asks for no estimate and no rates: DHL answers neither.
    assert "estimatedDeliveryDate" not in body and "shipmentCharges" not in body
    label = parse_label(body, service="N")
    assert scanned_numbers(label.label_pdf) == [label.tracking_number]
