"""The FedEx sandbox answered through the real FedExCarrier, over HTTP in process: two
packages driven through their whole life, each step read back as FedEx would report it;
unknown numbers, quotes and refused credentials the way FedEx answers them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session

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
from oms_dashboard.carriers.fedex import FedExCarrier
from oms_dashboard.carriers.fedex_parse import parse_rates, tracking_errors
from oms_dashboard.carriers.sandbox.fedex import router
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.inprocess import InProcessTransport

BASE_URL = "http://oms.sandbox/sandbox/carriers/fedex"
MEMPHIS = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
LOUISVILLE = ScanLocation(city="Louisville", region="KY", postal_code="40213", country="US")
NEW_YORK = ScanLocation(city="New York", region="NY", postal_code="10118", country="US")
LOS_ANGELES = ScanLocation(city="Los Angeles", region="CA", postal_code="90001", country="US")
PHOENIX = ScanLocation(city="Phoenix", region="AZ", postal_code="85004", country="US")
DENVER = ScanLocation(city="Denver", region="CO", postal_code="80239", country="US")
START = datetime(2026, 7, 1, 13, 5, 0, tzinfo=UTC)


@pytest.fixture
def app(engine):
    app = create_sandbox_app(engine)
    app.include_router(router)
    return app


def make_adapter(app, *, client_id: str = "x", client_secret: str = "y") -> FedExCarrier:
    return FedExCarrier(
        base_url=BASE_URL,
        client_id=client_id,
        client_secret=client_secret,
        account_number="740561073",
        transport=InProcessTransport(app),
    )


def make_package(session: Session, origin, destination, **fields) -> str:
    package = sandbox.register_package(
        session,
        carrier="fedex",
        service=fields.pop("service", "FEDEX_GROUND"),
        origin=origin,
        destination=destination,
        at=START,
        **fields,
    )
    session.commit()
    return package.tracking_number


def scan(session: Session, number: str, status, where, hours: float, reason=None) -> None:
    sandbox.record_scan(
        session,
        carrier="fedex",
        tracking_number=number,
        status=status,
        location=where,
        reason=reason,
        at=START + timedelta(hours=hours),
    )
    session.commit()


def assert_reads_as_sandbox(session: Session, update: TrackingUpdate, number: str) -> None:
    """What the adapter read from FedEx's JSON is what the sandbox holds."""
    package = sandbox.packages(session, "fedex", [number])[number]
    assert update.tracking_number == number
    assert update.status is package.status
    assert len(update.scans) == len(package.events)
    for got, event in zip(update.scans, package.events, strict=True):
        assert got.at == event.at  # the same instant, though written in local time
        assert got.location is not None
        assert got.location.city.casefold() == event.location.city.casefold()  # FedEx: CAPS
        assert got.location.country == event.location.country
        if event.reason:
            assert event.reason in got.description
    assert update.estimated_delivery == package.estimated_delivery
    assert update.signature_required is package.signature_required


def track_one(adapter: FedExCarrier, number: str) -> TrackingUpdate:
    (update,) = adapter.track([number])
    return update


def test_a_package_read_through_the_adapter_at_every_step_to_delivered(app, session):
    number = make_package(
        session, MEMPHIS, NEW_YORK, estimated_delivery=date(2026, 7, 6), signature_required=True
    )
    steps = [
        (ShipmentStatus.IN_TRANSIT, LOUISVILLE, 9),
        (ShipmentStatus.OUT_FOR_DELIVERY, NEW_YORK, 30),
        (ShipmentStatus.DELIVERED, NEW_YORK, 34.5),
    ]
    with make_adapter(app) as adapter:
        update = track_one(adapter, number)
        assert update.status is ShipmentStatus.SHIPPED and len(update.scans) == 1
        assert_reads_as_sandbox(session, update, number)
        for status, where, hours in steps:
            scan(session, number, status, where, hours)
            update = track_one(adapter, number)
            assert update.status is status
            assert_reads_as_sandbox(session, update, number)
    assert [s.code for s in update.scans] == ["DL", "OD", "IT", "PU"]
    assert update.estimated_delivery == date(2026, 7, 6) and update.signature_required
    assert update.scans[0].at == START + timedelta(hours=34.5)


def test_a_package_with_a_delivery_exception_then_delivered(app, session):
    number = make_package(session, LOS_ANGELES, DENVER, service="FEDEX_2_DAY")
    reason = "Customer not available or business closed"
    steps = [
        (ShipmentStatus.IN_TRANSIT, PHOENIX, 6, None),
        (ShipmentStatus.OUT_FOR_DELIVERY, DENVER, 20, None),
        (ShipmentStatus.DELIVERY_EXCEPTION, DENVER, 26, reason),
        (ShipmentStatus.OUT_FOR_DELIVERY, DENVER, 44, None),
        (ShipmentStatus.DELIVERED, DENVER, 47, None),
    ]
    with make_adapter(app) as adapter:
        assert_reads_as_sandbox(session, track_one(adapter, number), number)
        for status, where, hours, why in steps:
            scan(session, number, status, where, hours, reason=why)
            update = track_one(adapter, number)
            assert update.status is status
            assert_reads_as_sandbox(session, update, number)
            if status is ShipmentStatus.DELIVERY_EXCEPTION:
                assert update.scans[0].code == "DE"
                assert update.scans[0].description == f"Delivery exception: {reason}"
    assert [s.code for s in update.scans] == ["DL", "OD", "DE", "OD", "IT", "PU"]
    assert update.estimated_delivery is None and update.signature_required is False


def test_an_unknown_number_is_left_out_as_fedex_not_found(app, session):
    known = make_package(session, MEMPHIS, NEW_YORK)
    with make_adapter(app) as adapter:
        updates = adapter.track([known, "000000000000"])
    assert [u.tracking_number for u in updates] == [known]
    body = tracked_raw(app, ["000000000000"]).json()
    errors = tracking_errors(body)
    assert list(errors) == ["000000000000"]
    assert errors["000000000000"].code == "TRACKING.TRACKINGNUMBER.NOTFOUND"


def tracked_raw(app, numbers: list[str]) -> httpx.Response:
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        token = client.post(
            "/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
        ).json()["access_token"]
        return client.post(
            "/track/v1/trackingnumbers",
            json={"trackingInfo": [{"trackingNumberInfo": {"trackingNumber": n}} for n in numbers]},
            headers={"Authorization": f"Bearer {token}"},
        )


@pytest.mark.parametrize(
    ("recipient_country", "international"),
    [("US", False), ("CA", True)],
    ids=["domestic", "abroad"],
)
def test_quotes_are_every_sandbox_service_at_the_sandbox_price(
    app, recipient_country, international
):
    shipper = Party(name="Mall", line1="1 Main St", city="Memphis", postal_code="38118",
                    country="US", region="TN")  # fmt: skip
    recipient = Party(name="Ann", line1="2 King St", city="Toronto", postal_code="M5H 2N2",
                      country=recipient_country, region="ON")  # fmt: skip
    parcel = Parcel(weight_grams=2340, length_mm=300, width_mm=200, height_mm=101)
    with make_adapter(app) as adapter:
        quotes = adapter.quote(shipper=shipper, recipient=recipient, parcel=parcel)
    expected = {
        s.code: sandbox.sandbox_quote("fedex", s, grams=2340, international=international)
        for s in sandbox.SERVICES[CarrierName.FEDEX]
    }
    assert {q.service for q in quotes} == set(expected)
    for quote in quotes:
        cents, days = expected[quote.service]
        assert quote.amount * 100 == cents  # to the cent
        assert quote.currency == "USD"
        assert quote.transit_days == days


def test_no_credentials_no_token_no_answer(app, session):
    number = make_package(session, MEMPHIS, NEW_YORK)
    adapter = make_adapter(app, client_id="", client_secret="")
    with adapter, pytest.raises(CarrierError) as refused:
        adapter.track([number])
    assert refused.value.code == "NOT.AUTHORIZED.ERROR"
    assert "client credentials were not valid" in refused.value.message
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        for headers in ({}, {"Authorization": "Bearer x.9999999999.forged"}):
            answer = client.post(
                "/rate/v1/rates/quotes", json={"requestedShipment": {}}, headers=headers
            )
            assert answer.status_code == 401
            assert answer.json()["errors"][0]["code"] == "NOT.AUTHORIZED.ERROR"


def test_an_expired_token_gets_fedex_401_and_the_adapter_fetches_a_new_one(
    app, session, monkeypatch
):
    from oms_dashboard.carriers.sandbox import fedex as fedex_sandbox

    number = make_package(session, MEMPHIS, NEW_YORK)
    now = fedex_sandbox._now()  # noqa: SLF001
    with make_adapter(app) as adapter:
        assert track_one(adapter, number).status is ShipmentStatus.SHIPPED
        later = now + fedex_sandbox.TOKEN_LIFETIME_SECONDS + 1
        monkeypatch.setattr(fedex_sandbox, "_now", lambda: later)
        # The adapter's token is an hour old for the sandbox: FedEx's 401, then a new one.
        assert track_one(adapter, number).status is ShipmentStatus.SHIPPED
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        stale = fedex_sandbox._sign_token("x", int(now))  # noqa: SLF001
        answer = client.post(
            "/track/v1/trackingnumbers",
            json={"trackingInfo": [{"trackingNumberInfo": {"trackingNumber": number}}]},
            headers={"Authorization": f"Bearer {stale}"},
        )
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["message"].startswith("Access token expired")


def test_rates_in_the_currency_the_request_names(app):
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        form = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
        token = client.post("/oauth/token", data=form).json()["access_token"]
        line = {"weight": {"units": "LB", "value": 2.0}}
        shipment = {
            "shipper": {"address": {"countryCode": "US"}},
            "recipient": {"address": {"countryCode": "US"}},
            "preferredCurrency": "CAD",
            "requestedPackageLineItems": [line],
        }
        headers = {"Authorization": f"Bearer {token}"}
        answer = client.post(
            "/rate/v1/rates/quotes", json={"requestedShipment": shipment}, headers=headers
        )
        bad = client.post(
            "/rate/v1/rates/quotes",
            json={"requestedShipment": {**shipment, "requestedPackageLineItems": []}},
            headers=headers,
        )
    quotes = parse_rates(answer.json())
    assert {q.currency for q in quotes} == {"CAD"} and len(quotes) == 3
    ground = sandbox.SERVICES[CarrierName.FEDEX][0]
    cents, _ = sandbox.sandbox_quote("fedex", ground, grams=908, international=False)  # 2 lb
    assert next(q.amount for q in quotes if q.service == ground.code) * 100 == cents
    assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "INVALID.INPUT.EXCEPTION"
