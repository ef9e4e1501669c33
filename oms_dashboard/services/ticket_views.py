"""What the service desk's pages read about tickets and disputes beyond the ticket
itself: the SLA clock as it stands, the order, shipment and return a ticket is
about, and the names behind user ids. Read-only; scoping stays ``services.tickets``'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from oms_dashboard.domain.tickets import sla_breached
from oms_dashboard.models import Order, Return, Shipment, Ticket, User


def sla_due(ticket: Ticket, now: datetime) -> datetime:
    """The deadline as it stands: time waiting on the customer is off the clock."""
    due = ticket.sla_due_at
    if ticket.waiting_since is not None:
        due += max(now - ticket.waiting_since, timedelta(0))
    return due


def is_breached(ticket: Ticket, now: datetime) -> bool:
    return sla_breached(sla_due(ticket, now), now, ticket.resolved_at)


@dataclass(frozen=True)
class TicketContext:
    """What the ticket is about, as far as the viewer sees the ticket."""

    order: Order | None
    shipment: Shipment | None
    ret: Return | None


def ticket_context(session: Session, ticket: Ticket) -> TicketContext:
    """Call it with a ticket ``services.tickets.get_ticket`` handed out: the order,
    shipment and return belong to it, so whoever sees the ticket sees them."""
    order = session.get(Order, ticket.order_id) if ticket.order_id else None
    shipment = session.get(Shipment, ticket.shipment_id) if ticket.shipment_id else None
    ret = session.get(Return, ticket.return_id) if ticket.return_id else None
    return TicketContext(order, shipment, ret)


def order_numbers(session: Session, order_ids: Iterable[str | None]) -> dict[str, str]:
    ids = sorted({i for i in order_ids if i})
    if not ids:
        return {}
    rows = session.exec(select(Order.id, Order.number).where(Order.id.in_(ids))).all()
    return dict(rows)


def user_names(session: Session, user_ids: Iterable[str | None]) -> dict[str, str]:
    ids = sorted({i for i in user_ids if i})
    if not ids:
        return {}
    return dict(session.exec(select(User.id, User.name).where(User.id.in_(ids))).all())


def tickets_by_id(session: Session, ticket_ids: Iterable[str]) -> dict[str, Ticket]:
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    return {t.id: t for t in session.exec(select(Ticket).where(Ticket.id.in_(ids))).all()}
