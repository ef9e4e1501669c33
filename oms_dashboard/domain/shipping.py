"""Shipping cost of one seller's shipment: packages, zone, rate table, customs checks.

Units, all integers so the cost is exact to the cent:
- weights in grams, dimensions in millimetres, money in the rate table's minor units;
- dimensional weight uses the parcel carriers' divisor of 5000 cm³ per kg. In our
  units that is mm³ / 5000 grams (1 cm³ = 1000 mm³, 1 kg = 1000 g, so
  cm³/5000 kg = mm³/1000/5000·1000 g = mm³/5000 g): 400×300×200 mm → 4800 g;
- a package's price is its zone's base (which covers the first kg) plus
  ``per_kg_minor`` for every further *started* kg of billable weight, as carriers
  round billable weight up to the next whole kg.

Packing is first-fit decreasing: units heaviest (then bulkiest) first, each into the
first open package that stays within the carrier limits. Each item lies flat with its
smallest side up and items are stacked on top of each other, so a package measures
(longest length, longest width, sum of heights). That over-estimates the box a little,
which errs on the side of the carrier's bill, and is deterministic.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from typing import Any

from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.money import exponent, to_minor

MAX_PACKAGE_GRAMS = 30_000
MAX_LONGEST_SIDE_MM = 1_200
MAX_LENGTH_PLUS_GIRTH_MM = 3_000
DIM_DIVISOR_MM3_PER_GRAM = 5_000


class ServiceLevel(StrEnum):
    STANDARD = "standard"  # ground
    EXPRESS = "express"  # air


DOMESTIC_ZONES = ("1", "2", "3", "4", "5", "6", "7", "8")
NEIGHBOUR = "neighbour"
INTERNATIONAL = "international"
ZONES = (*DOMESTIC_ZONES, NEIGHBOUR, INTERNATIONAL)

EU_COUNTRIES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
    "IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
})  # fmt: skip
EUROPE_GROUP = EU_COUNTRIES | {"GB"}
NORTH_AMERICA_GROUP = frozenset({"US", "CA"})

# ZIP3 prefixes outside the contiguous states (PR/VI, AK, HI, Pacific territories,
# military mail): always the farthest zone, whatever the digit distance says.
_US_NONCONTIGUOUS_ZIP3 = (range(6, 10), range(90, 100), range(962, 970), range(995, 1000))
# |ZIP3 difference| upper bound -> zone. The first ZIP digit is a band of states
# running east to west, so the digit distance is a rough stand-in for miles.
_US_ZONE_BUCKETS = ((0, "1"), (9, "2"), (49, "3"), (99, "4"), (199, "5"), (399, "6"), (599, "7"))
_HS_CODE = re.compile(r"\d{6,10}")


class ShippingError(DomainError):
    code = "shipping-refused"


@dataclass(frozen=True)
class Refusal:
    line_index: int
    sku: str
    reason: str

    def to_error(self) -> dict[str, str]:
        """The API's ``errors`` entry for this line."""
        return {"field": f"lines[{self.line_index}].sku", "message": self.reason}


class ShippingRefused(ShippingError):
    """One or more lines cannot be shipped as asked; ``refusals`` says which and why."""

    def __init__(self, refusals: Sequence[Refusal]) -> None:
        self.refusals = list(refusals)
        super().__init__("; ".join(f"{r.sku}: {r.reason}" for r in self.refusals))

    def errors(self) -> list[dict[str, str]]:
        return [r.to_error() for r in self.refusals]


class UnknownServiceLevel(ShippingError):
    code = "unknown-service-level"
    field = "service_level"


class InvalidRateTable(ShippingError, ValueError):
    code = "invalid-rate-table"


@dataclass(frozen=True)
class Place:
    country: str
    postal_code: str = ""
    region: str | None = None


@dataclass(frozen=True)
class ShipItem:
    line_index: int
    sku: str
    quantity: int
    weight_grams: int
    length_mm: int = 0
    width_mm: int = 0
    height_mm: int = 0
    digital: bool = False
    restricted: bool = False
    hs_code: str | None = None
    unit_value_minor: int | None = None

    def __post_init__(self) -> None:
        if self.quantity < 1:
            raise ValueError(f"{self.sku}: quantity must be at least 1")
        if min(self.weight_grams, self.length_mm, self.width_mm, self.height_mm) < 0:
            raise ValueError(f"{self.sku}: weight and dimensions cannot be negative")

    @property
    def sides(self) -> tuple[int, ...]:
        """Longest side first: the item lies flat, smallest side up."""
        return tuple(sorted((self.length_mm, self.width_mm, self.height_mm), reverse=True))


@dataclass(frozen=True)
class Package:
    items: tuple[tuple[int, str, int], ...]
    """(line_index, sku, quantity) of what is inside."""
    actual_grams: int
    billable_grams: int
    dims_mm: tuple[int, int, int]
    """Length ≥ width ≥ height."""
    cost_minor: int


@dataclass(frozen=True)
class ShippingQuote:
    cost_minor: int
    currency: str
    zone: str
    service_level: ServiceLevel
    packages: tuple[Package, ...]
    free_shipping_applied: bool


@dataclass(frozen=True)
class ServiceRates:
    base_minor: Mapping[str, int]
    """Per package, by zone; covers the first kg."""
    per_kg_minor: Mapping[str, int]
    """Per further started kg of billable weight, by zone."""


@dataclass(frozen=True)
class RateTable:
    currency: str
    services: Mapping[str, ServiceRates]
    free_shipping_threshold_minor: int | None = None
    """Subtotal at or above which standard shipping is free; None: never free."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "currency": self.currency,
            "free_shipping_threshold_minor": self.free_shipping_threshold_minor,
            "services": {
                level: {"base_minor": dict(r.base_minor), "per_kg_minor": dict(r.per_kg_minor)}
                for level, r in self.services.items()
            },
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> RateTable:
        """Read a stored table back, refusing one a quote could not use."""
        try:
            currency = str(data["currency"]).upper()
            exponent(currency)
            threshold = data.get("free_shipping_threshold_minor")
            services = {
                level.value: _service_rates(data["services"][level], level)
                for level in ServiceLevel
            }
        except (KeyError, TypeError, ValueError) as exc:
            raise InvalidRateTable(f"invalid rate table: {exc}") from exc
        if threshold is not None and (type(threshold) is not int or threshold < 0):
            raise InvalidRateTable("free_shipping_threshold_minor must be a whole number ≥ 0")
        return cls(currency, services, threshold)


def _service_rates(data: Mapping[str, Any], level: str) -> ServiceRates:
    prices = {}
    for kind in ("base_minor", "per_kg_minor"):
        if missing := [z for z in ZONES if z not in data[kind]]:
            raise ValueError(f"{level} {kind} lacks zones {', '.join(missing)}")
        if bad := [z for z in ZONES if type(data[kind][z]) is not int or data[kind][z] < 0]:
            raise ValueError(f"{level} {kind} must be whole minor units ≥ 0 (zones {bad})")
        prices[kind] = {z: data[kind][z] for z in ZONES}
    return ServiceRates(**prices)


# US list prices in cents, zones 1..8, neighbour, international; loosely after USPS
# Ground Advantage (standard) and UPS 2nd Day Air / international express (express).
_USD = {
    "standard": ((599, 639, 679, 749, 829, 899, 979, 1099, 1899, 2999),
                 (60, 70, 85, 100, 125, 150, 175, 200, 400, 800)),
    "express": ((1999, 2199, 2499, 2899, 3299, 3699, 3999, 4499, 5499, 6999),
                (200, 225, 250, 300, 350, 375, 400, 450, 900, 1500)),
}  # fmt: skip
_USD_FREE_SHIPPING = 5000
# Rough list-price parity with USD (not an exchange rate: local price points).
_PRICE_PARITY = {"USD": "1", "CAD": "1.35", "AUD": "1.5", "EUR": "0.95", "GBP": "0.8",
                 "CHF": "0.9", "SEK": "10.5", "MXN": "18", "JPY": "150", "KRW": "1350"}  # fmt: skip


def default_rate_table(currency: str = "USD") -> RateTable:
    """The mall's rates for a seller without its own table."""
    return _default_rate_table(currency.upper())


@functools.cache
def _default_rate_table(currency: str) -> RateTable:
    """Built once per currency: the table is fixed and frozen."""
    exponent(currency)  # refuses an unsupported currency
    factor = Decimal(_PRICE_PARITY.get(currency, "1"))

    def convert(cents: int) -> int:
        return to_minor(Decimal(cents) / 100 * factor, currency)

    services = {
        level: ServiceRates(
            base_minor={z: convert(c) for z, c in zip(ZONES, base, strict=True)},
            per_kg_minor={z: convert(c) for z, c in zip(ZONES, per_kg, strict=True)},
        )
        for level, (base, per_kg) in _USD.items()
    }
    return RateTable(currency, services, convert(_USD_FREE_SHIPPING))


def in_europe_group(country: str) -> bool:
    """EU members and the UK: one "neighbour" rate between any two of them."""
    return country.upper() in EUROPE_GROUP


def shipping_zone(origin: Place, destination: Place) -> str:
    """Domestic zones 1–8 by postal distance; "neighbour" for US↔CA and within
    Europe; "international" otherwise."""
    src, dst = origin.country.upper(), destination.country.upper()
    if src != dst:
        if {src, dst} <= NORTH_AMERICA_GROUP or (in_europe_group(src) and in_europe_group(dst)):
            return NEIGHBOUR
        return INTERNATIONAL
    if src == "US":
        return _us_zone(origin.postal_code, destination.postal_code)
    # Elsewhere only near/far: zone 2 within the same postal region, zone 4 between them.
    a, b = _postal_region(origin), _postal_region(destination)
    return "2" if a and a == b else "4"


def _us_zone(origin_zip: str, destination_zip: str) -> str:
    a, b = origin_zip.strip()[:3], destination_zip.strip()[:3]
    if not (len(a) == len(b) == 3 and a.isdigit() and b.isdigit()):
        return "8"  # unknown distance: charge the farthest zone rather than undercharge
    za, zb = int(a), int(b)
    if any(z in r for r in _US_NONCONTIGUOUS_ZIP3 for z in (za, zb)) and za != zb:
        return "8"
    distance = abs(za - zb)
    return next((zone for limit, zone in _US_ZONE_BUCKETS if distance <= limit), "8")


def _postal_region(place: Place) -> str:
    """CA: the FSA's first letter; GB: the postcode area letters; else the first
    character of the postal code; the region name when there is no postal code."""
    postal = place.postal_code.strip().upper()
    if not postal:
        return (place.region or "").strip().upper()
    if place.country.upper() == "GB":
        return re.match(r"[A-Z]*", postal).group() or postal[:1]
    return postal[:1]


def quote_shipment(
    items: Sequence[ShipItem],
    *,
    origin: Place,
    destination: Place,
    service_level: str,
    rates: RateTable,
    subtotal_minor: int,
) -> ShippingQuote:
    """Price one seller's shipment; raise ``ShippingRefused`` naming every line that
    cannot go. ``subtotal_minor`` is the order's goods total in ``rates.currency``."""
    try:
        level = ServiceLevel(service_level)
    except ValueError:
        raise UnknownServiceLevel(
            f"service level must be standard or express, not {service_level!r}"
        ) from None
    zone = shipping_zone(origin, destination)
    physical = [item for item in items if not item.digital]
    refusals = [r for item in physical for r in _refusals(item, zone, level)]
    if refusals:
        raise ShippingRefused(refusals)
    service = rates.services[level]
    packages = tuple(
        _priced(box, service.base_minor[zone], service.per_kg_minor[zone])
        for box in _pack(physical)
    )
    threshold = rates.free_shipping_threshold_minor
    free = level is ServiceLevel.STANDARD and threshold is not None and subtotal_minor >= threshold
    free = free and bool(packages)  # nothing to ship is not "free shipping"
    cost = 0 if free else sum(p.cost_minor for p in packages)
    return ShippingQuote(cost, rates.currency, zone, level, packages, free)


def _refusals(item: ShipItem, zone: str, level: ServiceLevel) -> list[Refusal]:
    reasons = []
    abroad = zone in (NEIGHBOUR, INTERNATIONAL)
    if (limit := _over_limits(item.weight_grams, item.sides)) is not None:
        reasons.append(f"{item.sku} is too big for a parcel carrier: {limit}")
    if abroad:
        if item.restricted:
            reasons.append(f"{item.sku} is a restricted item and cannot be shipped abroad")
        hs_code = (item.hs_code or "").replace(".", "").replace(" ", "")
        if not _HS_CODE.fullmatch(hs_code):
            reasons.append(f"{item.sku} needs an HS code (6 to 10 digits) to cross the border")
        if item.unit_value_minor is None or item.unit_value_minor <= 0:
            reasons.append(f"{item.sku} needs a declared customs value to cross the border")
    if item.restricted and level is ServiceLevel.EXPRESS and not abroad:
        reasons.append(f"{item.sku} is a restricted item and cannot fly: choose standard")
    return [Refusal(item.line_index, item.sku, reason) for reason in reasons]


def _over_limits(grams: int, sides: Sequence[int]) -> str | None:
    length, width, height = sorted(sides, reverse=True)
    if grams > MAX_PACKAGE_GRAMS:
        return f"{grams / 1000:g} kg is over the {MAX_PACKAGE_GRAMS // 1000} kg limit"
    if length > MAX_LONGEST_SIDE_MM:
        return f"its {length} mm side is over the {MAX_LONGEST_SIDE_MM} mm limit"
    if length + 2 * (width + height) > MAX_LENGTH_PLUS_GIRTH_MM:
        return f"length + girth is over {MAX_LENGTH_PLUS_GIRTH_MM} mm"
    return None


@dataclass
class _Box:
    grams: int = 0
    length: int = 0
    width: int = 0
    height: int = 0
    units: list[ShipItem] = field(default_factory=list)

    def with_unit(self, item: ShipItem) -> tuple[int, tuple[int, int, int]]:
        a, b, c = item.sides
        dims = (max(self.length, a), max(self.width, b), self.height + c)
        return self.grams + item.weight_grams, dims

    def add(self, item: ShipItem) -> None:
        self.grams, (self.length, self.width, self.height) = self.with_unit(item)
        self.units.append(item)


def _pack(items: Sequence[ShipItem]) -> list[_Box]:
    """First-fit decreasing; every item already fits a box on its own."""
    order = sorted(
        items,
        key=lambda i: (-i.weight_grams, -math.prod(i.sides), i.line_index, i.sku),
    )
    boxes: list[_Box] = []
    for item in order:
        # Boxes that refused one unit of this item refuse the next (boxes only grow),
        # so a large quantity does not rescan them: still first-fit, in linear time.
        start = 0
        for _ in range(item.quantity):
            fits = (i for i in range(start, len(boxes)) if _fits(boxes[i], item))
            start = next(fits, len(boxes))
            if start == len(boxes):
                boxes.append(_Box())
            boxes[start].add(item)
    return boxes


def _fits(box: _Box, item: ShipItem) -> bool:
    return _over_limits(*box.with_unit(item)) is None


def _priced(box: _Box, base_minor: int, per_kg_minor: int) -> Package:
    counts: dict[tuple[int, str], int] = {}
    for unit in box.units:
        counts[(unit.line_index, unit.sku)] = counts.get((unit.line_index, unit.sku), 0) + 1
    length, width, height = sorted((box.length, box.width, box.height), reverse=True)
    billable = max(box.grams, dimensional_grams(length, width, height))
    extra_kg = max(0, -(-billable // 1000) - 1)  # started kg beyond the first
    return Package(
        items=tuple((line, sku, qty) for (line, sku), qty in sorted(counts.items())),
        actual_grams=box.grams,
        billable_grams=billable,
        dims_mm=(length, width, height),
        cost_minor=base_minor + per_kg_minor * extra_kg,
    )


def dimensional_grams(length_mm: int, width_mm: int, height_mm: int) -> int:
    """Carrier dimensional weight: cm³/5000 kg, i.e. mm³/5000 g, rounded up."""
    return -(-(length_mm * width_mm * height_mm) // DIM_DIVISOR_MM3_PER_GRAM)
