"""A checkout's payment: its states, the moves between them, and a round's identity.

A checkout is paid once. Verification may fail; the customer may then retry,
which starts a new **round**: the round number only grows, and every message,
job and email of a round is keyed on it, so a second round is never mistaken
for a replay of the first.
"""

from __future__ import annotations

from enum import StrEnum

from oms_dashboard.domain.lifecycle import Lifecycle

VERIFICATION_RETRIES = 3
"""Re-verifications after the first answer, before the payment is failed."""


class PaymentStatus(StrEnum):
    PENDING = "pending"
    NEEDS_ACTION = "needs_action"
    AUTHORIZED = "authorized"
    FAILED = "failed"


class CheckoutStatus(StrEnum):
    """What the API and the customer read; follows from the payment status."""

    PENDING_PAYMENT = "pending_payment"
    PAID = "paid"
    PAYMENT_FAILED = "payment_failed"


P = PaymentStatus

PAYMENT = Lifecycle(
    "a payment",
    PaymentStatus,
    {
        P.PENDING: frozenset({P.AUTHORIZED, P.NEEDS_ACTION, P.FAILED}),
        P.NEEDS_ACTION: frozenset({P.AUTHORIZED, P.FAILED}),
        P.FAILED: frozenset({P.PENDING}),  # the customer retries: a new round
        P.AUTHORIZED: frozenset(),
    },
)

CHECKOUT_STATUS = {
    P.PENDING: CheckoutStatus.PENDING_PAYMENT,
    P.NEEDS_ACTION: CheckoutStatus.PENDING_PAYMENT,
    P.AUTHORIZED: CheckoutStatus.PAID,
    P.FAILED: CheckoutStatus.PAYMENT_FAILED,
}

OPEN = frozenset({P.PENDING, P.NEEDS_ACTION})
"""Still waiting for the money: the stock hold can expire."""


class VerificationOutcome(StrEnum):
    """What became of one payment event, or of one re-verification by the worker."""

    RECEIVED = "received"
    VERIFIED = "verified"
    NEEDS_ACTION = "needs_action"
    RETRYING = "retrying"
    FAILED = "failed"
    IGNORED = "ignored"


V = VerificationOutcome

VERIFICATION = Lifecycle(
    "a payment event",
    VerificationOutcome,
    {
        V.RECEIVED: frozenset({V.VERIFIED, V.NEEDS_ACTION, V.RETRYING, V.FAILED, V.IGNORED}),
        V.VERIFIED: frozenset(),
        V.NEEDS_ACTION: frozenset(),
        V.RETRYING: frozenset(),
        V.FAILED: frozenset(),
        V.IGNORED: frozenset(),
    },
)


def retries_exhausted(attempts: int) -> bool:
    return attempts >= VERIFICATION_RETRIES
