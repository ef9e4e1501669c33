"""Refunds over the API: asked for, decided by rule or by a person within their role,
paid through the provider by the outbox worker, failed when refused, retried when
the provider is down, flagged to admins when overdue."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.jobs import tasks
from oms_dashboard.models import OrderPolicy, OutboxMessage, Refund, Ticket
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import refund_payments
from oms_dashboard.services.outbox import MessageKind
from tests.fakes import FakeProvider
from tests.integration.api_helpers import api_fixture, assert_problem, audit_rows  # noqa: F401
from tests.integration.desk_helpers import desk_fixture  # noqa: F401

DELIVERED_AGO = timedelta(days=3)


def ask(desk, order_id, who="alice", **body):
    body.setdefault("reason", "it broke")
    return desk.api.post(f"/api/v1/orders/{order_id}/refunds", json=body, headers=desk.h(who))


def decide(desk, refund_id, verb, who="seller_a", reason="checked the photos"):
    return desk.api.post(
        f"/api/v1/refunds/{refund_id}/{verb}", json={"reason": reason}, headers=desk.h(who)
    )


@pytest.fixture
def delivered(desk):
    """A delivered paid order of 2 x 25.00 + 5.99 shipping (55.99)."""
    return desk.order(status="delivered", placed_ago=DELIVERED_AGO)


def test_request_review_approve_paid_twice_end_to_end(desk):
    for _ in range(2):
        order = desk.order(status="delivered", placed_ago=DELIVERED_AGO)
        sku = desk.products["a"].sku
        response = ask(desk, order.id, lines=[{"sku": sku, "quantity": 1}])
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["status"], body["rule"], body["amount"]) == (
            "pending_review",
            "discretionary",
            "25.00",
        )
        assert body["order_id"] == order.id and body["currency"] == "USD"
        assert body["due_at"] is None and body["lines"] == [
            {"sku": sku, "quantity": 1, "amount": "25.00"}
        ]
        approved = decide(desk, body["id"], "approve")
        assert approved.status_code == 200, approved.text
        assert approved.json()["status"] == "approved" and approved.json()["due_at"]
        desk.drain()
        refund = desk.refund(body["id"])
        assert refund.status == "paid" and refund.provider_refund_id
        assert [r.amount_minor for r in desk.sandbox_refunds(order)] == [2500]
        subjects = desk.emails(desk.users["alice"].email)
        assert any("25.00 is approved" in s for s in subjects)
        assert any("25.00 is paid" in s for s in subjects)
        assert {"refund.requested", "refund.approved", "refund.paid"} <= set(desk.events(order.id))
        (row,) = [r for r in audit_rows(desk.engine, "refund.approve") if r.entity_id == refund.id]
        assert row.after["status"] == "approved"
        listed = desk.api.get(f"/api/v1/orders/{order.id}/refunds", headers=desk.h("alice"))
        assert [(r["id"], r["status"]) for r in listed.json()["items"]] == [(refund.id, "paid")]


def test_rejected_refund_gives_its_amount_back_and_tells_the_customer(desk, delivered):
    first = ask(desk, delivered.id, amount="55.99").json()
    assert_problem(ask(desk, delivered.id, amount="0.01"), 409, "refund-exceeds-paid")
    assert_problem(decide(desk, first["id"], "reject", reason=" "), 422, "validation-error")
    rejected = decide(desk, first["id"], "reject", reason="not damaged")
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    assert rejected.json()["decision_note"] == "not damaged"
    desk.drain()
    assert any("not approved" in s for s in desk.emails(desk.users["alice"].email))
    assert ask(desk, delivered.id, amount="55.99").status_code == 201  # free again
    body = assert_problem(decide(desk, first["id"], "approve"), 409, "invalid-transition")
    assert (body["from_status"], body["to_status"]) == ("rejected", "approved")


def test_lines_and_amount_together_are_a_422(desk, delivered):
    sku = desk.products["a"].sku
    response = ask(desk, delivered.id, lines=[{"sku": sku, "quantity": 1}], amount="1.00")
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"][0]["field"] == "amount"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"lines": [{"sku": "NOPE", "quantity": 1}]}, "lines[0].sku"),
        ({"lines": []}, "lines"),
        ({"amount": "-1.00"}, "amount"),
        ({"amount": "1.001"}, "amount"),
        ({"cause": "system_error"}, "cause"),
        ({"reason": " "}, "reason"),
    ],
)
def test_bad_requests_name_the_field(desk, delivered, body, field):
    response = ask(desk, delivered.id, **body)
    assert field in [
        e["field"] for e in assert_problem(response, 422, "validation-error")["errors"]
    ]


def test_more_than_paid_is_refused_with_the_rule(desk, delivered):
    sku = desk.products["a"].sku
    body = assert_problem(
        ask(desk, delivered.id, lines=[{"sku": sku, "quantity": 3}]), 409, "refund-exceeds-paid"
    )
    assert body["reason"] == "refund-exceeds-paid"
    assert ask(desk, delivered.id, lines=[{"sku": sku, "quantity": 2}]).status_code == 201
    # Pending refunds count: the lines are taken, only the shipping is left.
    assert_problem(ask(desk, delivered.id, amount="6.00"), 409, "refund-exceeds-paid")
    left = ask(desk, delivered.id, amount="5.99", who="support")
    assert left.status_code == 201 and left.json()["amount"] == "5.99"
    unpaid = desk.order(paid=False, status="pending_payment")
    assert_problem(ask(desk, unpaid.id, amount="1.00"), 409, "refund-exceeds-paid")


def test_full_refund_with_nothing_named_takes_lines_and_shipping(desk, delivered):
    response = ask(desk, delivered.id, who="admin", cause="system_error")
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["amount"], body["shipping"], body["status"], body["rule"]) == (
        "55.99",
        "5.99",
        "approved",
        "system-error",
    )


def test_an_unshipped_order_past_its_ship_by_is_refunded_by_rule(desk):
    # A week ago: past its ship-by (24 h = one business day) whatever today's weekday.
    late = desk.order(status="processing", placed_ago=timedelta(days=7))
    response = ask(desk, late.id, amount="10.00")
    assert response.status_code == 201, response.text
    assert (response.json()["status"], response.json()["rule"]) == (
        "approved",
        "not-shipped-in-time",
    )


@pytest.mark.parametrize(
    ("who", "status", "name"),
    [
        ("bob", 404, "not-found"),
        ("seller_b", 404, "not-found"),
        (None, 401, "unauthorized"),
    ],
)
def test_asking_and_listing_across_customers_and_sellers(desk, delivered, who, status, name):
    assert_problem(ask(desk, delivered.id, who=who, amount="1.00"), status, name)
    listed = desk.api.get(f"/api/v1/orders/{delivered.id}/refunds", headers=desk.h(who))
    assert_problem(listed, status, name)


@pytest.mark.parametrize("who", ["seller_a", "support", "admin"])
def test_staff_who_see_the_order_may_ask(desk, delivered, who):
    assert ask(desk, delivered.id, who=who, amount="1.00").status_code == 201


@pytest.mark.parametrize(
    ("who", "status", "name", "reason"),
    [
        ("alice", 403, "forbidden", None),
        ("bob", 403, "forbidden", None),
        ("seller_b", 404, "not-found", None),
        (None, 401, "unauthorized", None),
    ],
)
def test_deciding_across_roles_and_sellers(desk, delivered, who, status, name, reason):
    refund = ask(desk, delivered.id, amount="10.00").json()
    for verb in ("approve", "reject"):
        body = assert_problem(decide(desk, refund["id"], verb, who=who), status, name)
        assert body.get("reason") == reason
    assert desk.refund(refund["id"]).status == "pending_review"


def test_support_decides_up_to_the_policy_limit(desk, delivered):
    small = ask(desk, delivered.id, amount="10.00").json()
    big = ask(desk, delivered.id, amount="45.99").json()
    with desk.engine.begin() as conn:
        conn.execute(sa.delete(OrderPolicy))
        conn.execute(sa.insert(OrderPolicy).values(id=1, support_refund_limit_minor=2000))
    body = assert_problem(decide(desk, big["id"], "approve", who="support"), 403, "forbidden")
    assert body["reason"] == "support-refund-limit"
    assert decide(desk, small["id"], "approve", who="support").status_code == 200
    assert decide(desk, big["id"], "approve", who="admin").status_code == 200
    assert_problem(decide(desk, "rfd_nope", "approve", who="admin"), 404, "not-found")


def test_provider_refusal_fails_the_refund_with_its_reason_and_tells_admins(desk, delivered):
    refund = ask(desk, delivered.id, amount="10.00", who="admin", cause="system_error").json()
    fake = FakeProvider()
    fake.refuse = "card account closed"
    desk.drain(handlers=_with_provider(desk, fake))
    failed = desk.refund(refund["id"])
    assert failed.status == "failed" and failed.last_error == "card account closed"
    assert "refund.failed" in desk.events(delivered.id)
    assert any("Refund failed" in t for t in desk.bell("admin"))
    assert fake.refund_calls == [(delivered.checkout_id, "10.00", "USD", refund["id"])]


def test_provider_down_is_retried_by_the_outbox_and_nothing_is_lost(desk, delivered):
    refund = ask(desk, delivered.id, amount="10.00", who="admin", cause="system_error").json()
    fake = FakeProvider()
    fake.down = True
    handlers = _with_provider(desk, fake)
    assert desk.drain(handlers=handlers)["retry"] == 1
    waiting = desk.refund(refund["id"])
    assert (waiting.status, waiting.attempts) == ("approved", 1) and waiting.last_error
    (message,) = desk.read(
        select(OutboxMessage).where(OutboxMessage.kind == MessageKind.REFUND_PAY)
    )
    assert message.status == "pending"
    fake.down = False
    with desk.engine.begin() as conn:  # the backoff has passed
        conn.execute(sa.update(OutboxMessage).values(available_at=utcnow()))
    desk.drain(handlers=handlers)
    paid = desk.refund(refund["id"])
    assert paid.status == "paid" and paid.provider_refund_id == "fre_1"
    assert [call[3] for call in fake.refund_calls] == [refund["id"], refund["id"]]


def test_overdue_refunds_are_flagged_to_admins_once(desk, delivered):
    refund = ask(desk, delivered.id, amount="10.00").json()
    decide(desk, refund["id"], "approve")
    assert tasks.flag_overdue_refunds() == 0
    with desk.engine.begin() as conn:
        conn.execute(
            sa.update(Refund)
            .where(Refund.id == refund["id"])
            .values(due_at=utcnow() - timedelta(hours=1))
        )
    listed = desk.api.get(f"/api/v1/orders/{delivered.id}/refunds", headers=desk.h("admin"))
    assert listed.json()["items"][0]["overdue"] is True
    assert tasks.flag_overdue_refunds() == 1
    assert tasks.flag_overdue_refunds() == 0
    desk.drain(handlers=_with_provider(desk, _down()))
    assert sum("overdue" in t for t in desk.bell("admin")) == 1
    (case,) = desk.read(select(Ticket).where(Ticket.order_id == delivered.id))
    assert (case.source, case.dedupe_key) == ("system", f"refund-overdue:{refund['id']}")


def test_refund_list_pages(desk, delivered):
    ids = [ask(desk, delivered.id, amount="1.00").json()["id"] for _ in range(3)]
    url = f"/api/v1/orders/{delivered.id}/refunds"
    first = desk.api.get(url, params={"limit": 2}, headers=desk.h("alice")).json()
    assert [r["id"] for r in first["items"]] == ids[:2] and first["next_cursor"]
    rest = desk.api.get(
        url, params={"limit": 2, "cursor": first["next_cursor"]}, headers=desk.h("alice")
    ).json()
    assert [r["id"] for r in rest["items"]] == ids[2:] and rest["next_cursor"] is None
    bad = desk.api.get(url, params={"cursor": "%%%"}, headers=desk.h("alice"))
    assert bad.status_code == 422


def _down() -> FakeProvider:
    fake = FakeProvider()
    fake.down = True
    return fake


def _with_provider(desk, provider):
    """The worker's handlers, with the refunds paid through ``provider``."""
    return {
        **desk.wiring.handlers,
        MessageKind.REFUND_PAY: lambda payload: refund_payments.pay_refund(
            desk.engine, refund_id=payload["refund_id"], provider=provider
        ),
    }
