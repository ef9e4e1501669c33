"""Customer-service notices: refunds, cancellations, and alerts to admins and support.

Each handler loads fresh state by id and is safe to run twice (dedupe keys on the
in-app notification and on each email).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.db import session_scope
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Refund, User
from oms_dashboard.notifications import content
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.notifications.notice import Notice, tell_person, tell_seller

Payload = dict[str, Any]

_REFUND_NOTICES = {
    "approved": (
        "Your refund of {amount} is approved",
        "It is on its way to your original payment method.",
    ),
    "paid": (
        "Your refund of {amount} is paid",
        "The payment provider has sent it back; your bank may take a few days to show it.",
    ),
    "rejected": (
        "Your refund request of {amount} was not approved",
        "Nothing will be refunded for this request.",
    ),
}

_CANCELLATION_NOTICES = {
    "cancelled": ("Your order {number} is cancelled", "The order will not be shipped."),
    "request_rejected": (
        "Your cancellation request for order {number} was not approved",
        "The seller goes on with your order; once it arrives you can return it.",
    ),
}

_SELLER_NOTICES = {
    "cancelled": (
        "Order {number} was cancelled",
        "Do not ship it: its stock is released and the customer is refunded what was paid.",
    ),
    "request": (
        "Order {number}: the customer asks to cancel",
        "Approve or reject the cancellation request with a reason before it is escalated "
        "to support.",
    ),
}


def refund_update(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """The customer follows each refund: approved, paid or rejected (in-app and email)."""
    refund_id, notice = payload["refund_id"], payload["notice"]
    headline, explanation = _REFUND_NOTICES[notice]
    with session_scope(engine) as session:
        refund = session.get(Refund, refund_id)
        if refund is None:
            return
        order = content.load_order(session, refund.order_id)
        amount = format_money(refund.amount_minor, refund.currency)
        headline = headline.format(amount=amount)
        told = Notice(
            key=f"refund:{refund_id}:{notice}",
            kind=f"refund_{notice}",
            title=headline,
            body=f"Order {order.number}. {explanation}",
            template="refund_update",
            subject=f"{headline} (order {order.number})",
            context={
                "customer_name": order.ship_name,
                "number": order.number,
                "headline": headline,
                "amount": amount,
                "shipping": (
                    format_money(refund.shipping_minor, refund.currency)
                    if refund.shipping_minor
                    else None
                ),
                "explanation": explanation,
                "note": refund.decision_note if notice == "rejected" else None,
                "note_label": "Why",
                "order_url": content.link(f"/orders/{order.id}"),
            },
            order_id=order.id,
        )
        user_id = content.customer_user_id(session, order.customer_id)
        tell_person(session, told, user_id=user_id, email=order.customer_email)


def cancellation_update(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """The customer: the order is cancelled, or the cancellation request was rejected."""
    order_id, notice = payload["order_id"], payload["notice"]
    with session_scope(engine) as session:
        order = content.load_order(session, order_id)
        headline, explanation = _CANCELLATION_NOTICES[notice]
        headline = headline.format(number=order.number)
        if notice == "cancelled" and payload.get("refund_id"):
            explanation += " What you paid is being refunded."
        reason = payload.get("reason") or ""
        told = Notice(
            key=f"cancellation:{order_id}:{notice}:{payload.get('request_id') or ''}",
            kind=f"order_{notice}",
            title=headline,
            body=f"{explanation} {reason}".strip(),
            template="cancellation_update",
            subject=headline,
            context={
                "customer_name": order.ship_name,
                "headline": headline,
                "explanation": explanation,
                "reason": reason,
                "reason_label": "The seller's reason" if notice == "request_rejected" else "Reason",
                "order_url": content.link(f"/orders/{order_id}"),
            },
            order_id=order_id,
        )
        user_id = content.customer_user_id(session, order.customer_id)
        tell_person(session, told, user_id=user_id, email=order.customer_email)


def seller_cancellation(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """The seller: an order was cancelled, or a cancellation request waits for them."""
    order_id, notice = payload["order_id"], payload["notice"]
    with session_scope(engine) as session:
        order = content.load_order(session, order_id)
        headline, explanation = _SELLER_NOTICES[notice]
        headline = headline.format(number=order.number)
        told = Notice(
            key=f"seller-cancellation:{order_id}:{notice}",
            kind=f"seller_cancellation_{notice}",
            title=headline,
            body=explanation,
            template="seller_cancellation",
            subject=headline,
            context={
                "headline": headline,
                "explanation": explanation,
                "reason": payload.get("reason") or "",
                "order_url": content.link(f"/orders/{order_id}"),
            },
            order_id=order_id,
        )
        tell_seller(session, order.seller_id, told)


def staff_alert(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """An in-app alert to every active admin (or support agent): overdue or failed
    refunds, unanswered cancellation requests."""
    role, key = payload["role"], payload["key"]
    with session_scope(engine) as session:
        users = session.exec(
            select(User.id).where(User.role == role, User.is_active.is_(True)).order_by(User.id)
        ).all()
        for user_id in users:
            notify(
                session,
                dedupe_key=f"inapp:staff:{key}:{user_id}",
                kind=payload["kind"],
                title=payload["title"],
                body=payload["body"],
                user_id=user_id,
                order_id=payload.get("order_id"),
            )
            session.commit()
