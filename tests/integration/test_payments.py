"""Payment events: signed, idempotent, checked with the provider over real HTTP."""

from __future__ import annotations

import httpx
import pytest
from sqlmodel import Session, select

from oms_dashboard.domain.payment import VERIFICATION_RETRIES
from oms_dashboard.models import (
    Checkout,
    Inventory,
    Order,
    OrderEvent,
    OutboxMessage,
    PaymentEvent,
    Seller,
)
from oms_dashboard.payments.provider import HttpPaymentProvider
from oms_dashboard.payments.signing import signed_event
from oms_dashboard.services import payments
from oms_dashboard.services.ship_by import seller_deadline
from oms_dashboard.settings import get_settings
from tests.factories import make_product, make_seller, make_user
from tests.integration.api_helpers import count, login
from tests.integration.live_server import LiveServer, free_port

ADDRESS = {
    "name": "Grace Hopper",
    "line1": "350 5th Ave",
    "city": "New York",
    "region": "NY",
    "postal_code": "10118",
    "country": "US",
}


@pytest.fixture
def live(engine, session):
    """The API over real HTTP; it asks its own sandbox provider, in process."""
    with LiveServer(engine) as server:
        server.provider = server.wiring.payment_provider
        server.http = httpx.Client(base_url=server.url, timeout=30)
        yield server
        server.http.close()


@pytest.fixture
def placed(live, session):
    """A customer's checkout from two sellers, stock held, awaiting payment."""
    a, b = (
        make_seller(session, name="A"),
        make_seller(session, name="B", postal_code="02108", city="Boston", region="MA"),
    )
    lamp = make_product(session, a, price_minor=4999, on_hand=50)
    book = make_product(session, b, price_minor=1250, on_hand=50)
    headers = login(live.http, make_user(session, "customer"))
    body = {
        "lines": [{"sku": lamp.sku, "quantity": 2}, {"sku": book.sku, "quantity": 1}],
        "shipping_address": ADDRESS,
    }
    response = live.http.post(
        "/api/v1/checkouts", json=body, headers={**headers, "Idempotency-Key": "pay-1"}
    )
    assert response.status_code == 201, response.text
    return {"checkout": response.json(), "skus": (lamp.sku, book.sku)}


def pay(
    live,
    checkout,
    *,
    outcome="authorized",
    amount=None,
    event_type="payment.authorized",
    event_id=None,
):
    amount = amount or checkout["total"]
    live.http.post(
        "/sandbox/payments/authorizations",
        json={
            "checkout_id": checkout["checkout_id"],
            "amount": amount,
            "currency": "USD",
            "outcome": outcome,
        },
    ).raise_for_status()
    body, headers = signed_event(
        checkout_id=checkout["checkout_id"],
        type=event_type,
        amount=amount,
        currency="USD",
        secret=get_settings().payment_webhook_secret,
        event_id=event_id,
    )
    return live.http.post("/api/v1/payments/events", content=body, headers=headers)


def orders_of(engine, checkout):
    with Session(engine) as s:
        return s.exec(select(Order).where(Order.checkout_id == checkout["checkout_id"])).all()


def kinds(engine):
    with Session(engine) as s:
        return sorted(m.kind for m in s.exec(select(OutboxMessage)).all())


def test_verified_payment_moves_every_order_to_processing(live, placed, engine):
    response = pay(live, placed["checkout"])
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "verified"
    orders = orders_of(engine, placed["checkout"])
    assert {o.status for o in orders} == {"processing"}
    assert {o.stock_status for o in orders} == {"confirmed"}
    with Session(engine) as s:  # each order's deadline, by its seller's calendar
        for o in orders:
            assert o.ship_by == seller_deadline(s.get(Seller, o.seller_id), o.paid_at)
    assert kinds(engine) == ["customer.order_confirmation", "seller.new_order", "seller.new_order"]
    with Session(engine) as s:
        moves = s.exec(select(OrderEvent).where(OrderEvent.type == "payment.authorized")).all()
        assert {(e.from_status, e.to_status) for e in moves} == {("pending_payment", "processing")}


def test_replayed_event_changes_nothing(live, placed, engine):
    first = pay(live, placed["checkout"], event_id="evt-1")
    again = pay(live, placed["checkout"], event_id="evt-1")
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert first.json()["outcome"] == "verified"
    assert count(engine, PaymentEvent) == 1
    assert len(kinds(engine)) == 3


def test_bad_signature_is_401_and_writes_nothing(live, placed, engine):
    body, headers = signed_event(
        checkout_id=placed["checkout"]["checkout_id"],
        type="payment.authorized",
        amount=placed["checkout"]["total"],
        currency="USD",
        secret="not-the-secret",
    )
    response = live.http.post("/api/v1/payments/events", content=body, headers=headers)
    assert response.status_code == 401
    assert live.http.post("/api/v1/payments/events", content=body).status_code == 401
    assert count(engine, PaymentEvent) == 0
    assert {o.status for o in orders_of(engine, placed["checkout"])} == {"pending_payment"}


def test_amount_mismatch_leaves_orders_pending_and_schedules_a_retry(live, placed, engine):
    response = pay(live, placed["checkout"], amount="1.00")
    assert response.status_code == 200
    assert response.json()["outcome"] == "retrying"
    assert "does not match" in response.json()["detail"]
    assert {o.status for o in orders_of(engine, placed["checkout"])} == {"pending_payment"}
    assert kinds(engine) == ["payment.verify"]


def test_unreachable_provider_answers_202_and_keeps_orders_pending(live, placed, engine):
    dead = HttpPaymentProvider(f"http://127.0.0.1:{free_port()}/payments")
    with LiveServer(engine, payment_provider=dead) as elsewhere:
        elsewhere.http = httpx.Client(base_url=elsewhere.url, timeout=30)
        response = pay(elsewhere, placed["checkout"])
    assert response.status_code == 202
    assert {o.status for o in orders_of(engine, placed["checkout"])} == {"pending_payment"}
    assert kinds(engine) == ["payment.verify"]


def test_three_failed_retries_mark_payment_failed_and_release_stock(live, placed, engine):
    pay(live, placed["checkout"], outcome="declined", event_type="payment.failed")
    outcomes = [
        payments.verify_again(
            engine,
            checkout_id=placed["checkout"]["checkout_id"],
            payment_round=1,
            provider=live.provider,
        )
        for _ in range(VERIFICATION_RETRIES)
    ]
    assert outcomes == ["retrying", "retrying", "failed"]
    assert {o.status for o in orders_of(engine, placed["checkout"])} == {"payment_failed"}
    with Session(engine) as s:
        assert [s.get(Inventory, sku).reserved for sku in placed["skus"]] == [0, 0]
        checkout = s.get(Checkout, placed["checkout"]["checkout_id"])
        assert checkout.payment_status == "failed" and checkout.response  # the cart is kept
    assert "customer.payment_failed" in kinds(engine)


def test_a_retry_that_finds_the_payment_verifies_it(live, placed, engine):
    pay(live, placed["checkout"], outcome="declined", event_type="payment.failed")
    live.http.post(
        "/sandbox/payments/authorizations",
        json={
            "checkout_id": placed["checkout"]["checkout_id"],
            "amount": placed["checkout"]["total"],
            "currency": "USD",
        },
    ).raise_for_status()
    verified = payments.verify_again(
        engine,
        checkout_id=placed["checkout"]["checkout_id"],
        payment_round=1,
        provider=live.provider,
    )
    assert verified == "verified"
    assert {o.status for o in orders_of(engine, placed["checkout"])} == {"processing"}


def test_extra_verification_notifies_the_customer(live, placed, engine):
    response = pay(
        live, placed["checkout"], outcome="requires_action", event_type="payment.requires_action"
    )
    assert response.json()["outcome"] == "needs_action"
    assert kinds(engine) == ["customer.payment_action_required"]
    assert {o.status for o in orders_of(engine, placed["checkout"])} == {"pending_payment"}


def test_unpaid_holds_expire_and_release_stock(live, placed, engine):
    from datetime import timedelta

    from oms_dashboard.models.base import utcnow

    with Session(engine) as s:
        checkout = s.get(Checkout, placed["checkout"]["checkout_id"])
        checkout.hold_expires_at = utcnow() - timedelta(minutes=1)
        s.add(checkout)
        s.commit()
    assert payments.expire_unpaid_holds(engine) == 1
    assert payments.expire_unpaid_holds(engine) == 0
    with Session(engine) as s:
        assert [s.get(Inventory, sku).reserved for sku in placed["skus"]] == [0, 0]
    assert {o.status for o in orders_of(engine, placed["checkout"])} == {"payment_failed"}


def test_bad_event_bodies_name_the_field(live, placed, engine):
    secret = get_settings().payment_webhook_secret
    body, headers = signed_event(
        checkout_id="chk_nope",
        type="payment.authorized",
        amount="1.00",
        currency="USD",
        secret=secret,
    )
    response = live.http.post("/api/v1/payments/events", content=body, headers=headers)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "checkout_id"
    body, headers = signed_event(
        checkout_id="x", type="payment.refunded", amount="1.00", currency="USD", secret=secret
    )
    assert (
        live.http.post("/api/v1/payments/events", content=body, headers=headers).json()["errors"][
            0
        ]["field"]
        == "type"
    )
    assert count(engine, PaymentEvent) == 0
