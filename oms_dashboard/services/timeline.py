"""An order's timeline: every change writes a typed event in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from oms_dashboard.domain.statuses import OrderStatus, check_transition
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, OrderEvent
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor


@dataclass(frozen=True)
class By:
    """Who or what made a change, as the timeline shows it."""

    type: str
    label: str
    id: str | None = None

    @classmethod
    def person(cls, actor: Actor) -> By:
        return cls("user", actor.label, actor.user_id)


OMS = By("system", "OMS")
PAYMENT_PROVIDER = By("payment", "Payment provider")


def record_event(
    session: Session, order: Order, event_type: str, *, by: By, **details: Any
) -> OrderEvent:
    """Add one event to ``order``'s timeline (``details``: as ``event_row`` takes them)."""
    event = OrderEvent(**event_row(order.id, order.seller_id, event_type, by=by, **details))
    session.add(event)
    return event


def event_row(
    order_id: str,
    seller_id: str,
    event_type: str,
    *,
    by: By,
    note: str | None = None,
    move: tuple[str | None, str] | None = None,
    at: datetime | None = None,
    data: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """An ``order_events`` row as a dict, for a service that inserts its rows in bulk."""
    return {
        "id": new_id("evt"),
        "order_id": order_id,
        "seller_id": seller_id,
        "type": event_type,
        "at": at or utcnow(),
        "actor_type": by.type,
        "actor_id": by.id,
        "actor_label": by.label,
        "from_status": move[0] if move else None,
        "to_status": move[1] if move else None,
        "note": note,
        "data": data,
    }


def move_order(
    session: Session,
    order: Order,
    target: OrderStatus,
    event_type: str,
    *,
    by: By,
    note: str,
    **conditions: bool,
) -> None:
    """Change the status if the transition table allows it, and say so in the timeline."""
    check_transition(order.status, target, **conditions)
    previous = order.status
    order.status = target
    order.updated_at = utcnow()
    session.add(order)
    record_event(session, order, event_type, by=by, note=note, move=(previous, target))
