"""Support tickets: the priority a ticket gets and why, its SLA timers, and its
states (disputes, which a ticket may become, are in ``disputes``).

Product spec: priority from the order's status, time sensitivity, the
customer's history and the issue's severity; communication history on the
ticket; the seller notified when their input is needed. The spec gives no SLA
numbers; the ones below are a common support-desk ladder, in clock hours
(customers wait on weekends too), with time spent waiting on the customer not
counted.

How the priority is found, each step written into the reason:
1. The facts set a base: what the ticket is about (a delivery exception, a
   stuck package, an overdue refund...) or else the order's status (out for
   delivery: hours matter, so urgent); no order at all is low.
2. The severity asked for raises it. Staff set any level; customers and
   sellers up to high, since urgent is kept for cases where hours matter.
3. History raises it one step, to high at most: a repeat contact about the
   same order, or a regular customer.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from oms_dashboard.domain.errors import Refused
from oms_dashboard.domain.lifecycle import Lifecycle
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.tracking import ShipmentFlag

REGULAR_CUSTOMER_ORDERS = 10
REOPEN_DAYS = 14
"""A resolved ticket reopens when the customer writes within this many days;
later, they open a new one."""
STAFF = frozenset({"support", "admin"})


class Priority(StrEnum):
    URGENT = "urgent"
    HIGH = "high"
    NORMAL = "normal"
    LOW = "low"

    @property
    def rank(self) -> int:
        """0 for urgent: the queue sorts by it, then by SLA due."""
        return _ORDER.index(self)

    @property
    def label(self) -> str:
        return self.value.capitalize()


_ORDER = (Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW)
P = Priority


def _one_up(p: Priority) -> Priority:
    return _ORDER[max(p.rank - 1, 0)]


class TicketKind(StrEnum):
    """What a ticket is about; all but ``question`` are opened automatically."""

    QUESTION = "question"
    DELIVERY_EXCEPTION = "delivery_exception"
    STUCK_PACKAGE = "stuck_package"
    REPORTED_DELIVERY = "reported_delivery"
    """The customer says the delivery went wrong (the shipment's ``reported`` flag)."""
    REFUND_OVERDUE = "refund_overdue"
    CANCELLATION_UNANSWERED = "cancellation_unanswered"


KIND_OF_FLAG = {
    ShipmentFlag.STUCK: TicketKind.STUCK_PACKAGE,
    ShipmentFlag.EXCEPTION: TicketKind.DELIVERY_EXCEPTION,
    ShipmentFlag.REPORTED: TicketKind.REPORTED_DELIVERY,
}
"""The case the system opens for a shipment flagged for support."""


class PriorityRule(StrEnum):
    DELIVERY_EXCEPTION = "delivery-exception"
    STUCK_PACKAGE = "stuck-package"
    REPORTED_DELIVERY = "delivery-reported"
    REFUND_OVERDUE = "refund-overdue"
    CANCELLATION_UNANSWERED = "cancellation-unanswered"
    OUT_FOR_DELIVERY = "out-for-delivery"
    ORDER_STATUS = "order-status"
    NO_ORDER = "no-order"
    SEVERITY = "requested-severity"
    REPEAT_CONTACT = "repeat-contact"
    REGULAR_CUSTOMER = "regular-customer"


K, U = TicketKind, PriorityRule
_BY_KIND = {
    K.DELIVERY_EXCEPTION: (U.DELIVERY_EXCEPTION, "the carrier reported a delivery problem"),
    K.STUCK_PACKAGE: (U.STUCK_PACKAGE, "the package has had no carrier scan for too long"),
    K.REPORTED_DELIVERY: (U.REPORTED_DELIVERY, "the customer says the delivery went wrong"),
    K.REFUND_OVERDUE: (U.REFUND_OVERDUE, "a refund is past the time we promised"),
    K.CANCELLATION_UNANSWERED: (
        U.CANCELLATION_UNANSWERED,
        "a cancellation request went unanswered while the order can still ship",
    ),
}


@dataclass(frozen=True)
class TicketFacts:
    kind: TicketKind | str = TicketKind.QUESTION
    order_status: OrderStatus | str | None = None
    severity: Priority | str | None = None
    """The severity the opener asked for."""
    opened_by: str = "customer"
    """customer, seller, support, admin or system."""
    prior_tickets_on_order: int = 0
    customer_orders: int = 0


@dataclass(frozen=True)
class PriorityDecision:
    priority: Priority
    rule: PriorityRule
    """The last rule that set the priority."""
    reason: str
    """Written on the ticket."""


def priority(facts: TicketFacts) -> PriorityDecision:
    """The ticket's priority and the reason written on it."""
    base, rule, why = _base(facts)
    level, notes = base, [why]
    if facts.severity is not None:
        asked = Priority(facts.severity)
        cap = P.URGENT if facts.opened_by in STAFF else P.HIGH
        granted = asked if asked.rank >= cap.rank else cap
        if granted.rank < level.rank:
            level, rule = granted, U.SEVERITY
            notes.append(f"raised to {granted.value}: {asked.value} was asked for")
            if granted is not asked:
                notes[-1] += " (urgent is kept for cases where hours matter)"
    history = _history(facts)
    if history and level.rank > P.HIGH.rank:
        level, rule = _one_up(level), history[0]
        notes.append(f"raised to {level.value}: {history[1]}")
    if level is not base:
        notes[0] += f" ({base.value})"
    reason = "; ".join(notes)
    return PriorityDecision(level, rule, f"{level.label}: {reason[0].lower()}{reason[1:]}.")


def _base(facts: TicketFacts) -> tuple[Priority, PriorityRule, str]:
    kind = TicketKind(facts.kind)
    if kind in _BY_KIND:
        rule, why = _BY_KIND[kind]
        return P.HIGH, rule, why
    if facts.order_status is None:
        return P.LOW, U.NO_ORDER, "a general question, about no order"
    status = OrderStatus(facts.order_status)
    if status is OrderStatus.OUT_FOR_DELIVERY:
        return P.URGENT, U.OUT_FOR_DELIVERY, "the parcel is out for delivery: hours matter"
    if status is OrderStatus.DELIVERY_EXCEPTION:
        return P.HIGH, U.DELIVERY_EXCEPTION, "the carrier reported a delivery problem"
    return P.NORMAL, U.ORDER_STATUS, f"a question about an order that is {status.label.lower()}"


def _history(facts: TicketFacts) -> tuple[PriorityRule, str] | None:
    if facts.prior_tickets_on_order > 0:
        return U.REPEAT_CONTACT, "the customer contacted us before about this order"
    if facts.customer_orders >= REGULAR_CUSTOMER_ORDERS:
        return U.REGULAR_CUSTOMER, f"a regular customer ({facts.customer_orders} orders)"
    return None


# -- SLA -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sla:
    first_response: timedelta
    resolution: timedelta


SLA = {
    P.URGENT: Sla(timedelta(hours=1), timedelta(hours=8)),
    P.HIGH: Sla(timedelta(hours=4), timedelta(hours=24)),
    P.NORMAL: Sla(timedelta(hours=24), timedelta(hours=72)),
    P.LOW: Sla(timedelta(hours=48), timedelta(hours=120)),
}


def sla_due_at(
    priority: Priority | str,
    opened_at: datetime,
    *,
    responded: bool = False,
    paused: timedelta = timedelta(0),
) -> datetime:
    """The ticket's next deadline: the first response until staff answered, then
    the resolution. ``paused``: time spent waiting on the customer, not counted."""
    if paused < timedelta(0):
        raise ValueError("paused time cannot be negative")
    sla = SLA[Priority(priority)]
    return opened_at + (sla.resolution if responded else sla.first_response) + paused


def sla_breached(due_at: datetime, now: datetime, done_at: datetime | None = None) -> bool:
    """Past due: not done (answered, or resolved) by ``due_at``."""
    return (done_at or now) > due_at


def queue_key(priority: Priority | str, due_at: datetime) -> tuple[int, datetime]:
    """The support queue's order: priority, then the nearest SLA deadline."""
    return Priority(priority).rank, due_at


# -- states --------------------------------------------------------------------------


class TicketStatus(StrEnum):
    OPEN = "open"
    WAITING_ON_SELLER = "waiting_on_seller"
    WAITING_ON_CUSTOMER = "waiting_on_customer"
    ESCALATED = "escalated"
    """Became a dispute; resolved with it."""
    RESOLVED = "resolved"


T = TicketStatus
_WORKING = (T.OPEN, T.WAITING_ON_SELLER, T.WAITING_ON_CUSTOMER)

TICKET = Lifecycle(
    "a ticket",
    TicketStatus,
    {
        **{
            status: frozenset({*_WORKING, T.ESCALATED, T.RESOLVED}) - {status}
            for status in _WORKING
        },
        T.ESCALATED: frozenset({T.RESOLVED}),
        T.RESOLVED: frozenset({T.OPEN}),  # reopened
    },
)

SLA_PAUSED = frozenset({T.WAITING_ON_CUSTOMER})
"""The SLA clock does not run while the ticket waits on the customer."""


def can_reopen(resolved_at: datetime, now: datetime, days: int = REOPEN_DAYS) -> bool:
    return now - resolved_at <= timedelta(days=days)


def status_after_message(current: TicketStatus | str, author: str) -> TicketStatus:
    """A message from the party the ticket waits on puts it back with support; a
    customer writing on a resolved ticket reopens it (within ``can_reopen``, which
    the service checks). Staff messages leave the status as it is."""
    current = TicketStatus(current)
    if author == "customer" and current in (T.WAITING_ON_CUSTOMER, T.RESOLVED):
        return T.OPEN
    if author == "seller" and current is T.WAITING_ON_SELLER:
        return T.OPEN
    return current


def notify_on(target: TicketStatus | str) -> frozenset[str]:
    """Who is told when the ticket moves to ``target``: the seller when their input
    is needed, the customer when theirs is or when it is resolved."""
    return {
        T.WAITING_ON_SELLER: frozenset({"seller"}),
        T.WAITING_ON_CUSTOMER: frozenset({"customer"}),
        T.ESCALATED: frozenset({"customer", "seller"}),
        T.RESOLVED: frozenset({"customer"}),
    }.get(TicketStatus(target), frozenset())


# -- refusals ------------------------------------------------------------------------


class TicketRule(StrEnum):
    """Named refusals on a ticket; each is a problem document's ``reason``."""

    REOPEN_WINDOW_PASSED = "reopen-window-passed"
    RATE_AFTER_RESOLUTION = "rate-after-resolution"
    ALREADY_RATED = "already-rated"
    DISPUTE_NEEDS_AN_ORDER = "dispute-needs-an-order"
    ESCALATE_BY_DISPUTE = "escalate-by-dispute"


RATINGS = range(1, 6)


def check_customer_message(
    current: TicketStatus | str, resolved_at: datetime | None, now: datetime
) -> None:
    """A customer may write on a resolved ticket (reopening it) only within
    ``REOPEN_DAYS``; later, they open a new one."""
    if TicketStatus(current) is T.RESOLVED and resolved_at and not can_reopen(resolved_at, now):
        raise Refused(
            TicketRule.REOPEN_WINDOW_PASSED,
            f"this ticket was resolved more than {REOPEN_DAYS} days ago; open a new one",
        )


def check_rating(current: TicketStatus | str, existing: int | None) -> None:
    """The customer rates how it was handled once it is resolved, and once."""
    if TicketStatus(current) is not T.RESOLVED:
        raise Refused(TicketRule.RATE_AFTER_RESOLUTION, "a ticket is rated once it is resolved")
    if existing is not None:
        raise Refused(TicketRule.ALREADY_RATED, "this ticket was rated already")


def check_escalation(*, has_order: bool) -> None:
    """A dispute is between the customer and the seller of an order."""
    if not has_order:
        raise Refused(
            TicketRule.DISPUTE_NEEDS_AN_ORDER,
            "only a ticket about an order can become a dispute between customer and seller",
        )


def check_status_target(target: TicketStatus | str) -> TicketStatus:
    """Staff set any state but ``escalated``, which only a party's escalation reaches
    (it opens the dispute)."""
    target = TicketStatus(target)
    if target is T.ESCALATED:
        raise Refused(
            TicketRule.ESCALATE_BY_DISPUTE,
            "a ticket is escalated by the customer or seller opening a dispute",
        )
    return target
