"""Order statuses and the one table of moves between them.

The product spec's lifecycle, plus the side roads it implies: a payment can
fail (and be retried), a delivery can hit an exception and recover. Moving
to ``cancelled`` is governed by who asks and when, see ``check_transition``.
"""

from __future__ import annotations

from enum import StrEnum

from oms_dashboard.domain.errors import InvalidTransition, NotCancellable


class OrderStatus(StrEnum):
    PENDING_PAYMENT = "pending_payment"
    PAYMENT_FAILED = "payment_failed"
    PROCESSING = "processing"
    SHIPPED = "shipped"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELIVERY_EXCEPTION = "delivery_exception"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


S = OrderStatus

# Every move other than cancellation. Read it as: from -> the statuses it may go to.
TRANSITIONS: dict[OrderStatus, frozenset[OrderStatus]] = {
    S.PENDING_PAYMENT: frozenset({S.PROCESSING, S.PAYMENT_FAILED}),
    S.PAYMENT_FAILED: frozenset({S.PENDING_PAYMENT}),  # the customer retries payment
    S.PROCESSING: frozenset({S.SHIPPED}),
    S.SHIPPED: frozenset({S.IN_TRANSIT, S.DELIVERY_EXCEPTION}),
    S.IN_TRANSIT: frozenset({S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION}),
    S.OUT_FOR_DELIVERY: frozenset({S.DELIVERED, S.DELIVERY_EXCEPTION}),
    S.DELIVERY_EXCEPTION: frozenset({S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.CANCELLED: frozenset(),
}

NOT_YET_SHIPPED = frozenset({S.PENDING_PAYMENT, S.PAYMENT_FAILED, S.PROCESSING})
"""Statuses a customer (in the window) or a seller (by approval) may cancel from."""

FINAL = frozenset({S.DELIVERED, S.CANCELLED})
ACTIVE_SHIPPING = frozenset({S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION})


def check_transition(
    current: OrderStatus | str,
    target: OrderStatus | str,
    *,
    within_window: bool = False,
    seller_approved: bool = False,
    admin_override: bool = False,
) -> None:
    """Raise ``InvalidTransition`` (or ``NotCancellable``) unless the move is allowed.

    Cancellation: before shipping, within the cancellation window or with the
    seller's approval; an admin may override until the order is delivered.
    """
    current, target = _status(current), _status(target)
    if target is S.CANCELLED:
        _check_cancellation(current, within_window, seller_approved, admin_override)
        return
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(current, target)


def can_transition(
    current: OrderStatus | str, target: OrderStatus | str, **conditions: bool
) -> bool:
    try:
        check_transition(current, target, **conditions)
    except InvalidTransition:
        return False
    return True


def _check_cancellation(
    current: OrderStatus,
    within_window: bool,
    seller_approved: bool,
    admin_override: bool,
) -> None:
    if current in FINAL:
        raise NotCancellable(current, S.CANCELLED, f"the order is already {current.value}")
    if admin_override:
        return
    if current not in NOT_YET_SHIPPED:
        raise NotCancellable(current, S.CANCELLED, "orders already shipped cannot be cancelled")
    if not (within_window or seller_approved):
        raise NotCancellable(
            current,
            S.CANCELLED,
            "the cancellation window has passed: the seller must approve",
        )


def _status(value: OrderStatus | str) -> OrderStatus:
    try:
        return OrderStatus(value)
    except ValueError:
        raise InvalidTransition(value, "?", f"unknown status {value!r}") from None
