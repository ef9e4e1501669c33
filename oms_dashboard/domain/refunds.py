"""Refunds: how much may still be refunded, what a request comes to, whether it is
approved by rule or waits for a person, its states, and when it is due.

Money is in integer minor units. A refund never takes the order past what was
paid: refunds waiting for review, approved, failed (to be retried) and paid all
count against it; only rejected ones give their amount back. Lines are refunded
by unit, never more units than were bought minus those already refunded.

Due times (product spec): a cancellation is refunded within 24 hours of it; any
other refund within 3 business days of its approval. A refund past its due time
is overdue and flagged to admins.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from oms_dashboard.domain.delivery import add_business_days, no_holidays
from oms_dashboard.domain.errors import RefundExceedsPaid, Refused
from oms_dashboard.domain.lifecycle import Lifecycle

CANCELLATION_REFUND_HOURS = 24
APPROVED_REFUND_BUSINESS_DAYS = 3
EXCEEDS_PAID = "refund-exceeds-paid"

HolidayCheck = Callable[[date], bool]


def refundable_left(paid: int, refunded: int, pending: int) -> int:
    """What may still be refunded: paid, minus paid-out refunds, minus refunds on
    their way (pending review, approved or failed). Never below zero."""
    if min(paid, refunded, pending) < 0:
        raise ValueError("amounts cannot be negative")
    return max(paid - refunded - pending, 0)


# -- what a request comes to -------------------------------------------------------


@dataclass(frozen=True)
class PaidLine:
    """An order line as bought, and how many of its units are already refunded
    (or in a refund on its way)."""

    sku: str
    quantity: int
    unit_price_minor: int
    refunded_quantity: int = 0

    @property
    def quantity_left(self) -> int:
        return max(self.quantity - self.refunded_quantity, 0)


@dataclass(frozen=True)
class LineRequest:
    sku: str
    quantity: int


@dataclass(frozen=True)
class RefundAmount:
    amount_minor: int
    lines_minor: int
    shipping_minor: int
    lines: tuple[LineRequest, ...]
    """The units refunded, by line (empty for a plain amount)."""


def request_errors(
    paid_lines: Sequence[PaidLine],
    *,
    lines: Sequence[LineRequest] | None = None,
    amount_minor: int | None = None,
) -> list[dict[str, str]]:
    """What is wrong with a refund request's shape, each naming the field (the API's 422)."""
    if lines is not None and amount_minor is not None:
        return [{"field": "amount", "message": "give lines or an amount, not both"}]
    if amount_minor is not None and amount_minor <= 0:
        return [{"field": "amount", "message": "must be more than zero"}]
    if lines is not None and not lines:
        return [{"field": "lines", "message": "name at least one line, or leave lines out"}]
    known = {line.sku for line in paid_lines}
    errors, seen = [], set()
    for i, line in enumerate(lines or ()):
        field = f"lines[{i}]"
        if line.sku not in known:
            errors.append({"field": f"{field}.sku", "message": f"{line.sku} is not in the order"})
        elif line.sku in seen:
            errors.append({"field": f"{field}.sku", "message": f"{line.sku} is listed twice"})
        if line.quantity <= 0:
            errors.append({"field": f"{field}.quantity", "message": "must be at least 1"})
        seen.add(line.sku)
    return errors


def refund_amount(
    paid_lines: Sequence[PaidLine],
    *,
    left_minor: int,
    lines: Sequence[LineRequest] | None = None,
    amount_minor: int | None = None,
    include_shipping: bool = False,
    shipping_left_minor: int = 0,
) -> RefundAmount:
    """What a refund request comes to (checked with ``request_errors`` first).

    By lines: their units at the price paid; by amount: that amount; neither: a
    full refund of every unit left and the shipping left, capped at ``left_minor``.
    ``include_shipping`` adds the shipping not yet refunded. ``RefundExceedsPaid``
    when a line asks for more units than are left on it, or the total is over
    ``left_minor`` (``refundable_left``).
    """
    if request_errors(paid_lines, lines=lines, amount_minor=amount_minor):
        raise ValueError("invalid refund request: check request_errors first")
    full = lines is None and amount_minor is None
    if full:
        lines = [LineRequest(p.sku, p.quantity_left) for p in paid_lines if p.quantity_left]
        include_shipping = True
    by_sku = {p.sku: p for p in paid_lines}
    lines_minor = 0
    for line in lines or ():
        paid = by_sku[line.sku]
        if line.quantity > paid.quantity_left:
            raise RefundExceedsPaid(
                EXCEEDS_PAID,
                f"{line.sku}: {line.quantity} asked, {paid.quantity_left} of "
                f"{paid.quantity} left to refund",
            )
        lines_minor += line.quantity * paid.unit_price_minor
    if amount_minor is not None:
        lines_minor = amount_minor
    shipping = max(shipping_left_minor, 0) if include_shipping else 0
    if full and lines_minor + shipping > left_minor:
        # Refunds by amount already took part of it: a full refund is what is left.
        lines_minor = min(lines_minor, left_minor)
        shipping = left_minor - lines_minor
    total = lines_minor + shipping
    if total > left_minor:
        raise RefundExceedsPaid(
            EXCEEDS_PAID, f"{total} asked but only {left_minor} is left to refund (minor units)"
        )
    if total == 0:
        raise RefundExceedsPaid(EXCEEDS_PAID, "nothing is left to refund on this order")
    return RefundAmount(total, lines_minor, shipping, tuple(lines or ()))


# -- approved by rule, or by a person ---------------------------------------------


class RefundCause(StrEnum):
    """Why the refund exists: the request's reason or the event that started it."""

    CANCELLED_IN_WINDOW = "cancelled_in_window"
    CANCELLATION_APPROVED = "cancellation_approved"
    ADMIN_CANCELLATION = "admin_cancellation"
    """An admin cancelled: an override, or a held order cancelled from review."""
    NOT_SHIPPED_IN_TIME = "not_shipped_in_time"
    SYSTEM_ERROR = "system_error"
    DUPLICATE_CHARGE = "duplicate_charge"
    DISPUTE_DECISION = "dispute_decision"
    RETURN = "return"
    PARTIAL_CANCELLATION = "partial_cancellation"
    DISCRETIONARY = "discretionary"
    ADDRESS_CHANGE = "address_change"
    """The delivery address changed to one that costs less to ship to."""


class RefundRule(StrEnum):
    CANCELLED_WITHIN_WINDOW = "cancelled-within-window"
    CANCELLATION_APPROVED = "cancellation-approved"
    ADMIN_CANCELLATION = "admin-cancellation"
    NOT_SHIPPED_IN_TIME = "not-shipped-in-time"
    SYSTEM_ERROR = "system-error"
    DUPLICATE_CHARGE = "duplicate-charge"
    DISPUTE_DECISION = "dispute-decision"
    RETURN_AFTER_DELIVERY = "return-after-delivery"
    PARTIAL_CANCELLATION = "partial-cancellation"
    DISCRETIONARY = "discretionary"
    HIGH_VALUE = "high-value"
    NOT_LATE_YET = "not-late-yet"
    ADDRESS_CHANGE_DIFFERENCE = "address-change-difference"


C, U = RefundCause, RefundRule

CANCELLATIONS = frozenset({C.CANCELLED_IN_WINDOW, C.CANCELLATION_APPROVED, C.ADMIN_CANCELLATION})
"""Refunded within 24 hours, automatically, whatever the amount (the goods never left)."""

_AUTOMATIC = {
    C.CANCELLED_IN_WINDOW: (U.CANCELLED_WITHIN_WINDOW, "the order was cancelled within the window"),
    C.CANCELLATION_APPROVED: (U.CANCELLATION_APPROVED, "the seller approved the cancellation"),
    C.ADMIN_CANCELLATION: (U.ADMIN_CANCELLATION, "an admin cancelled the order"),
    C.NOT_SHIPPED_IN_TIME: (U.NOT_SHIPPED_IN_TIME, "the order did not ship in the promised time"),
    C.SYSTEM_ERROR: (U.SYSTEM_ERROR, "a system error charged too much"),
    C.DUPLICATE_CHARGE: (U.DUPLICATE_CHARGE, "the same order was charged twice"),
    C.DISPUTE_DECISION: (U.DISPUTE_DECISION, "an admin decided the dispute"),
    C.ADDRESS_CHANGE: (
        U.ADDRESS_CHANGE_DIFFERENCE,
        "the new delivery address costs less to ship to",
    ),
}
_MANUAL = {
    C.RETURN: (U.RETURN_AFTER_DELIVERY, "a refund for a return after delivery"),
    C.PARTIAL_CANCELLATION: (U.PARTIAL_CANCELLATION, "a partial cancellation"),
    C.DISCRETIONARY: (U.DISCRETIONARY, "a refund asked for at the customer's discretion"),
}


_ANY_AMOUNT = frozenset({C.DISPUTE_DECISION, C.ADDRESS_CHANGE})
"""Automatic whatever the amount, though not cancellations (due in 3 business days)."""


@dataclass(frozen=True)
class RefundDecision:
    status: RefundStatus
    """``approved`` (sent to the provider) or ``pending_review`` (a person decides)."""
    rule: RefundRule
    reason: str
    high_value: bool = False
    """Over the policy's high-value threshold: shown on the admins' oversight page."""

    @property
    def automatic(self) -> bool:
        return self.status is RefundStatus.APPROVED


def decide_refund(
    cause: RefundCause | str,
    *,
    amount_minor: int,
    high_value_minor: int,
    ship_by: datetime | None = None,
    shipped: bool = False,
    now: datetime | None = None,
) -> RefundDecision:
    """Approved by rule, or left for review, with the rule that decided.

    Cancellations, an admin's dispute decision and the shipping difference of an
    address change (never more than the shipping charged) are approved whatever the
    amount.
    A late-shipment claim is approved only when ``ship_by`` has passed unshipped.
    Over ``high_value_minor`` (the policy's ``high_value_refund_minor``) the other
    automatic rules give way to a person.
    """
    cause = RefundCause(cause)
    high = amount_minor > high_value_minor
    if cause in _MANUAL:
        rule, why = _MANUAL[cause]
        return _review(rule, f"A person reviews this refund: {why}.", high)
    rule, why = _AUTOMATIC[cause]
    if cause is C.NOT_SHIPPED_IN_TIME and not _late(ship_by, shipped, now):
        return _review(
            U.NOT_LATE_YET,
            "A person reviews this refund: the order is not past its ship-by time.",
            high,
        )
    if high and cause not in CANCELLATIONS and cause not in _ANY_AMOUNT:
        return _review(
            U.HIGH_VALUE,
            f"A person reviews this refund: it is over the high-value threshold "
            f"({amount_minor} > {high_value_minor} minor units), though {why}.",
            high,
        )
    return RefundDecision(
        RefundStatus.APPROVED, rule, f"Refund approved automatically: {why}.", high
    )


def _late(ship_by: datetime | None, shipped: bool, now: datetime | None) -> bool:
    return ship_by is not None and now is not None and not shipped and now > ship_by


def _review(rule: RefundRule, reason: str, high: bool) -> RefundDecision:
    return RefundDecision(RefundStatus.PENDING_REVIEW, rule, reason, high)


def can_decide(role: str, amount_minor: int, *, support_limit_minor: int = 0) -> bool:
    """Who approves or rejects a refund waiting for review: the owning seller (the
    service checks ownership) and admins; support up to the policy's limit."""
    if role in ("seller", "admin"):
        return True
    return role == "support" and amount_minor <= support_limit_minor


# -- states and due times ----------------------------------------------------------


class RefundStatus(StrEnum):
    PENDING_REVIEW = "pending_review"
    APPROVED = "approved"
    """Sent (or to be sent) to the payment provider."""
    PAID = "paid"
    REJECTED = "rejected"
    FAILED = "failed"
    """The provider refused or could not be reached; an admin retries it."""


F = RefundStatus

REFUND = Lifecycle(
    "a refund",
    RefundStatus,
    {
        F.PENDING_REVIEW: frozenset({F.APPROVED, F.REJECTED}),
        F.APPROVED: frozenset({F.PAID, F.FAILED}),
        F.FAILED: frozenset({F.APPROVED}),  # retried: sent to the provider again
        F.PAID: frozenset(),
        F.REJECTED: frozenset(),
    },
)

ON_ITS_WAY = frozenset({F.PENDING_REVIEW, F.APPROVED, F.FAILED})
"""Counts as ``pending`` in ``refundable_left``."""
DONE = frozenset({F.PAID, F.REJECTED})


def check_retry(status: RefundStatus | str) -> RefundStatus:
    """Only a refund the provider refused is sent again (back to approved); anything
    else is a ``Refused`` with the rule ``refund-not-failed``."""
    if RefundStatus(status) is not F.FAILED:
        words = str(RefundStatus(status).value).replace("_", " ")
        raise Refused(
            "refund-not-failed", f"only a failed refund is sent again; this one is {words}"
        )
    return REFUND.check(status, F.APPROVED)


def provider_key(refund_id: str, pay_round: int) -> str:
    """The provider's idempotency key for one round of paying: the refund id the
    first time, a new key each time a person sends it again, because a provider that
    remembers a refused key answers every later ask with the same refusal. Within a
    round the key stays, so the outbox re-delivering never pays twice."""
    return refund_id if pay_round == 0 else f"{refund_id}:retry-{pay_round}"


def refund_due_at(
    cause: RefundCause | str,
    *,
    created_at: datetime,
    approved_at: datetime | None,
    is_holiday: HolidayCheck = no_holidays,
) -> datetime | None:
    """When the money must be back: 24 h after a cancellation; 3 business days after
    approval for the rest (same time of day); None while it waits for review."""
    if RefundCause(cause) in CANCELLATIONS:
        return created_at + timedelta(hours=CANCELLATION_REFUND_HOURS)
    if approved_at is None:
        return None
    day = add_business_days(approved_at.date(), APPROVED_REFUND_BUSINESS_DAYS, is_holiday)
    return datetime.combine(day, approved_at.timetz())


def refund_overdue(status: RefundStatus | str, due_at: datetime | None, now: datetime) -> bool:
    """Still not paid after its due time (admins are told)."""
    return RefundStatus(status) in ON_ITS_WAY and due_at is not None and now > due_at
