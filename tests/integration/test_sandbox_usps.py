"""The USPS sandbox answers the real ``UspsCarrier`` in USPS's own shapes: token, tracking
through two whole lifecycles, the not-found answer, prices, refused credentials."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import CarrierError, Parcel, Party, ScanLocation, ShipmentStatus
from oms_dashboard.carriers.sandbox.usps import router
from oms_dashboard.carriers.usps import UspsCarrier
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.inprocess import InProcessTransport

BASE_URL = "http://oms.sandbox/sandbox/carriers/usps"
RICHMOND = ScanLocation(city="Richmond", region="VA", postal_code="23227", country="US")
OAK_CREEK = ScanLocation(city="Oak Creek", region="WI", postal_code="53154", country="US")
DENVER = ScanLocation(city="Denver", region="CO", postal_code="80202", country="US")
MILWAUKEE = ScanLocation(city="Milwaukee", region="WI", postal_code="53207", country="US")
PHOENIX = ScanLocation(city="Phoenix", region="AZ", postal_code="85004", country="US")
START = datetime(2026, 3, 6, 15, 0, tzinfo=UTC)  # DST begins in the US on the 8th


@pytest.fixture
def app(engine):
    app = create_sandbox_app(engine)
    app.include_router(router)
    return app


@pytest.fixture
def adapter(app):
    with UspsCarrier(
        base_url=BASE_URL, client_id="x", client_secret="y", transport=InProcessTransport(app)
    ) as carrier:
        yield carrier


def scan(session, number, status, location, at, reason=None):
    sandbox.record_scan(
        session, carrier="usps", tracking_number=number, status=status,
        location=location, reason=reason, at=at,
    )  # fmt: skip
    session.commit()


def assert_tracks_as_the_sandbox_says(adapter, session, number):
    package = sandbox.packages(session, "usps", [number])[number]
    [update] = adapter.track([number])
    assert update.tracking_number == number
    assert update.status is package.status
    assert len(update.scans) == len(package.events)
    for got, event in zip(update.scans, package.events, strict=True):
        at = event.at if event.at.tzinfo else event.at.replace(tzinfo=UTC)
        assert got.at == at and got.at.tzinfo is not None
        assert (got.location.city, got.location.country) == (
            event.location.city,
            event.location.country,
        )
        if event.reason:
            assert event.reason in got.description
    assert update.estimated_delivery == package.estimated_delivery
    assert update.signature_required is package.signature_required
    return update


def test_two_packages_tracked_through_their_whole_lives(adapter, session):
    S = ShipmentStatus
    plain = sandbox.register_package(
        session, carrier="usps", service="USPS_GROUND_ADVANTAGE", origin=RICHMOND,
        destination=MILWAUKEE, estimated_delivery=date(2026, 3, 11), at=START,
    ).tracking_number  # fmt: skip
    signed = sandbox.register_package(
        session, carrier="usps", service="PRIORITY_MAIL", origin=RICHMOND,
        destination=PHOENIX, signature_required=True, at=START + timedelta(minutes=5),
    ).tracking_number  # fmt: skip
    session.commit()
    first = assert_tracks_as_the_sandbox_says(adapter, session, plain)
    assert first.status is S.SHIPPED and first.scans[0].code == "03"
    assert assert_tracks_as_the_sandbox_says(adapter, session, signed).signature_required

    steps = [
        (S.IN_TRANSIT, OAK_CREEK, None),
        (S.OUT_FOR_DELIVERY, MILWAUKEE, None),
        (S.DELIVERED, MILWAUKEE, None),
    ]
    for step, (status, place, reason) in enumerate(steps, start=1):
        scan(session, plain, status, place, START + timedelta(days=step, hours=step), reason)
        update = assert_tracks_as_the_sandbox_says(adapter, session, plain)
        assert update.status is status and len(update.scans) == step + 1
    assert [s.code for s in update.scans] == ["01", "OF", "A1", "03"]

    steps = [
        (S.IN_TRANSIT, DENVER, None),
        (S.OUT_FOR_DELIVERY, PHOENIX, None),
        (S.DELIVERY_EXCEPTION, PHOENIX, "No Authorized Recipient Available"),
        (S.OUT_FOR_DELIVERY, PHOENIX, None),
        (S.DELIVERED, PHOENIX, None),
    ]
    for step, (status, place, reason) in enumerate(steps, start=1):
        scan(session, signed, status, place, START + timedelta(days=step, hours=step), reason)
        update = assert_tracks_as_the_sandbox_says(adapter, session, signed)
        assert update.status is status and len(update.scans) == step + 1
    assert update.scans[2].code == "02"
    attempt = update.scans[2]
    assert attempt.description == "Attempted / Notice Left (No Authorized Recipient Available)"
    # Phoenix keeps standard time all year: the scan reads back as the same instant.
    assert update.scans[0].at.utcoffset() == timedelta(hours=-7)


def test_an_unknown_number_is_skipped_with_uspss_message(adapter, session):
    known = sandbox.register_package(
        session, carrier="usps", service="PRIORITY_MAIL", origin=RICHMOND, destination=DENVER
    ).tracking_number
    session.commit()
    unknown = "9400111111111111111111"
    updates = adapter.track([unknown, known])
    assert [u.tracking_number for u in updates] == [known]
    assert adapter.skipped[unknown].startswith("12: A status update is not yet available")


def test_an_unknown_number_is_uspss_error_body(app, session):
    client = httpx.Client(transport=InProcessTransport(app), base_url=BASE_URL)
    token = client.post(
        "/oauth2/v3/token",
        json={"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"},
    ).json()
    answer = client.get(
        "/tracking/v3/tracking/9400111111111111111111",
        params={"expand": "DETAIL"},
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert answer.status_code == 400
    assert answer.json()["apiVersion"] == "/tracking/v3"
    assert answer.json()["error"]["errors"][0]["code"] == "150001"
    assert token["token_type"] == "Bearer" and token["expires_in"] == 28799


@pytest.mark.parametrize("grams", [1000, 2500, 31_000])
def test_every_sandbox_service_is_quoted_at_the_sandbox_price(adapter, grams):
    shipper = Party(name="Shop", line1="1 Main St", city="Richmond", postal_code="23227",
                    country="US", region="VA")  # fmt: skip
    recipient = Party(name="Ann", line1="2 Oak Ave", city="Milwaukee", postal_code="53207",
                      country="US", region="WI")  # fmt: skip
    quotes = adapter.quote(shipper=shipper, recipient=recipient,
                           parcel=Parcel(grams, 300, 200, 100))  # fmt: skip
    expected = {}
    for service in sandbox.SERVICES[CarrierName.USPS]:
        cents, _ = sandbox.sandbox_quote("usps", service, grams=grams, international=False)
        expected[service.code] = Decimal(cents) / 100
    assert {q.service: q.amount for q in quotes} == expected
    assert {q.currency for q in quotes} == {"USD"}


def test_international_quotes_are_not_asked_of_domestic_prices(adapter):
    """USPS Domestic Prices takes ZIP Codes only; the adapter refuses before calling."""
    shipper = Party(name="Shop", line1="1 Main St", city="Richmond", postal_code="23227",
                    country="US", region="VA")  # fmt: skip
    abroad = Party(name="Bo", line1="3 Rue", city="Paris", postal_code="75001", country="FR")
    with pytest.raises(ValueError, match="recipient.country"):
        adapter.quote(shipper=shipper, recipient=abroad, parcel=Parcel(1000, 300, 200, 100))


@pytest.mark.parametrize("client_id, client_secret", [("", "y"), ("x", "")])
def test_missing_credentials_are_refused_the_usps_way(app, session, client_id, client_secret):
    carrier = UspsCarrier(
        base_url=BASE_URL, client_id=client_id, client_secret=client_secret,
        transport=InProcessTransport(app),
    )  # fmt: skip
    with pytest.raises(CarrierError) as refused:
        carrier.track(["9400111111111111111111"])
    assert refused.value.code == "invalid_client"
    assert refused.value.message == "Client authentication failed."


def test_a_call_without_a_valid_bearer_gets_uspss_401(app, session):
    client = httpx.Client(transport=InProcessTransport(app), base_url=BASE_URL)
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}):
        answer = client.get("/tracking/v3/tracking/9400111111111111111111", headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["message"] == "Missing or malformed access token."
    forged = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOiA5OTk5OTk5OTk5fQ.AAAA"
    answer = client.post(
        "/prices/v3/base-rates/search", json={}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert answer.status_code == 401 and answer.json()["apiVersion"] == "/prices/v3"


def test_the_token_step_takes_a_form_body_too_and_only_client_credentials(app, session):
    client = httpx.Client(transport=InProcessTransport(app), base_url=BASE_URL)
    form = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
    token = client.post("/oauth2/v3/token", data=form)
    assert token.status_code == 200 and token.json()["access_token"].count(".") == 2
    other = client.post("/oauth2/v3/token", json=form | {"grant_type": "password"})
    assert (other.status_code, other.json()["error"]) == (400, "unsupported_grant_type")
