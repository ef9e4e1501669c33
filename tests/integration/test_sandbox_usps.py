"""The USPS sandbox answers the real ``UspsCarrier`` in USPS's own shapes: token, tracking
through two whole lifecycles, the not-found answer, prices, refused credentials; labels,
return labels and cancellation (Labels v3 with a Payments v3 token) and the tracking
notification it would POST, read back by the adapter."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

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
    local_zone,
)
from oms_dashboard.carriers.sandbox.usps import router, webhook_body
from oms_dashboard.carriers.usps import UspsCarrier, label_request, parse_label, parse_webhook
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
        base_url=BASE_URL, client_id="x", client_secret="y", account_number="SANDBOX01",
        transport=InProcessTransport(app),
    ) as carrier:  # fmt: skip
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


# -- labels, returns, cancellation, notifications ------------------------------------------

SHOP = Party(name="Mall Seller", line1="1 Main St", city="Richmond", postal_code="23227",
             country="US", region="VA")  # fmt: skip
ANN = Party(name="Ann Lee", line1="2 Oak Ave", line2="Apt 3", city="Milwaukee",
            postal_code="53207", country="US", region="WI")  # fmt: skip
BOX = Parcel(weight_grams=1800, length_mm=300, width_mm=200, height_mm=100)
USPS_NUMBER = re.compile(r"^9[2-5]\d{20}$")  # a 22-digit IMpb tracking number


def _local(at, place):
    return at.astimezone(local_zone(place.country, place.region, place.postal_code))


def sandbox_package(session, number):
    session.rollback()  # see what the sandbox's requests committed
    return sandbox.packages(session, "usps", [number]).get(number)


def expected_charge(service_code, grams=BOX.weight_grams):
    service = {s.code: s for s in sandbox.SERVICES[CarrierName.USPS]}[service_code]
    cents, days = sandbox.sandbox_quote("usps", service, grams=grams, international=False)
    return Decimal(cents) / 100, days


def test_two_labels_in_a_row_are_pdfs_with_their_own_numbers_and_track_as_shipped(adapter, session):
    labels = [
        adapter.create_label(shipper=SHOP, recipient=ANN, parcel=BOX, service="PRIORITY_MAIL")
        for _ in range(2)
    ]
    assert labels[0].tracking_number != labels[1].tracking_number
    amount, days = expected_charge("PRIORITY_MAIL")
    for label in labels:
        assert label.label_pdf.startswith(b"%PDF") and USPS_NUMBER.match(label.tracking_number)
        assert label.service == "PRIORITY_MAIL"
        assert (label.charge.amount, label.charge.currency) == (amount, "USD")
        assert label.charge.transit_days == days
        assert label.estimated_delivery == sandbox.delivery_date(days)
        package = sandbox_package(session, label.tracking_number)
        assert (package.origin.city, package.destination.city) == ("Richmond", "Milwaukee")
        assert package.estimated_delivery == label.estimated_delivery
    updates = adapter.track([label.tracking_number for label in labels])
    assert [u.status for u in updates] == [ShipmentStatus.SHIPPED] * 2
    assert updates[0].estimated_delivery == labels[0].estimated_delivery
    assert updates[0].scans[0].location.city == "Richmond"


def test_the_sandboxs_notification_round_trips_through_parse_webhook(adapter, session):
    label = adapter.create_label(
        shipper=SHOP, recipient=ANN, parcel=BOX, service="USPS_GROUND_ADVANTAGE"
    )
    number = label.tracking_number
    steps = [
        (ShipmentStatus.SHIPPED, None, None),
        (ShipmentStatus.IN_TRANSIT, OAK_CREEK, None),
        (ShipmentStatus.DELIVERY_EXCEPTION, MILWAUKEE, "No Secure Location Available"),
        (ShipmentStatus.DELIVERED, MILWAUKEE, None),
    ]
    for step, (status, place, reason) in enumerate(steps):
        if place is not None:
            scan(session, number, status, place, datetime.now(UTC) + timedelta(hours=step), reason)
        package = sandbox_package(session, number)
        body = json.loads(json.dumps(webhook_body(package)))  # what goes over the wire
        assert isinstance(body["payload"], str) and body["subscriptionType"] == "TRACKING"
        [event] = json.loads(body["payload"])["trackingEvents"]
        hours, minutes = event["GMTOffset"].lstrip("+-").split(":")  # "-5:00", as USPS writes
        offset = timedelta(hours=int(hours), minutes=int(minutes))
        offset = -offset if event["GMTOffset"].startswith("-") else offset
        assert datetime.fromisoformat(event["eventTimestamp"]).utcoffset() == offset

        [update] = adapter.parse_webhook(body)
        newest = package.events[0]
        assert (update.tracking_number, update.status) == (number, status)
        [scan_read] = update.scans
        at = newest.at if newest.at.tzinfo else newest.at.replace(tzinfo=UTC)
        # USPS writes whole seconds, with the local offset.
        assert scan_read.at == at.replace(microsecond=0)
        assert scan_read.at.utcoffset() == _local(at, newest.location).utcoffset()
        assert scan_read.location.city == newest.location.city
        assert scan_read.location.postal_code == newest.location.postal_code
        assert update.estimated_delivery == label.estimated_delivery
        if reason:
            assert reason in scan_read.description
    # The notification and the tracking answer tell the same story.
    assert adapter.track([number])[0].status is update.status


def test_a_return_label_goes_from_the_customer_back_to_the_shop(adapter, session):
    label = adapter.create_return_label(
        shipper=SHOP, recipient=ANN, parcel=BOX, service="USPS_GROUND_ADVANTAGE"
    )
    assert label.label_pdf.startswith(b"%PDF") and USPS_NUMBER.match(label.tracking_number)
    assert label.charge.amount == expected_charge("USPS_GROUND_ADVANTAGE")[0]
    assert label.estimated_delivery is None  # USPS's return answer carries no commitment
    package = sandbox_package(session, label.tracking_number)
    assert (package.origin.city, package.destination.city) == ("Milwaukee", "Richmond")
    [update] = adapter.track([label.tracking_number])
    assert update.status is ShipmentStatus.SHIPPED
    assert update.scans[0].location.city == "Milwaukee"


def test_a_cancelled_label_is_gone_and_cannot_be_cancelled_twice(adapter, session):
    label = adapter.create_label(shipper=SHOP, recipient=ANN, parcel=BOX, service="PRIORITY_MAIL")
    adapter.cancel_label(label.tracking_number)

    assert sandbox_package(session, label.tracking_number) is None
    assert adapter.track([label.tracking_number]) == []
    assert adapter.skipped[label.tracking_number].startswith("12: A status update")
    with pytest.raises(CarrierError) as again:
        adapter.cancel_label(label.tracking_number)
    assert (again.value.message, again.value.transient) == ("Order not found", False)


def test_a_label_already_moving_is_not_cancelled(app, adapter, session):
    label = adapter.create_label(shipper=SHOP, recipient=ANN, parcel=BOX, service="PRIORITY_MAIL")
    harness = httpx.Client(transport=InProcessTransport(app), base_url="http://oms.sandbox")
    scanned = harness.post(
        f"/sandbox/carriers/usps/shipments/{label.tracking_number}/scans",
        json={"status": "in_transit", "location": {"city": "Oak Creek", "region": "WI",
                                                   "country": "US", "postal_code": "53154"}},
    )  # fmt: skip
    assert scanned.status_code == 201

    with pytest.raises(CarrierError) as refused:
        adapter.cancel_label(label.tracking_number)
    assert refused.value.message == "A refund request for this order cannot be submitted"
    assert refused.value.transient is False
    assert adapter.track([label.tracking_number])[0].status is ShipmentStatus.IN_TRANSIT


def test_a_mail_class_the_sandbox_does_not_offer_is_uspss_bad_request(adapter, session):
    with pytest.raises(CarrierError) as refused:
        adapter.create_label(shipper=SHOP, recipient=ANN, parcel=BOX, service="MEDIA_MAIL")
    assert refused.value.message == (
        "mailClass must be one of USPS_GROUND_ADVANTAGE, PRIORITY_MAIL, PRIORITY_MAIL_EXPRESS."
    )
    assert refused.value.transient is False


def test_labels_need_a_payment_account(app, session):
    carrier = UspsCarrier(base_url=BASE_URL, client_id="x", client_secret="y",
                          transport=InProcessTransport(app))  # fmt: skip
    with pytest.raises(CarrierError, match="EPS or permit account"):
        carrier.create_label(shipper=SHOP, recipient=ANN, parcel=BOX, service="PRIORITY_MAIL")


def usps_client(app):
    """A bare HTTP client with an access token and a payment token from the sandbox."""
    client = httpx.Client(transport=InProcessTransport(app), base_url=BASE_URL)
    token = client.post("/oauth2/v3/token", json={
        "grant_type": "client_credentials", "client_id": "x", "client_secret": "y",
    }).json()["access_token"]  # fmt: skip
    client.headers["Authorization"] = f"Bearer {token}"
    roles = {"roles": [{"roleName": "PAYER", "accountType": "EPS", "accountNumber": "1"},
                       {"roleName": "LABEL_OWNER"}]}  # fmt: skip
    payment = client.post("/payments/v3/payment-authorization", json=roles)
    assert payment.status_code == 200
    return client, payment.json()["paymentAuthorizationToken"]


def test_a_label_request_missing_a_field_gets_uspss_schema_refusal(app, session):
    client, paid = usps_client(app)
    body = label_request(SHOP, ANN, BOX, mail_class="PRIORITY_MAIL")
    del body["toAddress"]["city"], body["packageDescription"]["mailingDate"]
    answer = client.post("/labels/v3/label", json=body,
                         headers={"X-Payment-Authorization-Token": paid})  # fmt: skip
    assert answer.status_code == 400
    assert answer.json()["error"]["message"] == (
        "OASValidation OpenAPI-Spec-Validation-Domestic-Labels with resource "
        "oas://labels-v3.yaml: failed with reason: [ERROR - Object has missing required "
        "properties ([city]): [/toAddress]]"
    )
    assert sandbox_package(session, "x") is None


def test_tokens_are_checked_and_the_json_answer_is_there_when_asked_for(app, session):
    client, paid = usps_client(app)
    body = label_request(SHOP, ANN, BOX, mail_class="PRIORITY_MAIL_EXPRESS")
    for headers in ({}, {"X-Payment-Authorization-Token": client.headers["Authorization"][7:]}):
        refused = client.post("/labels/v3/label", json=body, headers=headers)
        assert refused.status_code == 401  # no payment token, or an access token in its place
    refused = client.post("/payments/v3/payment-authorization", json={"roles": []})
    assert refused.status_code == 400 and "PAYER" in refused.json()["error"]["errors"][0]["detail"]

    answer = client.post("/labels/v3/label", json=body, headers={
        "X-Payment-Authorization-Token": paid, "Accept": "application/vnd.usps.labels+json",
    })  # fmt: skip
    assert answer.headers["content-type"].startswith("application/vnd.usps.labels+json")
    label = parse_label(answer.json(), service="PRIORITY_MAIL_EXPRESS")
    assert label.label_pdf.startswith(b"%PDF") and USPS_NUMBER.match(label.tracking_number)
    assert answer.json()["SKU"].startswith("DEXX")
    multipart = client.post("/labels/v3/label", json=body,
                            headers={"X-Payment-Authorization-Token": paid})  # fmt: skip
    assert multipart.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert 'name="labelMetadata"' in multipart.text and 'name="labelImage"' in multipart.text
    assert sandbox_package(session, label.tracking_number).service == "PRIORITY_MAIL_EXPRESS"
    assert parse_webhook(webhook_body(sandbox_package(session, label.tracking_number)))
