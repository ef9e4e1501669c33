"""Customer service on the demo mall: what 18 months of customers, sellers and
support would have left behind.

Built after the orders, from their rows and timelines, with the domain rules the
services use (refund arithmetic and decisions, return eligibility and inspection,
ticket priority and SLA, review eligibility, dispute decisions), so every row is
one the services could have written:

- refunds for the orders cancelled after payment (paid within 24 h), returns on
  ~4 % of delivered orders within their window, a few refunds waiting for review,
  failed or overdue;
- the cancellation requests behind the timeline's seller-approved cancellations,
  plus a few pending and rejected ones;
- reviews on ~35 % of delivered orders' products, once per customer and product;
- order messages on ~8 % of orders, tickets on ~4 % plus the system's cases for
  flagged shipments, and 3 disputes.

Rows stay consistent with the orders: the matching order events are added (never
a status move, so the orders' statuses and timelines stand), no refund takes an
order past what was paid, and nothing happens after ``now``. Returns whose goods
would still be on their way back are not made (they would need a return
shipment): every return is either waiting for the seller or has arrived.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from datetime import datetime, timedelta
from typing import Any

from oms_dashboard.demo.context import DemoContext
from oms_dashboard.domain import refunds as refund_rules
from oms_dashboard.domain import returns as return_rules
from oms_dashboard.domain import tickets as ticket_rules
from oms_dashboard.domain.cancellation import RequestStatus, request_due_at
from oms_dashboard.domain.disputes import DisputeDecision, DisputeStatus, resolve
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.product_reviews import decide_review
from oms_dashboard.domain.refunds import (
    LineRequest,
    PaidLine,
    RefundCause,
    RefundStatus,
    decide_refund,
    refund_amount,
    refund_due_at,
)
from oms_dashboard.domain.returns import (
    Condition,
    Resolution,
    ReturnFacts,
    ReturnOutcome,
    ReturnReason,
    ReturnStatus,
    decide_return,
    inspect,
)
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.tickets import (
    KIND_OF_FLAG,
    Priority,
    TicketFacts,
    TicketKind,
    TicketStatus,
    priority,
    sla_due_at,
)
from oms_dashboard.domain.tracking import ShipmentFlag, carrier_title

Row = dict[str, Any]
S = OrderStatus
H = timedelta(hours=1)

HIGH_VALUE_MINOR = 50_000
"""The default policy's ``high_value_refund_minor`` (the seed writes no policy row)."""
RETURN_WINDOW_DAYS = return_rules.DEFAULT_RETURN_WINDOW_DAYS
CANCELLATION_REQUEST_HOURS = 24

REVIEW_SHARE = 0.35
MESSAGE_SHARE = 0.08
TICKET_SHARE = 0.035
RETURN_SHARE = 0.04

SERVICE_EVENT_TYPES = frozenset(
    {
        "refund.requested",
        "refund.approved",
        "refund.paid",
        "refund.failed",
        "return.requested",
        "return.approved",
        "return.rejected",
        "return.closed",
        "cancellation.requested",
        "cancellation.rejected",
        "ticket.opened",
        "dispute.opened",
        "dispute.resolved",
    }
)
"""The order events this module adds: facts about the order, never a status move."""

TABLES_BUILT = (
    "cancellation_requests",
    "returns",
    "return_lines",
    "refunds",
    "refund_lines",
    "tickets",
    "ticket_messages",
    "disputes",
    "order_messages",
    "reviews",
)
"""The tables this module fills (``seed.TABLES`` writes them after the orders')."""

_READABLE = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

# -- words -----------------------------------------------------------------------------

GOOD_REVIEWS = (
    "Exactly as described, and it arrived well packed.",
    "Great quality for the price. Would buy again.",
    "Does the job perfectly.",
    "Really happy with this one.",
    "Fast delivery and the product is lovely.",
    "Better than I expected.",
    "Solid, well made, no complaints.",
    "Bought it as a gift and they loved it.",
)
MIXED_REVIEWS = (
    "It's fine, but smaller than the photos suggest.",
    "Works, though the finish is a bit rough.",
    "OK for the price. The instructions could be clearer.",
    "Decent, but delivery took longer than promised.",
)
BAD_REVIEWS = (
    "Stopped working after two weeks.",
    "Arrived scratched and the box was crushed.",
    "Not what the description says at all.",
    "Poor quality; I expected much better.",
    "The colour is nothing like the pictures.",
)

MESSAGE_THREADS = {
    "before": (
        (
            "Hi, could you gift-wrap this order? It's a birthday present.",
            "Of course! We'll add gift wrap at no charge. Thanks for shopping with us.",
        ),
        (
            "Can you ship this together with my other order from you?",
            "We'll do our best to pack them together; you'll get one tracking number if we can.",
        ),
        (
            "Is it possible to change the colour to black before you ship?",
            "Sorry, black is out of stock at the moment. We'll ship the original colour.",
        ),
    ),
    "transit": (
        (
            "The tracking hasn't moved for a day. Is my parcel on its way?",
            "It's with the carrier and on schedule; scans sometimes lag. It should arrive on time.",
        ),
        (
            "Can the courier leave it with my neighbour if I'm out?",
            "We've added a note for the carrier; most drivers will try a neighbour.",
        ),
    ),
    "after": (
        (
            "How do I clean this? There was no care label.",
            "Hand wash cold and dry flat. Thanks for asking!",
        ),
        (
            "Do you have a matching item in the same range?",
            "Yes, we'll have the matching set back in stock next week.",
        ),
        (
            "The item works great, thank you! Do you sell replacement parts?",
            "Glad you like it! Replacement parts are on our shop page under accessories.",
        ),
    ),
}

TICKET_TOPICS = {
    "where": (
        "Where is my order?",
        "My order hasn't arrived yet and the tracking hasn't changed. Can you check?",
    ),
    "damaged": (
        "Item arrived damaged",
        "The item arrived with a cracked case. The outer box was dented too.",
    ),
    "wrong": ("Wrong item received", "I received a different product from the one I ordered."),
    "missing": ("Item missing from my parcel", "One of the items in my order wasn't in the box."),
    "refund": (
        "Question about my refund",
        "When will I get my refund? I can't see it on my card yet.",
    ),
}
SUPPORT_REPLIES = {
    "where": "Thanks for reaching out. I've checked with the carrier: the parcel is moving "
    "and should arrive within the estimate.",
    "damaged": "Sorry about that! Could you send a photo of the damage? We'll sort out a "
    "replacement or refund.",
    "wrong": "Apologies for the mix-up. I've asked the seller to confirm what was packed.",
    "missing": "Sorry for the trouble. I've asked the seller to check the packing record.",
    "refund": "Your refund has been sent; banks usually show it within 3 to 5 business days.",
}
SELLER_REPLIES = {
    "where": "We shipped on time; the carrier confirms it is in their network.",
    "damaged": "We're sorry. We'll send a replacement as soon as the return is approved.",
    "wrong": "Our mistake, a picking error. We'll send the right item right away.",
    "missing": "It was packed separately and ships today; tracking to follow.",
    "refund": "We approved the refund on our side.",
}
CUSTOMER_FOLLOW_UPS = (
    "Thanks, here is the photo.",
    "Great, thank you for the quick help.",
    "OK, I'll wait a couple more days.",
    "Still nothing on my side, can you check again?",
)
RESOLUTION_NOTES = (
    "Resolved: the customer confirmed everything is sorted.",
    "Resolved: the seller sent a replacement.",
    "Resolved: refund confirmed with the payment provider.",
    "Resolved: the parcel was delivered.",
)
REFUND_ERRORS = (
    "card_expired: the card on the payment was closed by the bank",
    "provider_unavailable: the payment provider did not answer",
)
RETURN_NOTES = {
    ReturnReason.DAMAGED: "The item arrived broken.",
    ReturnReason.WRONG_ITEM: "I got a different model from the one I ordered.",
    ReturnReason.MISSING_ITEM: "Only part of the order was in the box.",
    ReturnReason.NOT_AS_DESCRIBED: "It doesn't match the description on the page.",
    ReturnReason.CHANGED_MIND: "No longer needed; it is unopened.",
    ReturnReason.OTHER: "It doesn't fit what I needed.",
}
RETURN_REASONS = (
    (ReturnReason.DAMAGED, 0.24),
    (ReturnReason.WRONG_ITEM, 0.14),
    (ReturnReason.MISSING_ITEM, 0.06),
    (ReturnReason.NOT_AS_DESCRIBED, 0.14),
    (ReturnReason.CHANGED_MIND, 0.36),
    (ReturnReason.OTHER, 0.06),
)
CANCEL_REASONS = (
    "Ordered the wrong size",
    "Found it cheaper elsewhere",
    "No longer needed",
    "Ordered twice by mistake",
)


def build_service(ctx: DemoContext) -> None:
    """Add the customer-service rows to ``ctx.rows`` (after the orders)."""
    ServiceBuilder(ctx).build()


class ServiceBuilder:
    def __init__(self, ctx: DemoContext) -> None:
        self.ctx, self.rng, self.now = ctx, ctx.rng, ctx.now
        rows = ctx.rows
        self.orders: list[Row] = rows["orders"]
        self.lines: dict[str, list[Row]] = defaultdict(list)
        for line in rows["order_lines"]:
            self.lines[line["order_id"]].append(line)
        self.events: dict[str, list[Row]] = defaultdict(list)
        for event in rows["order_events"]:
            self.events[event["order_id"]].append(event)
        for timeline in self.events.values():
            timeline.sort(key=lambda e: (e["at"], e["id"]))
        self.shipment_of = {s["order_id"]: s for s in rows["shipments"]}
        users = {u["id"]: u for u in rows["users"]}
        self.customer_user = {c["id"]: users[c["user_id"]] for c in rows["customers"]}
        self.seller_staff = {u["seller_id"]: u for u in rows["users"] if u["role"] == "seller"}
        self.support = [u for u in rows["users"] if u["role"] == "support"]
        self.open_shown: set[str] = set()
        self.admins = [u for u in rows["users"] if u["role"] == "admin"]
        self.placed_by_customer: dict[str, list[datetime]] = defaultdict(list)
        for order in self.orders:
            self.placed_by_customer[order["customer_id"]].append(order["placed_at"])
        for times in self.placed_by_customer.values():
            times.sort()
        self.refunded_units: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.refund_taken: dict[str, int] = defaultdict(int)
        self.shipping_refunded: dict[str, int] = defaultdict(int)
        self.tickets_on_order: dict[str, list[datetime]] = defaultdict(list)
        self.ticket_numbers: set[str] = set()
        self.return_refunds: list[Row] = []

    def build(self) -> None:
        self._cancellation_refunds()
        self._cancellation_requests()
        self._returns()
        self._refund_troubles()
        self._refund_requests()
        self._reviews()
        self._order_messages()
        self._system_tickets()
        self._tickets()
        self._disputes()

    # -- helpers -----------------------------------------------------------------------

    def add(self, table: str, row: Row) -> Row:
        return self.ctx.add(table, row)

    def new(self, prefix: str, at: datetime) -> str:
        return self.ctx.ids.new(prefix, at)

    def event(
        self,
        order: Row,
        kind: str,
        at: datetime,
        by: tuple[str, str | None, str],
        note: str,
        **data: Any,
    ) -> None:
        actor_type, actor_id, label = by
        row = self.add(
            "order_events",
            {
                "id": self.new("evt", at),
                "order_id": order["id"],
                "seller_id": order["seller_id"],
                "type": kind,
                "at": at,
                "actor_type": actor_type,
                "actor_id": actor_id,
                "actor_label": label,
                "from_status": None,
                "to_status": None,
                "note": note,
                "data": data or None,
            },
        )
        self.events[order["id"]].append(row)

    def person(self, user: Row) -> tuple[str, str | None, str]:
        """As ``By.person``: the user, labelled like ``Actor.label``."""
        return ("user", user["id"], _label(user))

    def customer_of(self, order: Row) -> Row:
        return self.customer_user[order["customer_id"]]

    def staff_of(self, order: Row) -> Row:
        return self.seller_staff[order["seller_id"]]

    def status_at(self, order: Row, at: datetime) -> str:
        status = None
        for event in self.events[order["id"]]:
            if event["at"] > at:
                break
            if event["to_status"]:
                status = event["to_status"]
        return status or S.PENDING_PAYMENT.value

    def first_event(self, order: Row, kind: str) -> Row | None:
        return next((e for e in self.events[order["id"]] if e["type"] == kind), None)

    def customer_orders_at(self, customer_id: str, at: datetime) -> int:
        return bisect.bisect_right(self.placed_by_customer[customer_id], at)

    def before_now(self, at: datetime) -> bool:
        return at <= self.now

    def money(self, amount: int, currency: str) -> str:
        return f"{format_minor(amount, currency)} {currency}"

    # -- refunds ---------------------------------------------------------------------

    def paid_lines(self, order: Row) -> list[PaidLine]:
        done = self.refunded_units[order["id"]]
        return [
            PaidLine(line["sku"], line["quantity"], line["unit_price_minor"], done[line["sku"]])
            for line in self.lines[order["id"]]
        ]

    def left(self, order: Row) -> int:
        return refund_rules.refundable_left(order["total_minor"], 0, self.refund_taken[order["id"]])

    def refund(
        self,
        order: Row,
        *,
        cause: RefundCause,
        at: datetime,
        reason: str,
        requested_by: Row | None,
        requested_role: str,
        lines: list[LineRequest] | None = None,
        amount_minor: int | None = None,
        return_id: str | None = None,
        dispute_id: str | None = None,
    ) -> Row:
        """A refund as ``refunds.start_refund`` makes it, at ``at``; left approved or
        pending review (the caller pays, approves or fails it)."""
        amount = refund_amount(
            self.paid_lines(order),
            left_minor=self.left(order),
            lines=lines,
            amount_minor=amount_minor,
            shipping_left_minor=order["shipping_minor"] - self.shipping_refunded[order["id"]],
        )
        decision = decide_refund(
            cause, amount_minor=amount.amount_minor, high_value_minor=HIGH_VALUE_MINOR
        )
        row = self.add(
            "refunds",
            {
                "id": self.new("rfd", at),
                "order_id": order["id"],
                "seller_id": order["seller_id"],
                "status": decision.status.value,
                "amount_minor": amount.amount_minor,
                "shipping_minor": amount.shipping_minor,
                "currency": order["currency"],
                "reason": reason[:1000],
                "rule": decision.rule.value,
                "rule_reason": decision.reason[:300],
                "requested_by": requested_by["id"] if requested_by else None,
                "requested_role": requested_role,
                "return_id": return_id,
                "dispute_id": dispute_id,
                "created_at": at,
                "due_at": refund_due_at(
                    cause, created_at=at, approved_at=at if decision.automatic else None
                ),
                "decided_by": None,
                "decided_at": at if decision.automatic else None,
                "decision_note": None,
                "provider_refund_id": None,
                "paid_at": None,
                "attempts": 0,
                "last_error": None,
                "pay_round": 0,
            },
        )
        self.refund_taken[order["id"]] += amount.amount_minor
        self.shipping_refunded[order["id"]] += amount.shipping_minor
        by_sku = {line["sku"]: line for line in self.lines[order["id"]]}
        for line in amount.lines:
            self.refunded_units[order["id"]][line.sku] += line.quantity
            bought = by_sku[line.sku]
            self.add(
                "refund_lines",
                {
                    "id": self.new("rfl", at),
                    "refund_id": row["id"],
                    "order_line_id": bought["id"],
                    "sku": line.sku,
                    "quantity": line.quantity,
                    "amount_minor": line.quantity * bought["unit_price_minor"],
                },
            )
        words = {"approved": "approved", "pending_review": "waiting for review"}[row["status"]]
        by = self.person(requested_by) if requested_by else ("system", None, "OMS")
        self.event(
            order,
            "refund.requested",
            at,
            by,
            f"refund of {self.money(row['amount_minor'], row['currency'])} {words}: "
            f"{decision.reason}",
            refund_id=row["id"],
            rule=row["rule"],
            status=row["status"],
        )
        return row

    def approve(self, order: Row, refund: Row, at: datetime, by: Row, note: str = "") -> None:
        refund["status"] = RefundStatus.APPROVED.value
        refund["decided_by"], refund["decided_at"] = by["id"], at
        refund["decision_note"] = note or None
        refund["due_at"] = refund_due_at(
            RefundCause.DISCRETIONARY, created_at=refund["created_at"], approved_at=at
        )
        self.event(
            order,
            "refund.approved",
            at,
            self.person(by),
            f"refund of {self.money(refund['amount_minor'], refund['currency'])} approved"
            + (f": {note}" if note else ""),
            refund_id=refund["id"],
        )

    def pay(self, order: Row, refund: Row, at: datetime) -> None:
        reference = f"re_{self.rng.getrandbits(64):016x}"
        refund.update(
            status=RefundStatus.PAID.value,
            provider_refund_id=reference,
            paid_at=at,
            attempts=refund["attempts"] + 1,
        )
        self.event(
            order,
            "refund.paid",
            at,
            ("payment", None, "Payment provider"),
            f"refund of {self.money(refund['amount_minor'], refund['currency'])} paid "
            f"(provider reference {reference})",
            refund_id=refund["id"],
        )

    def fail(self, order: Row, refund: Row, at: datetime) -> None:
        error = self.rng.choice(REFUND_ERRORS)
        refund.update(status=RefundStatus.FAILED.value, attempts=3, last_error=error)
        self.event(
            order,
            "refund.failed",
            at,
            ("payment", None, "Payment provider"),
            f"the payment provider refused the refund of "
            f"{self.money(refund['amount_minor'], refund['currency'])}: {error}",
            refund_id=refund["id"],
        )

    def _cancellation_refunds(self) -> None:
        """Every order cancelled after payment is refunded in full, within 24 h."""
        for order in self.orders:
            if order["status"] != S.CANCELLED or order["paid_at"] is None:
                continue
            cancelled = self.first_event(order, "order.cancelled")
            data = cancelled["data"] or {}
            if data.get("within_window"):
                cause, reason = RefundCause.CANCELLED_IN_WINDOW, "cancelled within the window"
            elif data.get("requested_at"):
                cause, reason = RefundCause.CANCELLATION_APPROVED, data.get("reason", "")
            else:
                # The seller cancelled for want of stock: as an admin's cancellation would.
                cause, reason = RefundCause.ADMIN_CANCELLATION, "the item is out of stock"
            at = cancelled["at"] + timedelta(seconds=1)
            refund = self.refund(
                order,
                cause=cause,
                at=at,
                reason=f"Order cancelled: {reason}",
                requested_by=None,
                requested_role="system",
            )
            paid = at + H * self.rng.choice((self.rng.uniform(0.02, 0.5), self.rng.uniform(1, 20)))
            if self.before_now(paid):
                self.pay(order, refund, paid)

    # -- cancellation requests -----------------------------------------------------

    def cancellation_request(self, order: Row, asked: datetime, reason: str) -> Row:
        customer = self.customer_of(order)
        row = self.add(
            "cancellation_requests",
            {
                "id": self.new("ccr", asked),
                "order_id": order["id"],
                "seller_id": order["seller_id"],
                "status": RequestStatus.PENDING.value,
                "reason": reason,
                "requested_by": customer["id"],
                "requested_at": asked,
                "due_at": request_due_at(asked, CANCELLATION_REQUEST_HOURS),
                "decided_by": None,
                "decided_at": None,
                "decision_note": None,
            },
        )
        return row

    def _cancellation_requests(self) -> None:
        """The requests behind the timeline's approved cancellations, a few the seller
        turned down before shipping, and a few still waiting for the seller."""
        for order in self.orders:
            asked = self.first_event(order, "cancellation.requested")
            if asked is None or order["status"] != S.CANCELLED:
                continue
            cancelled = self.first_event(order, "order.cancelled")
            request = self.cancellation_request(order, asked["at"], asked["data"]["reason"])
            request.update(
                status=RequestStatus.APPROVED.value,
                decided_by=self.staff_of(order)["id"],
                decided_at=cancelled["at"],
                decision_note="Cancellation request approved.",
            )
        shipped = [
            o
            for o in self.orders
            if o["shipped_at"]
            and o["paid_at"]
            and o["shipped_at"] - o["paid_at"] > 6 * H
            and not self.first_event(o, "cancellation.requested")
        ]
        for order in self.rng.sample(shipped, min(6, len(shipped))):
            start = order["paid_at"] + 1.5 * H
            asked = start + (order["shipped_at"] - start) * self.rng.uniform(0.1, 0.4)
            answered = asked + (order["shipped_at"] - asked) * self.rng.uniform(0.2, 0.8)
            reason = self.rng.choice(CANCEL_REASONS)
            request = self.cancellation_request(order, asked, reason)
            note = "Already packed and handed to the carrier; you can return it once delivered."
            request.update(
                status=RequestStatus.REJECTED.value,
                decided_by=self.staff_of(order)["id"],
                decided_at=answered,
                decision_note=note,
            )
            self._request_events(order, request)
            self.event(
                order,
                "cancellation.rejected",
                answered,
                self.person(self.staff_of(order)),
                f"cancellation request rejected: {note}",
                cancellation_request_id=request["id"],
            )
        waiting = [
            o
            for o in self.orders
            if o["status"] == S.PROCESSING
            and o["paid_at"]
            and self.now - o["paid_at"] > 2 * H
            and not self.first_event(o, "cancellation.requested")
        ]
        for order in self.rng.sample(waiting, min(3, len(waiting))):
            start = max(order["paid_at"] + 1.5 * H, self.now - 20 * H)
            asked = start + (self.now - start) * self.rng.uniform(0.2, 0.9)
            request = self.cancellation_request(order, asked, self.rng.choice(CANCEL_REASONS))
            self._request_events(order, request)

    def _request_events(self, order: Row, request: Row) -> None:
        self.event(
            order,
            "cancellation.requested",
            request["requested_at"],
            self.person(self.customer_of(order)),
            f"cancellation requested: {request['reason']}",
            cancellation_request_id=request["id"],
            due_at=request["due_at"].isoformat(),
        )

    # -- returns ---------------------------------------------------------------------

    def _returns(self) -> None:
        delivered = [o for o in self.orders if o["status"] == S.DELIVERED and o["delivered_at"]]
        for order in delivered:
            if self.rng.random() >= RETURN_SHARE:
                continue
            physical = [line for line in self.lines[order["id"]] if line["kind"] != "digital"]
            if physical:
                self._return(order, physical)
        # A few recent requests the seller has not answered yet.
        returned = {r["order_id"] for r in self.ctx.rows["returns"]}
        recent = [
            o
            for o in delivered
            if o["id"] not in returned
            and timedelta(days=2) < self.now - o["delivered_at"] < timedelta(days=12)
            and any(line["kind"] != "digital" for line in self.lines[o["id"]])
        ]
        for order in self.rng.sample(recent, min(3, len(recent))):
            physical = [line for line in self.lines[order["id"]] if line["kind"] != "digital"]
            self._return(order, physical, pending=True)

    def _return(self, order: Row, physical: list[Row], *, pending: bool = False) -> None:
        rng = self.rng
        reasons, weights = zip(*RETURN_REASONS, strict=True)
        reason = rng.choices(reasons, weights)[0]
        latest = min(RETURN_WINDOW_DAYS - 0.5, (self.now - order["delivered_at"]).days - 0.2)
        if latest < 0.3:
            return
        created = order["delivered_at"] + timedelta(days=rng.uniform(0.3, min(latest, 12)))
        if pending:
            reason = rng.choice((ReturnReason.CHANGED_MIND, ReturnReason.NOT_AS_DESCRIBED))
            created = self.now - H * rng.uniform(1, 20)
        picked = rng.sample(physical, 1 if len(physical) == 1 or rng.random() < 0.7 else 2)
        resolution = Resolution.EXCHANGE if rng.random() < 0.2 else Resolution.REFUND
        decision = decide_return(
            ReturnFacts(
                order_status=order["status"],
                delivered_at=order["delivered_at"],
                now=created,
                lines=[
                    return_rules.ReturnLine(line["sku"], line["quantity"], line["quantity"])
                    for line in picked
                ],
                reason=reason,
                resolution=resolution,
                window_days=RETURN_WINDOW_DAYS,
            )
        ).check()
        by_rule = decision.outcome is ReturnOutcome.APPROVED
        decided = created if by_rule else created + H * rng.uniform(2, 30)
        if pending:
            decided = self.now + H
        arrive = decided + timedelta(days=rng.uniform(3, 7))
        rejected = not by_rule and rng.random() < 0.15
        answered = self.before_now(decided)
        on_its_way = return_rules.needs_label(reason) and not self.before_now(arrive)
        if answered and not rejected and on_its_way:
            return  # still on its way back: it would need a return shipment
        customer, staff = self.customer_of(order), self.staff_of(order)
        ret = self.add(
            "returns",
            {
                "id": self.new("ret", created),
                "order_id": order["id"],
                "seller_id": order["seller_id"],
                "customer_id": order["customer_id"],
                "status": ReturnStatus.REQUESTED.value,
                "reason": reason.value,
                "note": RETURN_NOTES[reason],
                "resolution": resolution.value,
                "exchange_sku": picked[0]["sku"] if resolution is Resolution.EXCHANGE else None,
                "rule": decision.rule.value,
                "rule_reason": decision.reason[:300],
                "shipment_id": None,
                "exchange_shipment_id": None,
                "condition": None,
                "refund_id": None,
                "created_at": created,
                "updated_at": created,
                "decided_by": None,
                "decided_at": None,
                "decision_note": None,
                "received_at": None,
                "closed_at": None,
            },
        )
        for line in picked:
            self.add(
                "return_lines",
                {
                    "id": self.new("rtl", created),
                    "return_id": ret["id"],
                    "order_line_id": line["id"],
                    "sku": line["sku"],
                    "quantity": line["quantity"],
                },
            )
        self.event(
            order,
            "return.requested",
            created,
            self.person(customer),
            f"Return requested ({reason.label.lower()}): {decision.reason}",
            return_id=ret["id"],
        )
        if not answered:
            return  # the seller has not answered yet
        if rejected:
            note = "The item shows signs of use; a change of mind needs it unused."
            ret.update(
                status=ReturnStatus.REJECTED.value,
                decided_by=staff["id"],
                decided_at=decided,
                decision_note=note,
                updated_at=decided,
            )
            self.event(
                order,
                "return.rejected",
                decided,
                self.person(staff),
                f"Return rejected: {note}",
                return_id=ret["id"],
            )
            return
        ret.update(
            status=ReturnStatus.APPROVED.value,
            decided_by=None if by_rule else staff["id"],
            decided_at=decided,
            updated_at=decided,
        )
        if by_rule:
            ret["decided_by"] = "rule"
        self.event(
            order,
            "return.approved",
            decided,
            ("system", None, "OMS") if by_rule else self.person(staff),
            "Return approved" + (f" by rule: {decision.reason}" if by_rule else ""),
            return_id=ret["id"],
        )
        settled_at = decided
        if return_rules.needs_label(reason):
            condition = (
                Condition.DAMAGED
                if reason in return_rules.FAULT_REPORTED and rng.random() < 0.6
                else Condition.SELLABLE
            )
            if reason not in return_rules.FAULT_REPORTED and rng.random() < 0.08:
                condition = Condition.DAMAGED
            inspection = inspect(reason, condition)
            inspected = arrive + H * rng.uniform(2, 30)
            ret.update(received_at=arrive, condition=condition.value)
            if not self.before_now(inspected):
                ret.update(status=ReturnStatus.RECEIVED.value, updated_at=arrive)
                return
            ret.update(status=ReturnStatus.INSPECTED.value, updated_at=inspected)
            ret["decision_note"] = inspection.reason
            if not inspection.settles:
                return  # a person decides the refund
            settled_at = inspected
        if resolution is Resolution.EXCHANGE:
            shipped = settled_at + H * rng.uniform(4, 30)
            if self.before_now(shipped):
                ret.update(status=ReturnStatus.EXCHANGE_SHIPPED.value, updated_at=shipped)
                closed = shipped + timedelta(days=rng.uniform(2, 6))
                if self.before_now(closed):
                    ret.update(
                        status=ReturnStatus.CLOSED.value, closed_at=closed, updated_at=closed
                    )
                    self.event(
                        order,
                        "return.closed",
                        closed,
                        ("system", None, "OMS"),
                        "Return closed: the replacement was delivered",
                        return_id=ret["id"],
                    )
            else:
                ret["status"] = ReturnStatus.INSPECTED.value
            return
        refund = self.refund(
            order,
            cause=RefundCause.RETURN,
            at=settled_at,
            reason=f"Return {ret['id']}: {ret['rule_reason']}",
            requested_by=None,
            requested_role="system",
            lines=[LineRequest(line["sku"], line["quantity"]) for line in picked],
            return_id=ret["id"],
        )
        ret.update(
            status=ReturnStatus.REFUNDED.value, refund_id=refund["id"], updated_at=settled_at
        )
        approved = settled_at + H * rng.uniform(1, 40)
        if self.now - settled_at < timedelta(days=5) and rng.random() < 0.6:
            return  # the seller has not reviewed it yet
        if not self.before_now(approved):
            return  # waiting for the seller's review
        self.approve(order, refund, approved, staff)
        paid = approved + H * rng.uniform(0.05, 30)
        if self.before_now(paid):
            self.pay(order, refund, paid)
        self.return_refunds.append(refund)

    def _refund_troubles(self) -> None:
        """What the admins' refunds page is for: a failed payment or two and one
        overdue refund, among the recent return refunds."""
        paid = [r for r in self.return_refunds if r["status"] == RefundStatus.PAID]
        recent = sorted(paid, key=lambda r: r["created_at"])[-6:]
        orders = {o["id"]: o for o in self.orders}
        for refund in recent[-2:]:
            order = orders[refund["order_id"]]
            self.fail(order, refund, self._unpay(order, refund))
        if len(recent) >= 3:
            refund = recent[-3]
            order = orders[refund["order_id"]]
            self._unpay(order, refund)
            # Approved long enough ago to be past its 3 business days, never paid.
            approved = max(self.now - timedelta(days=self.rng.uniform(6, 9)), refund["decided_at"])
            for event in self.events[order["id"]]:
                if event["type"] == "refund.approved" and _about(event, refund):
                    event["at"] = approved
            refund["decided_at"] = approved
            refund["due_at"] = refund_due_at(
                RefundCause.DISCRETIONARY, created_at=refund["created_at"], approved_at=approved
            )

    def _refund_requests(self) -> None:
        """A few customers asking for part of their money back on a recent delivery:
        at their discretion, so a person reviews each."""
        asked = {r["order_id"] for r in self.ctx.rows["refunds"]}
        asked |= {r["order_id"] for r in self.ctx.rows["returns"]}
        recent = [
            o
            for o in self.orders
            if o["status"] == S.DELIVERED
            and o["id"] not in asked
            and timedelta(days=1) < self.now - o["delivered_at"] < timedelta(days=10)
        ]
        for order in self.rng.sample(recent, min(3, len(recent))):
            at = self.now - H * self.rng.uniform(2, 40)
            share = self.rng.choice((0.15, 0.2, 0.25))
            self.refund(
                order,
                cause=RefundCause.DISCRETIONARY,
                at=at,
                reason=f"Arrived two days late for the event; asking {int(share * 100)} % back",
                requested_by=self.customer_of(order),
                requested_role="customer",
                amount_minor=max(int(order["subtotal_minor"] * share), 1),
            )

    def _unpay(self, order: Row, refund: Row) -> datetime:
        """Take back a refund's payment (approved again); when it had been paid."""
        for event in list(self.events[order["id"]]):
            if event["type"] == "refund.paid" and _about(event, refund):
                self.ctx.rows["order_events"].remove(event)
                self.events[order["id"]].remove(event)
        paid_at = refund["paid_at"]
        refund.update(
            status=RefundStatus.APPROVED.value, paid_at=None, provider_refund_id=None, attempts=0
        )
        return paid_at

    # -- reviews ---------------------------------------------------------------------

    def _reviews(self) -> None:
        """~35 % of delivered orders' products rated, once per customer and product,
        after delivery; most 4-5, the low ones with words."""
        reviewed: dict[str, set[str]] = defaultdict(set)
        for order in self.orders:
            if order["status"] != S.DELIVERED or not order["delivered_at"]:
                continue
            for line in self.lines[order["id"]]:
                done = reviewed[order["customer_id"]]
                if self.rng.random() >= REVIEW_SHARE:
                    continue
                at = order["delivered_at"] + timedelta(days=self.rng.uniform(0.5, 14))
                allowed = decide_review(
                    order_status=order["status"], sku=line["sku"], reviewed_skus=done
                ).allowed
                if not allowed or not self.before_now(at):
                    continue
                done.add(line["sku"])
                rating = self.rng.choices((5, 4, 3, 2, 1), (55, 27, 9, 5, 4))[0]
                if rating >= 4:
                    body = self.rng.choice(GOOD_REVIEWS) if self.rng.random() < 0.55 else None
                else:
                    body = self.rng.choice(MIXED_REVIEWS if rating == 3 else BAD_REVIEWS)
                self.add(
                    "reviews",
                    {
                        "id": self.new("rev", at),
                        "order_id": order["id"],
                        "seller_id": order["seller_id"],
                        "customer_id": order["customer_id"],
                        "sku": line["sku"],
                        "rating": rating,
                        "body": body,
                        "created_at": at,
                    },
                )

    # -- order messages --------------------------------------------------------------

    def _order_messages(self) -> None:
        """~8 % of paid orders: the customer asks, the seller answers, mostly within
        hours; a few slowly, a recent one or two not yet."""
        for order in self.orders:
            if not order["paid_at"] or self.rng.random() >= MESSAGE_SHARE:
                continue
            if order["delivered_at"]:
                stage = self.rng.choice(("before", "transit", "after"))
            elif order["shipped_at"]:
                stage = self.rng.choice(("before", "transit"))
            else:
                stage = "before"
            start = {
                "before": order["paid_at"],
                "transit": order["shipped_at"],
                "after": order["delivered_at"],
            }[stage]
            end = {
                "before": order["shipped_at"] or order["cancelled_at"] or self.now,
                "transit": order["delivered_at"] or self.now,
                "after": order["delivered_at"] + timedelta(days=10)
                if order["delivered_at"]
                else self.now,
            }[stage]
            end = min(end, self.now)
            if end - start < timedelta(minutes=20):
                continue
            asked = start + (end - start) * self.rng.uniform(0.05, 0.6)
            question, answer = self.rng.choice(MESSAGE_THREADS[stage])
            slow = self.rng.random() < 0.1
            reply = asked + H * (self.rng.uniform(26, 70) if slow else self.rng.uniform(0.2, 6))
            customer, staff = self.customer_of(order), self.staff_of(order)
            seen = asked + (reply - asked) * self.rng.uniform(0.1, 0.9)
            self._message(
                order,
                customer,
                "customer",
                question,
                asked,
                seen if self.before_now(reply) else None,
            )
            if not self.before_now(reply):
                continue
            read = reply + H * self.rng.uniform(0.2, 12)
            self._message(
                order, staff, "seller", answer, reply, read if self.before_now(read) else None
            )

    def _message(
        self, order: Row, user: Row, role: str, body: str, at: datetime, read_at: datetime | None
    ) -> None:
        self.add(
            "order_messages",
            {
                "id": self.new("msg", at),
                "order_id": order["id"],
                "seller_id": order["seller_id"],
                "author_id": user["id"],
                "author_role": role,
                "body": body,
                "created_at": at,
                "read_at": read_at,
            },
        )

    # -- tickets ---------------------------------------------------------------------

    def ticket_number(self) -> str:
        while True:
            raw = "".join(self.rng.choice(_READABLE) for _ in range(8))
            number = f"TKT-{raw[:4]}-{raw[4:]}"
            if number not in self.ticket_numbers:
                self.ticket_numbers.add(number)
                return number

    def facts(
        self, order: Row, at: datetime, *, kind: TicketKind, source: str, severity: str | None
    ) -> TicketFacts:
        """What ``tickets._new_ticket`` reads when the ticket is opened at ``at``."""
        return TicketFacts(
            kind=kind,
            order_status=self.status_at(order, at),
            severity=severity,
            opened_by=source,
            prior_tickets_on_order=sum(t < at for t in self.tickets_on_order[order["id"]]),
            customer_orders=self.customer_orders_at(order["customer_id"], at),
        )

    def ticket(
        self,
        order: Row,
        at: datetime,
        *,
        kind: TicketKind,
        source: str,
        subject: str,
        severity: str | None = None,
        opened_by: Row | None = None,
        dedupe_key: str | None = None,
        shipment_id: str | None = None,
    ) -> Row:
        decision = priority(self.facts(order, at, kind=kind, source=source, severity=severity))
        self.tickets_on_order[order["id"]].append(at)
        row = self.add(
            "tickets",
            {
                "id": self.new("tkt", at),
                "number": self.ticket_number(),
                "order_id": order["id"],
                "shipment_id": shipment_id,
                "return_id": None,
                "seller_id": order["seller_id"],
                "customer_id": order["customer_id"],
                "opened_by": opened_by["id"] if opened_by else None,
                "source": source,
                "subject": subject[:200],
                "severity": severity or decision.priority.value,
                "priority": decision.priority.value,
                "priority_rank": decision.priority.rank,
                "priority_reason": decision.reason[:500],
                "status": TicketStatus.OPEN.value,
                "assignee_id": None,
                "sla_due_at": sla_due_at(decision.priority, at),
                "first_response_at": None,
                "waiting_since": None,
                "dedupe_key": dedupe_key,
                "rating": None,
                "created_at": at,
                "updated_at": at,
                "resolved_at": None,
            },
        )
        by = self.person(opened_by) if opened_by else ("system", None, "OMS")
        self.event(
            order,
            "ticket.opened",
            at,
            by,
            f"Support ticket {row['number']} opened: {row['subject']}",
            ticket_id=row["id"],
        )
        return row

    def say(self, ticket: Row, at: datetime, user: Row | None, role: str, body: str) -> None:
        self.add(
            "ticket_messages",
            {
                "id": self.new("tkm", at),
                "ticket_id": ticket["id"],
                "author_id": user["id"] if user else None,
                "author_role": role,
                "author_label": (_label(user) if user else "OMS")[:200],
                "body": body,
                "created_at": at,
            },
        )
        ticket["updated_at"] = max(ticket["updated_at"], at)

    def respond(self, ticket: Row, at: datetime, agent: Row, body: str) -> None:
        """Support's first answer: the SLA moves on to the resolution."""
        self.say(ticket, at, agent, "support", body)
        ticket["first_response_at"] = at
        ticket["assignee_id"] = agent["id"]
        ticket["sla_due_at"] = sla_due_at(ticket["priority"], ticket["created_at"], responded=True)

    def _system_tickets(self) -> None:
        """The system's case for each shipment flagged stuck or with an exception."""
        orders = {o["id"]: o for o in self.orders}
        for shipment in self.ctx.rows["shipments"]:
            flag = shipment.get("flag")
            if not flag:
                continue
            order = orders[shipment["order_id"]]
            at = shipment["flagged_at"]
            carrier = carrier_title(shipment["carrier"])
            title = {"stuck": "Package stuck", "exception": "Delivery exception"}[flag]
            ticket = self.ticket(
                order,
                at,
                kind=KIND_OF_FLAG[ShipmentFlag(flag)],
                source="system",
                subject=f"{title}: {carrier} {shipment['tracking_number']}",
                dedupe_key=f"shipment:{shipment['id']}:{flag}",
                shipment_id=shipment["id"],
            )
            self.say(
                ticket,
                at,
                None,
                "system",
                f"{shipment['flagged_reason']} (order {order['number']}, {carrier} "
                f"{shipment['tracking_number']})",
            )
            answered = at + H * self.rng.uniform(0.3, 6)
            solved = answered + timedelta(days=self.rng.uniform(1, 5))
            if self.before_now(solved) and self.now - at > timedelta(days=10):
                # An old case: traced, claimed with the carrier and closed long ago.
                self.respond(
                    ticket,
                    answered,
                    self.rng.choice(self.support),
                    f"Asked {carrier} to trace the parcel; following up.",
                )
                self.say(
                    ticket,
                    solved,
                    self.rng.choice(self.support),
                    "support",
                    f"Resolved: {carrier} could not find the parcel; the claim is filed "
                    "and the seller was told.",
                )
                ticket.update(status=TicketStatus.RESOLVED.value, resolved_at=solved)
                continue
            if self.before_now(answered) and self.rng.random() < 0.7:
                self.respond(
                    ticket,
                    answered,
                    self.rng.choice(self.support),
                    f"Asked {carrier} to trace the parcel; following up.",
                )
                if self.rng.random() < 0.5:
                    ticket["status"] = TicketStatus.WAITING_ON_SELLER.value
                    self.say(
                        ticket,
                        answered + timedelta(minutes=2),
                        self.support[0],
                        "support",
                        "Could you confirm the parcel's weight and contents for the claim?",
                    )

    def _tickets(self) -> None:
        """~4 % of paid orders get a customer's ticket about where the parcel is,
        what arrived, or the refund."""
        refunds_of = defaultdict(list)
        for refund in self.ctx.rows["refunds"]:
            refunds_of[refund["order_id"]].append(refund)
        # The last days' orders ask more (their tickets are the queue's open ones).
        recent = self.now - timedelta(days=6)
        for order in self.orders:
            share = TICKET_SHARE * (3 if order["placed_at"] > recent else 1)
            if not order["paid_at"] or self.rng.random() >= share:
                continue
            topic, at = self._topic(order, refunds_of[order["id"]])
            if topic is None or not self.before_now(at):
                continue
            self._customer_ticket(order, topic, at)

    def _topic(self, order: Row, refunds: list[Row]) -> tuple[str | None, datetime]:
        rng = self.rng
        if refunds:
            return "refund", refunds[0]["created_at"] + H * rng.uniform(6, 72)
        if order["delivered_at"] and rng.random() < 0.6:
            topic = rng.choices(("damaged", "wrong", "missing"), (5, 3, 2))[0]
            return topic, order["delivered_at"] + H * rng.uniform(2, 96)
        if order["shipped_at"]:
            end = order["delivered_at"] or self.now
            if end - order["shipped_at"] > 4 * H:
                return "where", order["shipped_at"] + (end - order["shipped_at"]) * rng.uniform(
                    0.4, 0.95
                )
        return None, self.now

    def _customer_ticket(self, order: Row, topic: str, at: datetime) -> None:
        rng = self.rng
        customer, staff = self.customer_of(order), self.staff_of(order)
        agent = rng.choice(self.support)
        subject, body = TICKET_TOPICS[topic]
        severity = "high" if rng.random() < 0.12 else None
        ticket = self.ticket(
            order,
            at,
            kind=TicketKind.QUESTION,
            source="customer",
            subject=subject,
            severity=severity,
            opened_by=customer,
        )
        self.say(ticket, at, customer, "customer", body)
        sla = ticket_rules.SLA[Priority(ticket["priority"])]
        late = rng.random() < 0.12
        first = at + sla.first_response * (
            rng.uniform(1.1, 2.5) if late else rng.uniform(0.05, 0.8)
        )
        if not self.before_now(first):
            return  # open, not answered yet (maybe already past its SLA)
        self.respond(ticket, first, agent, SUPPORT_REPLIES[topic])
        age = self.now - at
        # Past their SLA when still open after a day or so: only a few are.
        recent = age < timedelta(days=6)
        weights = (2, 3, 4, 2) if age < timedelta(days=2) else (0, 1, 2, 12)
        targets = ("open", "waiting_on_seller", "waiting_on_customer", "resolved")
        target = rng.choices(targets, weights)[0] if recent else "resolved"
        if recent and (unshown := [s for s in targets[:3] if s not in self.open_shown]):
            target = unshown[0]  # the queue shows each kind of open case at least once
        self.open_shown.add(target)
        step = (lambda: H * rng.uniform(0.2, 3)) if recent else (lambda: H * rng.uniform(0.5, 12))
        t, waited = first, timedelta(0)
        if target == "waiting_on_seller":
            ticket["status"] = TicketStatus.WAITING_ON_SELLER.value
            return
        if rng.random() < 0.5 and self.before_now(t + step()):
            t = t + step()
            self.say(ticket, t, staff, "seller", SELLER_REPLIES[topic])
        if target == "waiting_on_customer":
            t = min(t + step(), self.now - timedelta(minutes=5))
            self.say(ticket, t, agent, "support", "Could you send a photo or more details?")
            ticket.update(status=TicketStatus.WAITING_ON_CUSTOMER.value, waiting_since=t)
            return
        if rng.random() < 0.5:
            asked = t + step()
            back = asked + step()
            if self.before_now(back):
                self.say(ticket, asked, agent, "support", "Could you confirm a few details?")
                self.say(ticket, back, customer, "customer", rng.choice(CUSTOMER_FOLLOW_UPS))
                waited, t = back - asked, back
        ticket["sla_due_at"] = sla_due_at(ticket["priority"], at, responded=True, paused=waited)
        slow = rng.random() < 0.1
        resolve_at = t + sla.resolution * (
            rng.uniform(1.0, 1.6) if slow else rng.uniform(0.05, 0.5)
        )
        if target == "open" or not self.before_now(resolve_at):
            return
        self.say(ticket, resolve_at, agent, "support", rng.choice(RESOLUTION_NOTES))
        ticket.update(status=TicketStatus.RESOLVED.value, resolved_at=resolve_at)
        if rng.random() < 0.8:
            ticket["rating"] = rng.choices((5, 4, 3, 2, 1), (50, 28, 10, 6, 6))[0]

    # -- disputes --------------------------------------------------------------------

    def _disputes(self) -> None:
        """Three tickets the customer escalated: one waiting for an admin, one decided
        with a partial refund, one rejected."""
        orders = {o["id"]: o for o in self.orders}
        candidates = [
            t
            for t in self.ctx.rows["tickets"]
            if t["source"] == "customer"
            and t["first_response_at"]
            and t["status"] in (TicketStatus.OPEN, TicketStatus.WAITING_ON_SELLER)
            and orders[t["order_id"]]["status"] == S.DELIVERED
            and self.left(orders[t["order_id"]]) > 0
        ]
        resolved = [
            t
            for t in self.ctx.rows["tickets"]
            if t["source"] == "customer"
            and t["status"] == TicketStatus.RESOLVED
            and orders[t["order_id"]]["status"] == S.DELIVERED
            and self.left(orders[t["order_id"]]) > 0
            and t["rating"] is not None
            and self.now - t["resolved_at"] > timedelta(days=5)
        ]
        if not candidates:
            # None open just now: one resolved lately was escalated before it closed.
            candidates = [
                t
                for t in self.ctx.rows["tickets"]
                if t["source"] == "customer"
                and t["status"] == TicketStatus.RESOLVED
                and t not in resolved[-2:]
                and self.now - t["resolved_at"] < timedelta(days=14)
                and self.left(orders[t["order_id"]]) > 0
            ]
        plans = [(t, None) for t in candidates[-1:]]
        plans += list(
            zip(
                resolved[-2:],
                (DisputeDecision.PARTIAL_REFUND, DisputeDecision.REJECT),
                strict=False,
            )
        )
        admin = self.admins[0]
        for ticket, decision in plans:
            order = orders[ticket["order_id"]]
            customer = self.customer_of(order)
            if ticket["status"] != TicketStatus.RESOLVED:
                opened = min(ticket["updated_at"] + H * self.rng.uniform(1, 8), self.now - H)
            else:
                # Escalated just before support would have closed it: no closing note.
                opened = ticket["resolved_at"] - timedelta(minutes=10)
                notes = self.ctx.rows["ticket_messages"]
                last = [m for m in notes if m["ticket_id"] == ticket["id"]][-1]
                notes.remove(last)
            ticket.update(
                status=TicketStatus.ESCALATED.value,
                resolved_at=None,
                rating=None,
                waiting_since=None,
                updated_at=opened,
            )
            dispute = self.add(
                "disputes",
                {
                    "id": self.new("dsp", opened),
                    "ticket_id": ticket["id"],
                    "order_id": order["id"],
                    "opened_by": customer["id"],
                    "opened_role": "customer",
                    "status": DisputeStatus.OPEN.value,
                    "decision": None,
                    "amount_minor": None,
                    "currency": None,
                    "note": None,
                    "refund_id": None,
                    "created_at": opened,
                    "decided_by": None,
                    "decided_at": None,
                },
            )
            self.event(
                order,
                "dispute.opened",
                opened,
                self.person(customer),
                f"Ticket {ticket['number']} escalated to a dispute by the customer",
                dispute_id=dispute["id"],
                ticket_id=ticket["id"],
            )
            if decision is None:
                continue
            decided = min(opened + H * self.rng.uniform(20, 70), self.now - 5 * H)
            half = order["subtotal_minor"] // 2
            outcome = resolve(
                decision=decision.value,
                amount_minor=half if decision is DisputeDecision.PARTIAL_REFUND else None,
                note="Partial refund: half back; the seller showed the rest was delivered."
                if decision is DisputeDecision.PARTIAL_REFUND
                else "Rejected: the tracking and the seller's photos show it delivered intact.",
                left_minor=self.left(order),
            )
            dispute.update(
                status=DisputeStatus.RESOLVED.value,
                decision=outcome.decision.value,
                note=outcome.note,
                decided_by=admin["id"],
                decided_at=decided,
            )
            if outcome.refund_minor:
                refund = self.refund(
                    order,
                    cause=RefundCause.DISPUTE_DECISION,
                    at=decided,
                    reason=f"Dispute decided: {outcome.note}",
                    requested_by=admin,
                    requested_role="admin",
                    amount_minor=outcome.refund_minor,
                    dispute_id=dispute["id"],
                )
                dispute.update(
                    amount_minor=outcome.refund_minor,
                    currency=order["currency"],
                    refund_id=refund["id"],
                )
                self.pay(order, refund, decided + H * self.rng.uniform(0.1, 4))
            self.event(
                order,
                "dispute.resolved",
                decided,
                self.person(admin),
                f"Dispute decided ({outcome.decision.value.replace('_', ' ')}): {outcome.note}",
                dispute_id=dispute["id"],
            )
            self.say(ticket, decided, admin, "admin", outcome.note)
            ticket.update(status=TicketStatus.RESOLVED.value, resolved_at=decided)


def _about(event: Row, refund: Row) -> bool:
    return (event["data"] or {}).get("refund_id") == refund["id"]


def _label(user: Row) -> str:
    return f"{user['name']} ({user['role']})"
