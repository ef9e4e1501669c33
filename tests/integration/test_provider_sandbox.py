"""The OMS's payment client over real HTTP against the payment sandbox: refunds pay
money back and extra charges take more, each once per idempotency key and refused
alike for bad input; a charge is declined when the harness says so (nothing taken, the
key free to try again); a refund never exceeds what was authorized plus charged, minus
what was refunded; a provider that does not answer is unavailable."""

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


def _refund(provider, checkout_id, amount, currency, key):
    return provider.refund(checkout_id, amount, currency, idempotency_key=key)


def _charge(provider, checkout_id, amount, currency, key):
    return provider.charge(checkout_id, amount, currency, key, order_id="ord_1")


MOVES = [
    pytest.param(_refund, "refunds", None, id="refund"),
    pytest.param(_charge, "charges", "ord_1", id="charge"),
]
"""(how the client moves the money, the sandbox's list of them, the order it names)"""


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


def _listed(live, path: str, checkout_id: str) -> list[dict]:
    answer = live.http.get(f"/sandbox/payments/{path}", params={"checkout_id": checkout_id})
    return answer.json()["items"]


@pytest.mark.parametrize(("move", "path", "order_id"), MOVES)
def test_money_moves_once_per_idempotency_key(live, checkout_id, move, path, order_id):
    first = move(live.provider, checkout_id, "30.00", "USD", "key_1")
    assert first.status == "succeeded" and first.id
    assert move(live.provider, checkout_id, "30.00", "USD", "key_1") == first
    assert [
        (m["id"], m["amount"], m.get("order_id")) for m in _listed(live, path, checkout_id)
    ] == [(first.id, "30.00", order_id)]


@pytest.mark.parametrize(("move", "path", "order_id"), MOVES)
@pytest.mark.parametrize(
    ("checkout", "amount", "currency", "status"),
    [
        ("chk_unknown", "1.00", "USD", 404),
        (None, "0.00", "USD", 422),
        (None, "1.00", "EUR", 422),
        (None, "abc", "USD", 422),
    ],
)
def test_bad_input_is_refused_clearly_and_moves_nothing(
    live, checkout_id, move, path, order_id, checkout, amount, currency, status
):
    with pytest.raises(ProviderRefused) as refused:
        move(live.provider, checkout or checkout_id, amount, currency, "key_bad")
    assert refused.value.status == status and refused.value.reason
    assert _listed(live, path, checkout_id) == []


def test_a_declined_charge_takes_nothing_and_may_be_tried_again(live, checkout_id):
    url = f"/sandbox/payments/authorizations/{checkout_id}/charge-outcome"
    live.http.put(url, json={"outcome": "declined"}).raise_for_status()
    with pytest.raises(ProviderRefused) as refused:
        live.provider.charge(checkout_id, "5.00", "USD", "adc_2")
    assert refused.value.status == 402 and "declined" in refused.value.reason
    assert _listed(live, "charges", checkout_id) == []
    live.http.put(url, json={"outcome": "succeeded"}).raise_for_status()
    assert live.provider.charge(checkout_id, "5.00", "USD", "adc_2").status == "succeeded"


def test_never_more_than_authorized_minus_refunded(live, checkout_id):
    live.provider.refund(checkout_id, "70.00", "USD", idempotency_key="rfd_a")
    with pytest.raises(ProviderRefused) as refused:
        live.provider.refund(checkout_id, "30.01", "USD", idempotency_key="rfd_b")
    assert refused.value.status == 409 and "30.00" in refused.value.reason
    assert live.provider.refund(checkout_id, "30.00", "USD", idempotency_key="rfd_c").id


def test_refunds_may_take_back_what_was_charged_too(live, checkout_id):
    live.provider.charge(checkout_id, "5.00", "USD", "adc_3")
    assert live.provider.refund(checkout_id, "105.00", "USD", idempotency_key="rfd_x").id
    with pytest.raises(ProviderRefused) as refused:
        live.provider.refund(checkout_id, "0.01", "USD", idempotency_key="rfd_y")
    assert refused.value.status == 409


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
