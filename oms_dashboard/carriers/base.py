"""What every carrier adapter speaks: tracking updates, rate quotes, errors, the protocol.

The types here are the carrier-neutral shapes the rest of the OMS reads; each
adapter turns its carrier's JSON into them. Times are timezone-aware: a carrier
that gives local time without an offset is read in the scan location's zone
(``local_zone``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from oms_dashboard.domain.tracking import ShipmentStatus


@dataclass(frozen=True)
class StatusCode:
    """One row of a carrier's status table: its code, our status (None when the code
    says nothing about where the package is), and what the carrier says it means."""

    code: str
    status: ShipmentStatus | None
    meaning: str


def status_table(*rows: StatusCode) -> Mapping[str, StatusCode]:
    table = {row.code: row for row in rows}
    if len(table) != len(rows):
        raise ValueError("a carrier's status table lists a code twice")
    return table


@dataclass(frozen=True)
class ScanLocation:
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None

    @property
    def label(self) -> str:
        """``Memphis, TN, US``: what a timeline shows."""
        return ", ".join(p for p in (self.city, self.region, self.country) if p)


@dataclass(frozen=True)
class Scan:
    at: datetime
    code: str
    description: str
    location: ScanLocation | None = None


@dataclass(frozen=True)
class TrackingUpdate:
    tracking_number: str
    status: ShipmentStatus | None
    scans: list[Scan] = field(default_factory=list)
    """Newest first, as every carrier lists them."""
    estimated_delivery: date | None = None
    signature_required: bool = False


@dataclass(frozen=True)
class RateQuote:
    service: str
    amount: Decimal
    currency: str
    transit_days: int | None = None


class CarrierError(Exception):
    """The carrier refused or failed; ``message`` is the carrier's own words.

    ``transient`` marks what may work if tried again later (a timeout, the carrier
    unreachable, a 5xx, a rate limit): retries, backoff and the circuit breaker act
    on it; anything else (a bad address, an unknown number) is final.
    """

    def __init__(
        self, carrier: str, message: str, *, code: str | None = None, transient: bool = False
    ) -> None:
        self.carrier, self.message, self.code = carrier, message, code
        self.transient = transient
        super().__init__(f"{carrier}: {message}" + (f" ({code})" if code else ""))


@dataclass(frozen=True)
class Parcel:
    weight_grams: int
    length_mm: int
    width_mm: int
    height_mm: int


class CustomsPurpose(StrEnum):
    """Why goods cross the border: sold to the recipient, or sent back to the seller."""

    SALE = "SALE"
    RETURN = "RETURN"


@dataclass(frozen=True)
class Commodity:
    """One line of a customs declaration: what it is, its tariff code, where it was made,
    how many, what one is worth and what they all weigh."""

    description: str
    hs_code: str | None
    """6 to 10 digits; None only for data older than the rule (the carrier refuses it)."""
    origin_country: str
    quantity: int
    unit_value: Decimal
    currency: str
    weight_grams: int
    """Of all ``quantity`` units together."""
    sku: str | None = None

    @property
    def value(self) -> Decimal:
        return self.unit_value * self.quantity


@dataclass(frozen=True)
class Customs:
    """What customs are told about a parcel that crosses a border: its goods, why they
    travel, and the commercial invoice (the order number, the day of shipping)."""

    commodities: tuple[Commodity, ...]
    purpose: CustomsPurpose
    invoice_number: str
    invoice_date: date

    def __post_init__(self) -> None:
        if not self.commodities:
            raise ValueError("customs: a declaration lists at least one commodity")
        if len({c.currency for c in self.commodities}) > 1:
            raise ValueError("customs: every commodity is valued in one currency")

    @property
    def currency(self) -> str:
        return self.commodities[0].currency

    @property
    def total_value(self) -> Decimal:
        return sum((c.value for c in self.commodities), Decimal(0))

    @property
    def weight_grams(self) -> int:
        return sum(c.weight_grams for c in self.commodities)

    def returned(self) -> Customs:
        """The same goods declared for their way back."""
        return replace(self, purpose=CustomsPurpose.RETURN)


@dataclass(frozen=True)
class Party:
    """A shipper or recipient as carriers need them."""

    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    region: str | None = None
    line2: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Label:
    """What buying a label returns: the number, the printable label, what it cost."""

    tracking_number: str
    service: str
    label_pdf: bytes
    """A 4x6 in PDF, decoded from the carrier's answer."""
    carrier_reference: str | None = None
    """The carrier's id for the shipment, when cancelling needs more than the number."""
    charge: RateQuote | None = None
    estimated_delivery: date | None = None


class Carrier(Protocol):
    name: str

    def quote(self, *, shipper: Party, recipient: Party, parcel: Parcel) -> list[RateQuote]: ...

    def create_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        """``customs`` for a parcel crossing a border; None at home."""
        ...

    def create_return_label(
        self,
        *,
        shipper: Party,
        recipient: Party,
        parcel: Parcel,
        service: str,
        customs: Customs | None = None,
    ) -> Label:
        """The label back from ``recipient`` to ``shipper``; ``customs`` are the outbound
        goods, declared as returned (``Customs.returned``)."""
        ...

    def track(self, tracking_numbers: list[str]) -> list[TrackingUpdate]: ...

    def parse_webhook(self, body: dict[str, Any]) -> list[TrackingUpdate]: ...

    def cancel_label(self, tracking_number: str) -> None: ...


# -- reading carriers' times ------------------------------------------------------------

_CANADA = {
    "BC": "America/Vancouver",
    "AB": "America/Edmonton",
    "SK": "America/Regina",
    "MB": "America/Winnipeg",
    "ON": "America/Toronto",
    "QC": "America/Toronto",
    "NB": "America/Halifax",
    "NS": "America/Halifax",
    "PE": "America/Halifax",
    "NL": "America/St_Johns",
    "YT": "America/Whitehorse",
    "NT": "America/Yellowknife",
    "NU": "America/Iqaluit",
}
_ONE_ZONE_FALLBACK = {"US": "America/New_York", "CA": "America/Toronto", "AU": "Australia/Sydney"}


@lru_cache(maxsize=4096)
def local_zone(
    country: str | None, region: str | None = None, postal_code: str | None = None
) -> ZoneInfo:
    """The time zone of a scan's place: by ZIP in the US, by province in Canada, by
    country elsewhere; UTC when nothing is known."""
    country = (country or "").upper()
    if country == "US":
        import zipcodes

        zip5 = (postal_code or "")[:5]
        found = zipcodes.matching(zip5) if zip5.isdigit() and len(zip5) == 5 else []
        if not found and region:
            found = zipcodes.filter_by(state=region.upper())[:1]
        if found and found[0].get("timezone"):
            return ZoneInfo(found[0]["timezone"])
    if country == "CA" and (region or "").upper() in _CANADA:
        return ZoneInfo(_CANADA[region.upper()])
    if country in _ONE_ZONE_FALLBACK:
        return ZoneInfo(_ONE_ZONE_FALLBACK[country])
    if country:
        from babel.core import get_global

        zones = get_global("territory_zones").get(country)
        if zones:
            return ZoneInfo(zones[0])
    return ZoneInfo("UTC")


def aware(value: datetime, location: ScanLocation | None) -> datetime:
    """A carrier's time made timezone-aware: its own offset if it gave one, else the
    scan location's zone."""
    if value.tzinfo is not None:
        return value
    if location is None:
        return value.replace(tzinfo=ZoneInfo("UTC"))
    return value.replace(tzinfo=local_zone(location.country, location.region, location.postal_code))
