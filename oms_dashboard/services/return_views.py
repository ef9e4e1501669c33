"""Reading returns: one, an order's, or a seller's queue, always within the caller's
scope, with their lines, labels and photos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.domain import returns as rules
from oms_dashboard.domain.returns import ReturnStatus
from oms_dashboard.models import (
    Order,
    OrderLine,
    Product,
    Return,
    ReturnLine,
    ReturnPhoto,
    Seller,
    Shipment,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.orders import get_order
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.return_records import scoped_returns

S = ReturnStatus


@dataclass(frozen=True)
class ReturnView:
    ret: Return
    lines: list[ReturnLine]
    label: Shipment | None
    exchange: Shipment | None
    photo_ids: list[str]


def return_view(session: Session, ret: Return) -> ReturnView:
    return views(session, [ret])[0]


def views(session: Session, rows: Sequence[Return]) -> list[ReturnView]:
    ids = [r.id for r in rows]
    lines: dict[str, list[ReturnLine]] = {i: [] for i in ids}
    photos: dict[str, list[str]] = {i: [] for i in ids}
    if ids:
        for line in session.exec(
            select(ReturnLine).where(ReturnLine.return_id.in_(ids)).order_by(ReturnLine.id)
        ):
            lines[line.return_id].append(line)
        for return_id, photo_id in session.exec(
            select(ReturnPhoto.return_id, ReturnPhoto.id)
            .where(ReturnPhoto.return_id.in_(ids))
            .order_by(ReturnPhoto.created_at, ReturnPhoto.id)
        ):
            photos[return_id].append(photo_id)
    shipment_ids = [i for r in rows for i in (r.shipment_id, r.exchange_shipment_id) if i]
    shipments = (
        {s.id: s for s in session.exec(select(Shipment).where(Shipment.id.in_(shipment_ids)))}
        if shipment_ids
        else {}
    )
    return [
        ReturnView(
            ret=r,
            lines=lines[r.id],
            label=shipments.get(r.shipment_id or ""),
            exchange=shipments.get(r.exchange_shipment_id or ""),
            photo_ids=photos[r.id],
        )
        for r in rows
    ]


def order_returns(session: Session, *, actor: Actor, order_id: str) -> list[ReturnView]:
    """The returns of an order the actor may see (404 for any other order)."""
    order = get_order(session, actor=actor, order_id=order_id)
    rows = session.exec(
        select(Return).where(Return.order_id == order.id).order_by(Return.created_at, Return.id)
    ).all()
    return views(session, rows)


def list_returns(
    session: Session, *, actor: Actor, statuses: Sequence[str] = (), limit: int = 100
) -> list[ReturnView]:
    """The seller's returns (or every one, for staff), newest first."""
    actor.require(Role.SELLER, Role.SUPPORT, Role.ADMIN)
    known = [s.value for s in S]
    wrong = [s for s in statuses if s not in known]
    if wrong:
        raise ValidationFailed.one("status", f"unknown {wrong[0]!r}: one of {', '.join(known)}")
    query = scoped_returns(actor)
    if statuses:
        query = query.where(Return.status.in_(list(statuses)))
    rows = session.exec(query.order_by(Return.created_at.desc(), Return.id.desc()).limit(limit))
    return views(session, rows.all())


@dataclass(frozen=True)
class ReturnableLine:
    line: OrderLine
    """The sku's first line on the order (its title and price)."""
    left: int
    """Units not yet taken back by another return."""


def returnable_lines(session: Session, order: Order) -> list[ReturnableLine]:
    """What the customer may still send back now: the physical lines with units left,
    when the rules (``decide_return``, for those lines) would take a return at all;
    else nothing. The rules decide again, line by line, when the return is asked."""
    from oms_dashboard.services.returns import already_returned  # returns reads views

    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    digital = dict(
        session.exec(
            select(Product.sku, Product.digital).where(Product.sku.in_([x.sku for x in lines]))
        ).all()
    )
    bought: dict[str, int] = {}
    first: dict[str, OrderLine] = {}
    for line in lines:
        bought[line.sku] = bought.get(line.sku, 0) + line.quantity
        first.setdefault(line.sku, line)
    taken = already_returned(session, order.id)
    open_lines = [
        ReturnableLine(first[sku], units - taken.get(sku, 0))
        for sku, units in bought.items()
        if units > taken.get(sku, 0) and not digital.get(sku)
    ]
    if not open_lines:
        return []
    seller = session.get(Seller, order.seller_id)
    decision = rules.decide_return(
        rules.ReturnFacts(
            order_status=order.status,
            delivered_at=order.delivered_at,
            now=utcnow(),
            lines=[rules.ReturnLine(r.line.sku, 1, r.left, 0, False) for r in open_lines],
            reason=rules.ReturnReason.OTHER,
            window_days=get_policy(session).return_window_days,
            seller_window_days=seller.return_window_days if seller else None,
        )
    )
    return open_lines if decision.allowed else []
