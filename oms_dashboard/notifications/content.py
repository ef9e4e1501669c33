"""What a message says: fresh state loaded by id, shaped into template contexts.

Money, dates and addresses are formatted here, so templates only lay out
strings and the plain-text and HTML versions can never disagree.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from oms_dashboard.formatting.addresses import ship_to_lines
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Checkout, Customer, Order, OrderLine, Seller, Shipment, User
from oms_dashboard.notifications.format import day
from oms_dashboard.services.ship_by import seller_deadline, ship_by_of
from oms_dashboard.settings import get_settings


def link(path: str) -> str:
    """An absolute link into the app for a message read outside it."""
    return f"http://localhost:{get_settings().port}{path}"


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass
class CheckoutView:
    """A checkout and its orders (one per seller), oldest order first."""

    checkout: Checkout
    orders: list[Order]
    lines: dict[str, list[OrderLine]]
    sellers: dict[str, Seller]

    @property
    def first_order(self) -> Order:
        return self.orders[0]

    @property
    def customer_email(self) -> str:
        return self.first_order.customer_email

    @property
    def item_count(self) -> int:
        return sum(line.quantity for lines in self.lines.values() for line in lines)

    @property
    def label(self) -> str:
        """``OMS-7K3F-9QX2`` for one order; ``of 3 items from 2 sellers`` for several."""
        if len(self.orders) == 1:
            return self.first_order.number
        return f"of {plural(self.item_count, 'item')} from {len(self.orders)} sellers"


def load_checkout(session: Session, checkout_id: str) -> CheckoutView:
    checkout = session.get(Checkout, checkout_id)
    if checkout is None:
        raise LookupError(f"checkout {checkout_id} does not exist")
    orders = list(
        session.exec(select(Order).where(Order.checkout_id == checkout_id).order_by(Order.id))
    )
    if not orders:
        raise LookupError(f"checkout {checkout_id} has no orders")
    lines, sellers = load_lines(session, orders), load_sellers(session, orders)
    return CheckoutView(checkout, orders, lines, sellers)


def load_order(session: Session, order_id: str) -> Order:
    order = session.get(Order, order_id)
    if order is None:
        raise LookupError(f"order {order_id} does not exist")
    return order


def load_lines(session: Session, orders: list[Order]) -> dict[str, list[OrderLine]]:
    lines: dict[str, list[OrderLine]] = defaultdict(list)
    query = select(OrderLine).where(OrderLine.order_id.in_([o.id for o in orders]))
    for line in session.exec(query.order_by(OrderLine.id)):
        lines[line.order_id].append(line)
    return lines


def load_sellers(session: Session, orders: list[Order]) -> dict[str, Seller]:
    ids = {o.seller_id for o in orders}
    return {s.id: s for s in session.exec(select(Seller).where(Seller.id.in_(ids)))}


def seller_staff(session: Session, seller_id: str) -> list[User]:
    """Active users who work for the seller, in a stable order."""
    query = select(User).where(
        User.role == "seller", User.seller_id == seller_id, User.is_active.is_(True)
    )
    return list(session.exec(query.order_by(User.id)))


def customer_user_id(session: Session, customer_id: str) -> str | None:
    """The customer's account, if they have one (guests do not)."""
    customer = session.get(Customer, customer_id)
    return customer.user_id if customer else None


def ship_by(order: Order, seller: Seller) -> datetime:
    """When the seller must ship: the deadline stored when the order was paid
    (``services.ship_by``); computed from placing for an order not paid yet."""
    stored = ship_by_of(order, seller)
    return stored if stored is not None else seller_deadline(seller, order.placed_at)


def line_rows(lines: list[OrderLine], currency: str) -> list[dict[str, Any]]:
    return [
        {
            "title": line.title,
            "sku": line.sku,
            "quantity": line.quantity,
            "unit_price": format_money(line.unit_price_minor, currency),
            "line_total": format_money(line.line_total_minor, currency),
        }
        for line in lines
    ]


def order_summary(order: Order, seller: Seller, lines: list[OrderLine]) -> dict[str, Any]:
    return {
        "number": order.number,
        "seller_name": seller.name,
        "lines": line_rows(lines, order.currency),
        "item_count": sum(line.quantity for line in lines),
        "subtotal": format_money(order.subtotal_minor, order.currency),
        "shipping": format_money(order.shipping_minor, order.currency),
        "total": format_money(order.total_minor, order.currency),
        "estimated_delivery": day(order.estimated_delivery),
        "url": link(f"/orders/{order.id}"),
    }


def confirmation_context(session: Session, view: CheckoutView) -> dict[str, Any]:
    shipments: dict[str, list[Shipment]] = defaultdict(list)
    query = select(Shipment).where(Shipment.order_id.in_([o.id for o in view.orders]))
    for shipment in session.exec(query.order_by(Shipment.created_at)):
        shipments[shipment.order_id].append(shipment)
    orders = []
    for order in view.orders:
        summary = order_summary(order, view.sellers[order.seller_id], view.lines[order.id])
        summary["tracking"] = [
            {"carrier": s.carrier.upper(), "number": s.tracking_number} for s in shipments[order.id]
        ]
        orders.append(summary)
    checkout = view.checkout
    return {
        "customer_name": checkout.ship_name,
        "label": view.label,
        "orders": orders,
        "order_count": len(orders),
        "item_count": view.item_count,
        "checkout_total": format_money(checkout.total_minor, checkout.currency),
        "address": ship_to_lines(checkout),
        "orders_url": link("/orders"),
    }


def payment_context(view: CheckoutView) -> dict[str, Any]:
    """What the payment-failed and action-required emails share."""
    checkout = view.checkout
    return {
        "customer_name": checkout.ship_name,
        "label": view.label,
        "numbers": [o.number for o in view.orders],
        "total": format_money(checkout.total_minor, checkout.currency),
        "order_url": link(f"/orders/{view.first_order.id}"),
    }
