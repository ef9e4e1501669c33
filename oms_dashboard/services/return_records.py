"""What every part of a return's life shares: who sees which return, taking one with
its order locked, moving it along ``domain.returns.RETURN``, its lines and
replacement, and the customer's notice of each step."""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.returns import RETURN, ReturnStatus
from oms_dashboard.models import Order, Return, ReturnLine
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import NotFound
from oms_dashboard.services.outbox import MessageKind, add_message

S = ReturnStatus


class ReturnStep(StrEnum):
    """What the customer is told about their return, once each."""

    APPROVED = "approved"
    REJECTED = "rejected"
    RECEIVED = "received"
    EXCHANGE_SHIPPED = "exchange_shipped"


def scoped_returns(actor: Actor) -> sa.Select:
    """Customers see their own returns, sellers their seller's, support and admins all."""
    query = select(Return)
    if actor.role is Role.CUSTOMER:
        return query.where(Return.customer_id == (actor.customer_id or "-"))
    if actor.role is Role.SELLER:
        return query.where(Return.seller_id == (actor.seller_id or "-"))
    return query


def get_return(session: Session, *, actor: Actor, return_id: str) -> Return:
    """The return if the actor may see it; otherwise 404, so existence does not leak."""
    ret = session.exec(scoped_returns(actor).where(Return.id == return_id)).first()
    if ret is None:
        raise NotFound(f"no return {return_id!r}")
    return ret


def locked(session: Session, actor: Actor, return_id: str) -> tuple[Return, Order]:
    """The return the actor may act on (404 otherwise), its order locked first."""
    seen = get_return(session, actor=actor, return_id=return_id)
    (order,) = locks.lock_orders(session, ids=[seen.order_id])
    return fresh(session, return_id), order


def fresh(session: Session, return_id: str) -> Return:
    return session.exec(
        select(Return).where(Return.id == return_id).execution_options(populate_existing=True)
    ).one()


def move(ret: Return, target: ReturnStatus) -> None:
    RETURN.check(ret.status, target)
    ret.status, ret.updated_at = target.value, utcnow()


def return_lines(session: Session, return_id: str) -> list[ReturnLine]:
    return list(
        session.exec(
            select(ReturnLine).where(ReturnLine.return_id == return_id).order_by(ReturnLine.id)
        )
    )


def quantities(lines: Sequence[ReturnLine]) -> dict[str, int]:
    quantities: dict[str, int] = {}
    for line in lines:
        quantities[line.sku] = quantities.get(line.sku, 0) + line.quantity
    return quantities


def replacements(session: Session, ret: Return) -> dict[str, int]:
    """The units an exchange sends: ``exchange_sku`` for every returned unit, else the
    same skus."""
    quantities: dict[str, int] = {}
    for line in return_lines(session, ret.id):
        sku = ret.exchange_sku or line.sku
        quantities[sku] = quantities.get(sku, 0) + line.quantity
    return quantities


def release_replacement(session: Session, ret: Return) -> None:
    stock.release(session, replacements(session, ret))


def tell(session: Session, ret: Return, step: ReturnStep) -> None:
    """The customer hears about each step once (email and in-app, via the outbox)."""
    add_message(
        session,
        kind=MessageKind.RETURN_UPDATE,
        dedupe_key=f"return:{ret.id}:{step.value}",
        payload={"return_id": ret.id, "step": step.value},
    )


def audit(session: Session, actor: Actor, action: str, ret: Return, before) -> None:
    """Staff acting on a seller's return leave a trace (sellers' own acts are on the
    order's timeline)."""
    if actor.role is Role.ADMIN:
        record_audit(
            session,
            actor=actor,
            action=action,
            entity_type="return",
            entity_id=ret.id,
            before=before,
            after=snapshot(ret),
        )


def reload(engine: Engine, return_id: str) -> Return:
    with Session(engine, expire_on_commit=False) as session:
        ret = session.get(Return, return_id)
        if ret is None:
            raise NotFound(f"no return {return_id!r}")
        session.expunge(ret)
        return ret
