"""One ticket: its facts, what it is about, the whole thread, and what the viewer may
do now (reply, set the status, assign themselves, escalate to a dispute).

Support and admins see every ticket; the ticket's customer and seller see theirs
(``services.tickets.scoped_tickets``); anyone else gets "not found"."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx
from sqlmodel import Session

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.tickets import TicketStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import ticket_views, tickets
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ServiceError, ValidationFailed
from oms_dashboard.services.tracking import carrier_title
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.components.ticket_badges import TICKET_STATUSES
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import LOADING, NOT_FOUND, OK, GuardedState
from oms_dashboard.ui.states.ticket_rows import sla_words

KEEP = "keep"
MY_TICKETS = "/tickets"
REPLY_STATUSES = [
    (KEEP, "Leave the status as it is"),
    (TicketStatus.WAITING_ON_CUSTOMER.value, "Waiting on customer"),
    (TicketStatus.WAITING_ON_SELLER.value, "Waiting on seller"),
    (TicketStatus.RESOLVED.value, "Resolved"),
]
_OPEN = (TicketStatus.OPEN, TicketStatus.WAITING_ON_SELLER, TicketStatus.WAITING_ON_CUSTOMER)


@dataclass
class AgentChoice:
    id: str
    label: str


@dataclass
class MessageRow:
    id: str
    author: str
    role: str
    body: str
    at_relative: str
    at_exact: str
    system: bool
    staff: bool


class TicketDetailState(GuardedState, AuthState):
    ticket_id: str = ""
    number: str = ""
    subject: str = ""
    status: str = ""
    priority: str = ""
    priority_reason: str = ""
    sla_text: str = ""
    sla_exact: str = ""
    breached: bool = False
    assignee: str = ""
    opened_relative: str = ""
    opened_exact: str = ""
    source: str = ""
    order_href: str = ""
    order_number: str = ""
    order_status: str = ""
    shipment_text: str = ""
    shipment_status: str = ""
    tracking_number: str = ""
    return_text: str = ""
    messages: list[MessageRow] = []
    dispute_status: str = ""
    decision: str = ""
    decision_amount: str = ""
    decision_note: str = ""
    decided_relative: str = ""
    back_href: str = "/support/tickets"
    viewer_staff: bool = False
    can_reply: bool = False
    can_assign: bool = False
    can_escalate: bool = False
    can_wait_on_seller: bool = False
    can_rate: bool = False
    rating: int = 0
    agents: list[AgentChoice] = []
    reassign_to: str = ""
    reply: str = ""
    reply_status: str = KEEP
    reply_error: str = ""
    escalating: bool = False

    @rx.var
    def reply_hint(self) -> str:
        if self.viewer_staff:
            return "Write to the customer and the seller on this ticket"
        if self.status == TicketStatus.RESOLVED:
            return "Still not sorted? Writing here reopens the ticket"
        return "Write to support"

    def _clear_view(self) -> None:
        self.reset()

    def _requested_id(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def load(self):
        self._clear_view()
        self.access = LOADING
        yield
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                yield gate
                return
            self._show(session, gate, self._requested_id())

    def _show(self, session: Session, actor: Actor, ticket_id: str) -> None:
        try:
            detail = tickets.get_ticket_detail(session, actor=actor, ticket_id=ticket_id)
        except NotFound:
            self.access = NOT_FOUND
            return
        t, now = detail.ticket, utcnow()
        context = ticket_views.ticket_context(session, t)
        names = ticket_views.user_names(session, [t.assignee_id])
        self.ticket_id, self.number, self.subject = t.id, t.number, t.subject
        self.status, self.priority, self.priority_reason = t.status, t.priority, t.priority_reason
        self.sla_text, self.breached = sla_words(t, now)
        self.sla_exact = fmt.exact_time(ticket_views.sla_due(t, now))
        self.assignee = names.get(t.assignee_id or "", "")
        self.opened_relative, self.opened_exact = (
            fmt.relative_time(t.created_at, now),
            fmt.exact_time(t.created_at),
        )
        self.source = "the OMS" if t.source == tickets.SYSTEM_SOURCE else f"the {t.source}"
        order, shipment, ret = context.order, context.shipment, context.ret
        self.order_href = f"/orders/{order.id}" if order else ""
        self.order_number = order.number if order else ""
        self.order_status = order.status if order else ""
        self.shipment_text = carrier_title(shipment.carrier) if shipment else ""
        self.tracking_number = shipment.tracking_number if shipment else ""
        self.shipment_status = fmt.status_label(shipment.status) if shipment else ""
        self.return_text = (
            f"Return {ret.id}: {ret.status.replace('_', ' ')}" if ret is not None else ""
        )
        self.messages = [
            MessageRow(
                id=m.id,
                author=m.author_label,
                role=m.author_role,
                body=m.body,
                at_relative=fmt.relative_time(m.created_at, now),
                at_exact=fmt.exact_time(m.created_at),
                system=m.author_role == tickets.SYSTEM_SOURCE,
                staff=m.author_role in ("support", "admin"),
            )
            for m in detail.messages
        ]
        d = detail.dispute
        self.dispute_status = d.status if d else ""
        self.decision = (d.decision or "") if d else ""
        self.decision_amount = (
            format_money(d.amount_minor, d.currency) if d and d.amount_minor and d.currency else ""
        )
        self.decision_note = (d.note or "") if d else ""
        self.decided_relative = fmt.relative_time(d.decided_at, now) if d and d.decided_at else ""
        status = TicketStatus(t.status)
        self.viewer_staff = actor.is_staff
        self.back_href = "/support/tickets" if actor.is_staff else MY_TICKETS
        self.can_reply = status is not TicketStatus.ESCALATED or actor.is_staff
        self.can_assign = actor.is_staff and t.assignee_id != actor.user_id
        self.can_escalate = (
            not actor.is_staff and status in _OPEN and t.order_id is not None and d is None
        )
        self.can_wait_on_seller = t.seller_id is not None
        self.rating = t.rating or 0
        self.can_rate = (
            actor.role is Role.CUSTOMER and status is TicketStatus.RESOLVED and not t.rating
        )
        self.agents = (
            [
                AgentChoice(u.id, f"{u.name} ({u.role})")
                for u in tickets.support_agents(session, actor=actor)
                if u.id != t.assignee_id
            ]
            if actor.is_staff
            else []
        )
        # A chosen agent rather than a placeholder (Radix's is too faint to read).
        self.reassign_to = self.agents[0].id if self.agents else ""
        self.access = OK

    def _act(self, action, success: str):
        """Run one service call for the signed-in person, then show the ticket afresh:
        (whether it was done, the event to send back)."""
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return False, gate
        try:
            action(current().engine, gate)
        except ValidationFailed as exc:
            self.reply_error = exc.errors[0]["message"]
            return False, None
        except (ServiceError, DomainError) as exc:
            return False, rx.toast.error(f"Ticket {self.number}: {exc.detail}")
        with session_scope() as session:
            self._show(session, gate, self.ticket_id)
        return True, rx.toast.success(success)

    @rx.event
    def set_reply(self, value: str):
        self.reply, self.reply_error = value, ""

    @rx.event
    def set_reply_status(self, value: str):
        self.reply_status = value

    @rx.event
    def send_reply(self):
        body, target = self.reply, self.reply_status
        if not body.strip():
            self.reply_error = "write a message first"
            return None
        status = None if target == KEEP else target
        done, result = self._act(
            lambda engine, a: tickets.add_ticket_message(
                engine, actor=a, ticket_id=self.ticket_id, body=body, status=status
            ),
            "Reply sent"
            + (f"; the ticket is now {TICKET_STATUSES[status][0].lower()}." if status else "."),
        )
        if done:
            self.reply, self.reply_status = "", KEEP
        return result

    @rx.event
    def assign_to_me(self):
        return self._act(
            lambda engine, a: tickets.assign_ticket(
                engine, actor=a, ticket_id=self.ticket_id, assignee_id=a.user_id or ""
            ),
            "Assigned to you.",
        )[1]

    @rx.event
    def set_reassign_to(self, value: str):
        self.reassign_to = value

    @rx.event
    def reassign(self):
        agent_id = self.reassign_to
        if not agent_id:
            return rx.toast.error("Choose the agent to give the ticket to.")
        name = next((a.label for a in self.agents if a.id == agent_id), "them")
        return self._act(
            lambda engine, a: tickets.assign_ticket(
                engine, actor=a, ticket_id=self.ticket_id, assignee_id=agent_id
            ),
            f"Assigned to {name}; they are told.",
        )[1]

    @rx.event
    def rate(self, value: str):
        try:
            stars = int(value)
        except ValueError:
            return None
        return self._act(
            lambda engine, a: tickets.rate_ticket(
                engine, actor=a, ticket_id=self.ticket_id, rating=stars
            ),
            "Thank you: your rating helps support do better.",
        )[1]

    @rx.event
    def open_escalate(self):
        self.escalating = True

    @rx.event
    def close_escalate(self):
        self.escalating = False

    @rx.event
    def confirm_escalate(self):
        self.escalating = False
        return self._act(
            lambda engine, a: tickets.escalate_ticket(engine, actor=a, ticket_id=self.ticket_id),
            "Escalated to a dispute: an admin will decide, and you will both be told.",
        )[1]
