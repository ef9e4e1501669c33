"""What a demo shipment's carrier said: a scan for each carrier event of the order's
timeline, where it happened (with coordinates, so the order page has a map), and
what the shipment row holds after them — the carrier's estimate (and the
``shipment.delayed`` event tracking writes when it passes the promise), when the
carrier last answered, the signature it asks for, and support's flag.

Everything is derived from the timeline already planned, by the product's own
rules (``domain.tracking``); the little randomness here comes from a generator of
its own, so adding scans leaves the rest of the mall exactly as it was.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from oms_dashboard.carriers.base import ScanLocation
from oms_dashboard.demo.carriers import HUB_PLACES
from oms_dashboard.demo.dates import local_date
from oms_dashboard.demo.timeline import Ev, fact
from oms_dashboard.domain.tracking import (
    ShipmentFlag,
    ShipmentStatus,
    business_hours_between,
    is_stuck,
)
from oms_dashboard.gazetteer import locate

Row = dict[str, Any]
SIGNATURE_FROM_MINOR = 40_000
"""Carriers ask for a signature on parcels worth this much or more (400.00)."""

# event type -> (the carrier's code, what it means in our words)
CODES: dict[str, tuple[str, ShipmentStatus]] = {
    "order.shipped": ("LC", ShipmentStatus.SHIPPED),
    "shipment.in_transit": ("PU", ShipmentStatus.IN_TRANSIT),
    "shipment.scan": ("AR", ShipmentStatus.IN_TRANSIT),
    "shipment.exception": ("DE", ShipmentStatus.DELIVERY_EXCEPTION),
    "shipment.out_for_delivery": ("OD", ShipmentStatus.OUT_FOR_DELIVERY),
    "order.delivered": ("DL", ShipmentStatus.DELIVERED),
}
RESUMED_CODE = "RS"
"""Back in transit after an exception, at the place the exception happened."""
MOVING = ("PU", "AR", RESUMED_CODE)
"""Scans after which a parcel travels: carriers keep scanning it every working day."""


@dataclass
class CarrierNews:
    events: list[Ev]
    """The order's timeline, with ``shipment.delayed`` where the carrier said so."""
    scans: list[Row] = field(default_factory=list)
    """Oldest first; ``shipment_id`` and ``id`` are filled in by ``scan_rows``."""
    shipment: Row = field(default_factory=dict)
    """Columns of the shipment row beyond what the order gives."""


def place(
    city: str | None, region: str | None, country: str, postal_code: str | None = None
) -> ScanLocation:
    found = locate(city, region, country, postal_code)
    lat, lon = found if found else (None, None)
    return ScanLocation(
        city=city, region=region, postal_code=postal_code, country=country, lat=lat, lon=lon
    )


def hub_place(hub: str) -> ScanLocation:
    city, region, country = HUB_PLACES[hub]
    return place(city, region, country)


def carrier_news(
    rng: random.Random,
    *,
    events: list[Ev],
    plan: list[Ev],
    now: datetime,
    origin: ScanLocation,
    destination: ScanLocation,
    dest_tz: str,
    promised: date | None,
    total_minor: int,
    stuck_hours: int,
) -> CarrierNews:
    """``events`` is the timeline so far, ``plan`` the whole journey ahead."""
    scans = _between(rng, _scans(events, origin, destination), now)
    planned = next((e.at for e in plan if e.type == "order.delivered"), None)
    estimate = local_date(planned, dest_tz) if planned else None
    picked_up = next((e.at for e in events if e.type == "shipment.in_transit"), None)
    told = picked_up + timedelta(minutes=2) if picked_up else None
    news = CarrierNews(events=list(events))
    if told is None or told > now or estimate is None:
        estimate = None  # the carrier has not given its own date yet
    elif promised and estimate > promised:
        delayed = fact(
            told,
            "shipment.delayed",
            "carrier",
            f"Delivery now expected {estimate:%a %d %b}, was {promised:%a %d %b}",
            **{"from": promised.isoformat(), "to": estimate.isoformat()},
        )
        news.events = sorted([*events, delayed], key=lambda e: e.at)
    news.scans = scans
    last_scan = scans[-1]["at"]
    delivered = events[-1].type == "order.delivered"
    if delivered:
        synced = last_scan + timedelta(minutes=rng.uniform(1, 20))
    else:  # the sync asks about it every few minutes
        synced = max(last_scan, now - timedelta(minutes=rng.uniform(1, 30)))
    news.shipment = {
        "estimated_delivery": estimate,
        "signature_required": total_minor >= SIGNATURE_FROM_MINOR,
        "last_scan_at": last_scan,
        "last_synced_at": synced,
        **_flag(events, scans, now, stuck_hours),
    }
    return news


def _scans(events: list[Ev], origin: ScanLocation, destination: ScanLocation) -> list[Row]:
    rows: list[Row] = []
    where = origin
    for event in events:
        if event.type not in CODES or (event.actor != "carrier" and event.type != "order.shipped"):
            continue
        code, status = CODES[event.type]
        if event.type == "shipment.scan":
            where = hub_place(event.data["location"])
        elif event.type == "shipment.in_transit" and rows and rows[-1]["code"] == "DE":
            code = RESUMED_CODE  # resumed where it was held
        elif event.type == "shipment.exception":
            if event.from_status == ShipmentStatus.OUT_FOR_DELIVERY:
                where = destination  # at the door
        elif event.type in ("shipment.out_for_delivery", "order.delivered"):
            where = destination
        rows.append(
            {
                "at": event.at,
                "code": code,
                "status": status.value,
                "description": event.note or status.value,
                "city": where.city,
                "region": where.region,
                "postal_code": where.postal_code,
                "country": where.country,
                "lat": where.lat,
                "lon": where.lon,
            }
        )
    return rows


def _between(rng: random.Random, scans: list[Row], now: datetime) -> list[Row]:
    """A parcel on the move is scanned every working day, not only at the hubs the
    timeline names: it leaves the place it arrived at, then is "in transit"."""
    out: list[Row] = []
    for n, scan in enumerate(scans):
        out.append(scan)
        if scan["code"] not in MOVING:
            continue
        until = scans[n + 1]["at"] if n + 1 < len(scans) else now
        left = scan["at"] + timedelta(hours=rng.uniform(3, 8))
        if until - scan["at"] < timedelta(hours=30) or left >= until:
            continue
        out.append(_quiet(scan, left, "DP", f"Departed {scan['city']}" if scan["city"] else ""))
        day = left + timedelta(days=1)
        while day < until - timedelta(hours=2):
            if day.weekday() < 5:
                out.append(_quiet(scan, day, "IT", "In transit", place=False))
            day += timedelta(days=1, minutes=rng.uniform(-90, 90))
    return out


def _quiet(scan: Row, at: datetime, code: str, description: str, place: bool = True) -> Row:
    where = {k: scan[k] if place else None for k in ("city", "region", "postal_code", "country")}
    coords = {k: scan[k] if place else None for k in ("lat", "lon")}
    return {
        **scan,
        **where,
        **coords,
        "at": at,
        "code": code,
        "status": ShipmentStatus.IN_TRANSIT.value,
        "description": description or "Departed facility",
    }


def _flag(events: list[Ev], scans: list[Row], now: datetime, hours: int) -> Row:
    """What support sees, as tracking and the stuck check would have left it."""
    none = {"flag": None, "flagged_reason": None, "flagged_at": None}
    last = events[-1]
    if last.to_status == ShipmentStatus.DELIVERY_EXCEPTION:
        scan = scans[-1]
        label = ScanLocation(
            city=scan["city"], region=scan["region"], country=scan["country"]
        ).label
        reason = f"{scan['description']}, {label}" if label else scan["description"]
        return {
            "flag": ShipmentFlag.EXCEPTION.value,
            "flagged_reason": reason,
            "flagged_at": last.at,
        }
    if last.type == "order.delivered":
        return none
    since = scans[-1]["at"]
    if not is_stuck(since, now, hours=hours):
        return none
    flagged = since + timedelta(hours=hours)
    while business_hours_between(since, flagged) < hours:
        flagged += timedelta(hours=1)
    return {
        "flag": ShipmentFlag.STUCK.value,
        "flagged_reason": f"No carrier scan for {hours} business hours "
        f"(since {since:%d %b %H:%M} UTC)",
        "flagged_at": flagged,
    }


def scan_rows(news: CarrierNews, shipment_id: str, new_id) -> list[Row]:
    """The scans as ``shipment_scans`` rows; ``new_id(prefix, at)`` makes the ids."""
    return [
        {
            "id": new_id("scn", scan["at"]),
            "shipment_id": shipment_id,
            **scan,
            "recorded_at": scan["at"],
        }
        for scan in news.scans
    ]
