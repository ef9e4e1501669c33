"""Which carrier takes a demo parcel, what it costs and its tracking number.

Tracking numbers follow each carrier's published format, check digit
included, so a carrier adapter's parser accepts them.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass

from oms_dashboard.demo.catalog_data import SellerSpec

CARRIER_LABELS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL Express"}
_BRANDS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL"}
EUROPE = frozenset({"GB", "DE"})

# carrier -> country -> (standard service, promised business days), (express ...)
_DOMESTIC: dict[str, dict[str, tuple[tuple[str, int], tuple[str, int]]]] = {
    "usps": {"US": (("Ground Advantage", 4), ("Priority Mail Express", 1))},
    "ups": {
        "US": (("Ground", 4), ("2nd Day Air", 2)),
        "CA": (("Standard", 3), ("Express Saver", 1)),
        "GB": (("Standard", 2), ("Express Saver", 1)),
        "DE": (("Standard", 2), ("Express Saver", 1)),
    },
    "fedex": {
        "US": (("Ground", 4), ("2Day", 2)),
        "CA": (("Ground", 3), ("Priority Overnight", 1)),
    },
    "dhl": {
        "GB": (("Parcel UK", 2), ("Domestic Express", 1)),
        "DE": (("Paket", 2), ("Express Domestic", 1)),
    },
}
_HUBS = {
    ("ups", "US"): ("Louisville, KY", "Chicago, IL", "Dallas, TX", "Ontario, CA", "Atlanta, GA"),
    ("fedex", "US"): ("Memphis, TN", "Indianapolis, IN", "Fort Worth, TX", "Oakland, CA"),
    ("usps", "US"): (
        "Denver CO Network Distribution Center",
        "Los Angeles CA Distribution Center",
        "Chicago IL Network Distribution Center",
        "Atlanta GA Regional Center",
    ),
    ("ups", "CA"): ("Concord, ON", "Richmond, BC", "Lachine, QC"),
    ("fedex", "CA"): ("Mississauga, ON", "Calgary, AB"),
    ("ups", "GB"): ("Tamworth, GB", "Heathrow, GB"),
    ("ups", "DE"): ("Köln, DE", "Neuss, DE"),
    ("dhl", "GB"): ("East Midlands Hub, GB", "Heathrow Gateway, GB"),
    ("dhl", "DE"): ("Leipzig Hub, DE", "Frankfurt Gateway, DE"),
    ("dhl", "US"): ("Cincinnati Hub, KY, US", "Los Angeles Gateway, CA, US"),
    ("dhl", "CA"): ("Toronto Gateway, ON, CA", "Vancouver Gateway, BC, CA"),
}
_US_WEIGHTS = {"usps": 0.35, "ups": 0.35, "fedex": 0.30}


@dataclass(frozen=True)
class Route:
    carrier: str
    service: str
    transit_days: int
    hubs: tuple[str, ...]
    """Where the parcel is scanned on the way, in order."""

    @property
    def label(self) -> str:
        return CARRIER_LABELS[self.carrier]

    @property
    def product(self) -> str:
        """'UPS Ground', 'DHL Express Worldwide'."""
        return f"{_BRANDS[self.carrier]} {self.service}"


def choose_route(
    rng: random.Random, *, origin: str, destination: str, express: bool, restricted: bool
) -> Route:
    """DHL crosses borders, USPS only within the US; hazmat goes by ground."""
    if origin != destination:
        if express:
            service, days = "Express 12:00", 2
        elif origin in EUROPE and destination in EUROPE:
            service, days = "Economy Select", 4
        else:
            service, days = "Express Worldwide", 4
        hubs = (rng.choice(_HUBS[("dhl", origin)]), rng.choice(_HUBS[("dhl", destination)]))
        return Route("dhl", service, days, hubs)
    options = [c for c, countries in _DOMESTIC.items() if origin in countries]
    weights = [_US_WEIGHTS.get(c, 1.0) for c in options]
    carrier = rng.choices(options, weights=weights)[0]
    standard, fast = _DOMESTIC[carrier][origin]
    service, days = fast if express and not restricted else standard
    if days > 1 and destination == "US":
        days += rng.choice((0, 0, 1))  # coast to coast takes a day longer
    hubs = _HUBS[(carrier, origin)]
    return Route(carrier, service, days, tuple(rng.sample(hubs, min(len(hubs), 3))))


def shipping_minor(seller: SellerSpec, *, subtotal: int, express: bool, international: bool) -> int:
    """The seller's shipping price: free standard delivery at home over a threshold."""
    if international:
        return seller.international_minor + (seller.express_minor if express else 0)
    if express:
        return seller.express_minor
    return 0 if subtotal >= seller.free_over_minor else seller.standard_minor


def tracking_number(rng: random.Random, carrier: str) -> str:
    if carrier == "ups":
        return ups_tracking(rng)
    if carrier == "fedex":
        return fedex_tracking(rng)
    if carrier == "usps":
        return usps_tracking(rng)
    return dhl_tracking(rng)


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def ups_tracking(rng: random.Random) -> str:
    """1Z + 6-character shipper number + 2-digit service + 7 digits + check digit."""
    shipper = "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(6))
    body = shipper + rng.choice(("03", "02", "01", "12")) + _digits(rng, 7)
    total = 0
    for i, ch in enumerate(body):
        value = int(ch) if ch.isdigit() else (ord(ch) - 63) % 10
        total += value * (2 if i % 2 else 1)
    return f"1Z{body}{(10 - total % 10) % 10}"


def fedex_tracking(rng: random.Random) -> str:
    """12 digits; the last is the mod-11 check over weights 1, 3, 7 from the right."""
    body = _digits(rng, 11)
    weights = (1, 3, 7)
    total = sum(int(d) * weights[i % 3] for i, d in enumerate(reversed(body)))
    return f"{body}{total % 11 % 10}"


def usps_tracking(rng: random.Random) -> str:
    """22 digits starting 9400 (Priority/Ground label), mod-10 check with weights 3, 1."""
    body = "9400" + _digits(rng, 17)
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return f"{body}{(10 - total % 10) % 10}"


def dhl_tracking(rng: random.Random) -> str:
    """DHL Express waybill: 9 digits and their value mod 7."""
    body = str(rng.randint(100_000_000, 999_999_999))
    return f"{body}{int(body) % 7}"
