"""The admin's review queue: orders held for a person to decide.

An order is held when it looks like a duplicate of a checkout minutes
earlier, when its stock was lost after it was reserved, or when its payment
could not be verified (``domain.review.ReviewReason``). An admin releases it
(it proceeds as if never held) or cancels it (stock released, a paid order
refunded through ``services.refunds``, customer and seller told).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from oms_dashboard.domain.refunds import RefundCause
from oms_dashboard.domain.review import ReviewReason, check_release
from oms_dashboard.domain.statuses import OrderStatus, check_transition
from oms_dashboard.domain.stock import RESERVED, STOCK_HOLD, StockStatus
from oms_dashboard.models import Order, OrderLine
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.cancellation import after_cancelled
from oms_dashboard.services.errors import Conflict, NotFound, ValidationFailed
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.timeline import By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction


@dataclass
class ReviewItem:
    order: Order
    reason: ReviewReason

    @property
    def explanation(self) -> str:
        return self.reason.label


def list_held(session: Session, *, actor: Actor, limit: int = 50) -> list[ReviewItem]:
    """Held orders, oldest first (the longest wait at the top)."""
    actor.require(Role.ADMIN, Role.SUPPORT)
    orders = session.exec(
        select(Order)
        .where(Order.review_reason.is_not(None))
        .order_by(Order.placed_at, Order.id)
        .limit(limit)
    ).all()
    return [ReviewItem(o, ReviewReason(o.review_reason)) for o in orders]


def count_held(session: Session) -> int:
    return session.exec(select(func.count()).where(Order.review_reason.is_not(None))).one()


def release_order(engine: Engine, *, actor: Actor, order_id: str, note: str = "") -> Order:
    """Let a held order go on: a paid one moves to processing and its seller is told."""
    actor.require(Role.ADMIN)
    return run_in_transaction(engine, lambda session: _release(session, actor, order_id, note))


def _release(session: Session, actor: Actor, order_id: str, note: str) -> Order:
    order = _held(session, order_id)
    before = snapshot(order)
    reason = check_release(order.review_reason)
    order.review_reason = None
    if order.stock_status == StockStatus.RELEASED and order.status in _OPEN:
        _hold_again(session, order)
    move = None
    if order.status == OrderStatus.PENDING_PAYMENT and order.paid_at is not None:
        check_transition(order.status, OrderStatus.PROCESSING)
        move = (order.status, OrderStatus.PROCESSING)
        order.status = OrderStatus.PROCESSING
        add_message(
            session,
            kind=MessageKind.NEW_ORDER,
            dedupe_key=f"new-order:{order.id}",
            payload={"order_id": order.id},
        )
    order.updated_at = utcnow()
    session.add(order)
    record_event(
        session,
        order,
        "order.released",
        by=By.person(actor),
        move=move,
        note=note or f"released from review ({reason.label})",
    )
    record_audit(
        session,
        actor=actor,
        action="order.release",
        entity_type="order",
        entity_id=order.id,
        before=before,
        after=snapshot(order),
    )
    return order


def cancel_held_order(engine: Engine, *, actor: Actor, order_id: str, reason: str) -> Order:
    """Cancel a held order: its stock goes back; a paid order is refunded in full
    (rule ``admin-cancellation``, paid through the outbox); customer and seller told."""
    actor.require(Role.ADMIN)
    if not reason.strip():
        raise ValidationFailed.one("reason", "say why the order is cancelled")
    return run_in_transaction(engine, lambda session: _cancel(session, actor, order_id, reason))


def _cancel(session: Session, actor: Actor, order_id: str, reason: str) -> Order:
    order = _held(session, order_id)
    check_release(order.review_reason)
    before = snapshot(order)
    check_transition(order.status, OrderStatus.CANCELLED, admin_override=True)
    if order.stock_status in RESERVED:
        stock.release(session, _lines(session, order))
        order.stock_status = STOCK_HOLD.check(order.stock_status, StockStatus.RELEASED)
    move = (order.status, OrderStatus.CANCELLED)
    order.status, order.review_reason = OrderStatus.CANCELLED, None
    order.cancelled_at = order.updated_at = utcnow()
    session.add(order)
    refund_note = "; refunded" if order.paid_at else ""
    record_event(
        session,
        order,
        "order.cancelled",
        by=By.person(actor),
        move=move,
        note=f"cancelled in review: {reason}{refund_note}",
    )
    cause = RefundCause.ADMIN_CANCELLATION if order.paid_at else None
    after_cancelled(session, order, cause=cause, reason=reason)
    record_audit(
        session,
        actor=actor,
        action="order.cancel",
        entity_type="order",
        entity_id=order.id,
        before=before,
        after=snapshot(order),
    )
    return order


_OPEN = (OrderStatus.PENDING_PAYMENT, OrderStatus.PROCESSING)


def _hold_again(session: Session, order: Order) -> None:
    """An order whose hold was given up (stock lost) needs its stock back to go on."""
    lines = _lines(session, order)
    for sku in sorted(lines):
        if not stock.reserve(session, sku, lines[sku]):
            raise Conflict(
                f"not enough {sku} in stock to release this order; restock or cancel it",
                type="insufficient-inventory",
                sku=sku,
                requested=lines[sku],
            )
    target = StockStatus.CONFIRMED if order.paid_at else StockStatus.HELD
    order.stock_status = STOCK_HOLD.check(order.stock_status, target)
    stock.note_stock_levels(session, lines)


def _lines(session: Session, order: Order) -> dict[str, int]:
    return dict(
        session.exec(
            select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
        ).all()
    )


def _held(session: Session, order_id: str) -> Order:
    found = locks.lock_orders(session, ids=[order_id])
    if not found:
        raise NotFound(f"no order {order_id!r}")
    return found[0]
