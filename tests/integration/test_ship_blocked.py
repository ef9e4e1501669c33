"""No label while the customer's cancellation request waits: the seller's queue marks
the order, ``POST /orders/{id}/ship`` is refused with the rule (nothing bought, nothing
shipped), and once the seller rejects the request the order ships."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from oms_dashboard.models import (
    CancellationRequest,
    Customer,
    Order,
    SandboxShipment,
    Shipment,
    User,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.fulfillment import fulfillment_queue
from oms_dashboard.settings import ROOT
from tests.factories import make_product, make_seller, make_user
from tests.integration.api_helpers import api_fixture, assert_problem, login  # noqa: F401
from tests.integration.test_ship_flow import paid_order


def test_a_pending_cancellation_request_blocks_the_label_until_it_is_rejected_twice(
    api: TestClient, session, engine
):
    seller = make_seller(session)
    seller_user = make_user(session, "seller", seller=seller)
    seller_headers = login(api, seller_user)
    product = make_product(session, seller, on_hand=10)
    for _ in range(2):
        session.rollback()  # end the last read, so SQLite lets this session write again
        order = paid_order(session, seller, product)  # placed 2 hours ago: past the window
        customer = login(api, customer_user(session, order))
        asked = api.post(
            f"/api/v1/orders/{order.id}/cancel",
            json={"reason": "found it cheaper"},
            headers=customer,
        )
        assert asked.status_code == 202, asked.text

        with Session(engine) as s:
            actor = actor_for_user(s, seller_user)
            row = next(r for r in fulfillment_queue(s, actor=actor) if r.order.id == order.id)
            assert row.cancellation_pending
            shipments_before = len(s.exec(select(SandboxShipment)).all())
            request = s.exec(
                select(CancellationRequest).where(CancellationRequest.order_id == order.id)
            ).one()
        [listed] = [
            r
            for r in api.get("/api/v1/fulfillment/queue", headers=seller_headers).json()
            if r["order_id"] == order.id
        ]
        assert listed["cancellation_requested"] is True
        assert _instant(listed["cancellation_requested_at"]) == request.requested_at
        assert _instant(listed["cancellation_answer_due"]) == request.due_at
        refused = api.post(
            f"/api/v1/orders/{order.id}/ship", json={"carrier": "fedex"}, headers=seller_headers
        )
        problem = assert_problem(refused, 409, "refused")
        assert problem["reason"] == "cancellation-request-pending"
        assert "answer the cancellation request first" in problem["detail"]
        with Session(engine) as s:
            assert s.get(Order, order.id).status == "processing"
            assert not s.exec(select(Shipment).where(Shipment.order_id == order.id)).all()
            assert len(s.exec(select(SandboxShipment)).all()) == shipments_before

        rejected = api.post(
            f"/api/v1/orders/{order.id}/cancellation-request/reject",
            json={"reason": "already packed"},
            headers=seller_headers,
        )
        assert rejected.status_code == 200, rejected.text
        with Session(engine) as s:
            actor = actor_for_user(s, seller_user)
            row = next(r for r in fulfillment_queue(s, actor=actor) if r.order.id == order.id)
            assert not row.cancellation_pending
        [listed] = [
            r
            for r in api.get("/api/v1/fulfillment/queue", headers=seller_headers).json()
            if r["order_id"] == order.id
        ]
        assert listed["cancellation_requested"] is False
        assert listed["cancellation_requested_at"] is None
        assert listed["cancellation_answer_due"] is None
        shipped = api.post(
            f"/api/v1/orders/{order.id}/ship", json={"carrier": "fedex"}, headers=seller_headers
        )
        assert shipped.status_code == 200, shipped.text
        with Session(engine) as s:
            assert s.get(Order, order.id).status == "shipped"
            assert s.get(Order, order.id).shipped_at <= utcnow()


def customer_user(session, order: Order) -> User:
    customer = session.get(Customer, order.customer_id)
    return session.get(User, customer.user_id)


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def readme_pick() -> str:
    """The Python the README's shipping example pipes the queue through."""
    section = (ROOT / "README.md").read_text().split("## Shipping and tracking", 1)[1]
    match = re.search(r"fulfillment/queue.*?python3 -c '(.*?)'\)", section, re.S)
    assert match, "the README lost its shipping example"
    return match.group(1)


def test_the_readme_ships_the_first_row_that_can_ship(api: TestClient, session):
    """The most urgent rows are asked to cancel and held for review: the README's example
    picks the next one, and says why the others cannot ship."""
    seller = make_seller(session)
    seller_user = make_user(session, "seller", seller=seller)
    headers = login(api, seller_user)
    product = make_product(session, seller, on_hand=10)
    asked, held, free = (paid_order(session, seller, product) for _ in range(3))
    for order, hours in ((asked, 3), (held, 2), (free, 1)):  # asked is the most urgent
        order.paid_at = utcnow() - timedelta(hours=hours)
        order.ship_by = order.paid_at + timedelta(hours=24)
    held.review_reason = "duplicate"
    session.add_all([asked, held, free])
    session.commit()
    response = api.post(
        f"/api/v1/orders/{asked.id}/cancel",
        json={"reason": "found it cheaper"},
        headers=login(api, customer_user(session, asked)),
    )
    assert response.status_code == 202, response.text

    queue = api.get("/api/v1/fulfillment/queue", headers=headers)
    rows = queue.json()
    assert [r["order_id"] for r in rows] == [asked.id, held.id, free.id]
    assert [(r["can_ship"], r["cancellation_requested"], r["held_for_review"]) for r in rows] == [
        (False, True, None),
        (False, False, "duplicate"),
        (True, False, None),
    ]
    picked = subprocess.run(
        [sys.executable, "-c", readme_pick()],
        input=queue.text,
        capture_output=True,
        text=True,
        check=True,
    )
    assert picked.stdout.strip() == free.id
