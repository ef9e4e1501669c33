"""Support ticket notices: the party a ticket needs, or whom it concerns, told in
the app and by email. The seller's staff each get one; the customer one."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.db import session_scope
from oms_dashboard.models import Customer, Dispute, Order, Ticket, TicketMessage, User
from oms_dashboard.notifications import content
from oms_dashboard.notifications.notice import Notice, tell_person, tell_seller

_WHAT = {
    "waiting_on_seller": ("Support needs your input on ticket {number}", "Reply on the ticket"),
    "waiting_on_customer": ("Support replied to your ticket {number}", "Reply on the ticket"),
    "escalated": ("Ticket {number} became a dispute", "An admin will decide it"),
    "resolved": ("Your ticket {number} is resolved", "Rate how it was handled"),
    "dispute_resolved": ("The dispute on ticket {number} is decided", "Read the decision"),
    "assigned": ("Ticket {number} was assigned to you", "Answer the ticket"),
}


def ticket_update(payload: dict[str, Any], *, engine: sa.Engine | None = None) -> None:
    ticket_id, to, event = payload["ticket_id"], payload["to"], payload["event"]
    with session_scope(engine) as session:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            return
        order = session.get(Order, ticket.order_id) if ticket.order_id else None
        title, action = _WHAT.get(event, ("Ticket {number} was updated", "Open the ticket"))
        title = title.format(number=ticket.number)
        latest = _latest_words(session, ticket, event)
        about = f" about order {order.number}" if order else ""
        body = f"{ticket.subject}{about}. {latest}".strip()
        told = Notice(
            key=f"ticket:{ticket_id}:{event}:{to}:{payload.get('cause', '')}",
            kind="ticket_update",
            title=title,
            body=body,
            template="ticket_update",
            subject=title,
            context={
                "headline": title,
                "subject_line": ticket.subject,
                "number": ticket.number,
                "order_number": order.number if order else None,
                "latest": latest,
                "action": action,
                "ticket_url": content.link(f"/tickets/{ticket.id}"),
            },
            order_id=ticket.order_id,
        )
        if to == "assignee":
            _tell_assignee(session, ticket, payload, told)
        elif to == "seller" and ticket.seller_id:
            tell_seller(session, ticket.seller_id, told)
        elif to == "customer" and ticket.customer_id:
            customer = session.get(Customer, ticket.customer_id)
            if customer is None:
                return
            tell_person(
                session, told, user_id=customer.user_id, email=customer.email, name=customer.name
            )


def _tell_assignee(session, ticket: Ticket, payload, told: Notice) -> None:
    """The agent a ticket was given to by someone else: the bell and an email, both
    pointing at the support desk's view of the ticket."""
    agent = session.get(User, payload.get("assignee_id") or "")
    if agent is None or not agent.is_active or ticket.assignee_id != agent.id:
        return  # reassigned again meanwhile: the newer notice is theirs
    by = payload.get("by") or "a colleague"
    desk = replace(
        told,
        body=f"{ticket.subject} (priority {ticket.priority}), from {by}.",
        context={**told.context, "ticket_url": content.link(f"/support/tickets/{ticket.id}")},
    )
    tell_person(session, desk, user_id=agent.id, email=agent.email, name=agent.name)


def _latest_words(session, ticket: Ticket, event: str) -> str:
    """What the notice quotes: the decision for a dispute, else the last message."""
    if event == "dispute_resolved":
        dispute = session.exec(select(Dispute).where(Dispute.ticket_id == ticket.id)).first()
        if dispute and dispute.note:
            return f"Decision ({dispute.decision}): {dispute.note}"
    last = session.exec(
        select(TicketMessage)
        .where(TicketMessage.ticket_id == ticket.id, TicketMessage.author_role != "system")
        .order_by(TicketMessage.created_at.desc(), TicketMessage.id.desc())
    ).first()
    if last is None:
        return ""
    words = last.body if len(last.body) <= 400 else last.body[:399] + "…"
    return f"{last.author_label} wrote: {words}"
