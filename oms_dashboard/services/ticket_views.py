"""What the service desk's pages read about tickets and disputes beyond the ticket
itself: the SLA clock as it stands, the order, shipment and return a ticket is
about, and the names behind user ids. Read-only; scoping stays ``services.tickets``'.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.tickets import TicketStatus, sla_breached
from oms_dashboard.models import Order, Return, Shipment, Ticket, TicketMessage, User
from oms_dashboard.services import tickets
from oms_dashboard.services.actor import Actor, Role


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


def party_tickets(
    session: Session, *, actor: Actor, order_id: str | None = None, limit: int = 100
) -> tuple[list[Ticket], bool]:
    """The tickets a person sees (``services.tickets.scoped_tickets``), optionally
    those about one order: the ones waiting on the viewer first (a seller's or a
    customer's turn to answer), then the latest activity; (rows, more beyond limit)."""
    query = tickets.scoped_tickets(actor)
    if order_id:
        query = query.where(Ticket.order_id == order_id)
    waiting = WAITING_ON_ROLE.get(actor.role)
    if waiting:
        query = query.order_by(sa.case((Ticket.status == waiting, 0), else_=1))
    query = query.order_by(Ticket.updated_at.desc(), Ticket.id.desc()).limit(limit + 1)
    rows = list(session.exec(query).all())
    return rows[:limit], len(rows) > limit


WAITING_ON_ROLE = {
    Role.CUSTOMER: TicketStatus.WAITING_ON_CUSTOMER.value,
    Role.SELLER: TicketStatus.WAITING_ON_SELLER.value,
}
"""The status in which a ticket waits for that role to answer."""


def last_messages(session: Session, ticket_ids: Iterable[str]) -> dict[str, TicketMessage]:
    """Each ticket's latest message written by a person (not the OMS's notes)."""
    ids = sorted(set(ticket_ids))
    if not ids:
        return {}
    rank = (
        sa.func.row_number()
        .over(
            partition_by=TicketMessage.ticket_id,
            order_by=(TicketMessage.created_at.desc(), TicketMessage.id.desc()),
        )
        .label("rank")
    )
    latest = (
        select(TicketMessage.id, rank)
        .where(
            TicketMessage.ticket_id.in_(ids),
            TicketMessage.author_role != tickets.SYSTEM_SOURCE,
        )
        .subquery()
    )
    query = select(TicketMessage).join(latest, latest.c.id == TicketMessage.id)
    return {m.ticket_id: m for m in session.exec(query.where(latest.c.rank == 1)).all()}
