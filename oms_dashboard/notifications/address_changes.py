"""The seller is told an unshipped order's delivery address changed: its bell, and an
email to each of its active staff, with the new address and date to ship to."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from oms_dashboard.db import session_scope
from oms_dashboard.formatting.addresses import ship_to_lines
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import OrderEvent
from oms_dashboard.notifications import content
from oms_dashboard.notifications.notice import Notice, tell_seller

Payload = dict[str, Any]


def seller_address_change(payload: Payload, *, engine: sa.Engine | None = None) -> None:
    order_id, event_id = payload["order_id"], payload["event_id"]
    with session_scope(engine) as session:
        order = content.load_order(session, order_id)
        event = session.get(OrderEvent, event_id)
        data = (event.data if event else None) or {}
        headline = f"Order {order.number}: new delivery address"
        ship_to = ", ".join(ship_to_lines(order))
        date = order.estimated_delivery
        explanation = (
            f"Ship it to {ship_to}"
            + (f" (expected delivery {date:%d %b %Y})" if date else "")
            + ". Print the label for this address, not the old one."
        )
        if "shipping_after_minor" in data:
            explanation += (
                f" Shipping is now {format_money(data['shipping_after_minor'], order.currency)}."
            )
        told = Notice(
            key=f"seller-address-change:{event_id}",
            kind="seller_address_change",
            title=headline,
            body=explanation,
            template="seller_address_change",
            subject=headline,
            context={
                "headline": headline,
                "explanation": explanation,
                "ship_to_lines": ship_to_lines(order),
                "order_url": content.link(f"/orders/{order_id}"),
            },
            order_id=order_id,
        )
        tell_seller(session, order.seller_id, told)
