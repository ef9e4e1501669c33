"""Small reads the pages need beside an order: its checkout, its stock alerts."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.models import Checkout, Inventory, Order, Product, Seller
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.orders import scoped_orders

PAYMENT_LABELS = {
    "pending": "Awaiting payment",
    "authorized": "Paid",
    "needs_action": "Needs extra verification",
    "failed": "Payment failed",
}


@dataclass(frozen=True)
class LowStock:
    sku: str
    title: str
    on_hand: int
    reserved: int
    available: int
    threshold: int


def payment_status(session: Session, order: Order) -> str:
    checkout = session.get(Checkout, order.checkout_id)
    return checkout.payment_status if checkout else "pending"


def checkout_total(session: Session, order: Order) -> tuple[int, str]:
    """(total in minor units, currency) of the whole checkout the order came from.

    Only worth showing beside the sibling orders (``checkout_siblings``), which
    are scoped: a seller, who sees no other seller's order, is never shown it.
    """
    checkout = session.get(Checkout, order.checkout_id)
    if checkout is None:
        return order.total_minor, order.currency
    return checkout.total_minor, checkout.currency


def checkout_siblings(session: Session, *, actor: Actor, order: Order) -> list[Order]:
    """The other orders of the same checkout that the actor may see (a split per seller)."""
    return list(
        session.exec(
            scoped_orders(actor)
            .where(Order.checkout_id == order.checkout_id, Order.id != order.id)
            .order_by(Order.id)
        ).all()
    )


def low_stock(session: Session, *, actor: Actor, limit: int = 20) -> list[LowStock]:
    """The seller's skus whose available stock is under its threshold, emptiest first."""
    actor.require(Role.SELLER)
    available = Inventory.on_hand - Inventory.reserved
    rows = session.exec(
        select(
            Inventory.sku,
            Product.title,
            Inventory.on_hand,
            Inventory.reserved,
            available,
            Seller.low_stock_threshold,
        )
        .join(Product, Product.sku == Inventory.sku)
        .join(Seller, Seller.id == Inventory.seller_id)
        .where(
            Inventory.seller_id == actor.seller_id,
            Product.active.is_(True),
            available < Seller.low_stock_threshold,
        )
        .order_by(available, Inventory.sku)
        .limit(limit)
    ).all()
    return [LowStock(*row) for row in rows]
