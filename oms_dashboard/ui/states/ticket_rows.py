"""One row per ticket, as every ticket list shows it (support's queue, a customer's or
seller's "My requests", an order's tickets): the facts, how the SLA stands, the last
message and whose turn it is, in words. Built from tickets the caller already scoped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from oms_dashboard.domain.tickets import TicketStatus
from oms_dashboard.models import Ticket
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import ticket_views
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.ui import format as fmt

LAST_WORDS = 140
"""How much of the last message a list quotes."""


@dataclass
class TicketRow:
    id: str
    href: str
    number: str
    subject: str
    priority: str
    priority_reason: str
    status: str
    sla_text: str
    sla_exact: str
    breached: bool
    order_number: str
    order_href: str
    assignee: str
    last_author: str = ""
    last_words: str = ""
    last_relative: str = ""
    last_exact: str = ""
    waiting_on: str = ""
    """Whose turn it is, in words ("You", "Support", "The seller"…)."""
    your_turn: bool = False


def sla_words(ticket: Ticket, now: datetime) -> tuple[str, bool]:
    """How the SLA stands, in words: (text, breached)."""
    due = ticket_views.sla_due(ticket, now)
    breached = ticket_views.is_breached(ticket, now)
    if ticket.resolved_at is not None:
        when = fmt.relative_time(ticket.resolved_at, now)
        return (f"Resolved {when}, after the SLA" if breached else f"Resolved {when}"), breached
    if breached:
        return f"SLA breached {fmt.relative_time(due, now)}", True
    if ticket.waiting_since is not None:
        return "SLA paused: waiting on the customer", False
    return f"Due {fmt.relative_time(due, now)}", False


_WAITING = {
    TicketStatus.OPEN: Role.SUPPORT,
    TicketStatus.WAITING_ON_SELLER: Role.SELLER,
    TicketStatus.WAITING_ON_CUSTOMER: Role.CUSTOMER,
    TicketStatus.ESCALATED: Role.ADMIN,
}
_WHO = {
    Role.SUPPORT: "Support",
    Role.SELLER: "The seller",
    Role.CUSTOMER: "The customer",
    Role.ADMIN: "An admin (dispute)",
}


def waiting_on(status: str, viewer: Role) -> tuple[str, bool]:
    """Whose turn a ticket in ``status`` is, as ``viewer`` reads it: (words, theirs)."""
    who = _WAITING.get(TicketStatus(status))
    if who is None:
        return "Nobody: resolved", False
    if who is viewer or (who is Role.SUPPORT and viewer is Role.ADMIN):
        return "You", True
    return _WHO[who], False


def ticket_href(ticket_id: str, actor: Actor) -> str:
    """Staff work tickets under /support; customers and sellers open them at /tickets."""
    return f"/support/tickets/{ticket_id}" if actor.is_staff else f"/tickets/{ticket_id}"


def ticket_rows(session: Session, found: list[Ticket], actor: Actor) -> list[TicketRow]:
    numbers = ticket_views.order_numbers(session, [t.order_id for t in found])
    names = ticket_views.user_names(session, [t.assignee_id for t in found])
    last = ticket_views.last_messages(session, [t.id for t in found])
    now = utcnow()
    rows = []
    for t in found:
        text, breached = sla_words(t, now)
        message = last.get(t.id)
        turn, yours = waiting_on(t.status, actor.role)
        words = message.body if message else ""
        if len(words) > LAST_WORDS:
            words = words[: LAST_WORDS - 1].rstrip() + "…"
        rows.append(
            TicketRow(
                id=t.id,
                href=ticket_href(t.id, actor),
                number=t.number,
                subject=t.subject,
                priority=t.priority,
                priority_reason=t.priority_reason,
                status=t.status,
                sla_text=text,
                sla_exact=fmt.exact_time(ticket_views.sla_due(t, now)),
                breached=breached,
                order_number=numbers.get(t.order_id or "", ""),
                order_href=f"/orders/{t.order_id}" if t.order_id else "",
                assignee=names.get(t.assignee_id or "", ""),
                last_author=_author(message, actor) if message else "",
                last_words=words,
                last_relative=fmt.relative_time(message.created_at, now) if message else "",
                last_exact=fmt.exact_time(message.created_at) if message else "",
                waiting_on=turn,
                your_turn=yours,
            )
        )
    return rows


def _author(message, actor: Actor) -> str:
    if message.author_id and message.author_id == actor.user_id:
        return "You"
    return message.author_label
