"""What a person may do to an order right now, by role, status and time."""

from __future__ import annotations

from datetime import datetime, timedelta

from oms_dashboard.domain.statuses import (
    ACTIVE_SHIPPING,
    NOT_YET_SHIPPED,
    OrderStatus,
    can_transition,
)

S = OrderStatus


def within_cancellation_window(placed_at: datetime, now: datetime, window_minutes: int) -> bool:
    return now - placed_at <= timedelta(minutes=window_minutes)


def allowed_actions(
    *,
    role: str,
    status: OrderStatus | str,
    placed_at: datetime,
    now: datetime,
    cancellation_window_minutes: int,
) -> list[str]:
    """The order actions open to the caller, who is already known to see the order."""
    status = S(status)
    in_window = within_cancellation_window(placed_at, now, cancellation_window_minutes)
    actions: list[str] = []
    if role == "customer":
        if status in NOT_YET_SHIPPED:
            actions.append("cancel" if in_window else "request_cancellation")
        if status is S.PAYMENT_FAILED:
            actions.append("retry_payment")
        if status is S.DELIVERED:
            actions += ["request_return", "request_refund", "review"]
        actions.append("contact_seller")
    elif role == "seller":
        if can_transition(status, S.SHIPPED):
            actions.append("ship")
        if status in ACTIVE_SHIPPING:
            actions.append("view_tracking")
        if status in NOT_YET_SHIPPED and status is not S.PENDING_PAYMENT:
            actions.append("cancel")
    elif role == "support":
        actions.append("open_ticket")
        if status in ACTIVE_SHIPPING:
            actions.append("escalate_shipment")
    elif role == "admin":
        if can_transition(status, S.CANCELLED, admin_override=True):
            actions.append("cancel")
        actions.append("view_audit")
    return actions
