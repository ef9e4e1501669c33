"""Whole payment lifecycles through the real RQ worker and a real SMTP server, round
after round: a second round is verified and told exactly like the first."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from rq import Queue, SimpleWorker
from sqlmodel import Session, select

from oms_dashboard.api import create_app
from oms_dashboard.bootstrap import bootstrap
from oms_dashboard.models import Checkout, Inventory, Order
from oms_dashboard.payments.signing import signed_event
from oms_dashboard.settings import get_settings
from tests.factories import make_product, make_seller, make_user
from tests.integration.api_helpers import login
from tests.integration.test_checkout import ADDRESS


@pytest.fixture
def wired(engine, session, redis_conn, smtp, monkeypatch):
    """The API and a worker as they run in production: every commit enqueues its
    outbox deliveries on Redis, and the worker verifies and emails."""
    monkeypatch.setenv("OMS_PAYMENT_RETRY_SECONDS", "[0, 0, 0]")
    get_settings.cache_clear()
    monkeypatch.setattr("oms_dashboard.jobs.connection.get_redis", lambda url=None: redis_conn)
    wiring = bootstrap("test", engine=engine, enqueue_after_commit=True)
    yield TestClient(create_app(wiring))
    bootstrap("test", engine=engine, enqueue_after_commit=False)
    monkeypatch.undo()
    get_settings.cache_clear()


def run_worker(redis_conn) -> None:
    queues = [Queue(name, connection=redis_conn) for name in ("default", "notifications")]
    SimpleWorker(queues, connection=redis_conn).work(burst=True)


def sandbox_says(api, checkout: dict, outcome: str) -> None:
    api.post(
        "/sandbox/payments/authorizations",
        json={
            "checkout_id": checkout["checkout_id"],
            "amount": checkout["total"],
            "currency": checkout["currency"],
            "outcome": outcome,
        },
    ).raise_for_status()


def payment_system_posts(api, checkout: dict, event_type: str) -> dict:
    body, headers = signed_event(
        checkout_id=checkout["checkout_id"],
        type=event_type,
        amount=checkout["total"],
        currency=checkout["currency"],
        secret=get_settings().payment_webhook_secret,
    )
    response = api.post("/api/v1/payments/events", content=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def statuses(engine, checkout: dict) -> set[str]:
    with Session(engine) as s:
        return set(
            s.exec(select(Order.status).where(Order.checkout_id == checkout["checkout_id"])).all()
        )


def test_declined_twice_then_paid_verifies_and_tells_every_round(
    wired, engine, session, redis_conn, smtp
):
    api = wired
    seller = make_seller(session)
    make_user(session, "seller", seller=seller)
    lamp = make_product(session, seller, price_minor=4999, on_hand=5)
    customer = make_user(session, "customer")
    headers = login(api, customer)
    placed = api.post(
        "/api/v1/checkouts",
        json={"lines": [{"sku": lamp.sku, "quantity": 2}], "shipping_address": ADDRESS},
        headers={**headers, "Idempotency-Key": uuid.uuid4().hex},
    )
    assert placed.status_code == 201, placed.text
    checkout = placed.json()
    order_id = checkout["orders"][0]["id"]

    for payment_round in (1, 2):
        sandbox_says(api, checkout, "declined")
        assert payment_system_posts(api, checkout, "payment.failed")["outcome"] == "retrying"
        run_worker(redis_conn)  # three re-verifications, all declined, then the email
        assert statuses(engine, checkout) == {"payment_failed"}
        failed = [m for m in smtp.messages if "could not verify" in m["Subject"]]
        assert len(failed) == payment_round, f"round {payment_round} was not told"
        with Session(engine) as s:
            held = s.get(Inventory, lamp.sku)
            attempts = s.get(Checkout, checkout["checkout_id"]).payment_attempts
            assert (held.reserved, attempts) == (0, 3)
        retried = api.post(f"/api/v1/orders/{order_id}/payment/retry", headers=headers)
        assert retried.status_code == 200, retried.text
        assert statuses(engine, checkout) == {"pending_payment"}
        with Session(engine) as s:
            again = s.get(Checkout, checkout["checkout_id"])
            assert (again.payment_round, again.payment_attempts) == (payment_round + 1, 0)
            assert s.get(Inventory, lamp.sku).reserved == 2

    sandbox_says(api, checkout, "authorized")
    assert payment_system_posts(api, checkout, "payment.authorized")["outcome"] == "verified"
    assert statuses(engine, checkout) == {"processing"}
    run_worker(redis_conn)
    subjects = [m["Subject"] for m in smtp.messages]
    assert sum("is confirmed" in s for s in subjects) == 1
    assert sum("could not verify" in s for s in subjects) == 2
    assert any(s.startswith("New order") for s in subjects)  # the seller is told too
    with Session(engine) as s:
        assert s.get(Order, order_id).stock_status == "confirmed"
