"""What a person may do to an order right now, by role and the order's state.

Honest by rule: an action is listed only when it works now, with an endpoint
and, for people, a button (a test calls every one for every role and status).
Cancellations, returns, refunds, shipping and tickets join the list as the
capabilities that serve them are built.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from oms_dashboard.domain.payment import PaymentStatus
from oms_dashboard.domain.statuses import OrderStatus, can_transition


class OrderAction(StrEnum):
    RETRY_PAYMENT = "retry_payment"
    """POST /orders/{id}/payment/retry; the order page's Retry payment button."""
    RELEASE_REVIEW = "release_review"
    """POST /orders/{id}/review/release; the review queue's Release button."""
    CANCEL_REVIEW = "cancel_review"
    """POST /orders/{id}/review/cancel; the review queue's Cancel button."""
    CONFIRM_RECEIPT = "confirm_receipt"
    """POST /orders/{id}/receipt; the order page's "I received it" button."""
    REPORT_DELIVERY_PROBLEM = "report_delivery_problem"
    """POST /orders/{id}/delivery-problem; the order page's "Report a problem" button."""


def within_cancellation_window(placed_at: datetime, now: datetime, window_minutes: int) -> bool:
    return now - placed_at <= timedelta(minutes=window_minutes)


def allowed_actions(
    *,
    role: str,
    status: OrderStatus | str,
    payment_status: PaymentStatus | str,
    review_reason: str | None,
    delivery_settled: bool = False,
) -> list[str]:
    """The order actions open to the caller, who is already known to see the order.

    ``delivery_settled``: the customer already confirmed receipt or reported a problem."""
    status = OrderStatus(status)
    actions: list[OrderAction] = []
    if (
        role == "customer"
        and status is OrderStatus.PAYMENT_FAILED
        and payment_status == PaymentStatus.FAILED
    ):
        actions.append(OrderAction.RETRY_PAYMENT)
    if role == "customer" and status is OrderStatus.DELIVERED and not delivery_settled:
        actions += [OrderAction.CONFIRM_RECEIPT, OrderAction.REPORT_DELIVERY_PROBLEM]
    if role == "admin" and review_reason is not None:
        actions.append(OrderAction.RELEASE_REVIEW)
        if can_transition(status, OrderStatus.CANCELLED, admin_override=True):
            actions.append(OrderAction.CANCEL_REVIEW)
    return [action.value for action in actions]
