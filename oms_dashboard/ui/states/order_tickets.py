"""The order page's tickets: the ones about this order the viewer may see (a customer
their own, the seller theirs, staff all), and "Ask for help" / "Open a ticket" for the
order's customer and seller. Loads itself when the card mounts, from the address."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from oms_dashboard.db import session_scope
from oms_dashboard.services import ticket_views
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound
from oms_dashboard.services.orders import get_order
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.ticket_form import TicketFormMixin
from oms_dashboard.ui.states.ticket_rows import TicketRow, ticket_rows

LIMIT = 20
PARTIES = (Role.CUSTOMER, Role.SELLER)


class OrderTicketsState(TicketFormMixin, GuardedState, AuthState):
    order_id: str = ""
    rows: list[TicketRow] = []
    more: bool = False
    can_ask: bool = False
    viewer_role: str = ""

    def _clear_view(self) -> None:
        self.order_id, self.rows, self.more, self.can_ask = "", [], False, False

    def _requested_id(self) -> str:
        return str(self.router.url.path).rstrip("/").rsplit("/", 1)[-1]

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return None  # the order page itself sends them to sign in
            self._fill(session, gate, self._requested_id())
        return None

    def _fill(self, session: Session, actor: Actor, order_id: str) -> None:
        try:
            order = get_order(session, actor=actor, order_id=order_id)
        except NotFound:
            self._clear_view()
            self.access = OK
            return
        found, more = ticket_views.party_tickets(
            session, actor=actor, order_id=order.id, limit=LIMIT
        )
        self.order_id = order.id
        self.rows, self.more = ticket_rows(session, found, actor), more
        self.can_ask = actor.role in PARTIES
        self.viewer_role = actor.role.value
        self.access = OK

    @rx.event
    def submit_ticket(self, form: dict):
        ticket, event = self._ask(form, self.order_id)
        if ticket is None:
            return event
        with session_scope() as session:
            gate = self._guard(session)
            if isinstance(gate, Actor):
                self._fill(session, gate, self.order_id)
        return event
