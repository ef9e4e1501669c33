"""The admin's review queue: held orders, released or cancelled one by one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx
from reflex.event import EventSpec

from oms_dashboard.db import session_scope
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Order
from oms_dashboard.services import review
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import AuthenticationFailed
from oms_dashboard.services.orders import seller_names
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.decision import DecisionState
from oms_dashboard.ui.states.guard import OK

CANCEL = "cancel"
"""The dialog's one verb; releasing needs no reason, so no dialog."""


@dataclass
class HeldRow:
    id: str
    number: str
    href: str
    status: str
    reason: str
    explanation: str
    seller: str
    customer: str
    total: str
    placed_relative: str
    placed_exact: str


class ReviewState(DecisionState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    verbs: ClassVar[frozenset[str]] = frozenset({CANCEL})
    rows: list[HeldRow] = []

    def _clear_view(self) -> None:
        self.rows = []
        self.acting_id = self.acting_title = self.note = self.note_error = ""

    @rx.event
    def load(self):
        with session_scope() as session:
            gate = self._guard(session)
            if not isinstance(gate, Actor):
                return gate
            items = review.list_held(session, actor=gate, limit=100)
            names = seller_names(session, [item.order.seller_id for item in items])
            self.rows = [
                HeldRow(
                    id=item.order.id,
                    number=item.order.number,
                    href=f"/orders/{item.order.id}",
                    status=item.order.status,
                    reason=item.reason,
                    explanation=item.explanation,
                    seller=names.get(item.order.seller_id, item.order.seller_id),
                    customer=item.order.customer_email,
                    total=format_money(item.order.total_minor, item.order.currency),
                    placed_relative=fmt.relative_time(item.order.placed_at),
                    placed_exact=fmt.exact_time(item.order.placed_at),
                )
                for item in items
            ]
            self.access = OK
        return None

    @rx.event
    def release(self, order_id: str):
        return self._decide(
            lambda engine, actor: review.release_order(engine, actor=actor, order_id=order_id),
            failed=f"Order {self._number(order_id) or order_id} was not released",
            done=lambda _actor, order: self._gone(order_id, _outcome(order, "released")),
            also=[HeldCountState.load],
        )

    def _decision_title(self, target_id: str, verb: str) -> str | None:
        return self._number(target_id)

    @rx.event
    def confirm_decision(self):
        order_id, reason = self.acting_id, self.note
        return self._decide(
            lambda engine, actor: review.cancel_held_order(
                engine, actor=actor, order_id=order_id, reason=reason
            ),
            failed=f"Order {self.acting_title} was not cancelled",
            done=lambda _actor, order: self._gone(order_id, _outcome(order, "cancelled")),
            also=[HeldCountState.load],
        )

    def _number(self, order_id: str) -> str | None:
        return next((r.number for r in self.rows if r.id == order_id), None)

    def _gone(self, order_id: str, outcome: str) -> EventSpec:
        """The decided order leaves the queue (it is no longer held)."""
        self.rows = [r for r in self.rows if r.id != order_id]
        return rx.toast.success(outcome)


def _outcome(order: Order, verb: str) -> str:
    """What the decision did, in the words of the toast."""
    if verb == "cancelled":
        refund = "; it was paid, so a refund is due" if order.paid_at else ""
        return f"Order {order.number} cancelled: its stock is back on sale{refund}."
    if order.status == OrderStatus.PROCESSING:
        return f"Order {order.number} released: it is paid, so its seller ships it now."
    return f"Order {order.number} released: it goes on as {fmt.status_label(order.status)}."


class HeldCountState(AuthState):
    """The number beside "Review queue" in the admin's sidebar, loaded when it shows."""

    held: int = 0

    @rx.event
    def load(self):
        with session_scope() as session:
            try:
                actor = self._actor(session)
            except AuthenticationFailed:
                self.held = 0
                return
            self.held = review.count_held(session) if actor.role is Role.ADMIN else 0
