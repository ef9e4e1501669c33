"""A refund the payment provider refused is sent again by a person: ``POST
/refunds/{id}/retry`` (admins; support up to the refund limit; 409 unless failed),
audited, a new round through the outbox with its own idempotency key; twice round
through the worker path with the in-process sandbox provider."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.models import OrderPolicy, OutboxMessage, SandboxPayment
from oms_dashboard.payments.provider import ProviderRefund, ProviderRefused
from oms_dashboard.services import refund_payments
from oms_dashboard.services.outbox import MessageKind
from tests.fakes import FakeProvider
from tests.integration.api_helpers import api_fixture, assert_problem, audit_rows  # noqa: F401
from tests.integration.desk_helpers import desk_fixture  # noqa: F401

DELIVERED_AGO = timedelta(days=3)


@pytest.fixture
def delivered(desk):
    """A delivered paid order of 2 x 25.00 + 5.99 shipping (55.99)."""
    return desk.order(status="delivered", placed_ago=DELIVERED_AGO)


def ask(desk, order_id, amount="10.00"):
    body = {"reason": "it broke", "amount": amount, "cause": "system_error"}
    response = desk.api.post(
        f"/api/v1/orders/{order_id}/refunds", json=body, headers=desk.h("admin")
    )
    assert response.status_code == 201, response.text
    return response.json()


def retry(desk, refund_id, who="admin"):
    return desk.api.post(f"/api/v1/refunds/{refund_id}/retry", headers=desk.h(who))


def sandbox_refuses(desk, order, refuse: bool) -> None:
    """The sandbox pays refunds only on an authorized payment: voided, it refuses (409)."""
    with desk.engine.begin() as conn:
        conn.execute(
            sa.update(SandboxPayment)
            .where(SandboxPayment.checkout_id == order.checkout_id)
            .values(status="voided" if refuse else "authorized")
        )


def test_fail_retry_paid_then_twice_round(desk, delivered):
    """Once: refused, sent again, paid. Then another refund: refused, sent again,
    refused again, sent again, paid; each round its own outbox message and key."""
    for rounds in (1, 2):
        refund = ask(desk, delivered.id)
        sandbox_refuses(desk, delivered, True)
        desk.drain()
        for n in range(1, rounds + 1):
            failed = desk.refund(refund["id"])
            assert failed.status == "failed" and "not authorized" in failed.last_error
            if n == rounds:
                sandbox_refuses(desk, delivered, False)
            response = retry(desk, refund["id"])
            assert response.status_code == 200, response.text
            assert response.json()["status"] == "approved"
            assert_problem(retry(desk, refund["id"]), 409, "refused")  # already on its way
            desk.drain()
        paid = desk.refund(refund["id"])
        assert (paid.status, paid.pay_round) == ("paid", rounds) and paid.provider_refund_id
        keys = [r.idempotency_key for r in desk.sandbox_refunds(delivered)]
        assert f"{refund['id']}:retry-{rounds}" in keys
        assert sum(k.startswith(refund["id"]) for k in keys) == 1  # paid once
        sent = desk.read(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.kind == MessageKind.REFUND_PAY,
                OutboxMessage.dedupe_key.like(f"refund-pay:{refund['id']}:%"),
            )
        )
        assert len(sent) == rounds + 1
        events = desk.events(delivered.id)
        assert events.count("refund.retried") >= rounds
    retried = audit_rows(desk.engine, "refund.retry")
    assert len(retried) == 3 and {r.order_id for r in retried} == {delivered.id}
    assert sum("Refund failed" in t for t in desk.bell("admin")) == 3  # each failure told


def test_retry_refused_unless_failed_and_beyond_roles(desk, delivered):
    refund = ask(desk, delivered.id)
    assert_problem(retry(desk, refund["id"]), 409, "refused")  # approved, not failed
    body = retry(desk, refund["id"]).json()
    assert body["reason"] == "refund-not-failed"
    sandbox_refuses(desk, delivered, True)
    desk.drain()
    for who, status in (("alice", 403), ("seller_a", 403), ("bob", 403)):
        assert retry(desk, refund["id"], who).status_code == status
    assert desk.refund(refund["id"]).status == "failed"  # nothing changed
    assert_problem(retry(desk, "rfd_nope"), 404, "not-found")
    sandbox_refuses(desk, delivered, False)
    assert retry(desk, refund["id"], "support").status_code == 200  # 10.00: within the limit
    desk.drain()
    assert desk.refund(refund["id"]).status == "paid"
    assert_problem(retry(desk, refund["id"]), 409, "refused")  # paid


def test_support_retries_only_within_the_refund_limit(desk, delivered):
    small, refund = ask(desk, delivered.id, amount="10.00"), ask(desk, delivered.id, "45.99")
    with desk.engine.begin() as conn:
        conn.execute(sa.delete(OrderPolicy))
        conn.execute(sa.insert(OrderPolicy).values(id=1, support_refund_limit_minor=2000))
    sandbox_refuses(desk, delivered, True)
    desk.drain()
    assert retry(desk, small["id"], "support").status_code == 200
    body = assert_problem(retry(desk, refund["id"], "support"), 403, "forbidden")
    assert body["reason"] == "support-refund-limit"
    assert retry(desk, refund["id"], "admin").status_code == 200


class RememberingProvider(FakeProvider):
    """As a real provider: a refused idempotency key stays refused when asked again."""

    def __init__(self):
        super().__init__()
        self.refused: set[str] = set()

    def refund(self, checkout_id, amount, currency, idempotency_key) -> ProviderRefund:
        if idempotency_key in self.refused:
            self.refund_calls.append((checkout_id, amount, currency, idempotency_key))
            raise ProviderRefused(409, "this request was refused before")
        try:
            return super().refund(checkout_id, amount, currency, idempotency_key)
        except ProviderRefused:
            self.refused.add(idempotency_key)
            raise


def _with(desk, provider):
    return {
        **desk.wiring.handlers,
        MessageKind.REFUND_PAY: lambda payload: refund_payments.pay_refund(
            desk.engine,
            refund_id=payload["refund_id"],
            provider=provider,
            pay_round=int(payload.get("round", 0)),
        ),
    }


def test_each_round_asks_the_provider_with_a_new_key_and_old_rounds_do_nothing(desk, delivered):
    refund = ask(desk, delivered.id)
    provider = RememberingProvider()
    provider.refuse = "card account closed"
    desk.drain(handlers=_with(desk, provider))
    assert desk.refund(refund["id"]).status == "failed"
    provider.refuse = None
    assert retry(desk, refund["id"]).status_code == 200
    # the first round's message delivered late (a worker that was slow) pays nothing
    skipped = refund_payments.pay_refund(
        desk.engine, refund_id=refund["id"], provider=provider, pay_round=0
    )
    assert skipped == "skipped"
    desk.drain(handlers=_with(desk, provider))
    assert desk.refund(refund["id"]).status == "paid"
    assert [call[3] for call in provider.refund_calls] == [refund["id"], f"{refund['id']}:retry-1"]


def test_provider_down_during_a_retry_keeps_the_rounds_key(desk, delivered):
    refund = ask(desk, delivered.id)
    provider = FakeProvider()
    provider.refuse = "try later"
    desk.drain(handlers=_with(desk, provider))
    provider.refuse, provider.down = None, True
    retry(desk, refund["id"])
    assert desk.drain(handlers=_with(desk, provider))["retry"] == 1
    provider.down = False
    with desk.engine.begin() as conn:  # the backoff has passed
        conn.execute(sa.update(OutboxMessage).values(available_at=sa.func.now()))
    desk.drain(handlers=_with(desk, provider))
    assert desk.refund(refund["id"]).status == "paid"
    key = f"{refund['id']}:retry-1"
    assert [call[3] for call in provider.refund_calls] == [refund["id"], key, key]
