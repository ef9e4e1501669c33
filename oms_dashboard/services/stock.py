"""Stock holds: reserve at checkout, confirm on payment, release on failure, fulfil
when the parcel ships.

Every change is one conditional UPDATE, never read-then-write, and rows are
touched in sku order so two checkouts never deadlock on each other. An UPDATE
locks its row: orders are locked before it or not at all (``services.locks``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import Inventory, Product, Seller
from oms_dashboard.services import locks
from oms_dashboard.services.driver_sql import DriverStatement
from oms_dashboard.services.outbox import MessageKind, add_message


@dataclass(frozen=True)
class StockLevel:
    """A sku's stock just after a change: what ``note_level`` needs to decide on an alert."""

    sku: str
    seller_id: str
    available: int
    low_stock_alerted: bool


_RESERVE = DriverStatement(
    sa.update(Inventory)
    .where(
        Inventory.sku == sa.bindparam("hold_sku"),
        Inventory.on_hand - Inventory.reserved >= sa.bindparam("quantity"),
    )
    .values(reserved=Inventory.reserved + sa.bindparam("quantity"))
    .returning(
        Inventory.sku,
        Inventory.seller_id,
        (Inventory.on_hand - Inventory.reserved).label("available"),
        Inventory.low_stock_alerted,
    )
)


def reserve(session: Session, sku: str, quantity: int) -> StockLevel | None:
    """Hold ``quantity`` units if that many are available: the level after, or None."""
    locks.touching_inventory(session)
    params = {"hold_sku": sku, "quantity": quantity}
    row = _RESERVE.first(session.connection(), params)
    return StockLevel(*row) if row else None


def release(session: Session, quantities: Mapping[str, int]) -> None:
    """Give held units back (payment failed, cancelled, hold expired)."""
    locks.touching_inventory(session)
    for sku in sorted(quantities):
        session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == sku)
            .values(reserved=Inventory.reserved - quantities[sku])
        )
    note_stock_levels(session, quantities)


def fulfil(session: Session, quantities: Mapping[str, int]) -> None:
    """Held units leave the shelf with the parcel: neither on hand nor reserved now."""
    locks.touching_inventory(session)
    for sku in sorted(quantities):
        session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == sku)
            .values(
                on_hand=Inventory.on_hand - quantities[sku],
                reserved=Inventory.reserved - quantities[sku],
            )
        )


def restock(session: Session, quantities: Mapping[str, int]) -> None:
    """Units come back onto the shelf (a return inspected sellable): on hand up."""
    locks.touching_inventory(session)
    for sku in sorted(quantities):
        session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == sku)
            .values(on_hand=Inventory.on_hand + quantities[sku])
        )


def note_stock_levels(session: Session, skus: Iterable[str]) -> None:
    """Alert a seller once when a sku's available stock falls under their threshold.

    The flag on the inventory row makes it once per crossing: it is set with
    the alert and cleared when stock rises to the threshold again.
    """
    rows = session.exec(
        select(Inventory, Seller.low_stock_threshold, Product.title)
        .join(Seller, Seller.id == Inventory.seller_id)
        .join(Product, Product.sku == Inventory.sku)
        .where(Inventory.sku.in_(sorted(set(skus))))
        .execution_options(populate_existing=True)
    ).all()
    for stock, threshold, title in rows:
        level = StockLevel(stock.sku, stock.seller_id, stock.available, stock.low_stock_alerted)
        note_level(session, level, threshold=threshold, title=title)


def note_level(session: Session, level: StockLevel, *, threshold: int, title: str) -> None:
    """``note_stock_levels`` for one sku whose level is already known (no read)."""
    low = level.available < threshold
    if low and not level.low_stock_alerted:
        flipped = session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == level.sku, Inventory.low_stock_alerted.is_(False))
            .values(low_stock_alerted=True)
        ).rowcount
        if flipped:
            alert_low_stock(session, level, threshold, title)
    elif not low and level.low_stock_alerted:
        session.execute(
            sa.update(Inventory).where(Inventory.sku == level.sku).values(low_stock_alerted=False)
        )


def alert_low_stock(session: Session, stock: StockLevel, threshold: int, title: str) -> None:
    alert_id = new_id("lsa")
    add_message(
        session,
        kind=MessageKind.LOW_STOCK,
        dedupe_key=f"low-stock:{alert_id}",
        payload={
            "alert_id": alert_id,
            "seller_id": stock.seller_id,
            "sku": stock.sku,
            "title": title,
            "available": stock.available,
            "threshold": threshold,
        },
    )
