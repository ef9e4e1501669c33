"""Outbox handlers: each loads fresh state by id, renders and sends, safe to run twice.

``HANDLERS`` maps each message kind to its handler; ``bootstrap`` binds them to
the process's engine. Every handler opens its own transaction. A message to
several people commits after each one, so a failure on the third recipient
does not resend to the first two when the outbox retries.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.db import session_scope
from oms_dashboard.domain.order_messages import Party, recipient
from oms_dashboard.formatting.addresses import ship_to_lines
from oms_dashboard.formatting.money import format_money_text
from oms_dashboard.models import OrderLine, OrderMessage, Seller
from oms_dashboard.notifications import content
from oms_dashboard.notifications.address_changes import seller_address_change
from oms_dashboard.notifications.content import plural
from oms_dashboard.notifications.email import send_email
from oms_dashboard.notifications.format import one_line, when
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.notifications.notice import Notice, tell_person, tell_seller
from oms_dashboard.notifications.returns import return_update
from oms_dashboard.notifications.service_desk import (
    cancellation_update,
    refund_update,
    seller_cancellation,
    staff_alert,
)
from oms_dashboard.notifications.shipments import shipment_update
from oms_dashboard.notifications.standing import seller_standing
from oms_dashboard.notifications.tickets import ticket_update
from oms_dashboard.services.outbox import MessageKind

Payload = dict[str, Any]


def order_confirmation(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """One email for the whole checkout, every seller's order summarised in it."""
    checkout_id = payload["checkout_id"]
    with session_scope(engine) as session:
        view = content.load_checkout(session, checkout_id)
        send_email(
            session,
            dedupe_key=f"email:order-confirmation:{checkout_id}",
            template="order_confirmation",
            to=view.customer_email,
            subject=f"Your order {view.label} is confirmed",
            context=content.confirmation_context(session, view),
            order_id=view.first_order.id,
        )


def new_order(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """The seller's bell, and an email to each of its active staff."""
    order_id = payload["order_id"]
    with session_scope(engine) as session:
        order = content.load_order(session, order_id)
        seller = session.get(Seller, order.seller_id)
        lines = list(session.exec(select(OrderLine).where(OrderLine.order_id == order_id)))
        summary = content.order_summary(order, seller, lines)
        deadline = when(content.ship_by(order, seller))
        items = plural(summary["item_count"], "item")
        notice = Notice(
            key=f"new-order:{order_id}",
            kind="new_order",
            title=f"New order {order.number}",
            body=f"{items}, {summary['total']} total. Ship by {deadline}.",
            template="new_order",
            subject=f"New order {order.number}: {items}, {summary['total']}",
            context={
                **summary,
                "ship_by": deadline,
                "handling_hours": seller.handling_hours,
                "placed_at": when(order.placed_at),
                "address": ship_to_lines(order),
            },
            order_id=order_id,
        )
        tell_seller(session, seller.id, notice)


def low_stock(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """Tell the seller a sku fell under its threshold: the bell and each staff member."""
    seller_id, sku = payload["seller_id"], payload["sku"]
    title, available = payload.get("title") or sku, int(payload["available"])
    alert = payload.get("alert_id") or f"{sku}:{available}"
    subject = f"Low stock: {title} ({sku}) — {available} left"
    notice = Notice(
        key=f"low-stock:{alert}",
        kind="low_stock",
        title=subject,
        body=f"{available} left, under your threshold of {payload['threshold']}.",
        template="low_stock",
        subject=subject,
        context={
            "title": title,
            "sku": sku,
            "available": available,
            "threshold": payload["threshold"],
            "dashboard_url": content.link("/"),
        },
    )
    with session_scope(engine) as session:
        tell_seller(session, seller_id, notice)


def payment_failed(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """Payment could not be verified: the stock is released, the cart is kept."""
    checkout_id = payload["checkout_id"]
    with session_scope(engine) as session:
        view = content.load_checkout(session, checkout_id)
        send_email(
            session,
            dedupe_key=f"email:payment-failed:{checkout_id}:r{payload.get('round', 1)}",
            template="payment_failed",
            to=view.customer_email,
            subject=f"We could not verify the payment for your order {view.label}",
            context=content.payment_context(view),
            order_id=view.first_order.id,
        )


def payment_action_required(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """The bank wants extra verification (3-D Secure and the like)."""
    checkout_id = payload["checkout_id"]
    with session_scope(engine) as session:
        view = content.load_checkout(session, checkout_id)
        first = view.first_order
        notice = Notice(
            key=f"payment-action:{checkout_id}:r{payload.get('round', 1)}",
            kind="payment_action_required",
            title="Your bank needs to verify your payment",
            body=f"Open order {first.number} to finish paying; we hold your items meanwhile.",
            template="payment_action_required",
            subject=f"Action needed: verify the payment for your order {view.label}",
            context=content.payment_context(view),
            order_id=first.id,
        )
        user_id = content.customer_user_id(session, first.customer_id)
        tell_person(session, notice, user_id=user_id, email=view.customer_email)


def stock_lost(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """An item of a paid order is gone: say so and offer alternatives."""
    order_id, sku = payload["order_id"], payload["sku"]
    with session_scope(engine) as session:
        order = content.load_order(session, order_id)
        line = session.exec(
            select(OrderLine).where(OrderLine.order_id == order_id, OrderLine.sku == sku)
        ).first()
        title = line.title if line else sku
        alternatives = [
            {
                "title": alt.get("title") or alt.get("sku", ""),
                "sku": alt.get("sku", ""),
                "price": format_money_text(str(alt.get("price", "")), order.currency),
            }
            for alt in payload.get("alternatives") or []
        ]
        found = plural(len(alternatives), "alternative")
        suggestion = f" We found {found} for you." if alternatives else ""
        notice = Notice(
            key=f"stock-lost:{order_id}:{sku}",
            kind="stock_lost",
            title=f"An item of order {order.number} is no longer available",
            body=f"{title} ({sku}) is no longer available.{suggestion}",
            template="stock_lost",
            subject=f"An item of your order {order.number} is no longer available",
            context={
                "customer_name": order.ship_name,
                "number": order.number,
                "title": title,
                "sku": sku,
                "quantity": line.quantity if line else None,
                "alternatives": alternatives,
                "order_url": content.link(f"/orders/{order_id}"),
            },
            order_id=order_id,
        )
        user_id = content.customer_user_id(session, order.customer_id)
        tell_person(session, notice, user_id=user_id, email=order.customer_email)


def order_message(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    """The other party of an order's thread is told: the seller's bell and an email to
    each of its staff, or the customer's bell. One notice per message."""
    message_id = payload["message_id"]
    with session_scope(engine) as session:
        message = session.get(OrderMessage, message_id)
        if message is None:
            raise LookupError(f"order message {message_id} does not exist")
        order = content.load_order(session, message.order_id)
        preview = one_line(message.body, 200)
        if recipient(message.author_role) is Party.CUSTOMER:
            user_id = content.customer_user_id(session, order.customer_id)
            if user_id:
                seller = session.get(Seller, order.seller_id)
                notify(
                    session,
                    dedupe_key=f"inapp:order-message:{message_id}",
                    kind="order_message",
                    title=f"{seller.name} answered about order {order.number}",
                    body=preview,
                    user_id=user_id,
                    order_id=order.id,
                )
            return
        customer_name = order.ship_name
        notice = Notice(
            key=f"order-message:{message_id}",
            kind="order_message",
            title=f"{customer_name} wrote about order {order.number}",
            body=preview,
            template="order_message",
            subject=f"Order {order.number}: a message from {customer_name}",
            context={
                "customer_name": customer_name,
                "number": order.number,
                "body": message.body,
                "order_url": content.link(f"/orders/{order.id}"),
            },
            order_id=order.id,
        )
        tell_seller(session, order.seller_id, notice)


HANDLERS = {
    MessageKind.ORDER_CONFIRMATION: order_confirmation,
    MessageKind.NEW_ORDER: new_order,
    MessageKind.LOW_STOCK: low_stock,
    MessageKind.PAYMENT_FAILED: payment_failed,
    MessageKind.PAYMENT_ACTION_REQUIRED: payment_action_required,
    MessageKind.STOCK_LOST: stock_lost,
    MessageKind.SHIPMENT_UPDATE: shipment_update,
    MessageKind.ORDER_MESSAGE: order_message,
    MessageKind.REFUND_UPDATE: refund_update,
    MessageKind.CANCELLATION_UPDATE: cancellation_update,
    MessageKind.SELLER_CANCELLATION: seller_cancellation,
    MessageKind.SELLER_ADDRESS_CHANGE: seller_address_change,
    MessageKind.STAFF_ALERT: staff_alert,
    MessageKind.RETURN_UPDATE: return_update,
    MessageKind.TICKET_UPDATE: ticket_update,
    MessageKind.SELLER_STANDING: seller_standing,
}
"""The notification kinds; ``payment.verify`` and ``payment.refund`` are the job
layer's (``jobs.tasks``)."""
