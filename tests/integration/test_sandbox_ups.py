"""The UPS sandbox through the real UPS adapter: OAuth, tracking over two whole package
lives, rates, and UPS's own refusals, all over HTTP answered in process."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest
from sqlmodel import select

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import (
    CarrierError,
    Parcel,
    Party,
    RateQuote,
    ScanLocation,
    ShipmentStatus,
)
from oms_dashboard.carriers.sandbox import ups as ups_sandbox
from oms_dashboard.carriers.sandbox.ups import router
from oms_dashboard.carriers.ups import UpsCarrier, ship_request
from oms_dashboard.inprocess import InProcessTransport
from oms_dashboard.models import SandboxShipment

BASE_URL = "http://oms.sandbox/sandbox/carriers/ups"
MEMPHIS = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
LOUISVILLE = ScanLocation(city="Louisville", region="KY", postal_code="40213", country="US")
NEW_YORK = ScanLocation(city="New York", region="NY", postal_code="10118", country="US")
TORONTO = ScanLocation(city="Toronto", region="ON", postal_code="M5V 2T6", country="CA")
SEATTLE = ScanLocation(city="Seattle", region="WA", postal_code="98108", country="US")
# Whole seconds: UPS writes times as HHMMSS.
T0 = datetime(2026, 3, 2, 15, 4, 5, tzinfo=UTC)
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "ups"


def load_fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


@pytest.fixture
def app(engine):
    app = create_sandbox_app(engine)
    app.include_router(router)
    return app


def make_adapter(app, **changes) -> UpsCarrier:
    fields = {"base_url": BASE_URL, "client_id": "x", "client_secret": "y"}
    return UpsCarrier(**(fields | changes), transport=InProcessTransport(app))


def assert_tracked_as_in_sandbox(adapter: UpsCarrier, session, number: str) -> None:
    (update,) = adapter.track([number])
    package = sandbox.packages(session, "ups", [number])[number]
    assert update.tracking_number == number
    assert update.status is package.status
    assert len(update.scans) == len(package.events)
    for scan, event in zip(update.scans, package.events, strict=True):
        assert scan.at == event.at  # the same instant, as aware datetimes
        assert (scan.location.city, scan.location.country) == (
            event.location.city,
            event.location.country,
        )
    # Once delivered UPS gives the delivery day (DEL), which is no estimate.
    delivered = package.status is ShipmentStatus.DELIVERED
    assert update.estimated_delivery == (None if delivered else package.estimated_delivery)
    assert update.signature_required is package.signature_required


def drive(session, adapter, number, steps) -> None:
    """Record each scan, then check the adapter reads back what the sandbox holds."""
    assert_tracked_as_in_sandbox(adapter, session, number)
    for hours, status, place, reason in steps:
        sandbox.record_scan(
            session,
            carrier="ups",
            tracking_number=number,
            status=status,
            location=place,
            reason=reason,
            at=T0 + timedelta(hours=hours),
        )
        session.commit()
        assert_tracked_as_in_sandbox(adapter, session, number)


def test_a_package_tracked_through_its_whole_life(app, session):
    package = sandbox.register_package(
        session,
        carrier="ups",
        service="03",
        origin=MEMPHIS,
        destination=NEW_YORK,
        estimated_delivery=date(2026, 3, 5),
        at=T0,
    )
    session.commit()
    with make_adapter(app) as adapter:
        drive(
            session,
            adapter,
            package.tracking_number,
            [
                (9, ShipmentStatus.IN_TRANSIT, LOUISVILLE, None),
                (40, ShipmentStatus.OUT_FOR_DELIVERY, NEW_YORK, None),
                (46, ShipmentStatus.DELIVERED, NEW_YORK, None),
            ],
        )
        (update,) = adapter.track([package.tracking_number])
    assert [s.code for s in update.scans] == ["D", "O", "I", "M"]
    assert update.scans[1].at.utcoffset() == timedelta(hours=-5)  # New York's own time


def test_a_package_with_a_delivery_exception_then_delivered(app, session):
    package = sandbox.register_package(
        session,
        carrier="ups",
        service="02",
        origin=TORONTO,
        destination=SEATTLE,
        estimated_delivery=date(2026, 3, 4),
        signature_required=True,
        at=T0,
    )
    session.commit()
    number = package.tracking_number
    with make_adapter(app) as adapter:
        drive(
            session,
            adapter,
            number,
            [
                (5, ShipmentStatus.IN_TRANSIT, MEMPHIS, None),
                (30, ShipmentStatus.OUT_FOR_DELIVERY, SEATTLE, None),
                (36, ShipmentStatus.DELIVERY_EXCEPTION, SEATTLE, "Receiver not available"),
            ],
        )
        (update,) = adapter.track([number])
        assert update.status is ShipmentStatus.DELIVERY_EXCEPTION
        assert update.scans[0].description == "Receiver not available"
        drive(session, adapter, number, [(60, ShipmentStatus.DELIVERED, SEATTLE, None)])


def test_an_unknown_number_is_skipped_as_ups_not_found(app, session):
    known = sandbox.register_package(
        session, carrier="ups", service="03", origin=MEMPHIS, destination=NEW_YORK, at=T0
    )
    session.commit()
    with make_adapter(app) as adapter:
        updates = adapter.track(["1Z0000000000000000", known.tracking_number])
    assert [u.tracking_number for u in updates] == [known.tracking_number]


def make_party(country: str, city: str, postal_code: str, region: str | None) -> Party:
    return Party(
        name="Someone",
        line1="1 Main St",
        city=city,
        postal_code=postal_code,
        country=country,
        region=region,
    )


@pytest.mark.parametrize(
    ("shipper", "international"),
    [
        (make_party("US", "Memphis", "38118", "TN"), False),
        (make_party("DE", "Berlin", "10115", None), True),
    ],
)
def test_quotes_every_sandbox_service_at_the_sandbox_price(app, shipper, international):
    recipient = make_party("US", "New York", "10118", "NY")
    # 2.5 kg: 5.6 lb after the adapter's rounding up, still within the third started kg.
    parcel = Parcel(weight_grams=2500, length_mm=300, width_mm=200, height_mm=100)
    with make_adapter(app, account_number="A1B2C3") as adapter:
        quotes = adapter.quote(shipper=shipper, recipient=recipient, parcel=parcel)
    expected = []
    for service in sandbox.SERVICES["ups"]:
        cents, days = sandbox.sandbox_quote("ups", service, grams=2500, international=international)
        # Ground has transit days only from Time in Transit, asked for domestic parcels.
        ground_abroad = international and service.tier == 0
        expected.append(
            (service.code, Decimal(cents) / 100, "USD", None if ground_abroad else days)
        )
    assert [(q.service, q.amount, q.currency, q.transit_days) for q in quotes] == expected


def test_no_credentials_are_refused_the_ups_way(app):
    adapter = make_adapter(app, client_id="", client_secret="")
    with adapter, pytest.raises(CarrierError, match="ClientId is Invalid"):
        adapter.track(["1Z0000000000000000"])


def test_a_call_without_a_valid_bearer_gets_ups_401(app):
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        answer = client.get(
            "/api/track/v1/details/1Z0000000000000000",
            headers={"Authorization": "Bearer forged.token"},
        )
    assert answer.status_code == 401
    assert answer.json() == {
        "response": {
            "errors": [{"code": "250002", "message": "Invalid Authentication Information."}]
        }
    }


def a_token(client: httpx.Client) -> str:
    answer = client.post(
        "/security/v1/oauth/token", auth=("x", "y"), data={"grant_type": "client_credentials"}
    )
    assert answer.status_code == 200 and answer.json()["expires_in"] == "14399"
    return answer.json()["access_token"]


def test_rates_in_the_currency_the_request_names_and_ups_error_for_a_bad_one(app):
    shipment = {
        "Shipper": {"Address": {"CountryCode": "DE"}},
        "ShipTo": {"Address": {"CountryCode": "FR"}},
        "Package": {"PackageWeight": {"UnitOfMeasurement": {"Code": "KGS"}, "Weight": "1.0"}},
        "InvoiceLineTotal": {"CurrencyCode": "EUR", "MonetaryValue": "40.00"},
    }
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        headers = {"Authorization": f"Bearer {a_token(client)}"}
        path = "/api/rating/v2409/Shop"
        ok = client.post(path, headers=headers, json={"RateRequest": {"Shipment": shipment}})
        del shipment["Package"]
        bad = client.post(path, headers=headers, json={"RateRequest": {"Shipment": shipment}})
    charges = [r["TotalCharges"] for r in ok.json()["RateResponse"]["RatedShipment"]]
    cents = sandbox.sandbox_quote("ups", sandbox.SERVICES["ups"][0], grams=1000, international=True)
    assert charges[0] == {"CurrencyCode": "EUR", "MonetaryValue": f"{cents[0] / 100:.2f}"}
    assert {c["CurrencyCode"] for c in charges} == {"EUR"}
    assert bad.status_code == 400
    assert bad.json()["response"]["errors"][0] == {
        "code": "20007",
        "message": "Missing Required field, Package.",
    }


# -- labels, returns, voids and Track Alert ----------------------------------------------

MERCHANT = Party(
    name="Harbor Goods",
    line1="2600 Democrat Rd",
    city="Memphis",
    region="TN",
    postal_code="38118",
    country="US",
    phone="9015550100",
)
CUSTOMER = Party(
    name="Dana Whitfield",
    line1="350 5th Ave",
    city="New York",
    region="NY",
    postal_code="10118",
    country="US",
)
BOX = Parcel(weight_grams=1500, length_mm=300, width_mm=200, height_mm=100)
UPS_NUMBER = re.compile(r"^1Z[0-9A-Z]{16}$")


def label_adapter(app) -> UpsCarrier:
    return make_adapter(app, account_number="SANDBOX01")


def test_two_labels_in_a_row_are_priced_and_tracked_as_shipped(app, session):
    cents, days = sandbox.sandbox_quote(
        "ups", sandbox.SERVICES["ups"][0], grams=1500, international=False
    )
    with label_adapter(app) as adapter:
        labels = [
            adapter.create_label(shipper=MERCHANT, recipient=CUSTOMER, parcel=BOX, service="03")
            for _ in range(2)
        ]
        updates = adapter.track([label.tracking_number for label in labels])

    first, second = labels
    assert first.tracking_number != second.tracking_number
    for label in labels:
        assert UPS_NUMBER.match(label.tracking_number)
        assert label.label_pdf.startswith(b"%PDF")
        assert label.carrier_reference == label.tracking_number
        assert label.charge == RateQuote("03", Decimal(cents) / 100, "USD")
    assert [u.tracking_number for u in updates] == [first.tracking_number, second.tracking_number]
    assert {u.status for u in updates} == {ShipmentStatus.SHIPPED}
    assert {u.estimated_delivery for u in updates} == {sandbox.delivery_date(days)}
    package = sandbox.packages(session, "ups", [first.tracking_number])[first.tracking_number]
    assert (package.origin.city, package.destination.city) == ("Memphis", "New York")


def test_the_track_alert_body_of_every_scan_reads_back_as_that_scan(app, session):
    with label_adapter(app) as adapter:
        label = adapter.create_label(shipper=MERCHANT, recipient=CUSTOMER, parcel=BOX, service="02")
        number = label.tracking_number
        created = sandbox.packages(session, "ups", [number])[number].created_at
        steps = [
            (None, None, None),
            (ShipmentStatus.IN_TRANSIT, LOUISVILLE, None),
            (ShipmentStatus.OUT_FOR_DELIVERY, NEW_YORK, None),
            (ShipmentStatus.DELIVERY_EXCEPTION, NEW_YORK, "The receiver was not available."),
            (ShipmentStatus.DELIVERED, NEW_YORK, None),
        ]
        for hours, (status, place, reason) in enumerate(steps):
            if status is not None:
                sandbox.record_scan(
                    session,
                    carrier="ups",
                    tracking_number=number,
                    status=status,
                    location=place,
                    reason=reason,
                    at=created.replace(microsecond=0) + timedelta(hours=hours),
                )
                session.commit()
            package = sandbox.packages(session, "ups", [number])[number]
            [update] = adapter.parse_webhook(ups_sandbox.webhook_body(package))

            event = package.events[0]
            assert update.tracking_number == number
            assert update.status is package.status
            [scan] = update.scans
            # Track Alert writes whole seconds.
            assert scan.at == event.at.replace(microsecond=0)
            assert (scan.location.city, scan.location.country) == (
                event.location.city,
                event.location.country,
            )
            if reason:
                assert scan.description == reason
            delivered = package.status is ShipmentStatus.DELIVERED
            assert update.estimated_delivery == (None if delivered else package.estimated_delivery)


def test_a_return_label_brings_the_package_from_the_customer_to_the_merchant(app, session):
    with label_adapter(app) as adapter:
        label = adapter.create_return_label(
            shipper=MERCHANT, recipient=CUSTOMER, parcel=BOX, service="03"
        )
        [update] = adapter.track([label.tracking_number])

    number = label.tracking_number
    assert UPS_NUMBER.match(number) and label.label_pdf.startswith(b"%PDF")
    assert update.status is ShipmentStatus.SHIPPED
    assert update.scans[0].location.city == "New York"
    package = sandbox.packages(session, "ups", [number])[number]
    assert (package.origin.city, package.destination.city) == ("New York", "Memphis")


def test_a_cancelled_label_is_unknown_and_a_moving_one_cannot_be_cancelled(app, session):
    with label_adapter(app) as adapter:
        cancelled, moving = (
            adapter.create_label(
                shipper=MERCHANT, recipient=CUSTOMER, parcel=BOX, service="03"
            ).tracking_number
            for _ in range(2)
        )
        adapter.cancel_label(cancelled)
        assert adapter.track([cancelled]) == []
        with pytest.raises(CarrierError, match="No shipment found within the allowed void"):
            adapter.cancel_label(cancelled)

        sandbox.record_scan(
            session,
            carrier="ups",
            tracking_number=moving,
            status=ShipmentStatus.IN_TRANSIT,
            location=LOUISVILLE,
        )
        session.commit()
        with pytest.raises(CarrierError, match="Time for voiding has expired") as refused:
            adapter.cancel_label(moving)
        [still] = adapter.track([moving])

    assert refused.value.code == "190101" and not refused.value.transient
    assert still.status is ShipmentStatus.IN_TRANSIT
    assert sandbox.packages(session, "ups", [cancelled]) == {}


def test_ups_refusals_of_a_label_reach_the_caller_in_ups_words(app, session):
    before = len(session.exec(select(SandboxShipment)).all())
    streetless = Party(**{**CUSTOMER.__dict__, "line1": ""})
    with label_adapter(app) as adapter:
        with pytest.raises(CarrierError) as no_street:
            adapter.create_label(shipper=MERCHANT, recipient=streetless, parcel=BOX, service="03")
        with pytest.raises(CarrierError) as no_service:
            adapter.create_label(shipper=MERCHANT, recipient=CUSTOMER, parcel=BOX, service="65")

    assert no_street.value.message == "Missing or invalid ship to address line 1"
    assert no_street.value.code == "120202" and not no_street.value.transient
    assert no_service.value.message == "The field, Service Code, contains invalid data, 65."
    assert len(session.exec(select(SandboxShipment)).all()) == before


def test_the_ship_and_void_routes_want_a_bearer_and_ups_own_request(app):
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        anonymous = client.post("/api/shipments/v2409/ship", json={})
        headers = {"Authorization": f"Bearer {a_token(client)}"}
        zpl = ship_request(MERCHANT, CUSTOMER, BOX, service="03", account_number="SANDBOX01")
        zpl["ShipmentRequest"]["LabelSpecification"]["LabelImageFormat"]["Code"] = "ZPL"
        refused = client.post("/api/shipments/v2409/ship", headers=headers, json=zpl)
        unknown = client.delete(
            "/api/shipments/v2409/void/cancel/1Z0000000000000000", headers=headers
        )

    assert anonymous.status_code == 401
    assert refused.status_code == 400
    assert refused.json()["response"]["errors"] == [
        {
            "code": "20008",
            "message": "The field, LabelImageFormat Code, contains invalid data, ZPL.",
        }
    ]
    assert unknown.status_code == 400
    assert unknown.json() == load_fixture("void_error_no_shipment")
