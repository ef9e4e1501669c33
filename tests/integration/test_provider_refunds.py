"""Provider refunds over real HTTP: the OMS's client against the payment sandbox."""

from __future__ import annotations

import httpx
import pytest

from oms_dashboard.ids import new_id
from oms_dashboard.models import Checkout
from oms_dashboard.payments.provider import (
    HttpPaymentProvider,
    ProviderRefused,
    ProviderUnavailable,
)
from tests.factories import make_actor
from tests.integration.live_server import LiveServer, free_port


@pytest.fixture
def live(engine, session):
    with LiveServer(engine) as server:
        server.http = httpx.Client(base_url=server.url, timeout=30)
        server.provider = HttpPaymentProvider(f"{server.url}/sandbox/payments")
        yield server
        server.http.close()


@pytest.fixture
def checkout_id(live, session):
    """A checkout of 100.00 USD the sandbox authorized."""
    customer = make_actor(session, "customer")
    checkout = Checkout(
        id=new_id("chk"),
        customer_id=customer.customer_id,
        idempotency_key=new_id("key"),
        request_hash="0" * 64,
        currency="USD",
        total_minor=10000,
        ship_name="Ada",
        ship_line1="1 Main St",
        ship_city="Austin",
        ship_region="TX",
        ship_postal_code="78701",
        ship_country="US",
    )
    session.add(checkout)
    session.commit()
    live.http.post(
        "/sandbox/payments/authorizations",
        json={"checkout_id": checkout.id, "amount": "100.00", "currency": "USD"},
    ).raise_for_status()
    return checkout.id


def test_a_refund_is_paid_once_per_idempotency_key(live, checkout_id):
    first = live.provider.refund(checkout_id, "30.00", "USD", idempotency_key="rfd_1")
    assert first.status == "succeeded" and first.id
    again = live.provider.refund(checkout_id, "30.00", "USD", idempotency_key="rfd_1")
    assert again == first
    listed = live.http.get("/sandbox/payments/refunds", params={"checkout_id": checkout_id})
    assert [(r["id"], r["amount"]) for r in listed.json()["items"]] == [(first.id, "30.00")]


def test_never_more_than_authorized_minus_refunded(live, checkout_id):
    live.provider.refund(checkout_id, "70.00", "USD", idempotency_key="rfd_a")
    with pytest.raises(ProviderRefused) as refused:
        live.provider.refund(checkout_id, "30.01", "USD", idempotency_key="rfd_b")
    assert refused.value.status == 409 and "30.00" in refused.value.reason
    assert live.provider.refund(checkout_id, "30.00", "USD", idempotency_key="rfd_c").id


@pytest.mark.parametrize(
    ("checkout", "amount", "currency", "status"),
    [
        ("chk_unknown", "1.00", "USD", 404),
        (None, "0.00", "USD", 422),
        (None, "1.00", "EUR", 422),
        (None, "abc", "USD", 422),
    ],
)
def test_refusals_are_4xx_and_clear(live, checkout_id, checkout, amount, currency, status):
    with pytest.raises(ProviderRefused) as refused:
        live.provider.refund(checkout or checkout_id, amount, currency, idempotency_key="k")
    assert refused.value.status == status and refused.value.reason


def test_a_provider_that_does_not_answer_is_unavailable():
    dead = HttpPaymentProvider(f"http://127.0.0.1:{free_port()}/payments")
    with pytest.raises(ProviderUnavailable):
        dead.refund("chk_1", "1.00", "USD", idempotency_key="k")


def test_a_5xx_is_unavailable():
    def broken(request: httpx.Request) -> httpx.Response:
        return httpx.Response(503, json={"detail": "maintenance"})

    provider = HttpPaymentProvider(
        "http://provider/payments", transport=httpx.MockTransport(broken)
    )
    with pytest.raises(ProviderUnavailable):
        provider.refund("chk_1", "1.00", "USD", idempotency_key="k")
