"""Reads for the pages that follow packages: has anything changed on an order's
shipments (the order page asks every few seconds while it is open), and the
shipments support should look at with the last thing their carrier said."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from oms_dashboard.models import OrderEvent, Shipment, ShipmentScan
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.orders import get_order
from oms_dashboard.services.shipments import FlaggedShipment, flagged_shipments


@dataclass(frozen=True)
class ShipmentMark:
    id: str
    status: str
    estimated_delivery: date | None
    signature_required: bool
    flag: str | None
    last_scan_at: datetime | None
    last_synced_at: datetime | None
    scans: int


@dataclass(frozen=True)
class TrackingMark:
    """Everything the order page shows that carrier news can change; equal marks,
    nothing to redraw."""

    status: str
    events: int
    shipments: tuple[ShipmentMark, ...]


def tracking_mark(session: Session, *, actor: Actor, order_id: str) -> TrackingMark:
    """Two small reads, scoped like the order (``NotFound`` for anyone else's)."""
    order = get_order(session, actor=actor, order_id=order_id)
    scans = (
        select(ShipmentScan.shipment_id, func.count().label("n"))
        .group_by(ShipmentScan.shipment_id)
        .subquery()
    )
    rows = session.exec(
        select(Shipment, sa.func.coalesce(scans.c.n, 0))
        .outerjoin(scans, scans.c.shipment_id == Shipment.id)
        .where(Shipment.order_id == order.id)
        .order_by(Shipment.created_at, Shipment.id)
    ).all()
    events = session.exec(
        select(func.count()).select_from(OrderEvent).where(OrderEvent.order_id == order.id)
    ).one()
    return TrackingMark(
        status=order.status,
        events=events,
        shipments=tuple(
            ShipmentMark(
                id=s.id,
                status=s.status,
                estimated_delivery=s.estimated_delivery,
                signature_required=s.signature_required,
                flag=s.flag,
                last_scan_at=s.last_scan_at,
                last_synced_at=s.last_synced_at,
                scans=n,
            )
            for s, n in rows
        ),
    )


@dataclass(frozen=True)
class FlaggedRow:
    flagged: FlaggedShipment
    last_scan: ShipmentScan | None


def flagged_with_last_scan(session: Session, *, actor: Actor, limit: int = 200) -> list[FlaggedRow]:
    """``shipments.flagged_shipments`` (oldest flag first), each with its newest scan."""
    flagged = flagged_shipments(session, actor=actor, limit=limit)
    ids = [f.shipment.id for f in flagged]
    newest: dict[str, ShipmentScan] = {}
    if ids:
        for scan in session.exec(
            select(ShipmentScan)
            .where(ShipmentScan.shipment_id.in_(ids))
            .order_by(ShipmentScan.shipment_id, ShipmentScan.at.desc(), ShipmentScan.id.desc())
        ):
            newest.setdefault(scan.shipment_id, scan)
    return [FlaggedRow(f, newest.get(f.shipment.id)) for f in flagged]
