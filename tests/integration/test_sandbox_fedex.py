"""The FedEx sandbox answered through the real FedExCarrier, over HTTP in process: two
packages driven through their whole life, each step read back as FedEx would report it;
unknown numbers, quotes and refused credentials the way FedEx answers them; labels,
return labels and their cancellation bought from it, and its webhook pushes read back."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pypdfium2
import pytest
import zxingcpp
from sqlmodel import Session, select

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import (
    CarrierError,
    Label,
    Parcel,
    Party,
    RateQuote,
    ScanLocation,
    ShipmentStatus,
    TrackingUpdate,
)
from oms_dashboard.carriers.fedex import FedExCarrier
from oms_dashboard.carriers.fedex_parse import parse_rates, parse_webhook, tracking_errors
from oms_dashboard.carriers.fedex_ship import parse_label
from oms_dashboard.carriers.sandbox.fedex import router, webhook_body
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.inprocess import InProcessTransport
from oms_dashboard.models import SandboxShipment
from tests.factories import make_commodity, make_customs

BASE_URL = "http://oms.sandbox/sandbox/carriers/fedex"
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "carriers" / "fedex"
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


# -- labels, returns, cancellation, webhooks -------------------------------------------

SELLER = Party(name="Mall Warehouse", line1="3875 Airways Blvd", line2="Dock 4", city="Memphis",
               postal_code="38116", country="US", region="TN", phone="9018328595")  # fmt: skip
CUSTOMER = Party(name="Ann Lee", line1="20 W 34th St", city="New York", postal_code="10118",
                 country="US", region="NY")  # fmt: skip
PARCEL = Parcel(weight_grams=2340, length_mm=300, width_mm=200, height_mm=101)
TWO_DAY = next(s for s in sandbox.SERVICES[CarrierName.FEDEX] if s.code == "FEDEX_2_DAY")


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def scanned(pdf: bytes) -> list[str]:
    """What a scanner reads off the label's first page, printed at 203 dpi."""
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=203 / 72).to_pil()
    return [found.text for found in zxingcpp.read_barcodes(image)]


def scan_later(session: Session, number: str, status, where, hours: float, reason=None) -> None:
    """A scan ``hours`` after now: packages bought through the API are labelled now."""
    at = datetime.now(UTC).replace(microsecond=0) + timedelta(hours=hours)
    sandbox.record_scan(session, carrier="fedex", tracking_number=number, status=status,
                        location=where, reason=reason, at=at)  # fmt: skip
    session.commit()


def buy(adapter: FedExCarrier, *, service: str = "FEDEX_2_DAY", **parties) -> Label:
    parties = {"shipper": SELLER, "recipient": CUSTOMER} | parties
    return adapter.create_label(parcel=PARCEL, service=service, **parties)


def test_two_labels_in_a_row_are_pdfs_with_their_own_numbers_tracked_as_shipped(app, session):
    cents, days = sandbox.sandbox_quote("fedex", TWO_DAY, grams=2340, international=False)
    with make_adapter(app) as adapter:
        labels = [buy(adapter), buy(adapter)]
        tracked = {u.tracking_number: u for u in adapter.track([x.tracking_number for x in labels])}
    assert labels[0].tracking_number != labels[1].tracking_number
    for label in labels:
        number = label.tracking_number
        assert re.fullmatch(r"\d{12}", number)  # FedEx Express and Ground: 12 digits
        assert label.label_pdf.startswith(b"%PDF") and scanned(label.label_pdf) == [number]
        assert label.service == "FEDEX_2_DAY" and label.carrier_reference is None
        assert label.charge == RateQuote("FEDEX_2_DAY", Decimal(cents) / 100, "USD", days)
        assert label.estimated_delivery == sandbox.delivery_date(days)
        assert tracked[number].status is ShipmentStatus.SHIPPED
        assert tracked[number].estimated_delivery == label.estimated_delivery
        package = sandbox.packages(session, "fedex", [number])[number]
        assert (package.origin.city, package.destination.city) == ("Memphis", "New York")
        assert package.service == "FEDEX_2_DAY"


def test_abroad_the_label_costs_what_the_sandbox_quotes_for_abroad(app):
    toronto = Party(name="Bo Chen", line1="2 King St W", city="Toronto", postal_code="M5H 2N2",
                    country="CA", region="ON")  # fmt: skip
    with make_adapter(app) as adapter:
        label = buy(adapter, service="FEDEX_GROUND", recipient=toronto, customs=make_customs())
    ground = sandbox.SERVICES[CarrierName.FEDEX][0]
    cents, days = sandbox.sandbox_quote("fedex", ground, grams=2340, international=True)
    assert label.charge is not None and label.charge.amount * 100 == cents
    assert label.charge.transit_days == days == 8


def test_abroad_fedex_refuses_a_label_without_customs_or_with_a_commodity_without_its_code(app):
    toronto = Party(name="Bo Chen", line1="2 King St W", city="Toronto", postal_code="M5H 2N2",
                    country="CA", region="ON")  # fmt: skip
    unclassified = make_customs(make_commodity(hs_code=None))
    with make_adapter(app) as adapter:
        with pytest.raises(CarrierError) as bare:
            buy(adapter, recipient=toronto)
        with pytest.raises(CarrierError) as uncoded:
            buy(adapter, recipient=toronto, customs=unclassified)
        declared = buy(adapter, recipient=toronto, customs=make_customs())
    assert (bare.value.code, bare.value.message) == (
        "CUSTOMCLEARANCEDETAIL.INVALID",
        "Customs clearance detail cannot be null.",
    )
    assert not bare.value.transient
    assert uncoded.value.message == "Commodity 1 - harmonized code is invalid."
    assert scanned(declared.label_pdf) == [declared.tracking_number]


def test_a_return_label_goes_from_the_customer_back_to_the_seller(app, session):
    with make_adapter(app) as adapter:
        outbound = buy(adapter)
        back = adapter.create_return_label(
            shipper=SELLER, recipient=CUSTOMER, parcel=PARCEL, service="FEDEX_GROUND"
        )
        (update,) = adapter.track([back.tracking_number])
    assert back.tracking_number != outbound.tracking_number
    assert back.label_pdf.startswith(b"%PDF") and scanned(back.label_pdf) == [back.tracking_number]
    assert update.status is ShipmentStatus.SHIPPED
    assert update.scans[0].location.city.casefold() == "new york"  # picked up at the customer's
    package = sandbox.packages(session, "fedex", [back.tracking_number])[back.tracking_number]
    assert (package.origin.city, package.destination.city) == ("New York", "Memphis")


def test_a_cancelled_label_is_unknown_to_fedex_afterwards(app, session):
    with make_adapter(app) as adapter:
        label = buy(adapter)
        kept = buy(adapter)
        adapter.cancel_label(label.tracking_number)
        assert adapter.track([label.tracking_number, kept.tracking_number]) == adapter.track(
            [kept.tracking_number]
        )
        with pytest.raises(CarrierError) as again:
            adapter.cancel_label(label.tracking_number)
    assert again.value.code == "NOT.FOUND.ERROR" and not again.value.transient
    assert again.value.message.startswith("The resource you requested is no longer available")
    body = tracked_raw(app, [label.tracking_number]).json()
    assert tracking_errors(body)[label.tracking_number].code == "TRACKING.TRACKINGNUMBER.NOTFOUND"


def test_a_label_fedex_has_scanned_in_transit_can_no_longer_be_cancelled(app, session):
    with make_adapter(app) as adapter:
        label = buy(adapter)
        scan_later(session, label.tracking_number, ShipmentStatus.IN_TRANSIT, LOUISVILLE, 5)
        with pytest.raises(CarrierError) as refused:
            adapter.cancel_label(label.tracking_number)
        (update,) = adapter.track([label.tracking_number])
    assert "already been tendered to FedEx" in refused.value.message
    assert not refused.value.transient
    assert update.status is ShipmentStatus.IN_TRANSIT  # still FedEx's package


def test_the_webhook_push_reads_back_as_the_package_at_every_step(app, session):
    steps = [
        (ShipmentStatus.IN_TRANSIT, LOUISVILLE, 9, None),
        (ShipmentStatus.DELIVERY_EXCEPTION, NEW_YORK, 30, "Customer not available"),
        (ShipmentStatus.DELIVERED, NEW_YORK, 52, None),
    ]
    with make_adapter(app) as adapter:
        number = buy(adapter).tracking_number
        for status, where, hours, why in steps:
            scan_later(session, number, status, where, hours, reason=why)
            package = sandbox.packages(session, "fedex", [number])[number]
            (pushed,) = adapter.parse_webhook(webhook_body(package))
            (polled,) = adapter.track([number])
            assert pushed == polled  # the push says what tracking says
            assert pushed.tracking_number == number and pushed.status is status
            # FedEx writes times to the second, in the scan's local time.
            assert [s.at for s in pushed.scans] == [
                e.at.replace(microsecond=0) for e in package.events
            ]
            assert [s.location.city.casefold() for s in pushed.scans] == [
                e.location.city.casefold() for e in package.events
            ]
            assert pushed.estimated_delivery == package.estimated_delivery
    assert [s.code for s in pushed.scans] == ["DL", "DE", "IT", "PU"]
    assert pushed.scans[1].description == "Delivery exception: Customer not available"
    assert parse_webhook(webhook_body(package)) == [pushed]


def test_what_fedex_refuses_in_a_ship_request_is_a_carrier_error_in_its_words(app, session):
    with make_adapter(app) as adapter, pytest.raises(CarrierError) as unknown_service:
        buy(adapter, service="FEDEX_FREIGHT_ECONOMY")
    with make_adapter(app) as adapter_without_account, pytest.raises(CarrierError) as no_account:
        adapter_without_account._account_number = ""  # noqa: SLF001 - an unregistered account
        buy(adapter_without_account)
    assert (unknown_service.value.code, unknown_service.value.message) == (
        "INVALID.INPUT.EXCEPTION",
        "Invalid field value in the input",
    )
    assert no_account.value.code == "ACCOUNTNUMBER.REGISTRATION.REQUIRED"
    assert no_account.value.message.startswith("Please enter a valid 9-digit FedEx account")
    assert not (unknown_service.value.transient or no_account.value.transient)
    assert session.exec(select(SandboxShipment)).all() == []  # nothing was registered


def test_the_ship_api_wants_a_token_and_reads_fedexs_own_examples(app):
    with httpx.Client(base_url=BASE_URL, transport=InProcessTransport(app)) as client:
        refused = client.post("/ship/v1/shipments", json=fixture("ship_request.json"))
        form = {"grant_type": "client_credentials", "client_id": "x", "client_secret": "y"}
        token = client.post("/oauth/token", data=form).json()["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        minimum = client.post("/ship/v1/shipments", json=fixture("ship_request.json"),
                              headers=headers)  # fmt: skip
        as_label = fixture("ship_request.json") | {"labelResponseOptions": "LABEL"}
        as_label["requestedShipment"] |= {"serviceType": "PRIORITY_OVERNIGHT",
                                          "labelSpecification": {"imageType": "PDF"}}  # fmt: skip
        drawn = client.post("/ship/v1/shipments", json=as_label, headers=headers)
        cancel = client.put("/ship/v1/shipments/cancel", json=fixture("cancel_request.json"),
                            headers=headers)  # fmt: skip
    assert refused.status_code == 401
    # FedEx's minimum example asks for STANDARD_OVERNIGHT, which the sandbox does not
    # carry, and for no label in the answer.
    assert minimum.status_code == 400
    assert minimum.json()["errors"][0]["code"] == "INVALID.INPUT.EXCEPTION"
    # Asked for a sandbox service and a PDF in the answer, the same example is a label
    # (its recipient's contact and address come as two entries of ``recipients``).
    assert drawn.status_code == 200
    label = parse_label(drawn.json())
    assert label.service == "PRIORITY_OVERNIGHT"
    assert scanned(label.label_pdf) == [label.tracking_number]
    assert cancel.status_code == 404 and cancel.json()["errors"][0]["code"] == "NOT.FOUND.ERROR"
