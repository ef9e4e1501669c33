"""Cancelling orders over the API, end to end through the outbox worker: inside the
window, by a request the seller approves or rejects, escalated when unanswered,
refused once shipped, an admin's override."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.jobs import tasks
from oms_dashboard.models import CancellationRequest, EmailMessage, Order, Ticket
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import review
from oms_dashboard.services.auth import actor_for_user
from tests.integration.api_helpers import api_fixture, assert_problem, audit_rows  # noqa: F401
from tests.integration.desk_helpers import desk_fixture  # noqa: F401

LATE = timedelta(hours=3)
"""Placed three hours ago: past the default one-hour window."""


def cancel(desk, order_id, who="alice", reason="changed my mind"):
    return desk.api.post(
        f"/api/v1/orders/{order_id}/cancel", json={"reason": reason}, headers=desk.h(who)
    )


def answer(desk, order_id, verb, who="seller_a", reason="out of our hands"):
    return desk.api.post(
        f"/api/v1/orders/{order_id}/cancellation-request/{verb}",
        json={"reason": reason},
        headers=desk.h(who),
    )


def test_cancel_in_window_cancels_releases_stock_and_refunds_through_the_outbox(desk):
    for run in range(2):  # twice end to end: the second order changes nothing of the first
        order = desk.order(quantity=2)
        reserved = desk.reserved()
        response = cancel(desk, order.id)
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["status"] == "cancelled" and body["rule"] == "cancelled-within-window"
        assert body["refund"]["status"] == "approved"
        assert body["refund"]["rule"] == "cancelled-within-window"
        assert body["refund"]["amount"] == "55.99"
        assert desk.reserved() == reserved - 2
        desk.drain()
        (refund,) = desk.refunds(order.id)
        assert refund.status == "paid" and refund.provider_refund_id and refund.paid_at
        (paid,) = desk.sandbox_refunds(order)
        assert (paid.amount_minor, paid.idempotency_key) == (5599, refund.id)
        assert refund.due_at == refund.created_at + timedelta(hours=24)
        assert {"order.cancelled", "refund.requested", "refund.paid"} <= set(desk.events(order.id))
        subjects = desk.emails(desk.users["alice"].email)
        assert sum("is cancelled" in s for s in subjects) == run + 1
        assert sum("is paid" in s for s in subjects) == run + 1
        assert any("was cancelled" in t for t in desk.bell("seller_a"))
        desk.drain()  # delivered again: nothing is paid twice
        assert len(desk.sandbox_refunds(order)) == 1


def test_unpaid_order_cancels_without_a_refund(desk):
    order = desk.order(status="pending_payment", paid=False, placed_ago=LATE)
    response = cancel(desk, order.id)
    assert response.status_code == 200, response.text
    assert response.json()["rule"] == "unpaid-order" and response.json()["refund"] is None
    assert desk.refunds(order.id) == []


def test_request_then_seller_approves_then_refund_paid(desk):
    for _ in range(2):
        order = desk.order(placed_ago=LATE)
        response = cancel(desk, order.id)
        assert response.status_code == 202, response.text
        request = response.json()["cancellation_request"]
        assert request["status"] == "pending"
        assert response.json()["rule"] == "cancellation-window-passed"
        assert desk.status(order.id) == "processing"
        desk.drain()
        assert any("asks to cancel" in t for t in desk.bell("seller_a"))
        again = assert_problem(cancel(desk, order.id), 409, "not-cancellable")
        assert again["reason"] == "cancellation-request-pending"
        response = answer(desk, order.id, "approve")
        assert response.status_code == 200, response.text
        assert response.json()["status"] == "cancelled"
        assert response.json()["refund"]["rule"] == "cancellation-approved"
        assert response.json()["cancellation_request"]["status"] == "approved"
        desk.drain()
        (refund,) = desk.refunds(order.id)
        assert refund.status == "paid"
        assert audit_rows(desk.engine, "cancellation_request.approve")


def test_request_then_seller_rejects_with_a_reason_the_customer_reads(desk):
    for _ in range(2):
        order = desk.order(placed_ago=LATE)
        assert cancel(desk, order.id).status_code == 202
        missing = answer(desk, order.id, "reject", reason=" ")
        assert_problem(missing, 422, "validation-error")
        response = answer(desk, order.id, "reject", reason="already packed")
        assert response.status_code == 200, response.text
        assert response.json()["cancellation_request"]["status"] == "rejected"
        assert desk.status(order.id) == "processing" and desk.refunds(order.id) == []
        desk.drain()
        bodies = [
            m.text_body
            for m in desk.read(select(EmailMessage).where(EmailMessage.order_id == order.id))
            if "not approved" in m.subject
        ]
        assert len(bodies) == 1 and "already packed" in bodies[0]
        assert_problem(answer(desk, order.id, "approve"), 404, "not-found")


def test_unanswered_request_escalates_to_support_once(desk):
    for _ in range(2):
        order = desk.order(placed_ago=LATE)
        assert cancel(desk, order.id).status_code == 202
        assert tasks.escalate_cancellation_requests() == 0  # not due yet
        with desk.engine.begin() as conn:
            conn.execute(
                sa.update(CancellationRequest)
                .where(CancellationRequest.order_id == order.id)
                .values(due_at=utcnow() - timedelta(minutes=1))
            )
        assert tasks.escalate_cancellation_requests() == 1
        assert tasks.escalate_cancellation_requests() == 0
        (request,) = desk.read(
            select(CancellationRequest).where(CancellationRequest.order_id == order.id)
        )
        assert request.status == "escalated"
        assert "cancellation.escalated" in desk.events(order.id)
        desk.drain()
        titles = [t for t in desk.bell("support") if order.number in t]
        assert len(titles) == 1 and "unanswered" in titles[0]
        # ... and a case in support's queue, once however often the cron runs.
        (case,) = desk.read(select(Ticket).where(Ticket.order_id == order.id))
        assert case.source == "system" and case.dedupe_key.startswith("cancellation-request:")
        assert "unanswered" in case.subject
        # Support answers in the seller's place once escalated.
        response = answer(desk, order.id, "approve", who="support")
        assert response.status_code == 200, response.text
        desk.drain()
        assert desk.refunds(order.id)[0].status == "paid"


def test_support_does_not_answer_a_request_still_with_the_seller(desk):
    order = desk.order(placed_ago=LATE)
    assert cancel(desk, order.id).status_code == 202
    assert_problem(answer(desk, order.id, "approve", who="support"), 403, "forbidden")


@pytest.mark.parametrize(
    ("who", "status", "name"),
    [("customer", 403, "forbidden"), ("seller_b", 404, "not-found"), (None, 401, "unauthorized")],
)
def test_answering_a_request_across_roles_and_sellers(desk, who, status, name):
    order = desk.order(placed_ago=LATE)
    assert cancel(desk, order.id).status_code == 202
    who = "alice" if who == "customer" else who
    assert_problem(answer(desk, order.id, "approve", who=who), status, name)


def test_shipped_is_not_cancellable_and_offers_a_return(desk):
    order = desk.order(status="shipped", placed_ago=LATE)
    body = assert_problem(cancel(desk, order.id), 409, "not-cancellable")
    assert body["reason"] == "already-shipped" and "return" in body["detail"]
    assert (body["from_status"], body["to_status"]) == ("shipped", "cancelled")


def test_admin_overrides_before_delivery_audited_and_refunded(desk):
    order = desk.order(status="shipped", placed_ago=LATE)
    response = cancel(desk, order.id, who="admin", reason="carrier lost it before pickup")
    assert response.status_code == 200, response.text
    assert response.json()["rule"] == "admin-override"
    assert response.json()["refund"]["rule"] == "admin-cancellation"
    (row,) = audit_rows(desk.engine, "order.cancel")
    assert row.entity_id == order.id and row.after["reason"] == "carrier lost it before pickup"
    delivered = desk.order(status="delivered", placed_ago=LATE)
    body = assert_problem(cancel(desk, delivered.id, who="admin"), 409, "not-cancellable")
    assert body["reason"] == "already-delivered"


@pytest.mark.parametrize(
    ("who", "status", "name", "reason"),
    [
        ("bob", 404, "not-found", None),
        ("seller_b", 404, "not-found", None),
        ("seller_a", 409, "not-cancellable", "seller-answers-requests"),
        (None, 401, "unauthorized", None),
    ],
)
def test_cancel_across_roles_and_sellers(desk, who, status, name, reason):
    order = desk.order()
    body = assert_problem(cancel(desk, order.id, who=who), status, name)
    assert body.get("reason") == reason
    assert desk.status(order.id) == "processing"


def test_cancel_needs_a_reason(desk):
    order = desk.order()
    response = desk.api.post(f"/api/v1/orders/{order.id}/cancel", json={}, headers=desk.h("alice"))
    assert_problem(response, 422, "validation-error")


def test_cancelling_a_held_paid_order_from_review_refunds_it_and_tells_both(desk):
    order = desk.order(status="pending_payment", placed_ago=LATE)
    with desk.engine.begin() as conn:
        conn.execute(sa.update(Order).where(Order.id == order.id).values(review_reason="duplicate"))
    with Session(desk.engine) as s:
        admin = actor_for_user(s, desk.users["admin"])
    review.cancel_held_order(desk.engine, actor=admin, order_id=order.id, reason="double click")
    (refund,) = desk.refunds(order.id)
    assert (refund.rule, refund.status, refund.amount_minor) == (
        "admin-cancellation",
        "approved",
        5599,
    )
    desk.drain()
    assert desk.refund(refund.id).status == "paid"
    assert any("is cancelled" in s for s in desk.emails(desk.users["alice"].email))
    assert any("was cancelled" in t for t in desk.bell("seller_a"))
