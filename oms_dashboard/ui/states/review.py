"""The admin's review queue: held orders, released or cancelled one by one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Order
from oms_dashboard.services import review
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import AuthenticationFailed, ServiceError, ValidationFailed
from oms_dashboard.services.orders import seller_names
from oms_dashboard.ui import format as fmt
from oms_dashboard.ui.states.auth import AuthState
from oms_dashboard.ui.states.guard import OK, GuardedState


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


class ReviewState(GuardedState, AuthState):
    roles: ClassVar[frozenset[Role]] = frozenset({Role.ADMIN})
    rows: list[HeldRow] = []
    cancel_id: str = ""
    cancel_number: str = ""
    cancel_reason: str = ""
    cancel_error: str = ""

    def _clear_view(self) -> None:
        self.rows = []
        self.cancel_id = self.cancel_number = self.cancel_reason = self.cancel_error = ""

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
            order_id,
            lambda s, a: review.release_order(s, actor=a, order_id=order_id),
            "released",
        )

    @rx.event
    def open_cancel(self, order_id: str, number: str):
        self.cancel_id, self.cancel_number = order_id, number
        self.cancel_reason = self.cancel_error = ""

    @rx.event
    def close_cancel(self):
        self.cancel_id = ""

    @rx.event
    def set_cancel_reason(self, value: str):
        self.cancel_reason = value
        self.cancel_error = ""

    @rx.event
    def confirm_cancel(self):
        order_id, reason = self.cancel_id, self.cancel_reason
        try:
            result = self._decide(
                order_id,
                lambda engine, a: review.cancel_held_order(
                    engine, actor=a, order_id=order_id, reason=reason
                ),
                "cancelled",
                raise_validation=True,
            )
        except ValidationFailed as exc:
            self.cancel_error = exc.errors[0]["message"]
            return None
        self.cancel_id = ""
        return result

    def _decide(self, order_id: str, act, verb: str, raise_validation: bool = False):
        number = next((r.number for r in self.rows if r.id == order_id), order_id)
        with session_scope() as session:
            gate = self._guard(session)
        if not isinstance(gate, Actor):
            return gate
        try:
            order = act(current().engine, gate)
        except ValidationFailed:
            if raise_validation:
                raise
            return rx.toast.error("That did not work: check the form.")
        except (ServiceError, DomainError) as exc:
            return [
                rx.toast.error(f"Order {number} was not {verb}: {exc.detail}"),
                HeldCountState.load,
            ]
        self.rows = [r for r in self.rows if r.id != order_id]
        return [rx.toast.success(_outcome(order, verb)), HeldCountState.load]


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
