"""What a person may do to an order right now, by role and the order's state.

Honest by rule: an action is listed only when it works now, with an endpoint
and, for people, a button (a test calls every one for every role and status).
Cancellations, returns, refunds, shipping and tickets join the list as the
capabilities that serve them are built.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from oms_dashboard.domain.payment import PaymentStatus
from oms_dashboard.domain.statuses import NOT_YET_SHIPPED, OrderStatus, can_transition

if TYPE_CHECKING:  # cancellation imports this module
    from oms_dashboard.domain.cancellation import CancellationDecision


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

    CANCEL = "cancel"
    """POST /orders/{id}/cancel (200 inside the window; an admin's override); the order
    page's "Cancel order" button."""
    REQUEST_CANCELLATION = "request_cancellation"
    """POST /orders/{id}/cancel after the window (202: a request the seller decides); the
    order page's "Ask to cancel" button."""
    CANCEL_RENEWALS = "cancel_renewals"
    """POST /orders/{id}/cancel on a subscription's order (200: its future renewals stop,
    the order stands); the order page's "Cancel renewals" button."""
    APPROVE_CANCELLATION = "approve_cancellation"
    """POST /orders/{id}/cancellation-request/approve; the order page's Approve button."""
    REJECT_CANCELLATION = "reject_cancellation"
    """POST /orders/{id}/cancellation-request/reject; the order page's Reject button."""
    DOWNLOAD_INVOICE = "download_invoice"
    """GET /orders/{id}/invoice.pdf; the order page's "Download invoice" button."""
    MESSAGE_SELLER = "message_seller"
    """POST /orders/{id}/messages by the customer; the order page's Messages box."""
    REQUEST_RETURN = "request_return"
    """POST /orders/{id}/returns; the order page's "Return items" button."""
    REVIEW_PRODUCTS = "review_products"
    """POST /orders/{id}/reviews; the order page's Review buttons, one a product."""
    MESSAGE_CUSTOMER = "message_customer"
    """POST /orders/{id}/messages by the owning seller; the order page's Messages box."""

    CHANGE_ADDRESS = "change_address"
    """POST /orders/{id}/address (``?preview=true`` first); the order page's "Change
    address" button."""

    # Customer service (issue 13): offered by ``service_actions`` until their pages land.
    REQUEST_REFUND = "request_refund"
    """POST /orders/{id}/refunds."""
    OPEN_TICKET = "open_ticket"
    """POST /tickets with the order's id."""


def within_cancellation_window(placed_at: datetime, now: datetime, window_minutes: int) -> bool:
    return now - placed_at <= timedelta(minutes=window_minutes)


def allowed_actions(
    *,
    role: str,
    status: OrderStatus | str,
    payment_status: PaymentStatus | str,
    review_reason: str | None,
    delivery_settled: bool = False,
    paid: bool = False,
    cancellation: CancellationDecision | None = None,
    cancellation_request_pending: bool = False,
    returnable: bool = False,
    reviewable: bool = False,
    address_changeable: bool = False,
) -> list[str]:
    """The order actions open to the caller, who is already known to see the order.

    ``delivery_settled``: the customer already confirmed receipt or reported a problem;
    ``paid``: the payment was taken (an invoice exists); ``cancellation``:
    ``cancellation.decide`` for this caller; ``cancellation_request_pending``: a
    cancellation request waits for an answer; ``returnable``: the rules would take a
    return of some of the order's lines now (``return_views.returnable_lines``);
    ``reviewable``: a product of the order is not reviewed by its customer yet;
    ``address_changeable``: ``domain.address_change`` lets the order go elsewhere in its
    country (paid, not shipped, no label bought)."""
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
    actions += _cancellation_actions(role, cancellation, cancellation_request_pending)
    # The customer's own, and staff who answer customers; the seller asks the customer.
    if address_changeable and role in ("customer", "support", "admin"):
        actions.append(OrderAction.CHANGE_ADDRESS)
    if paid:
        actions.append(OrderAction.DOWNLOAD_INVOICE)
    if role == "customer" and returnable and status is OrderStatus.DELIVERED:
        actions.append(OrderAction.REQUEST_RETURN)
    if role == "customer" and reviewable and status is OrderStatus.DELIVERED:
        actions.append(OrderAction.REVIEW_PRODUCTS)
    # The thread is the two parties'; support and admins read it (they have tickets).
    if role == "customer":
        actions.append(OrderAction.MESSAGE_SELLER)
    elif role == "seller":
        actions.append(OrderAction.MESSAGE_CUSTOMER)
    return [action.value for action in actions]


def _cancellation_actions(
    role: str, cancellation: CancellationDecision | None, request_pending: bool
) -> list[OrderAction]:
    actions: list[OrderAction] = []
    if cancellation is not None and role in ("customer", "support", "admin"):
        if cancellation.cancels_now:
            actions.append(OrderAction.CANCEL)
        elif cancellation.needs_seller:
            actions.append(OrderAction.REQUEST_CANCELLATION)
        elif cancellation.stops_renewals:
            actions.append(OrderAction.CANCEL_RENEWALS)
    # Support answers only escalated requests: its queue, not this page, offers that.
    if request_pending and role in ("seller", "admin"):
        actions += [OrderAction.APPROVE_CANCELLATION, OrderAction.REJECT_CANCELLATION]
    return actions


STAFF_ROLES = frozenset({"seller", "support", "admin"})


def service_actions(
    *,
    role: str,
    status: OrderStatus | str,
    paid: bool,
    refundable_left_minor: int = 0,
) -> list[str]:
    """The customer-service actions open to the caller, who already sees the order.

    Joins ``allowed_actions`` when the endpoints land (each in its member's
    docstring); until then nothing lists these to people, so the rule that a listed
    action works holds.
    ``paid``: the payment was taken (an invoice exists, a refund can be asked).
    """
    status = OrderStatus(status)
    actions: list[OrderAction] = []
    # Before shipping a customer cancels instead; staff refund at any status.
    if (
        paid
        and refundable_left_minor > 0
        and (role in STAFF_ROLES or status not in NOT_YET_SHIPPED)
    ):
        actions.append(OrderAction.REQUEST_REFUND)
    actions.append(OrderAction.OPEN_TICKET)
    return [action.value for action in actions]
