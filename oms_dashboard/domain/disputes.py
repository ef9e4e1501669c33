"""Disputes: a customer or seller escalates a ticket; an admin decides it (refund,
partial refund, or reject) with a written note both parties see.

A decision's refund is approved by rule (``refunds.RefundCause.DISPUTE_DECISION``:
the admin's decision is the review) and, like every refund, never takes the
order past what was paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oms_dashboard.domain.errors import RefundExceedsPaid
from oms_dashboard.domain.lifecycle import Lifecycle
from oms_dashboard.domain.refunds import EXCEEDS_PAID

PARTIES = frozenset({"customer", "seller"})
"""Who escalates a ticket to a dispute; an admin resolves it."""


class DisputeStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"
    WITHDRAWN = "withdrawn"
    """The party who escalated it settled with the other."""


D = DisputeStatus

DISPUTE = Lifecycle(
    "a dispute",
    DisputeStatus,
    {
        D.OPEN: frozenset({D.RESOLVED, D.WITHDRAWN}),
        D.RESOLVED: frozenset(),
        D.WITHDRAWN: frozenset(),
    },
)


class DisputeDecision(StrEnum):
    REFUND = "refund"
    """Everything still refundable."""
    PARTIAL_REFUND = "partial_refund"
    REJECT = "reject"


D_PARTIAL = DisputeDecision.PARTIAL_REFUND


@dataclass(frozen=True)
class DisputeResolution:
    decision: DisputeDecision
    refund_minor: int
    """0 when rejected."""
    note: str


def resolution_errors(
    *, decision: str, amount_minor: int | None, note: str | None
) -> list[dict[str, str]]:
    """What is wrong with an admin's decision, each naming the field (the API's 422)."""
    errors = []
    if not (note or "").strip():
        errors.append({"field": "note", "message": "write the decision both parties will read"})
    try:
        chosen = DisputeDecision(decision)
    except ValueError:
        choices = ", ".join(d.value for d in DisputeDecision)
        return [*errors, {"field": "decision", "message": f"must be one of {choices}"}]
    if chosen is D_PARTIAL and amount_minor is None:
        errors.append({"field": "amount", "message": "a partial refund needs an amount"})
    elif chosen is D_PARTIAL and amount_minor is not None and amount_minor <= 0:
        errors.append({"field": "amount", "message": "must be more than zero"})
    elif chosen is not D_PARTIAL and amount_minor is not None:
        errors.append({"field": "amount", "message": "only a partial refund takes an amount"})
    return errors


def resolve(
    *, decision: str, amount_minor: int | None, note: str, left_minor: int
) -> DisputeResolution:
    """The admin's decision and the refund it comes to (checked with
    ``resolution_errors`` first); ``RefundExceedsPaid`` past ``left_minor``."""
    if resolution_errors(decision=decision, amount_minor=amount_minor, note=note):
        raise ValueError("invalid dispute decision: check resolution_errors first")
    chosen = DisputeDecision(decision)
    if chosen is DisputeDecision.REJECT:
        return DisputeResolution(chosen, 0, note.strip())
    amount = left_minor if chosen is DisputeDecision.REFUND else amount_minor or 0
    if amount <= 0:
        raise RefundExceedsPaid(EXCEEDS_PAID, "nothing is left to refund on this order")
    if amount > left_minor:
        raise RefundExceedsPaid(
            EXCEEDS_PAID, f"{amount} decided but only {left_minor} is left to refund (minor units)"
        )
    return DisputeResolution(chosen, amount, note.strip())
