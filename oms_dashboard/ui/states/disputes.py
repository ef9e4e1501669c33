"""The admin's disputes: open ones first, each with its ticket and order, decided once
in a dialog (refund, partial refund with an amount, or reject; a note is required)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.disputes import DisputeDecision, DisputeStatus
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Dispute, Order
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import refunds, ticket_views, tickets
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError, ValidationFailed
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState

LIMIT = 100


@dataclass
class DisputeRow:
    id: str
    status: str
    ticket_href: str
    ticket_number: str
    subject: str
    order_href: str
    order_number: str
    opened_by: str
    opened_relative: str
    opened_exact: str
    decision: str
    amount: str
    note: str
    refundable: str
    currency: str


class DisputesState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    open_rows: list[DisputeRow] = []
    decided_rows: list[DisputeRow] = []
    deciding_id: str = ""
    deciding_title: str = ""
    deciding_left: str = ""
    deciding_currency: str = ""
    decision: str = DisputeDecision.PARTIAL_REFUND.value
    amount: str = ""
    note: str = ""
    errors: dict[str, str] = {}

    def _clear_view(self) -> None:
        self.open_rows, self.decided_rows = [], []
        self.deciding_id = ""

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
        found: list[Dispute] = tickets.list_disputes(session, actor=actor, limit=LIMIT).items
        by_ticket = ticket_views.tickets_by_id(session, [d.ticket_id for d in found])
        now = utcnow()
        rows = []
        for d in found:
            ticket = by_ticket.get(d.ticket_id)
            order = session.get(Order, d.order_id) if d.order_id else None
            left = refunds.refundable_left(session, order) if order is not None else 0
            currency = order.currency if order else ""
            rows.append(
                DisputeRow(
                    id=d.id,
                    status=d.status,
                    ticket_href=f"/support/tickets/{d.ticket_id}",
                    ticket_number=ticket.number if ticket else d.ticket_id,
                    subject=ticket.subject if ticket else "",
                    order_href=f"/orders/{order.id}" if order else "",
                    order_number=order.number if order else "",
                    opened_by=f"the {d.opened_role}",
                    opened_relative=fmt.relative_time(d.created_at, now),
                    opened_exact=fmt.exact_time(d.created_at),
                    decision=d.decision or "",
                    amount=(
                        format_money(d.amount_minor, d.currency)
                        if d.amount_minor and d.currency
                        else ""
                    ),
                    note=d.note or "",
                    refundable=format_money(left, currency) if order else "",
                    currency=currency,
                )
            )
        self.open_rows = [r for r in rows if r.status == DisputeStatus.OPEN]
        self.decided_rows = [r for r in rows if r.status != DisputeStatus.OPEN]

    @rx.event
    def open_decide(self, dispute_id: str):
        row = next((r for r in self.open_rows if r.id == dispute_id), None)
        if row is None:
            return None
        self.deciding_id = row.id
        self.deciding_title = f"ticket {row.ticket_number}, order {row.order_number}"
        self.deciding_left, self.deciding_currency = row.refundable, row.currency
        self.decision = DisputeDecision.PARTIAL_REFUND.value
        self.amount = self.note = ""
        self.errors = {}
        return None

    @rx.event
    def close_decide(self):
        self.deciding_id = ""

    @rx.event
    def set_decision(self, value: str):
        self.decision = value
        self.errors = {}

    @rx.event
    def set_amount(self, value: str):
        self.amount = value
        self.errors = {k: v for k, v in self.errors.items() if k != "amount"}

    @rx.event
    def set_note(self, value: str):
        self.note = value
        self.errors = {k: v for k, v in self.errors.items() if k != "note"}

    @rx.var
    def needs_amount(self) -> bool:
        return self.decision == DisputeDecision.PARTIAL_REFUND

    @rx.event
    def confirm_decide(self):
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        amount = self.amount.strip() if self.needs_amount else None
        try:
            dispute = tickets.resolve_dispute(
                current().engine,
                actor=gate,
                dispute_id=self.deciding_id,
                decision=self.decision,
                amount=amount or None,
                note=self.note,
            )
        except ValidationFailed as exc:
            self.errors = {e["field"]: e["message"] for e in exc.errors}
            return None
        except (ServiceError, DomainError) as exc:
            self.errors = {"decision": exc.detail}
            return None
        self.deciding_id = ""
        with session_scope() as session:
            self._fill(session, gate)
        return rx.toast.success(_outcome(dispute))


def _outcome(dispute: Dispute) -> str:
    if dispute.amount_minor and dispute.currency:
        money = format_money(dispute.amount_minor, dispute.currency)
        return f"Dispute decided: {money} goes back to the customer; both parties are told."
    return "Dispute decided: no refund; both parties are told."
