"""/tickets: a customer's requests to support, or the tickets about a seller's orders —
those waiting on the viewer first, then the latest activity — and the "New request"
form (optionally about one of the viewer's orders). Staff work the queue instead."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from sqlmodel import Session

from oms_dashboard.db import session_scope
from oms_dashboard.models import Order
from oms_dashboard.services import ticket_views
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.orders import scoped_orders
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.ticket_form import NO_ORDER, TicketFormMixin
from oms_dashboard.ui.states.ticket_rows import TicketRow, ticket_href, ticket_rows

LIMIT = 100
ORDER_CHOICES = 50
"""How many of the viewer's latest orders the form offers."""
QUEUE = "/support/tickets"


@dataclass
class OrderChoice:
    id: str
    label: str


class MyTicketsState(TicketFormMixin, GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset(Role)
    rows: list[TicketRow] = []
    capped: bool = False
    your_turn_count: int = 0
    viewer_role: str = ""
    orders: list[OrderChoice] = []

    def _clear_view(self) -> None:
        self.rows, self.capped, self.your_turn_count, self.orders = [], False, 0, []

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            if gate.is_staff:
                return rx.redirect(QUEUE, replace=True)
            self._fill(session, gate)
        self.access = OK
        return None

    def _fill(self, session: Session, actor: Actor) -> None:
        found, more = ticket_views.party_tickets(session, actor=actor, limit=LIMIT)
        self.rows = ticket_rows(session, found, actor)
        self.capped = more
        self.your_turn_count = sum(r.your_turn for r in self.rows)
        self.viewer_role = actor.role.value
        latest = session.exec(
            scoped_orders(actor)
            .order_by(Order.placed_at.desc(), Order.id.desc())
            .limit(ORDER_CHOICES)
        ).all()
        self.orders = [OrderChoice(o.id, f"{o.number} · {o.placed_at:%d %b %Y}") for o in latest]

    @rx.event
    def submit_request(self, form: dict):
        order_id = str(form.get("order_id", "") or NO_ORDER)
        ticket, event = self._ask(form, None if order_id == NO_ORDER else order_id)
        if ticket is None:
            return event
        with session_scope() as session:
            gate = self._guard(session)
            if isinstance(gate, Actor):
                return [event, rx.redirect(ticket_href(ticket.id, gate))]
        return event
