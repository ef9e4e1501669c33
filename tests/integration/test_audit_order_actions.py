"""Every privileged action on an order leaves an audit row the order's filter finds:
the admin's cancel override, refund approve and reject, a return rejected by an
admin, an address change, a label bought and a label voided (an order's and a
return's), a held order released
and one cancelled, a ticket taken and reassigned, a dispute resolved, a failed job
retried. Each action is taken through the API (or the service the page calls), and
the audit log filtered by that order (``list_audit``, as /admin/audit?order=...)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
import sqlalchemy as sa
from rq import Queue
from rq.registry import FailedJobRegistry
from sqlmodel import Session, select

from oms_dashboard.models import Order, OutboxMessage, Return
from oms_dashboard.services import fulfillment, returns, system_health
from oms_dashboard.services.audit import AuditFilter, list_audit, verify_chain
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.errors import Conflict
from tests.integration.api_helpers import api_fixture  # noqa: F401
from tests.integration.desk_helpers import desk_fixture  # noqa: F401


def _actor(desk, who):
    with Session(desk.engine) as s:
        return actor_for_user(s, desk.users[who])


def order_trail(desk, order_id: str) -> list[tuple[str, str]]:
    """(action, actor role) of the order's audit rows, oldest first, as the admin's
    viewer filtered by the order lists them."""
    with Session(desk.engine) as s:
        page = list_audit(
            s, actor=_actor(desk, "admin"), filters=AuditFilter(order_id=order_id), limit=100
        )
    return [(row.entry.action, row.entry.actor_role) for row in reversed(page.items)]


def post(desk, path: str, who: str, **body) -> dict:
    answer = desk.api.post(f"/api/v1{path}", json=body, headers=desk.h(who))
    assert answer.status_code in (200, 201), answer.text
    return answer.json()


def deliver_and_ask_return(desk, order, shipped: dict) -> dict:
    """The carrier delivers the shipped order; alice asks to return one unit for a refund."""
    number = shipped["shipment"]["tracking_number"]
    scan = desk.api.post(
        f"/sandbox/carriers/fedex/shipments/{number}/scans", json={"status": "delivered"}
    )
    assert scan.status_code == 201, scan.text
    desk.drain()
    return post(
        desk,
        f"/orders/{order.id}/returns",
        "alice",
        lines=[{"sku": desk.products["a"].sku, "quantity": 1}],
        reason="changed_mind",
        resolution="refund",
    )


def _hold(desk, order_id: str, reason: str = "duplicate") -> None:
    with desk.engine.begin() as conn:
        conn.execute(sa.update(Order).where(Order.id == order_id).values(review_reason=reason))


def test_cancel_override_refund_decisions_and_review(desk):
    late = desk.order(placed_ago=timedelta(hours=3))
    post(desk, f"/orders/{late.id}/cancel", "admin", reason="carrier lost it before pickup")
    assert ("order.cancel", "admin") in order_trail(desk, late.id)

    delivered = desk.order(status="delivered", placed_ago=timedelta(days=3))
    sku = desk.products["a"].sku
    for verb in ("approve", "reject"):
        asked = post(
            desk,
            f"/orders/{delivered.id}/refunds",
            "alice",
            reason="it broke",
            lines=[{"sku": sku, "quantity": 1}],
        )
        post(desk, f"/refunds/{asked['id']}/{verb}", "admin", reason="checked the photos")
    trail = order_trail(desk, delivered.id)
    assert ("refund.approve", "admin") in trail and ("refund.reject", "admin") in trail

    for verb, body in (("release", {}), ("cancel", {"reason": "double click"})):
        held = desk.order(placed_ago=timedelta(hours=2))
        _hold(desk, held.id)
        post(desk, f"/orders/{held.id}/review/{verb}", "admin", **body)
        action = "order.release" if verb == "release" else "order.cancel"
        assert (action, "admin") in order_trail(desk, held.id)


def test_address_change_labels_returns_tickets_dispute_and_a_failed_job(
    desk, redis_url, redis_conn
):
    order = desk.order(quantity=1)
    changed = desk.api.post(
        f"/api/v1/orders/{order.id}/address",
        json={
            "shipping_address": {
                "name": "Alice Moved",
                "country": "US",
                "line1": "2 Elm St",
                "city": "Dallas",
                "region": "TX",
                "postal_code": "75201",
            }
        },
        headers=desk.h("admin"),
    )
    assert changed.status_code == 200, changed.text
    assert ("order.address_change", "admin") in order_trail(desk, order.id)

    shipped = post(desk, f"/orders/{order.id}/ship", "seller_a", carrier="fedex")
    assert ("shipment.label_buy", "seller") in order_trail(desk, order.id)

    # A label bought while the order was put on hold: voided at the carrier, audited.
    other = desk.order(quantity=1)
    wiring_transport = desk.wiring.sandbox_transport

    class HoldWhileBuying(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.endswith("/ship/v1/shipments"):
                _hold(desk, other.id, "stock_lost")
            return wiring_transport.handle_request(request)

    with pytest.raises(Conflict):
        fulfillment.buy_label(
            desk.engine,
            actor=_actor(desk, "seller_a"),
            order_id=other.id,
            carrier="fedex",
            service="FEDEX_GROUND",
            sandbox_transport=HoldWhileBuying(),
        )
    assert ("shipment.label_void", "seller") in order_trail(desk, other.id)

    # Delivered; the customer asks for a return (the seller's call), an admin refuses it.
    asked = deliver_and_ask_return(desk, order, shipped)
    with Session(desk.engine) as s:
        assert s.get(Return, asked["id"]).status == "requested"
    post(desk, f"/returns/{asked['id']}/reject", "admin", reason="the photo shows no damage")
    assert ("return.reject", "admin") in order_trail(desk, order.id)

    # A ticket about the order, taken by support, reassigned by an admin; then a dispute.
    ticket = post(
        desk, "/tickets", "alice", subject="Where is my refund?", body="Hi", order_id=order.id
    )
    post(desk, f"/tickets/{ticket['id']}/assign", "support", agent_id=desk.users["support"].id)
    post(desk, f"/tickets/{ticket['id']}/assign", "admin", agent_id=desk.users["admin"].id)
    assigned = [a for a in order_trail(desk, order.id) if a[0] == "ticket.assign"]
    assert assigned == [("ticket.assign", "support"), ("ticket.assign", "admin")]
    dispute = post(desk, f"/tickets/{ticket['id']}/escalate", "alice")["dispute"]
    post(desk, f"/disputes/{dispute['id']}/resolve", "admin", decision="reject", note="no")
    assert ("dispute.resolve", "admin") in order_trail(desk, order.id)

    # The delivery of one of the order's messages failed in the worker; an admin retries it.
    with Session(desk.engine) as s:
        message = s.exec(
            select(OutboxMessage).where(OutboxMessage.payload["shipment_id"].as_string() != "")
        ).first()
    assert message is not None
    queue = Queue("notifications", connection=redis_conn)
    job = queue.enqueue("oms_dashboard.jobs.tasks.deliver_outbox", message.id)
    queue.remove(job)
    FailedJobRegistry(queue=queue).add(job, exc_string="RuntimeError: the mail server said no")
    system_health.retry_failed_job(
        actor=_actor(desk, "admin"),
        engine=desk.engine,
        redis_url=redis_url,
        queue_name="notifications",
        job_id=job.id,
    )
    assert ("job.retry", "admin") in order_trail(desk, order.id)

    with Session(desk.engine) as s:
        assert verify_chain(s).intact


def test_return_labels_bought_and_voided_are_audited(desk):
    """A return label is a label bought like an order's: the seller's approval buys it
    (audited with the return before and after); one bought while the return moved on is
    voided at the carrier, audited too."""
    wiring_transport = desk.wiring.sandbox_transport
    returns_asked = []
    for _ in range(2):
        order = desk.order(quantity=1)
        shipped = post(desk, f"/orders/{order.id}/ship", "seller_a", carrier="fedex")
        asked = deliver_and_ask_return(desk, order, shipped)
        returns_asked.append((order, asked["id"]))

    (order, return_id), (other, moved_id) = returns_asked
    approved = post(desk, f"/returns/{return_id}/approve", "seller_a")
    assert approved["status"] == "label_created"
    assert ("return.label_buy", "seller") in order_trail(desk, order.id)

    class CloseWhileBuying(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "POST" and request.url.path.endswith("/ship/v1/shipments"):
                with desk.engine.begin() as conn:
                    conn.execute(
                        sa.update(Return).where(Return.id == moved_id).values(status="closed")
                    )
            return wiring_transport.handle_request(request)

    with pytest.raises(Conflict):
        returns.approve_return(
            desk.engine,
            actor=_actor(desk, "seller_a"),
            return_id=moved_id,
            sandbox_transport=CloseWhileBuying(),
        )
    trail = order_trail(desk, other.id)
    assert ("shipment.label_void", "seller") in trail
    assert ("return.label_buy", "seller") not in trail
    with Session(desk.engine) as s:
        assert verify_chain(s).intact
