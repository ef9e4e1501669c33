"""What the service desk's pages read: the admin's refund oversight list and the
queue's "assigned to me" filter."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.models import OrderPolicy, Refund
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import refund_oversight, tickets
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.errors import Forbidden
from tests.integration.api_helpers import api_fixture  # noqa: F401
from tests.integration.desk_helpers import desk_fixture  # noqa: F401


def _ask(desk, order_id, amount):
    answer = desk.api.post(
        f"/api/v1/orders/{order_id}/refunds",
        json={"amount": amount, "reason": "it broke"},
        headers=desk.h("alice"),
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _approve(desk, refund_id):
    answer = desk.api.post(
        f"/api/v1/refunds/{refund_id}/approve", json={"reason": "ok"}, headers=desk.h("seller_a")
    )
    assert answer.status_code == 200, answer.text


def _watched(desk, who="admin"):
    with Session(desk.engine) as session:
        actor = actor_for_user(session, desk.users[who])
        return refund_oversight.watched_refunds(session, actor=actor)


def test_oversight_lists_overdue_first_then_pending_and_high_value_not_the_rest(desk):
    order = desk.order(status="delivered", placed_ago=timedelta(days=3))
    pending = _ask(desk, order.id, "1.00")
    calm = _ask(desk, order.id, "2.00")
    late = _ask(desk, order.id, "3.00")
    big = _ask(desk, order.id, "20.00")
    for refund_id in (calm, late, big):
        _approve(desk, refund_id)
    with desk.engine.begin() as conn:
        conn.execute(
            sa.update(Refund).where(Refund.id == late).values(due_at=utcnow() - timedelta(hours=1))
        )
        conn.execute(sa.update(OrderPolicy).values(high_value_refund_minor=1500))

    found = _watched(desk)

    assert [w.view.refund.id for w in found] == [late, big, pending]
    assert [(w.view.overdue, w.high_value) for w in found] == [
        (True, False),
        (False, True),
        (False, False),
    ]
    assert {w.order_number for w in found} == {order.number}


def test_oversight_is_the_admins(desk):
    with pytest.raises(Forbidden):
        _watched(desk, "support")


def test_the_queue_keeps_the_agents_own_tickets_when_asked(desk):
    order = desk.order(status="delivered")
    opened = [
        desk.api.post(
            "/api/v1/tickets",
            json={"order_id": order.id, "subject": f"Question {n}", "body": "Where is it?"},
            headers=desk.h("alice"),
        ).json()["id"]
        for n in range(2)
    ]
    agent = desk.users["support"]
    assigned = desk.api.post(
        f"/api/v1/tickets/{opened[1]}/assign",
        json={"assignee_id": agent.id},
        headers=desk.h("support"),
    )
    assert assigned.status_code == 200, assigned.text

    with Session(desk.engine) as session:
        actor = actor_for_user(session, agent)
        mine = tickets.list_tickets(session, actor=actor, assignee_id=agent.id).items
        everyone = tickets.list_tickets(session, actor=actor).items

    assert [t.id for t in mine] == [opened[1]]
    assert set(opened) <= {t.id for t in everyone}
