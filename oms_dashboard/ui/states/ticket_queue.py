"""Support's ticket queue: most urgent first, then the nearest SLA deadline; filtered
by status, priority and "assigned to me" in SQL (``services.tickets.list_tickets``)."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx

from oms_dashboard.db import session_scope
from oms_dashboard.domain.tickets import Priority, TicketStatus
from oms_dashboard.services import tickets
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState
from oms_dashboard.ui.states.ticket_rows import TicketRow, sla_words, ticket_rows

__all__ = ["ACTIVE", "ALL", "LIMIT", "TicketQueueState", "TicketRow", "sla_words"]

LIMIT = 100
ALL = "all"
ACTIVE = "active"
"""Every status but resolved: what still needs someone."""
ACTIVE_STATUSES = tuple(s.value for s in TicketStatus if s is not TicketStatus.RESOLVED)


class TicketQueueState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.SUPPORT, Role.ADMIN})
    rows: list[TicketRow] = []
    status_filter: str = ACTIVE
    priority_filter: str = ALL
    mine: bool = False
    capped: bool = False
    breached_count: int = 0

    def _clear_view(self) -> None:
        self.rows, self.capped, self.breached_count = [], False, 0

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._fill(session, gate)
        self.access = OK
        return None

    def _fill(self, session, actor: Actor) -> None:
        if self.status_filter == ACTIVE:
            statuses = ACTIVE_STATUSES
        elif self.status_filter == ALL:
            statuses = ()
        else:
            statuses = (self.status_filter,)
        priorities = () if self.priority_filter == ALL else (self.priority_filter,)
        page = tickets.list_tickets(
            session,
            actor=actor,
            statuses=statuses,
            priorities=priorities,
            assignee_id=actor.user_id if self.mine else None,
            limit=LIMIT,
        )
        rows = ticket_rows(session, page.items, actor)
        self.rows = rows
        self.capped = page.next_cursor is not None
        self.breached_count = sum(r.breached and r.status != "resolved" for r in rows)

    def _reload(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            self._fill(session, gate)
        return None

    @rx.event
    def set_status_filter(self, value: str):
        self.status_filter = value if value in (ALL, ACTIVE, *TicketStatus) else ACTIVE
        return self._reload()

    @rx.event
    def set_priority_filter(self, value: str):
        self.priority_filter = value if value in (ALL, *Priority) else ALL
        return self._reload()

    @rx.event
    def set_mine(self, value: bool):
        self.mine = bool(value)
        return self._reload()

    @rx.var
    def is_filtered(self) -> bool:
        return self.status_filter != ACTIVE or self.priority_filter != ALL or self.mine

    @rx.event
    def clear_filters(self):
        self.status_filter, self.priority_filter, self.mine = ACTIVE, ALL, False
        return self._reload()
