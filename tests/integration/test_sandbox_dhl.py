"""The DHL Express sandbox answers the real adapter: ``DhlCarrier`` over an in-process
transport tracks sandbox packages through their whole lives and quotes every sandbox
service, reading DHL's own JSON back into what the sandbox holds."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import (
    CarrierError,
    Parcel,
    Party,
    ScanLocation,
    ShipmentStatus,
    TrackingUpdate,
)
from oms_dashboard.carriers.dhl import DhlCarrier, parse_rates
from oms_dashboard.carriers.sandbox.dhl import router
from oms_dashboard.inprocess import InProcessTransport

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
