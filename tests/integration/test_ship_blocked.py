"""No label while the customer's cancellation request waits: the seller's queue marks
the order, ``POST /orders/{id}/ship`` is refused with the rule (nothing bought, nothing
shipped), and once the seller rejects the request the order ships."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from oms_dashboard.models import Customer, Order, SandboxShipment, Shipment, User
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.fulfillment import fulfillment_queue
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
