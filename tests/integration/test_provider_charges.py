"""Extra charges over real HTTP: the OMS's client against the payment sandbox. Once per
idempotency key; declined when the harness says so (nothing taken, the key free to try
again); what was charged may be refunded too."""

from __future__ import annotations

import httpx
import pytest

from oms_dashboard.ids import new_id
from oms_dashboard.models import Checkout
from oms_dashboard.payments.provider import HttpPaymentProvider, ProviderRefused
from tests.factories import make_actor
from tests.integration.live_server import LiveServer


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


def test_a_charge_is_taken_once_per_idempotency_key(live, checkout_id):
    first = live.provider.charge(checkout_id, "5.00", "USD", "adc_1", order_id="ord_1")
    assert first.status == "succeeded" and first.id
    assert live.provider.charge(checkout_id, "5.00", "USD", "adc_1", order_id="ord_1") == first
    listed = live.http.get("/sandbox/payments/charges", params={"checkout_id": checkout_id})
    assert [(c["id"], c["amount"], c["order_id"]) for c in listed.json()["items"]] == [
        (first.id, "5.00", "ord_1")
    ]


def test_a_declined_charge_takes_nothing_and_may_be_tried_again(live, checkout_id):
    url = f"/sandbox/payments/authorizations/{checkout_id}/charge-outcome"
    live.http.put(url, json={"outcome": "declined"}).raise_for_status()
    with pytest.raises(ProviderRefused) as refused:
        live.provider.charge(checkout_id, "5.00", "USD", "adc_2")
    assert refused.value.status == 402 and "declined" in refused.value.reason
    listed = live.http.get("/sandbox/payments/charges", params={"checkout_id": checkout_id})
    assert listed.json()["items"] == []
    live.http.put(url, json={"outcome": "succeeded"}).raise_for_status()
    assert live.provider.charge(checkout_id, "5.00", "USD", "adc_2").status == "succeeded"


def test_refunds_may_take_back_what_was_charged_too(live, checkout_id):
    live.provider.charge(checkout_id, "5.00", "USD", "adc_3")
    assert live.provider.refund(checkout_id, "105.00", "USD", idempotency_key="rfd_x").id
    with pytest.raises(ProviderRefused) as refused:
        live.provider.refund(checkout_id, "0.01", "USD", idempotency_key="rfd_y")
    assert refused.value.status == 409


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"checkout_id": "chk_unknown", "amount": "1.00", "currency": "USD"}, 404),
        ({"amount": "0.00", "currency": "USD"}, 422),
        ({"amount": "1.00", "currency": "EUR"}, 422),
        ({"amount": "abc", "currency": "USD"}, 422),
    ],
)
def test_bad_charges_are_refused(live, checkout_id, body, status):
    sent = {"checkout_id": checkout_id, "idempotency_key": "adc_bad", **body}
    assert live.http.post("/sandbox/payments/charges", json=sent).status_code == status
