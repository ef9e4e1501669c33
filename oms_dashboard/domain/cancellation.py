"""Who may cancel an order, when, and what becomes of a cancellation request.

The product spec's rules: inside the cancellation window (a policy, 1 hour by
default) and before shipping the customer cancels at once; after the window it
is a request the seller approves or rejects with a reason, and a request left
unanswered past the seller's SLA goes to support. Shipped orders are not
cancelled (the customer returns them once delivered). An admin may override
at any status before delivery, audited. Digital goods already delivered or
downloaded are not cancelled; subscription orders stop future renewals only.

Choices the spec leaves open, made here:
- An unpaid order (pending or failed payment) cancels at once at any time:
  nothing was paid and the seller starts nothing before payment.
- Support asks on the customer's behalf, under the customer's rules; an
  admin overrides. Sellers do not cancel: they answer requests.
- A subscription order asked to cancel by anyone but an admin stops its
  renewals and the current order stands; an admin override cancels the order.
  Once its renewals are cancelled, asking again is refused (nothing is left to stop).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oms_dashboard.domain.actions import within_cancellation_window
from oms_dashboard.domain.errors import CancellationRefused
from oms_dashboard.domain.lifecycle import Lifecycle
from oms_dashboard.domain.statuses import NOT_YET_SHIPPED, OrderStatus

DEFAULT_WINDOW_MINUTES = 60
"""The policy's ``cancellation_window_minutes`` default (spec: 1 hour)."""
SELLER_RESPONSE_HOURS = 24
"""A seller's SLA to answer a cancellation request, when none is given. The spec
names no number; 24 h matches the 24 h it allows for a cancellation's refund."""

S = OrderStatus
UNPAID = frozenset({S.PENDING_PAYMENT, S.PAYMENT_FAILED})


class Requester(StrEnum):
    CUSTOMER = "customer"
    SELLER = "seller"
    SUPPORT = "support"
    ADMIN = "admin"


class CancellationOutcome(StrEnum):
    CANCEL_NOW = "cancel_now"
    """Cancelled at once (API 200): stock released, refund started if paid."""
    REQUEST = "request"
    """A cancellation request for the seller (API 202)."""
    STOP_RENEWALS = "stop_renewals"
    """A subscription: future renewals stop, the current order stands."""
    REFUSED = "refused"
    """Not cancellable (API 409 ``not-cancellable``)."""


class CancellationRule(StrEnum):
    WITHIN_WINDOW = "cancelled-within-window"
    UNPAID = "unpaid-order"
    WINDOW_PASSED = "cancellation-window-passed"
    ADMIN_OVERRIDE = "admin-override"
    SUBSCRIPTION = "subscription-renewals-only"
    RENEWALS_ALREADY_CANCELLED = "renewals-already-cancelled"
    ALREADY_CANCELLED = "already-cancelled"
    ALREADY_DELIVERED = "already-delivered"
    ALREADY_SHIPPED = "already-shipped"
    DIGITAL_DELIVERED = "digital-already-delivered"
    REQUEST_PENDING = "cancellation-request-pending"
    SELLER_ANSWERS = "seller-answers-requests"


R = CancellationRule


@dataclass(frozen=True)
class CancellationFacts:
    """What the rules need to know about the order."""

    status: OrderStatus | str
    placed_at: datetime
    now: datetime
    window_minutes: int = DEFAULT_WINDOW_MINUTES
    digital_delivered: bool = False
    """A digital item of the order was delivered or downloaded."""
    subscription: bool = False
    """A line of the order renews (``product_kinds.renews``)."""
    renewals_cancelled: bool = False
    """The subscription's future renewals were cancelled already."""
    request_pending: bool = False
    """A cancellation request already waits for the seller."""


@dataclass(frozen=True)
class CancellationDecision:
    outcome: CancellationOutcome
    rule: CancellationRule
    reason: str
    """The sentence shown to the person who asked."""
    refund: bool = False
    """Start a refund of what was paid (automatic: see ``refunds``)."""
    audited: bool = False
    """An admin override: written to the audit log with who and why."""
    offer_return: bool = False
    """Point the customer to a return instead (shipped, or delivered)."""

    @property
    def cancels_now(self) -> bool:
        return self.outcome is CancellationOutcome.CANCEL_NOW

    @property
    def needs_seller(self) -> bool:
        return self.outcome is CancellationOutcome.REQUEST

    @property
    def stops_renewals(self) -> bool:
        return self.outcome is CancellationOutcome.STOP_RENEWALS

    @property
    def refused(self) -> bool:
        return self.outcome is CancellationOutcome.REFUSED

    def check(self, status: OrderStatus | str) -> CancellationDecision:
        """The decision itself, or ``CancellationRefused`` when it refuses."""
        if self.refused:
            raise CancellationRefused(str(status), self.rule, self.reason)
        return self


def decide(facts: CancellationFacts, *, requester: Requester | str) -> CancellationDecision:
    """What happens when ``requester`` asks to cancel the order, and why."""
    who, status = Requester(requester), S(facts.status)
    if status is S.CANCELLED:
        return _refuse(R.ALREADY_CANCELLED, "This order is already cancelled.")
    if who is Requester.SELLER:
        return _refuse(
            R.SELLER_ANSWERS,
            "Sellers do not cancel orders: approve or reject the customer's cancellation "
            "request, or ask an admin.",
        )
    if facts.subscription and who is not Requester.ADMIN:
        if facts.renewals_cancelled:
            return _refuse(
                R.RENEWALS_ALREADY_CANCELLED,
                "This subscription's future renewals are already cancelled; this order "
                "goes ahead as placed.",
            )
        return CancellationDecision(
            CancellationOutcome.STOP_RENEWALS,
            R.SUBSCRIPTION,
            "This is a subscription: its future renewals are cancelled; this order "
            "goes ahead as placed.",
        )
    if facts.digital_delivered:
        return _refuse(
            R.DIGITAL_DELIVERED,
            "Digital items already delivered or downloaded cannot be cancelled.",
        )
    if status is S.DELIVERED:
        return _refuse(
            R.ALREADY_DELIVERED,
            "This order was delivered, so it can no longer be cancelled: you can return it.",
            offer_return=True,
        )
    if who is Requester.ADMIN:
        return CancellationDecision(
            CancellationOutcome.CANCEL_NOW,
            R.ADMIN_OVERRIDE,
            f"Cancelled by an admin (override, audited) at status: {status.label.lower()}.",
            refund=status not in UNPAID,
            audited=True,
        )
    if status not in NOT_YET_SHIPPED:
        return _refuse(
            R.ALREADY_SHIPPED,
            "This order has shipped, so it can no longer be cancelled: once it arrives "
            "you can return it.",
            offer_return=True,
        )
    if status in UNPAID:
        return CancellationDecision(
            CancellationOutcome.CANCEL_NOW,
            R.UNPAID,
            "Cancelled: nothing was paid, so there is nothing to refund.",
        )
    if within_cancellation_window(facts.placed_at, facts.now, facts.window_minutes):
        return CancellationDecision(
            CancellationOutcome.CANCEL_NOW,
            R.WITHIN_WINDOW,
            f"Cancelled within {_window(facts.window_minutes)} of ordering: your refund "
            "has started.",
            refund=True,
        )
    if facts.request_pending:
        return _refuse(
            R.REQUEST_PENDING,
            "A cancellation request for this order is already waiting for the seller.",
        )
    return CancellationDecision(
        CancellationOutcome.REQUEST,
        R.WINDOW_PASSED,
        f"More than {_window(facts.window_minutes)} has passed since ordering, so the "
        "seller decides: we have sent them your request.",
    )


def _refuse(rule: CancellationRule, reason: str, *, offer_return: bool = False):
    return CancellationDecision(
        CancellationOutcome.REFUSED, rule, reason, offer_return=offer_return
    )


def _window(minutes: int) -> str:
    if minutes % 60 == 0:
        hours = minutes // 60
        return "1 hour" if hours == 1 else f"{hours} hours"
    return f"{minutes} minutes"


# -- the cancellation request --------------------------------------------------------


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    """The order is cancelled and refunded (within 24 h, see ``refunds``)."""
    REJECTED = "rejected"
    ESCALATED = "escalated"
    """The seller did not answer within their SLA: support decides."""
    WITHDRAWN = "withdrawn"
    """The customer no longer wants to cancel."""


Q = RequestStatus

CANCELLATION_REQUEST = Lifecycle(
    "a cancellation request",
    RequestStatus,
    {
        Q.PENDING: frozenset({Q.APPROVED, Q.REJECTED, Q.ESCALATED, Q.WITHDRAWN}),
        # Support (or an admin) answers in the seller's place.
        Q.ESCALATED: frozenset({Q.APPROVED, Q.REJECTED, Q.WITHDRAWN}),
        Q.APPROVED: frozenset(),
        Q.REJECTED: frozenset(),
        Q.WITHDRAWN: frozenset(),
    },
)

OPEN_REQUEST = frozenset({Q.PENDING, Q.ESCALATED})


def request_due_at(requested_at: datetime, sla_hours: int = SELLER_RESPONSE_HOURS) -> datetime:
    """When the seller must have answered; counted in clock hours, since the
    order keeps moving towards shipping meanwhile."""
    if sla_hours < 0:
        raise ValueError("sla_hours cannot be negative")
    return requested_at + timedelta(hours=sla_hours)


def request_overdue(
    requested_at: datetime, now: datetime, sla_hours: int = SELLER_RESPONSE_HOURS
) -> bool:
    """The seller's SLA has run out: the pending request escalates to support."""
    return now >= request_due_at(requested_at, sla_hours)


def answer_errors(*, approve: bool, reason: str | None) -> list[dict[str, str]]:
    """What is wrong with a seller's answer: a rejection must say why."""
    if not approve and not (reason or "").strip():
        return [{"field": "reason", "message": "say why the cancellation is rejected"}]
    return []
