"""Returns and exchanges: whether a return may be asked, who approves it, the
trip back, and what the seller's inspection means for stock and the refund.

Product spec: eligibility weighs the time since delivery against the return
window (the seller's own, else the platform policy's ``return_window_days``),
the product's condition, the return policy and the reason. A return is
inspected when it comes back; only sellable items go back into stock; the
replacement of an exchange is reserved when the return is approved.

Choices made here:
- Damaged or wrong items are approved by rule (the seller's mistake is plain
  from the reason, and the inspection still checks it); every other reason is
  the seller's call.
- A missing item has nothing to send back: no label, straight to the refund or
  the replacement.
- A change of mind needs the item unused; digital goods are never returned
  (a refund request covers a faulty download).
- The seller's inspection is the manual review the spec asks of a return's
  refund: a sellable item, or damage the customer reported, settles at once;
  damage nobody reported leaves the refund to a person.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oms_dashboard.domain.errors import NotReturnable
from oms_dashboard.domain.lifecycle import Lifecycle
from oms_dashboard.domain.statuses import OrderStatus

DEFAULT_RETURN_WINDOW_DAYS = 30
"""The policy's ``return_window_days`` default."""


class ReturnReason(StrEnum):
    DAMAGED = "damaged"
    WRONG_ITEM = "wrong_item"
    MISSING_ITEM = "missing_item"
    NOT_AS_DESCRIBED = "not_as_described"
    CHANGED_MIND = "changed_mind"
    OTHER = "other"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Resolution(StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"


class Condition(StrEnum):
    SELLABLE = "sellable"
    DAMAGED = "damaged"


class ReturnOutcome(StrEnum):
    APPROVED = "approved"
    SELLER_DECIDES = "seller_decides"
    REFUSED = "refused"


class ReturnRule(StrEnum):
    NOT_DELIVERED = "not-delivered"
    WINDOW_PASSED = "return-window-passed"
    DIGITAL = "digital-not-returnable"
    USED = "changed-mind-needs-unused"
    EXCEEDS_BOUGHT = "return-exceeds-bought"
    DAMAGED_APPROVED = "damaged-approved"
    WRONG_ITEM_APPROVED = "wrong-item-approved"
    SELLER_DECIDES = "seller-decides"
    INSPECTED_SELLABLE = "inspected-sellable"
    DAMAGE_AS_REPORTED = "damage-as-reported"
    DAMAGE_NOT_REPORTED = "damage-not-reported"


R = ReturnRule
AUTO_APPROVED = {
    ReturnReason.DAMAGED: R.DAMAGED_APPROVED,
    ReturnReason.WRONG_ITEM: R.WRONG_ITEM_APPROVED,
}
_APPROVED_BECAUSE = {
    ReturnReason.DAMAGED: "Approved: items that arrive damaged are taken back at once.",
    ReturnReason.WRONG_ITEM: "Approved: a wrong item is taken back at once.",
}
NOTHING_TO_SEND_BACK = frozenset({ReturnReason.MISSING_ITEM})
FAULT_REPORTED = frozenset(
    {ReturnReason.DAMAGED, ReturnReason.WRONG_ITEM, ReturnReason.NOT_AS_DESCRIBED}
)
"""Reasons under which an item may come back damaged without it being the customer's doing."""


@dataclass(frozen=True)
class ReturnLine:
    """One line of the return: units asked now, against what was bought and what
    other returns (not rejected) already take back."""

    sku: str
    quantity: int
    bought: int
    already_returned: int = 0
    digital: bool = False


@dataclass(frozen=True)
class ReturnFacts:
    order_status: OrderStatus | str
    delivered_at: datetime | None
    now: datetime
    lines: Sequence[ReturnLine]
    reason: ReturnReason | str
    resolution: Resolution | str = Resolution.REFUND
    condition: Condition | str = Condition.SELLABLE
    """As the customer describes the item."""
    window_days: int = DEFAULT_RETURN_WINDOW_DAYS
    seller_window_days: int | None = None
    """The seller's own return window, which replaces the policy's when given."""


@dataclass(frozen=True)
class ReturnDecision:
    outcome: ReturnOutcome
    rule: ReturnRule
    reason: str
    needs_label: bool = False
    """A return label from the original carrier, once approved."""
    reserve_replacement: bool = False
    """An exchange: the replacement is reserved at approval."""
    window_ends_at: datetime | None = None

    @property
    def allowed(self) -> bool:
        return self.outcome is not ReturnOutcome.REFUSED

    def check(self) -> ReturnDecision:
        """The decision itself, or ``NotReturnable`` naming the rule that refused."""
        if not self.allowed:
            raise NotReturnable(self.rule, self.reason)
        return self


def window_ends_at(delivered_at: datetime, window_days: int) -> datetime:
    return delivered_at + timedelta(days=window_days)


def decide_return(facts: ReturnFacts) -> ReturnDecision:
    """Whether the return may be asked, and whether a rule or the seller approves it."""
    reason = ReturnReason(facts.reason)
    if OrderStatus(facts.order_status) is not OrderStatus.DELIVERED or facts.delivered_at is None:
        return _refuse(R.NOT_DELIVERED, "Returns open once the order is delivered.")
    days = facts.window_days if facts.seller_window_days is None else facts.seller_window_days
    ends = window_ends_at(facts.delivered_at, days)
    if facts.now > ends:
        return _refuse(
            R.WINDOW_PASSED,
            f"The {days}-day return window closed on {ends:%d %b %Y}.",
            ends,
        )
    if any(line.digital for line in facts.lines):
        return _refuse(
            R.DIGITAL,
            "Digital items cannot be returned; ask for a refund if one does not work.",
            ends,
        )
    for line in facts.lines:
        left = line.bought - line.already_returned
        if line.quantity > left:
            return _refuse(
                R.EXCEEDS_BOUGHT,
                f"{line.sku}: {line.quantity} asked, {max(left, 0)} of {line.bought} "
                "left to return.",
                ends,
            )
    if reason is ReturnReason.CHANGED_MIND and Condition(facts.condition) is Condition.DAMAGED:
        return _refuse(R.USED, "A change of mind return needs the item unused and undamaged.", ends)
    exchange = Resolution(facts.resolution) is Resolution.EXCHANGE
    label = needs_label(reason)
    if reason in AUTO_APPROVED:
        return ReturnDecision(
            ReturnOutcome.APPROVED,
            AUTO_APPROVED[reason],
            _APPROVED_BECAUSE[reason] + (" Your return label is ready." if label else ""),
            label,
            exchange,
            ends,
        )
    return ReturnDecision(
        ReturnOutcome.SELLER_DECIDES,
        R.SELLER_DECIDES,
        "The seller reviews your return request and answers shortly.",
        label,
        exchange,
        ends,
    )


def _refuse(rule: ReturnRule, reason: str, ends: datetime | None = None) -> ReturnDecision:
    return ReturnDecision(ReturnOutcome.REFUSED, rule, reason, window_ends_at=ends)


def answer_errors(*, approve: bool, reason: str | None) -> list[dict[str, str]]:
    """What is wrong with a seller's answer: a rejection must say why."""
    if not approve and not (reason or "").strip():
        return [{"field": "reason", "message": "say why the return is rejected"}]
    return []


# -- back at the seller ------------------------------------------------------------


@dataclass(frozen=True)
class Inspection:
    restock: bool
    """Sellable items go back into stock; damaged ones do not."""
    settles: bool
    """The refund is approved (or the exchange ships) now; else a person decides."""
    rule: ReturnRule
    reason: str


def inspect(reason: ReturnReason | str, condition: Condition | str) -> Inspection:
    """What the seller's inspection of a returned item means."""
    reason, condition = ReturnReason(reason), Condition(condition)
    if condition is Condition.SELLABLE:
        return Inspection(
            True, True, R.INSPECTED_SELLABLE, "Received in sellable condition and restocked."
        )
    if reason in FAULT_REPORTED:
        return Inspection(
            False, True, R.DAMAGE_AS_REPORTED, "Received damaged, as reported; not restocked."
        )
    return Inspection(
        False,
        False,
        R.DAMAGE_NOT_REPORTED,
        "Received damaged though no damage was reported: a person decides the refund.",
    )


class ReturnStatus(StrEnum):
    REQUESTED = "requested"
    APPROVED = "approved"
    REJECTED = "rejected"
    LABEL_CREATED = "label_created"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    INSPECTED = "inspected"
    REFUND_DUE = "refund_due"
    """Settled for a refund: the refund is the refunds service's to make."""
    REFUNDED = "refunded"
    EXCHANGE_SHIPPED = "exchange_shipped"
    CLOSED = "closed"


T = ReturnStatus

RETURN = Lifecycle(
    "a return",
    ReturnStatus,
    {
        T.REQUESTED: frozenset({T.APPROVED, T.REJECTED, T.CLOSED}),  # closed: withdrawn
        # Straight to the refund or replacement when nothing comes back (missing item).
        T.APPROVED: frozenset(
            {T.LABEL_CREATED, T.REFUND_DUE, T.REFUNDED, T.EXCHANGE_SHIPPED, T.CLOSED}
        ),
        # Carriers skip scans: "delivered back" may be the first one. Closed: never sent.
        T.LABEL_CREATED: frozenset({T.IN_TRANSIT, T.RECEIVED, T.CLOSED}),
        T.IN_TRANSIT: frozenset({T.RECEIVED}),
        T.RECEIVED: frozenset({T.INSPECTED}),
        # Closed from inspected: a person decided against the refund.
        T.INSPECTED: frozenset({T.REFUND_DUE, T.REFUNDED, T.EXCHANGE_SHIPPED, T.CLOSED}),
        # Closed from refund due: a person decided against the refund after all.
        T.REFUND_DUE: frozenset({T.REFUNDED, T.CLOSED}),
        T.REFUNDED: frozenset({T.CLOSED}),
        T.EXCHANGE_SHIPPED: frozenset({T.CLOSED}),
        T.REJECTED: frozenset(),
        T.CLOSED: frozenset(),
    },
)


def after_inspection(resolution: Resolution | str, inspection: Inspection) -> ReturnStatus:
    """Where an inspected return goes next: refund due or exchange shipped when the
    inspection settles it, else it stays inspected until a person decides."""
    if not inspection.settles:
        return T.INSPECTED
    return T.EXCHANGE_SHIPPED if Resolution(resolution) is Resolution.EXCHANGE else T.REFUND_DUE


def needs_label(reason: ReturnReason | str) -> bool:
    """Whether anything comes back, so a return label is needed once approved."""
    return ReturnReason(reason) not in NOTHING_TO_SEND_BACK


HOLDS_REPLACEMENT = frozenset({T.APPROVED, T.LABEL_CREATED, T.IN_TRANSIT, T.RECEIVED, T.INSPECTED})
"""The statuses in which an approved exchange's replacement is held in stock."""


def holds_replacement(resolution: Resolution | str, status: ReturnStatus | str) -> bool:
    """Whether the replacement of this return is reserved now: an exchange from its
    approval until the replacement ships (or the return closes)."""
    exchange = Resolution(resolution) is Resolution.EXCHANGE
    return exchange and ReturnStatus(status) in HOLDS_REPLACEMENT
