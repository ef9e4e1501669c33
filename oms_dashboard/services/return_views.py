"""Reading returns: one, an order's, or a seller's queue, always within the caller's
scope, with their lines, labels and photos."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.domain.returns import ReturnStatus
from oms_dashboard.models import Return, ReturnLine, ReturnPhoto, Shipment
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ValidationFailed
from oms_dashboard.services.orders import get_order
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
