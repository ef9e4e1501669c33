"""The carrier sandbox: what each carrier would know of a package, served from inside
the app in that carrier's own API shapes (``<carrier>.py`` beside this module), so the
real adapters and their parsing run against it over HTTP (in process).

Outside production only. State lives in the database (``sandbox_shipments``,
``sandbox_scans``), so every process answers the same; the test harness records
scans with ``POST /sandbox/carriers/{carrier}/shipments/{tracking_number}/scans``.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, select

from oms_dashboard.carriers.base import Party, ScanLocation, ShipmentStatus
from oms_dashboard.domain.delivery import add_business_days
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.ids import new_id
from oms_dashboard.models import SandboxScan, SandboxShipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import NotFound
from oms_dashboard.services.outbox import MessageKind, add_message

HARNESS_STATUSES = {
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "out_for_delivery": ShipmentStatus.OUT_FOR_DELIVERY,
    "delivered": ShipmentStatus.DELIVERED,
    "exception": ShipmentStatus.DELIVERY_EXCEPTION,
}
"""What the harness may say (API.md), in our words."""


@dataclass(frozen=True)
class SandboxEvent:
    at: datetime
    status: ShipmentStatus
    location: ScanLocation
    reason: str | None


@dataclass(frozen=True)
class SandboxPackage:
    """Everything a carrier renderer needs to answer about one package."""

    tracking_number: str
    carrier: str
    service: str
    origin: ScanLocation
    destination: ScanLocation
    estimated_delivery: date | None
    signature_required: bool
    created_at: datetime
    events: list[SandboxEvent]
    """Newest first, as carriers list them; the first one is the label's."""

    @property
    def status(self) -> ShipmentStatus:
        return self.events[0].status


def new_tracking_number(carrier: str, rng: random.Random | None = None) -> str:
    """A number shaped like the carrier's own (so adapters' checks accept it)."""
    rng = rng or random.SystemRandom()
    digits = lambda n: "".join(rng.choice(string.digits) for _ in range(n))  # noqa: E731
    name = CarrierName(carrier)
    if name is CarrierName.FEDEX:
        return digits(12)
    if name is CarrierName.UPS:
        return "1Z" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    if name is CarrierName.DHL:
        return digits(10)
    return "9400" + digits(18)


def register_package(
    session: Session,
    *,
    carrier: str,
    service: str,
    origin: ScanLocation,
    destination: ScanLocation,
    tracking_number: str | None = None,
    estimated_delivery: date | None = None,
    signature_required: bool = False,
    at: datetime | None = None,
) -> SandboxPackage:
    """A package the carrier has a label for: its first scan is "shipped" at the origin."""
    number = tracking_number or new_tracking_number(carrier)
    created = at or utcnow()
    session.add(
        SandboxShipment(
            tracking_number=number,
            carrier=CarrierName(carrier).value,
            service=service,
            origin_city=origin.city,
            origin_region=origin.region,
            origin_postal_code=origin.postal_code,
            origin_country=origin.country or "US",
            destination_city=destination.city,
            destination_region=destination.region,
            destination_postal_code=destination.postal_code,
            destination_country=destination.country or "US",
            estimated_delivery=estimated_delivery,
            signature_required=signature_required,
            created_at=created,
        )
    )
    session.flush()
    record_scan(
        session,
        carrier=carrier,
        tracking_number=number,
        status=ShipmentStatus.SHIPPED,
        location=origin,
        at=created,
    )
    return packages(session, carrier, [number])[number]


def record_scan(
    session: Session,
    *,
    carrier: str,
    tracking_number: str,
    status: ShipmentStatus,
    location: ScanLocation | None = None,
    reason: str | None = None,
    at: datetime | None = None,
) -> None:
    shipment = session.get(SandboxShipment, tracking_number)
    if shipment is None or shipment.carrier != carrier or shipment.voided_at is not None:
        raise NotFound(f"the {carrier} sandbox has no package {tracking_number!r}")
    where = location or ScanLocation(
        city=shipment.destination_city,
        region=shipment.destination_region,
        postal_code=shipment.destination_postal_code,
        country=shipment.destination_country,
    )
    scan_id = new_id("sbs")
    session.add(
        SandboxScan(
            id=scan_id,
            tracking_number=tracking_number,
            at=at or utcnow(),
            status=ShipmentStatus(status).value,
            city=where.city,
            region=where.region,
            postal_code=where.postal_code,
            country=where.country,
            lat=where.lat,
            lon=where.lon,
            reason=reason,
        )
    )
    session.flush()
    # The carrier tells the OMS, as a real one would (``webhooks.post_webhook``).
    add_message(
        session,
        kind=MessageKind.SANDBOX_CARRIER_WEBHOOK,
        dedupe_key=f"sandbox-webhook:{scan_id}",
        payload={"carrier": carrier, "tracking_number": tracking_number},
    )


class AlreadyMoving(Exception):
    """A label the carrier has scanned past pick-up can no longer be cancelled."""


def void_package(session: Session, *, carrier: str, tracking_number: str) -> None:
    """The shipper cancels the label: from then on the carrier does not know the number."""
    found = packages(session, carrier, [tracking_number]).get(tracking_number)
    if found is None:
        raise NotFound(f"the {carrier} sandbox has no package {tracking_number!r}")
    if found.status is not ShipmentStatus.SHIPPED:
        raise AlreadyMoving(f"package {tracking_number} is already {found.status.value}")
    session.get(SandboxShipment, tracking_number).voided_at = utcnow()
    session.flush()


def delivery_date(transit_days: int, *, start: date | None = None) -> date:
    """The day a package sent on ``start`` (today) arrives: ``transit_days`` business
    days later (the sandbox carriers keep no holidays)."""
    return add_business_days(start or utcnow().date(), transit_days)


def place_of(party: Party) -> ScanLocation:
    """Where a shipper or recipient is, as the sandbox scans it."""
    return ScanLocation(
        city=party.city, region=party.region, postal_code=party.postal_code, country=party.country
    )


def packages(session: Session, carrier: str, numbers: list[str]) -> dict[str, SandboxPackage]:
    """The carrier's live packages among ``numbers`` (unknown and voided numbers are
    simply absent)."""
    shipments = session.exec(
        select(SandboxShipment).where(
            SandboxShipment.carrier == carrier,
            SandboxShipment.tracking_number.in_(numbers),
            SandboxShipment.voided_at.is_(None),
        )
    ).all()
    scans = session.exec(
        select(SandboxScan)
        .where(SandboxScan.tracking_number.in_([s.tracking_number for s in shipments]))
        .order_by(SandboxScan.at.desc(), SandboxScan.id.desc())
    ).all()
    events: dict[str, list[SandboxEvent]] = {}
    for scan in scans:
        events.setdefault(scan.tracking_number, []).append(
            SandboxEvent(
                at=scan.at,
                status=ShipmentStatus(scan.status),
                location=ScanLocation(
                    city=scan.city,
                    region=scan.region,
                    postal_code=scan.postal_code,
                    country=scan.country,
                    lat=scan.lat,
                    lon=scan.lon,
                ),
                reason=scan.reason,
            )
        )
    return {
        s.tracking_number: SandboxPackage(
            tracking_number=s.tracking_number,
            carrier=s.carrier,
            service=s.service,
            origin=ScanLocation(
                city=s.origin_city,
                region=s.origin_region,
                postal_code=s.origin_postal_code,
                country=s.origin_country,
            ),
            destination=ScanLocation(
                city=s.destination_city,
                region=s.destination_region,
                postal_code=s.destination_postal_code,
                country=s.destination_country,
            ),
            estimated_delivery=s.estimated_delivery,
            signature_required=s.signature_required,
            created_at=s.created_at,
            events=events.get(s.tracking_number, []),
        )
        for s in shipments
    }


@dataclass(frozen=True)
class SandboxService:
    code: str
    """The carrier's own service code, as its rate answers name it."""
    tier: int
    """0 ground/economy, 1 two-day/priority, 2 overnight/express."""


SERVICES = {
    CarrierName.FEDEX: (
        SandboxService("FEDEX_GROUND", 0),
        SandboxService("FEDEX_2_DAY", 1),
        SandboxService("PRIORITY_OVERNIGHT", 2),
    ),
    CarrierName.UPS: (SandboxService("03", 0), SandboxService("02", 1), SandboxService("01", 2)),
    CarrierName.DHL: (SandboxService("N", 0), SandboxService("P", 2)),
    CarrierName.USPS: (
        SandboxService("USPS_GROUND_ADVANTAGE", 0),
        SandboxService("PRIORITY_MAIL", 1),
        SandboxService("PRIORITY_MAIL_EXPRESS", 2),
    ),
}
"""What each sandbox carrier offers (its published codes for these services)."""
ABROAD_ONLY = {
    CarrierName.USPS: (
        SandboxService("PRIORITY_MAIL_INTERNATIONAL", 1),
        SandboxService("PRIORITY_MAIL_EXPRESS_INTERNATIONAL", 2),
    ),
}
"""Services a sandbox carrier offers only to another country (USPS's international classes)."""

_BASE_CENTS = (899, 1899, 3499)
_PER_KG_CENTS = (150, 300, 550)
_DAYS = ((5, 2, 1), (8, 4, 2))  # domestic, international


def sandbox_quote(
    carrier: str, service: SandboxService, *, grams: int, international: bool
) -> tuple[int, int]:
    """(price in cents, transit days) the sandbox carrier asks: deterministic, cheaper
    on the ground, dearer abroad, so the cheapest-in-time choice is a real one."""
    started_kg = max(1, -(-grams // 1000))
    cents = _BASE_CENTS[service.tier] + _PER_KG_CENTS[service.tier] * (started_kg - 1)
    cents += 1500 if international else 0
    cents += {"fedex": 0, "ups": 35, "dhl": 120, "usps": -60}[CarrierName(carrier).value]
    return cents, _DAYS[international][service.tier]
