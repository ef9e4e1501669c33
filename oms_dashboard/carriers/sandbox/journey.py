"""The sandbox carriers on their own: every package travels origin -> the carrier's hubs
-> out for delivery -> delivered over accelerated time (``OMS_SANDBOX_SPEED`` sandbox
seconds per real second; 0 stops the clock), and now and then the carrier's life gets
in the way: a delay (the estimate moves), a stall (no scan for days: the OMS's stuck
rule fires), a delivery exception (then a second attempt) or a signature required.

What happens to a package is decided once from its tracking number (the same number
always makes the same journey) and played as its time comes; each scan is recorded
with ``sandbox.record_scan`` like a harness call, so the OMS hears of it through the
carrier's webhook and its sync alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import sqlalchemy as sa
import zipcodes
from sqlmodel import Session, select

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus
from oms_dashboard.models import SandboxScan, SandboxShipment
from oms_dashboard.models.base import utcnow

S = ShipmentStatus

# Each carrier's main sorting hubs, with coordinates, so the map has somewhere to draw.
HUBS: dict[str, tuple[ScanLocation, ...]] = {
    "fedex": (
        ScanLocation("Memphis", "TN", "38118", "US", 35.05, -89.93),
        ScanLocation("Indianapolis", "IN", "46241", "US", 39.72, -86.29),
        ScanLocation("Oakland", "CA", "94621", "US", 37.72, -122.22),
    ),
    "ups": (
        ScanLocation("Louisville", "KY", "40213", "US", 38.17, -85.74),
        ScanLocation("Hodgkins", "IL", "60525", "US", 41.77, -87.86),
        ScanLocation("Ontario", "CA", "91761", "US", 34.06, -117.60),
    ),
    "dhl": (
        ScanLocation("Cincinnati Hub", "KY", "41048", "US", 39.05, -84.66),
        ScanLocation("Leipzig", None, "04435", "DE", 51.42, 12.24),
        ScanLocation("East Midlands", None, "DE74", "GB", 52.83, -1.33),
    ),
    "usps": (
        ScanLocation("Chicago NDC", "IL", "60808", "US", 41.69, -87.70),
        ScanLocation("Dallas NDC", "TX", "75260", "US", 32.90, -96.90),
        ScanLocation("Philadelphia NDC", "PA", "19176", "US", 39.88, -75.24),
    ),
}


@lru_cache(maxsize=4096)
def _zip_point(postal_code: str) -> tuple[float, float] | None:
    found = zipcodes.matching(postal_code[:5]) if postal_code[:5].isdigit() else []
    return (float(found[0]["lat"]), float(found[0]["long"])) if found else None


def located(place: ScanLocation) -> ScanLocation:
    """The place with coordinates where the sandbox can know them (US ZIPs)."""
    if place.lat is not None or place.country != "US" or not place.postal_code:
        return place
    point = _zip_point(place.postal_code)
    if point is None:
        return place
    return ScanLocation(place.city, place.region, place.postal_code, place.country, *point)


@dataclass(frozen=True)
class Step:
    after: timedelta
    """Sandbox time after the label was created."""
    status: ShipmentStatus
    location: ScanLocation
    reason: str | None = None
    delay_days: int = 0
    """When this scan is recorded the carrier's estimate moves this many days later."""


def plan(package: sandbox.SandboxPackage) -> list[Step]:
    """The whole journey of ``package``, decided by its number, in time order."""
    rng = random.Random(package.tracking_number)
    total = timedelta(days=_transit_days(package)) - timedelta(hours=6)
    hubs = rng.sample(HUBS[package.carrier], k=2)
    home = located(package.destination)
    steps = [
        Step(total * 0.15, S.IN_TRANSIT, hubs[0], "Departed origin facility"),
        Step(total * 0.5, S.IN_TRANSIT, hubs[1], "Arrived at sort facility"),
    ]
    trouble = rng.random()
    if trouble < 0.04:  # a stall: the package sits at the hub for four days
        stalled = Step(
            total * 0.5 + timedelta(days=4), S.IN_TRANSIT, hubs[1], "Arrived at sort facility", 4
        )
        return [steps[0], stalled, *_last_mile(total + timedelta(days=4), home)]
    if trouble < 0.12:  # a delay: weather or volume, a day or two later than promised
        late = rng.choice((1, 2))
        steps.append(
            Step(total * 0.6, S.IN_TRANSIT, hubs[1], "Delayed: weather at the sort facility", late)
        )
        return steps + _last_mile(total + timedelta(days=late), home)
    if trouble < 0.17:  # nobody home: an exception, then a second attempt the next day
        return (
            steps
            + [
                Step(total - timedelta(hours=3), S.OUT_FOR_DELIVERY, home, "Out for delivery"),
                Step(
                    total, S.DELIVERY_EXCEPTION, home, "Customer not available: delivery attempted"
                ),
            ]
            + _last_mile(total + timedelta(days=1), home)
        )
    return steps + _last_mile(total, home)


def _last_mile(arrive: timedelta, home: ScanLocation) -> list[Step]:
    return [
        Step(arrive - timedelta(hours=3), S.OUT_FOR_DELIVERY, home, "Out for delivery"),
        Step(arrive, S.DELIVERED, home, "Delivered"),
    ]


def needs_signature(tracking_number: str) -> bool:
    return random.Random(f"signature:{tracking_number}").random() < 0.1


def _transit_days(package: sandbox.SandboxPackage) -> int:
    offered = sandbox.SERVICES[package.carrier] + sandbox.ABROAD_ONLY.get(package.carrier, ())
    by_code = {service.code: service for service in offered}
    service = by_code.get(package.service, sandbox.SERVICES[package.carrier][0])
    abroad = package.origin.country != package.destination.country
    return sandbox.sandbox_quote(package.carrier, service, grams=1000, international=abroad)[1]


def advance(session: Session, *, now: datetime | None = None, speed: float) -> int:
    """Record every planned scan whose time has come; returns how many."""
    if speed <= 0:
        return 0
    now = now or utcnow()
    delivered = select(SandboxScan.tracking_number).where(SandboxScan.status == S.DELIVERED)
    active = session.exec(
        select(SandboxShipment).where(
            SandboxShipment.voided_at.is_(None),
            SandboxShipment.tracking_number.not_in(delivered),
        )
    ).all()
    counts = dict(
        session.exec(
            select(SandboxScan.tracking_number, sa.func.count())
            .where(SandboxScan.tracking_number.in_([s.tracking_number for s in active]))
            .group_by(SandboxScan.tracking_number)
        ).all()
    )
    recorded = 0
    for row in active:
        package = sandbox.packages(session, row.carrier, [row.tracking_number]).get(
            row.tracking_number
        )
        if package is None or package.status is S.DELIVERED:
            continue
        steps = plan(package)
        done = counts.get(row.tracking_number, 1) - 1  # the first scan is the label's
        elapsed = (now - package.created_at) * speed
        if done == 0 and needs_signature(row.tracking_number) and not row.signature_required:
            row.signature_required = True
        for step in steps[done:]:
            if step.after > elapsed:
                break
            if step.delay_days and row.estimated_delivery:
                row.estimated_delivery += timedelta(days=step.delay_days)
            sandbox.record_scan(
                session,
                carrier=row.carrier,
                tracking_number=row.tracking_number,
                status=step.status,
                location=step.location,
                reason=step.reason,
                at=package.created_at + step.after / speed,
            )
            recorded += 1
        session.add(row)
    return recorded
