"""Stock lost after it was reserved: damaged, stolen, miscounted.

The shelf count drops below what open orders hold. The newest holds are given
up first until the rest fit: each such order is held for review, its stock
hold released, and its customer told, with alternatives to choose from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.review import ReviewReason, should_flag
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import RESERVED, STOCK_HOLD, StockStatus
from oms_dashboard.models import Inventory, Order, OrderLine, Product
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.alternatives import suggest_alternatives
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.timeline import OMS, record_event
from oms_dashboard.services.unit_of_work import LocksChanged, run_in_transaction


@dataclass
class StockLoss:
    stock: Inventory
    affected_orders: list[str] = field(default_factory=list)


def record_stock_loss(
    engine: Engine, *, actor: Actor, sku: str, quantity: int, reason: str
) -> StockLoss:
    return run_in_transaction(
        engine, lambda session: _record(session, actor, sku, quantity, reason)
    )


def _record(session: Session, actor: Actor, sku: str, quantity: int, reason: str) -> StockLoss:
    seller_id = session.exec(select(Inventory.seller_id).where(Inventory.sku == sku)).first()
    if seller_id is None:
        raise NotFound(f"no inventory for sku {sku!r}")
    actor.require_seller_access(seller_id)
    # Orders before inventory, as everywhere (services.locks): lock the orders that
    # hold this sku, then the shelf row; if new holders appeared in between, the
    # locks no longer cover them and the whole change runs again.
    holder_ids = _holder_ids(session, sku)
    holders = locks.lock_orders(session, ids=holder_ids)
    row = locks.lock_inventory(session, [sku])[sku]
    if set(_holder_ids(session, sku)) - set(holder_ids):
        raise LocksChanged(f"new orders hold {sku}")
    errors = []
    if (
        isinstance(quantity, bool)
        or not isinstance(quantity, int)
        or not 1 <= quantity <= row.on_hand
    ):
        errors.append(
            {"field": "quantity", "message": f"must be from 1 to {row.on_hand}, the units on hand"}
        )
    if not reason.strip():
        errors.append(
            {"field": "reason", "message": "say what happened (damaged, lost, miscounted...)"}
        )
    if errors:
        raise ValidationFailed(errors)
    before = snapshot(row)
    on_hand = row.on_hand - quantity
    shortfall = row.reserved - on_hand
    affected = _give_up_holds(session, row, holders, shortfall, reason) if shortfall > 0 else []
    session.execute(
        sa.update(Inventory)
        .where(Inventory.sku == sku)
        .values(on_hand=on_hand, updated_at=utcnow())
    )
    session.refresh(row)
    stock.note_stock_levels(session, [sku])
    record_audit(
        session,
        actor=actor,
        action="inventory.loss",
        entity_type="inventory",
        entity_id=sku,
        before=before,
        after={**snapshot(row), "lost": quantity, "reason": reason, "affected_orders": affected},
    )
    return StockLoss(stock=row, affected_orders=affected)


def _holder_ids(session: Session, sku: str) -> list[str]:
    """Open orders whose stock hold includes this sku."""
    return list(
        session.exec(
            select(Order.id)
            .join(OrderLine, OrderLine.order_id == Order.id)
            .where(
                OrderLine.sku == sku,
                Order.stock_status.in_(sorted(RESERVED)),
                Order.status.in_((OrderStatus.PENDING_PAYMENT, OrderStatus.PROCESSING)),
            )
        ).all()
    )


def _give_up_holds(
    session: Session, row: Inventory, holders: list[Order], shortfall: int, reason: str
) -> list[str]:
    """Release whole orders' holds, newest first, until the shortfall is covered."""
    product = session.exec(select(Product).where(Product.sku == row.sku)).one()
    affected = []
    for order in sorted(holders, key=lambda o: (o.placed_at, o.id), reverse=True):
        if shortfall <= 0:
            break
        if order.stock_status not in RESERVED:
            continue
        lines = dict(
            session.exec(
                select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
            ).all()
        )
        stock.release(session, lines)
        shortfall -= lines[row.sku]
        order.stock_status = STOCK_HOLD.check(order.stock_status, StockStatus.RELEASED)
        if should_flag(order.review_reason):
            order.review_reason = ReviewReason.STOCK_LOST
        order.updated_at = utcnow()
        session.add(order)
        record_event(
            session,
            order,
            "stock.lost",
            by=OMS,
            note=f"{row.sku} is no longer available ({reason}); held for review",
        )
        add_message(
            session,
            kind=MessageKind.STOCK_LOST,
            dedupe_key=f"stock-lost:{order.id}:{row.sku}",
            payload={
                "order_id": order.id,
                "sku": row.sku,
                "alternatives": suggest_alternatives(session, product, lines[row.sku]),
            },
        )
        affected.append(order.id)
    return affected
