"""What carriers tell us about packages, applied: scans kept once, the shipment's and
the order's status moved along the one transition table, estimates revised, the
customer told once per event, support flagged when a package is in trouble.

News arrives two ways, both landing in ``apply_updates``: the periodic sync asks
carriers about every shipment that is due (``tracking_sync.sync_due``), and carriers
post webhooks (``carrier_events.receive_carrier_event``). Both may repeat themselves
or arrive out of order; applying the same news twice changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.carriers.base import Scan, TrackingUpdate
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.tracking import (
    CarrierName,
    ShipmentDirection,
    ShipmentFlag,
    ShipmentNotice,
    ShipmentStatus,
    business_hours_between,
    carrier_title,
    order_path,
)
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, Shipment, ShipmentScan
from oms_dashboard.models.base import utcnow
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.services import locks
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.return_inspection import follow_return_shipment
from oms_dashboard.services.tickets import open_shipment_ticket
from oms_dashboard.services.timeline import By, move_order, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)

NOTICES = {
    ShipmentStatus.OUT_FOR_DELIVERY: ShipmentNotice.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED: ShipmentNotice.DELIVERED,
    ShipmentStatus.DELIVERY_EXCEPTION: ShipmentNotice.DELIVERY_EXCEPTION,
}


def carrier_module(carrier: str):
    """The carrier's adapter module: its status table, parsers and request sizes."""
    return import_module(f"oms_dashboard.carriers.{CarrierName(carrier).value}")


@dataclass
class Applied:
    """What a batch of carrier news changed."""

    shipments: int = 0
    new_scans: int = 0
    moves: int = 0
    unknown: list[str] = field(default_factory=list)
    """Tracking numbers the OMS has no shipment for (another carrier's, or voided)."""


# -- applying news -----------------------------------------------------------------------


def apply_updates(
    engine: Engine, carrier: str, updates: Sequence[TrackingUpdate], *, now: datetime | None = None
) -> Applied:
    """Apply one carrier's news about several packages in one transaction."""
    return run_in_transaction(engine, lambda session: _apply(session, carrier, updates, now))


def _apply(session: Session, carrier: str, updates, now: datetime | None) -> Applied:
    now = now or utcnow()
    result = Applied()
    numbers = sorted({update.tracking_number for update in updates})
    order_ids = session.exec(
        select(Shipment.order_id).where(
            Shipment.carrier == carrier, Shipment.tracking_number.in_(numbers)
        )
    ).all()
    orders = {order.id: order for order in locks.lock_orders(session, ids=order_ids)}
    shipments = {
        s.tracking_number: s
        for s in session.exec(
            select(Shipment)
            .where(Shipment.carrier == carrier, Shipment.tracking_number.in_(numbers))
            .execution_options(populate_existing=True)
        )
    }
    seen = _known_scans(session, [s.id for s in shipments.values()])
    statuses = getattr(carrier_module(carrier), "STATUSES", {})
    for update in updates:
        shipment = shipments.get(update.tracking_number)
        if shipment is None:
            result.unknown.append(update.tracking_number)
            continue
        order = orders[shipment.order_id]
        result.shipments += 1
        result.new_scans += _keep_scans(session, shipment, update.scans, seen, statuses)
        result.moves += _follow(session, shipment, order, update, now)
        shipment.last_synced_at = now
        shipment.next_sync_at = _next_sync(shipment, now)
        session.add(shipment)
    session.flush()
    return result


def _known_scans(session: Session, shipment_ids: list[str]) -> set[tuple[str, datetime, str]]:
    if not shipment_ids:
        return set()
    rows = session.exec(
        select(ShipmentScan.shipment_id, ShipmentScan.at, ShipmentScan.code).where(
            ShipmentScan.shipment_id.in_(shipment_ids)
        )
    ).all()
    return {(shipment_id, at, code) for shipment_id, at, code in rows}


def _keep_scans(session, shipment: Shipment, scans: Sequence[Scan], seen, statuses) -> int:
    added = 0
    for scan in scans:
        key = (shipment.id, scan.at, scan.code)
        if key in seen:
            continue
        seen.add(key)
        where = scan.location
        row = statuses.get(scan.code)
        session.add(
            ShipmentScan(
                id=new_id("scn"),
                shipment_id=shipment.id,
                at=scan.at,
                code=scan.code[:40],
                status=row.status.value if row is not None and row.status else None,
                description=(scan.description or scan.code)[:300],
                city=where.city if where else None,
                region=where.region if where else None,
                postal_code=where.postal_code if where else None,
                country=(where.country or None) if where else None,
                lat=where.lat if where else None,
                lon=where.lon if where else None,
            )
        )
        added += 1
        if shipment.last_scan_at is None or scan.at > shipment.last_scan_at:
            shipment.last_scan_at = scan.at
            if shipment.flag == ShipmentFlag.STUCK:
                _unflag(shipment)
    return added


def _follow(session, shipment: Shipment, order: Order, update: TrackingUpdate, now) -> int:
    """Move the shipment (and, outbound, its order; a return shipment, its return) to
    what the carrier says; revise the estimate; queue the customer's notices. Returns
    the number of order moves."""
    newest = update.scans[0] if update.scans else None
    by = By("carrier", carrier_title(shipment.carrier))
    moves = 0
    target = update.status
    if target is not None and order_path(shipment.status, target):
        shipment.status = target.value
        if target is ShipmentStatus.DELIVERED:
            shipment.delivered_at = newest.at if newest else now
        if target is ShipmentStatus.DELIVERY_EXCEPTION:
            flag_shipment(
                session,
                shipment,
                order,
                ShipmentFlag.EXCEPTION,
                _words(newest, "delivery exception"),
                now,
            )
            _task_for_seller(session, shipment, order, newest)
        elif shipment.flag == ShipmentFlag.EXCEPTION:
            _unflag(shipment)
        if target in NOTICES:
            key = newest.at.isoformat() if target is ShipmentStatus.DELIVERY_EXCEPTION else ""
            _notice(session, shipment, NOTICES[target], suffix=key)
    if shipment.direction == ShipmentDirection.RETURN:
        # A return coming back moves the return, never the order (it stays delivered).
        follow_return_shipment(session, shipment, order, now)
    elif target is not None:
        for step in order_path(order.status, target):
            move_order(
                session,
                order,
                step,
                f"order.{step.value}",
                by=by,
                note=_words(newest, step.label),
            )
            moves += 1
            if step is OrderStatus.DELIVERED:
                order.delivered_at = shipment.delivered_at or now
    _revise_estimate(session, shipment, order, update, by)
    if update.signature_required and not shipment.signature_required:
        shipment.signature_required = True
        if shipment.status != ShipmentStatus.DELIVERED:
            _notice(session, shipment, ShipmentNotice.SIGNATURE_REQUIRED)
    return moves


def _revise_estimate(session, shipment: Shipment, order: Order, update: TrackingUpdate, by):
    new = update.estimated_delivery
    if new is None or new == shipment.estimated_delivery:
        return
    previous = shipment.estimated_delivery or order.estimated_delivery
    shipment.estimated_delivery = new
    if previous is None or new <= previous or shipment.status == ShipmentStatus.DELIVERED:
        return
    record_event(
        session,
        order,
        "shipment.delayed",
        by=by,
        note=f"Delivery now expected {new:%a %d %b}, was {previous:%a %d %b}",
        data={"shipment_id": shipment.id, "from": previous.isoformat(), "to": new.isoformat()},
    )
    _notice(
        session,
        shipment,
        ShipmentNotice.DELAYED,
        suffix=new.isoformat(),
        previous=previous.isoformat(),
    )


def _notice(
    session, shipment: Shipment, notice: ShipmentNotice, *, suffix: str = "", previous=None
) -> None:
    add_message(
        session,
        kind=MessageKind.SHIPMENT_UPDATE,
        dedupe_key=":".join(p for p in ("shipment", shipment.id, notice.value, suffix) if p),
        payload={
            "shipment_id": shipment.id,
            "notice": notice.value,
            "estimated_delivery": (
                shipment.estimated_delivery.isoformat() if shipment.estimated_delivery else None
            ),
            "previous_estimate": previous,
        },
    )


def _task_for_seller(session, shipment: Shipment, order: Order, scan: Scan | None) -> None:
    """The carrier could not deliver: the seller is asked to sort it out with the
    carrier and the customer (redelivery, pick-up point, or reship or refund)."""
    at = scan.at.isoformat() if scan else ""
    notify(
        session,
        dedupe_key=f"inapp:delivery-exception:{shipment.id}:{at}",
        kind="delivery_exception",
        title=f"Delivery failed for order {order.number}",
        body=f"{carrier_title(shipment.carrier)} {shipment.tracking_number}: "
        f"{_words(scan, 'delivery exception')}. Arrange a redelivery with the carrier, "
        "or reship or refund; support has the case too.",
        seller_id=order.seller_id,
        order_id=order.id,
    )


def flag_shipment(
    session: Session,
    shipment: Shipment,
    order: Order,
    flag: ShipmentFlag,
    reason: str,
    now: datetime,
) -> None:
    """Put the shipment in support's flagged queue, saying why, and open its support
    case (one per shipment and flag, however often it is flagged)."""
    shipment.flag, shipment.flagged_reason, shipment.flagged_at = flag.value, reason[:300], now
    open_shipment_ticket(session, shipment=shipment, order=order, flag=flag, reason=reason)


def _unflag(shipment: Shipment) -> None:
    shipment.flag = shipment.flagged_reason = shipment.flagged_at = None


def _words(scan: Scan | None, fallback: str) -> str:
    if scan is None:
        return fallback
    place = scan.location.label if scan.location else ""
    return f"{scan.description}" + (f", {place}" if place else "")


def _next_sync(shipment: Shipment, now: datetime) -> datetime | None:
    if shipment.status == ShipmentStatus.DELIVERED:
        return None
    return now + timedelta(seconds=get_settings().tracking_sync_seconds)


# -- packages gone quiet ---------------------------------------------------------------


def flag_stuck(engine: Engine, *, now: datetime | None = None) -> int:
    """Flag every shipment without a scan for the policy's stuck_shipment_hours
    (business hours); returns how many were newly flagged."""
    now = now or utcnow()

    def work(session: Session) -> int:
        hours = get_policy(session).stuck_shipment_hours
        horizon = now - timedelta(hours=hours)  # business hours are never more than hours
        quiet = (
            Shipment.status.in_(_ACTIVE),
            Shipment.flag.is_(None),
            # A return label waits for the customer to hand the parcel over: not stuck.
            sa.or_(
                Shipment.direction != ShipmentDirection.RETURN,
                Shipment.status != ShipmentStatus.SHIPPED,
            ),
            sa.func.coalesce(Shipment.last_scan_at, Shipment.created_at) <= horizon,
        )
        order_ids = session.exec(select(Shipment.order_id).where(*quiet)).all()
        orders = {o.id: o for o in locks.lock_orders(session, ids=order_ids)}
        candidates = session.exec(
            select(Shipment).where(*quiet).execution_options(populate_existing=True)
        ).all()
        flagged = 0
        for shipment in candidates:
            since = shipment.last_scan_at or shipment.created_at
            silent = business_hours_between(since, now)
            if silent < hours:
                continue
            flag_shipment(
                session,
                shipment,
                orders[shipment.order_id],
                ShipmentFlag.STUCK,
                f"No carrier scan for {silent:.0f} business hours (since {since:%d %b %H:%M} UTC)",
                now,
            )
            session.add(shipment)
            flagged += 1
        return flagged

    return run_in_transaction(engine, work)


_ACTIVE = [s.value for s in ShipmentStatus if s is not ShipmentStatus.DELIVERED]
