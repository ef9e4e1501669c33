"""The periodic tracking sync: every shipment due is claimed, asked about in batches
the carrier accepts, several at once within each carrier's cap, and each batch's news
applied (``tracking.apply_updates``) as it comes.

A carrier that fails leaves its shipments claimed until the lease ends; the next run
asks again, so a carrier down, a worker killed mid-sync or a crash loses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlmodel import Session, select

from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.models import Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.carrier_health import CarrierUnavailable, call_carrier
from oms_dashboard.services.tracking import apply_updates
from oms_dashboard.settings import get_settings


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
