"""What carriers tell us about packages, applied: scans kept once, the shipment's and
the order's status moved along the one transition table, estimates revised, the
customer told once per event, support flagged when a package is in trouble.

News arrives two ways, both landing in ``apply_updates``: the periodic sync asks
carriers about every shipment that is due (``sync_due``), and carriers post
webhooks (``receive_carrier_event``). Both may repeat themselves or arrive out of
order; applying the same news twice changes nothing.
"""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import import_module
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.carriers.base import CarrierError, Scan, TrackingUpdate
from oms_dashboard.crypto import unseal
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.tracking import (
    CarrierMode,
    CarrierName,
    ShipmentDirection,
    ShipmentFlag,
    ShipmentNotice,
    ShipmentStatus,
    business_hours_between,
    order_path,
)
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, Shipment, ShipmentScan
from oms_dashboard.models.base import utcnow
from oms_dashboard.notifications.inapp import notify
from oms_dashboard.payments.signing import sign
from oms_dashboard.services import locks
from oms_dashboard.services.carrier_accounts import account
from oms_dashboard.services.carrier_health import CarrierUnavailable, call_carrier
from oms_dashboard.services.errors import AuthenticationFailed, ValidationFailed
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.timeline import By, move_order, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)

CARRIER_TITLES = {"fedex": "FedEx", "ups": "UPS", "dhl": "DHL Express", "usps": "USPS"}
NOTICES = {
    ShipmentStatus.OUT_FOR_DELIVERY: ShipmentNotice.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED: ShipmentNotice.DELIVERED,
    ShipmentStatus.DELIVERY_EXCEPTION: ShipmentNotice.DELIVERY_EXCEPTION,
}


def carrier_title(carrier: str) -> str:
    return CARRIER_TITLES.get(carrier, carrier.upper())


def _module(carrier: str):
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
    statuses = getattr(_module(carrier), "STATUSES", {})
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
    """Move the shipment (and, outbound, its order) to what the carrier says; revise the
    estimate; queue the customer's notices. Returns the number of order moves."""
    newest = update.scans[0] if update.scans else None
    by = By("carrier", carrier_title(shipment.carrier))
    moves = 0
    target = update.status
    if target is not None and order_path(shipment.status, target):
        shipment.status = target.value
        if target is ShipmentStatus.DELIVERED:
            shipment.delivered_at = newest.at if newest else now
        if target is ShipmentStatus.DELIVERY_EXCEPTION:
            _flag(shipment, ShipmentFlag.EXCEPTION, _words(newest, "delivery exception"), now)
            _task_for_seller(session, shipment, order, newest)
        elif shipment.flag == ShipmentFlag.EXCEPTION:
            _unflag(shipment)
        if target in NOTICES:
            key = newest.at.isoformat() if target is ShipmentStatus.DELIVERY_EXCEPTION else ""
            _notice(session, shipment, NOTICES[target], suffix=key)
    if target is not None and shipment.direction == ShipmentDirection.OUTBOUND:
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


def _flag(shipment: Shipment, flag: ShipmentFlag, reason: str, now: datetime) -> None:
    shipment.flag, shipment.flagged_reason, shipment.flagged_at = flag.value, reason[:300], now


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


# -- asking carriers ---------------------------------------------------------------------


@dataclass
class SyncReport:
    asked: dict[str, int] = field(default_factory=dict)
    applied: dict[str, int] = field(default_factory=dict)
    waiting: dict[str, str] = field(default_factory=dict)
    """Carrier -> why its due shipments wait for the next run (down, paused)."""


SYNC_LEASE = timedelta(minutes=2)
"""A claimed shipment is not claimed again for this long: overlapping sync runs never
ask twice, and a sync killed midway has its shipments asked again after it."""


def claim_due(engine: Engine, now: datetime, limit: int) -> dict[str, list[str]]:
    """Claim the shipments due for a sync (their next sync moved one lease ahead),
    by carrier, the longest-waiting first."""
    with Session(engine) as session:
        ids = session.exec(
            select(Shipment.id)
            .where(Shipment.next_sync_at.is_not(None), Shipment.next_sync_at <= now)
            .order_by(Shipment.next_sync_at)
            .limit(limit)
        ).all()
        claimed = session.execute(
            sa.update(Shipment)
            .where(Shipment.id.in_(ids), Shipment.next_sync_at <= now)
            .values(next_sync_at=now + SYNC_LEASE)
            .returning(Shipment.carrier, Shipment.tracking_number)
        ).all()
        session.commit()
    due: dict[str, list[str]] = {}
    for carrier, number in claimed:
        due.setdefault(carrier, []).append(number)
    return due


SYNC_BATCH = 30
"""Numbers asked and applied together: one request for carriers that take 30 at once
(FedEx), 30 requests in a row for those that take one (UPS, DHL, USPS); either way
one transaction applies them."""
SYNC_CONCURRENCY = {"fedex": 6, "ups": 6, "dhl": 3, "usps": 6}
"""Requests in flight per carrier at most, well inside what each allows an account
(DHL's tracking API is the strictest, so it gets the fewest)."""


def sync_due(
    engine: Engine,
    *,
    adapter_for: Callable[[str], Any],
    now: datetime | None = None,
    limit: int = 20_000,
    workers: int = 8,
) -> SyncReport:
    """Ask each carrier about every shipment due for a sync, in batches the carrier
    accepts, several at once; apply each batch as it comes. A carrier that fails
    leaves its shipments due, so the next run asks again: nothing is lost."""
    now = now or utcnow()
    due = claim_due(engine, now, limit)
    report = SyncReport()
    gates = {carrier: threading.BoundedSemaphore(n) for carrier, n in SYNC_CONCURRENCY.items()}
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {}
        for carrier, numbers in due.items():
            report.asked[carrier] = len(numbers)
            try:
                adapter = adapter_for(carrier)
            except CarrierUnavailable as why:
                report.waiting[carrier] = why.detail
                continue
            size = SYNC_BATCH
            batches = [numbers[i : i + size] for i in range(0, len(numbers), size)]
            futures[carrier] = (
                adapter,
                [
                    pool.submit(_sync_batch, engine, carrier, adapter, batch, now, gates[carrier])
                    for batch in batches
                ],
            )
        for carrier, (adapter, batch_futures) in futures.items():
            applied = 0
            for future in batch_futures:
                outcome = future.result()
                if isinstance(outcome, str):
                    report.waiting[carrier] = outcome
                else:
                    applied += outcome
            report.applied[carrier] = applied
            adapter.close()
    return report


def _sync_batch(engine, carrier: str, adapter, numbers, now, gate) -> int | str:
    try:
        with gate:
            updates = call_carrier(engine, carrier, lambda: adapter.track(numbers))
    except (CarrierError, CarrierUnavailable) as error:
        return getattr(error, "message", None) or str(error)
    applied = apply_updates(engine, carrier, updates, now=now)
    answered = {u.tracking_number for u in updates}
    silent = [n for n in numbers if n not in answered]
    if silent:  # the carrier knows nothing of them (yet): ask again later, not at once
        _postpone(engine, carrier, silent, now)
    return applied.shipments


def _postpone(engine: Engine, carrier: str, numbers: list[str], now: datetime) -> None:
    later = now + timedelta(seconds=get_settings().tracking_sync_seconds)
    with Session(engine) as session:
        session.execute(
            sa.update(Shipment)
            .where(Shipment.carrier == carrier, Shipment.tracking_number.in_(numbers))
            .values(next_sync_at=later)
        )
        session.commit()


# -- carriers' webhooks ------------------------------------------------------------------


def webhook_secret(session: Session, carrier: str) -> str | None:
    """The secret ``carrier`` signs its events with: the one an admin stored, or, for a
    carrier on its sandbox outside production, one derived from the app's secret."""
    row = account(session, carrier)
    if row.webhook_secret:
        return unseal(row.webhook_secret)
    settings = get_settings()
    if row.mode == CarrierMode.SANDBOX and settings.sandboxes_enabled:
        return f"whsec-{row.carrier}-{settings.secret_key[:24]}"
    return None


def receive_carrier_event(
    engine: Engine, *, carrier: str, body: bytes, signature: str | None
) -> Applied:
    """A carrier's signed webhook: checked, parsed with the carrier's own parser,
    applied. Unknown tracking numbers are ignored (the carrier would only retry)."""
    try:
        name = CarrierName(carrier)
    except ValueError:
        raise ValidationFailed.one("carrier", f"unknown carrier {carrier!r}") from None
    with Session(engine) as session:
        secret = webhook_secret(session, name.value)
    if secret is None:
        raise AuthenticationFailed(f"no webhook secret is configured for {name.value}")
    if not signature or not hmac.compare_digest(sign(body, secret), signature):
        raise AuthenticationFailed("the event's signature does not match")
    try:
        payload = json.loads(body)
    except ValueError:
        raise ValidationFailed.one("body", "must be JSON") from None
    try:
        updates = _module(name.value).parse_webhook(payload)
    except CarrierError as error:
        raise ValidationFailed.one("body", error.message) from None
    return apply_updates(engine, name.value, updates)


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
            sa.func.coalesce(Shipment.last_scan_at, Shipment.created_at) <= horizon,
        )
        order_ids = session.exec(select(Shipment.order_id).where(*quiet)).all()
        locks.lock_orders(session, ids=order_ids)
        candidates = session.exec(
            select(Shipment).where(*quiet).execution_options(populate_existing=True)
        ).all()
        flagged = 0
        for shipment in candidates:
            since = shipment.last_scan_at or shipment.created_at
            silent = business_hours_between(since, now)
            if silent < hours:
                continue
            _flag(
                shipment,
                ShipmentFlag.STUCK,
                f"No carrier scan for {silent:.0f} business hours (since {since:%d %b %H:%M} UTC)",
                now,
            )
            session.add(shipment)
            flagged += 1
        return flagged

    return run_in_transaction(engine, work)


_ACTIVE = [s.value for s in ShipmentStatus if s is not ShipmentStatus.DELIVERED]
