"""The admin's refund oversight: overdue, high-value, waiting for review and failed
refunds (``services.refund_oversight``), approved or rejected here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from reflex.event import EventSpec

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.refunds import RefundStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import refund_oversight, refund_payments, refunds
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ServiceError
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.decision import DecisionState
from oms_dashboard.ui.states.guard import OK

APPROVE, REJECT = "approve", "reject"


@dataclass
class RefundRow:
    id: str
    order_href: str
    order_number: str
    amount: str
    status: str
    rule_reason: str
    reason: str
    overdue: bool
    high_value: bool
    due_text: str
    due_exact: str
    last_error: str
    decidable: bool
    retryable: bool = False


class RefundOversightState(DecisionState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    verbs: ClassVar[frozenset[str]] = frozenset({APPROVE, REJECT})
    rows: list[RefundRow] = []
    overdue: int = 0
    high_value: int = 0
    pending: int = 0
    failed: int = 0

    def _clear_view(self) -> None:
        self.rows, self.acting_id = [], ""
        self.overdue = self.high_value = self.pending = self.failed = 0

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
        now = utcnow()
        rows = []
        for item in refund_oversight.watched_refunds(session, actor=actor, now=now):
            r = item.view.refund
            if r.due_at is None:
                due = "No deadline yet (waiting for review)"
            elif item.view.overdue:
                due = f"Overdue: was due {fmt.relative_time(r.due_at, now)}"
            else:
                due = f"Due {fmt.relative_time(r.due_at, now)}"
            rows.append(
                RefundRow(
                    id=r.id,
                    order_href=f"/orders/{r.order_id}",
                    order_number=item.order_number,
                    amount=format_money(r.amount_minor, r.currency),
                    status=r.status,
                    rule_reason=r.rule_reason,
                    reason=r.reason,
                    overdue=item.view.overdue,
                    high_value=item.high_value,
                    due_text=due,
                    due_exact=fmt.exact_time(r.due_at),
                    last_error=r.last_error or "",
                    decidable=r.status == RefundStatus.PENDING_REVIEW,
                    retryable=r.status == RefundStatus.FAILED,
                )
            )
        self.rows = rows
        self.overdue = sum(r.overdue for r in rows)
        self.high_value = sum(r.high_value for r in rows)
        self.pending = sum(r.status == RefundStatus.PENDING_REVIEW for r in rows)
        self.failed = sum(r.status == RefundStatus.FAILED for r in rows)

    def _decision_title(self, target_id: str, verb: str) -> str | None:
        row = next((r for r in self.rows if r.id == target_id), None)
        return None if row is None else f"{row.amount} on order {row.order_number}"

    @rx.event
    def confirm_decision(self):
        decide = refunds.approve_refund if self.acting == APPROVE else refunds.reject_refund
        return self._decide(
            lambda engine, actor: decide(
                engine, actor=actor, refund_id=self.acting_id, note=self.note
            ),
            failed="The refund was not decided",
            done=self._decided,
        )

    def _decided(self, actor: Actor, found) -> EventSpec:
        with session_scope() as session:
            self._fill(session, actor)
        words = refunds.money_words(found.refund)
        if self.acting == APPROVE:
            return rx.toast.success(f"Refund of {words} approved: it is paid through the provider.")
        return rx.toast.success(f"Refund of {words} rejected: the customer is told why.")

    @rx.event
    def retry(self, refund_id: str):
        """Send a failed refund to the payment provider again (a new attempt)."""
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            found = refund_payments.retry_refund(current().engine, actor=gate, refund_id=refund_id)
        except (ServiceError, DomainError) as exc:
            return rx.toast.error(f"The refund was not sent again: {exc.detail}")
        with session_scope() as session:
            self._fill(session, gate)
        words = refunds.money_words(found.refund)
        return rx.toast.success(
            f"Refund of {words} sent to the payment provider again; you are told if it fails."
        )
