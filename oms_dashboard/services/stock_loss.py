"""Stock lost after it was reserved: damaged, stolen, miscounted.

The shelf count drops below what open orders hold. The newest holds are given
up first until the rest fit: each such order is held for review, its stock
hold released, and its customer told, with alternatives to choose from.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.models import Inventory, Order, OrderLine, Product
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import stock
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.alternatives import suggest_alternatives
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.outbox import add_message
from oms_dashboard.services.timeline import OMS, record_event


@dataclass
class StockLoss:
    stock: Inventory
    affected_orders: list[str] = field(default_factory=list)


def record_stock_loss(
    session: Session, *, actor: Actor, sku: str, quantity: int, reason: str
) -> StockLoss:
    row = session.exec(
        select(Inventory)
        .where(Inventory.sku == sku)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if row is None:
        raise NotFound(f"no inventory for sku {sku!r}")
    actor.require_seller_access(row.seller_id)
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
    affected = _give_up_holds(session, row, shortfall, reason) if shortfall > 0 else []
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


def _give_up_holds(session: Session, row: Inventory, shortfall: int, reason: str) -> list[str]:
    """Release whole orders' holds, newest first, until the shortfall is covered."""
    holders = session.exec(
        select(Order)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            OrderLine.sku == row.sku,
            Order.stock_status.in_(("held", "confirmed")),
            Order.status.in_((OrderStatus.PENDING_PAYMENT, OrderStatus.PROCESSING)),
        )
        .order_by(Order.placed_at.desc(), Order.id.desc())
        .with_for_update()
    ).all()
    product = session.exec(select(Product).where(Product.sku == row.sku)).one()
    affected = []
    for order in holders:
        if shortfall <= 0:
            break
        lines = dict(
            session.exec(
                select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
            ).all()
        )
        stock.release(session, lines)
        shortfall -= lines[row.sku]
        order.stock_status, order.review_reason, order.updated_at = (
            "released",
            "stock_lost",
            utcnow(),
        )
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
            kind="customer.stock_lost",
            dedupe_key=f"stock-lost:{order.id}:{row.sku}",
            payload={
                "order_id": order.id,
                "sku": row.sku,
                "alternatives": suggest_alternatives(session, product, lines[row.sku]),
            },
        )
        affected.append(order.id)
    return affected
