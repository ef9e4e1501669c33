"""The order page's customer-service parts, as the page shows them: what cancelling
would do, a cancellation request waiting for its answer, the order's refunds.

Built from the services' answers (``cancellation.cancellation_decision``,
``refunds.list_refunds``); the rules stay theirs, this module only words them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain import refunds as refund_rules
from oms_dashboard.domain.cancellation import RequestStatus
from oms_dashboard.domain.refunds import RefundStatus
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Order, OrderLine
from oms_dashboard.services import cancellation, order_messages, product_reviews, refunds
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.policies import get_policy
from oms_dashboard.ui import format as fmt


@dataclass
class Outcome:
    """What the last action did, said at the top of the page until the next one."""

    text: str = ""
    tone: str = ""
    """``done`` (green), ``waiting`` (blue) or ``refused`` (red)."""


@dataclass
class CancelOffer:
    """What the cancel dialog says will happen, before the person confirms."""

    title: str = ""
    button: str = ""
    explains: str = ""


@dataclass
class RequestView:
    """A cancellation request waiting for the seller (or, escalated, for support)."""

    reason: str = ""
    reason_label: str = ""
    hint: str = ""
    status: str = ""
    requested_relative: str = ""
    requested_exact: str = ""
    due_relative: str = ""
    due_exact: str = ""
    overdue: bool = False


@dataclass
class MessageRow:
    id: str
    author: str
    mine: bool
    """Written by the person looking: shown on the right, like any chat."""
    body: str
    relative: str
    exact: str


@dataclass
class ReviewRow:
    """One product of a delivered order: the customer's review of it, or the way to
    write one (each product once)."""

    sku: str
    title: str
    stars: str
    """``★★★★☆``; empty while not reviewed."""
    rating_words: str
    body: str
    can_review: bool


@dataclass
class RefundRow:
    id: str
    amount: str
    status: str
    status_label: str
    rule_reason: str
    reason: str
    created_relative: str
    created_exact: str
    settled: str
    """When it was decided or paid, in words; empty while it waits."""
    can_decide: bool


REFUND_TONES = {
    RefundStatus.PENDING_REVIEW: "amber",
    RefundStatus.APPROVED: "blue",
    RefundStatus.PAID: "green",
    RefundStatus.REJECTED: "gray",
    RefundStatus.FAILED: "red",
}


def cancel_offer(session: Session, actor: Actor, order: Order, actions: list[str]) -> CancelOffer:
    """The dialog's words for the cancel the caller is offered (none: empty)."""
    money = format_money(order.total_minor, order.currency)
    if "cancel" in actions:
        decision = cancellation.cancellation_decision(session, actor, order)
        who = "you" if actor.role is Role.CUSTOMER else "the customer"
        refund = (
            f" The {money} {who} paid is refunded to the payment method, within 24 hours."
            if decision.refund
            else " Nothing was paid, so there is nothing to refund."
        )
        audited = " As an admin override, it is written to the audit log." * decision.audited
        return CancelOffer(
            title="Cancel this order?",
            button="Cancel order",
            explains="The order is cancelled at once and the seller stops preparing it."
            + refund
            + audited
            + " This cannot be undone.",
        )
    if "cancel_renewals" in actions:
        return CancelOffer(
            title="Cancel the future renewals?",
            button="Cancel renewals",
            explains="This is a subscription: no renewal follows this order, so nothing "
            "more is charged or sent. This order itself goes ahead as placed and is not "
            "refunded.",
        )
    if "request_cancellation" in actions:
        policy = get_policy(session)
        hours = policy.cancellation_request_hours
        window = policy.cancellation_window_minutes
        return CancelOffer(
            title="Ask the seller to cancel?",
            button="Ask to cancel",
            explains=f"More than {window} minutes have passed since the order was placed, "
            "so the seller decides: they may already be preparing it. We send them your "
            f"reason and they answer within {hours} hours. If they agree, the order is "
            f"cancelled and the {money} refunded; you hear either way.",
        )
    return CancelOffer()


REQUEST_HINTS = {
    Role.CUSTOMER: "The seller answers by the due time; if they do not, support decides. "
    "You hear either way.",
    Role.SELLER: "Answer before you ship: once the order ships it can no longer be "
    "cancelled. Past the due time, support decides.",
}


def request_view(session: Session, actor: Actor, order: Order) -> RequestView:
    request = cancellation.open_request(session, order.id)
    if request is None:
        return RequestView()
    escalated = request.status == RequestStatus.ESCALATED
    return RequestView(
        reason=request.reason,
        reason_label="Your reason" if actor.role is Role.CUSTOMER else "Customer's reason",
        hint=REQUEST_HINTS.get(actor.role, ""),
        status="Escalated to support" if escalated else "Waiting for the seller",
        requested_relative=fmt.relative_time(request.requested_at),
        requested_exact=fmt.exact_time(request.requested_at),
        due_relative=fmt.relative_time(request.due_at),
        due_exact=fmt.exact_time(request.due_at),
        overdue=escalated,
    )


def refund_rows(session: Session, actor: Actor, order: Order) -> list[RefundRow]:
    page = refunds.list_refunds(session, actor=actor, order_id=order.id, limit=100)
    limit = get_policy(session).support_refund_limit_minor
    rows = []
    for found in page.items:
        r = found.refund
        settled = ""
        if r.paid_at:
            settled = f"Paid {fmt.relative_time(r.paid_at)}"
        elif r.decided_at:
            verb = "Rejected" if r.status == RefundStatus.REJECTED else "Approved"
            settled = f"{verb} {fmt.relative_time(r.decided_at)}"
            if r.decision_note:
                settled += f": {r.decision_note}"
        rows.append(
            RefundRow(
                id=r.id,
                amount=format_money(r.amount_minor, r.currency),
                status=r.status,
                status_label=refunds.status_words(r.status).capitalize(),
                rule_reason=r.rule_reason,
                reason=r.reason[:1].upper() + r.reason[1:],
                created_relative=fmt.relative_time(r.created_at),
                created_exact=fmt.exact_time(r.created_at),
                settled=settled,
                can_decide=r.status == RefundStatus.PENDING_REVIEW
                and actor.role is not Role.CUSTOMER
                and refund_rules.can_decide(
                    actor.role.value, r.amount_minor, support_limit_minor=limit
                ),
            )
        )
    return rows


PARTY = {"customer": "Customer", "seller": "Seller"}


def message_rows(engine: Engine, actor: Actor, order: Order) -> list[MessageRow]:
    """The thread, oldest first (listing it marks the other party's messages read)."""
    page = order_messages.list_messages(engine, actor=actor, order_id=order.id, limit=100)
    return [
        MessageRow(
            id=m.id,
            author=f"{page.authors.get(m.author_id, '')} ({PARTY.get(m.author_role, '')})",
            mine=bool(actor.user_id) and m.author_id == actor.user_id,
            body=m.body,
            relative=fmt.relative_time(m.created_at),
            exact=fmt.exact_time(m.created_at),
        )
        for m in page.items
    ]


def review_rows(
    session: Session, actor: Actor, order: Order, actions: list[str]
) -> list[ReviewRow]:
    """Delivered orders only: the customer's review of each product, for whoever sees
    the order; the customer also gets the products left to review."""
    if order.status != "delivered":
        return []
    written, open_skus = product_reviews.order_reviews(session, order)
    may_write = "review_products" in actions
    titles = dict(
        session.exec(
            select(OrderLine.sku, OrderLine.title).where(OrderLine.order_id == order.id)
        ).all()
    )
    rows = []
    for sku, title in titles.items():
        review = written.get(sku)
        can_review = may_write and sku in open_skus
        if review is None and not can_review:
            continue
        rating = review.rating if review else 0
        rows.append(
            ReviewRow(
                sku=sku,
                title=title,
                stars="★" * rating + "☆" * (5 - rating) if review else "",
                rating_words=f"{rating} out of 5" if review else "",
                body=(review.body or "") if review else "",
                can_review=can_review,
            )
        )
    return rows


def cancel_outcome(outcome: cancellation.CancelOutcome) -> Outcome:
    if outcome.request is not None:
        return Outcome(outcome.decision.reason, "waiting")
    text = outcome.decision.reason
    if outcome.refund is not None:
        money = format_money(outcome.refund.amount_minor, outcome.refund.currency)
        text += f" Refund: {money} to the original payment method, within 24 hours."
    return Outcome(text, "done")


def answer_outcome(outcome: cancellation.AnswerOutcome, approved: bool) -> Outcome:
    if not approved:
        return Outcome(
            "Cancellation request rejected: the customer is told your reason and the "
            "order goes on.",
            "done",
        )
    text = "Cancellation request approved: the order is cancelled and the stock released."
    if outcome.refund is not None:
        money = format_money(outcome.refund.amount_minor, outcome.refund.currency)
        text += f" A refund of {money} to the customer has started."
    return Outcome(text, "done")
