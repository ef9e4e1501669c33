"""Which carrier takes a demo parcel, by which service, and its tracking number.

What the parcel costs and when it should arrive is the checkout's business
(``services.pricing.price_shipment``); see ``demo.pricing``.

Tracking numbers follow each carrier's published format, check digit
included, so a carrier adapter's parser accepts them.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace
from math import asin, cos, radians, sin, sqrt

from oms_dashboard.gazetteer import LatLon, locate

CARRIER_LABELS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL Express"}
_BRANDS = {"usps": "USPS", "ups": "UPS", "fedex": "FedEx", "dhl": "DHL"}
EUROPE = frozenset({"GB", "DE"})

# carrier -> country -> (standard service, express service). How long each takes is
# the checkout's promise (domain.delivery.transit_days), not the carrier's own.
_DOMESTIC: dict[str, dict[str, tuple[str, str]]] = {
    "usps": {"US": ("Ground Advantage", "Priority Mail Express")},
    "ups": {
        "US": ("Ground", "2nd Day Air"),
        "CA": ("Standard", "Express Saver"),
        "GB": ("Standard", "Express Saver"),
        "DE": ("Standard", "Express Saver"),
    },
    "fedex": {"US": ("Ground", "2Day"), "CA": ("Ground", "Priority Overnight")},
    "dhl": {"GB": ("Parcel UK", "Domestic Express"), "DE": ("Paket", "Express Domestic")},
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
# Where each hub is, as its scans name the place: (city, region, country).
HUB_PLACES: dict[str, tuple[str, str | None, str]] = {
    "Louisville, KY": ("Louisville", "KY", "US"),
    "Chicago, IL": ("Chicago", "IL", "US"),
    "Dallas, TX": ("Dallas", "TX", "US"),
    "Ontario, CA": ("Ontario", "CA", "US"),
    "Atlanta, GA": ("Atlanta", "GA", "US"),
    "Memphis, TN": ("Memphis", "TN", "US"),
    "Indianapolis, IN": ("Indianapolis", "IN", "US"),
    "Fort Worth, TX": ("Fort Worth", "TX", "US"),
    "Oakland, CA": ("Oakland", "CA", "US"),
    "Denver CO Network Distribution Center": ("Denver", "CO", "US"),
    "Los Angeles CA Distribution Center": ("Los Angeles", "CA", "US"),
    "Chicago IL Network Distribution Center": ("Chicago", "IL", "US"),
    "Atlanta GA Regional Center": ("Atlanta", "GA", "US"),
    "Concord, ON": ("Concord", "ON", "CA"),
    "Richmond, BC": ("Richmond", "BC", "CA"),
    "Lachine, QC": ("Lachine", "QC", "CA"),
    "Mississauga, ON": ("Mississauga", "ON", "CA"),
    "Calgary, AB": ("Calgary", "AB", "CA"),
    "Tamworth, GB": ("Tamworth", None, "GB"),
    "Heathrow, GB": ("Heathrow", None, "GB"),
    "Köln, DE": ("Köln", None, "DE"),
    "Neuss, DE": ("Neuss", None, "DE"),
    "East Midlands Hub, GB": ("East Midlands", None, "GB"),
    "Heathrow Gateway, GB": ("Heathrow", None, "GB"),
    "Leipzig Hub, DE": ("Leipzig", None, "DE"),
    "Frankfurt Gateway, DE": ("Frankfurt am Main", None, "DE"),
    "Cincinnati Hub, KY, US": ("Cincinnati", "KY", "US"),
    "Los Angeles Gateway, CA, US": ("Los Angeles", "CA", "US"),
    "Toronto Gateway, ON, CA": ("Toronto", "ON", "CA"),
    "Vancouver Gateway, BC, CA": ("Vancouver", "BC", "CA"),
}


@dataclass(frozen=True)
class Route:
    carrier: str
    service: str
    transit_days: int
    """Business days from the seller's door to the customer's, as checkout promises."""
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
    rng: random.Random, *, origin: str, destination: str, express: bool, transit_days: int
) -> Route:
    """DHL crosses borders, USPS only within the US; ``transit_days`` is the promise."""
    if origin != destination:
        if express:
            service = "Express 12:00"
        elif origin in EUROPE and destination in EUROPE:
            service = "Economy Select"
        else:
            service = "Express Worldwide"
        hubs = (rng.choice(_HUBS[("dhl", origin)]), rng.choice(_HUBS[("dhl", destination)]))
        return Route("dhl", service, transit_days, hubs)
    options = [c for c, countries in _DOMESTIC.items() if origin in countries]
    weights = [_US_WEIGHTS.get(c, 1.0) for c in options]
    carrier = rng.choices(options, weights=weights)[0]
    standard, fast = _DOMESTIC[carrier][origin]
    hubs = _HUBS[(carrier, origin)]
    sample = tuple(rng.sample(hubs, min(len(hubs), 3)))
    return Route(carrier, fast if express else standard, transit_days, sample)


def along_the_way(route: Route, origin: LatLon | None, destination: LatLon | None) -> Route:
    """The route through hubs that lie on the way, in the order the parcel meets them:
    as many as ``choose_route`` drew, but the ones nearest the straight line, so a map
    of the scans reads like a journey."""
    if origin is None or destination is None or not route.hubs:
        return route
    countries = [HUB_PLACES[hub][2] for hub in route.hubs]
    if len(set(countries)) > 1:
        # Across a border: out through the gateway nearest the sender, in through the
        # one nearest the customer.
        out = min(_HUBS[(route.carrier, countries[0])], key=lambda h: _km(origin, _at(h)))
        into = min(_HUBS[(route.carrier, countries[-1])], key=lambda h: _km(destination, _at(h)))
        return replace(route, hubs=(out, into))
    direct = _km(origin, destination)

    def detour(hub: str) -> float:
        return _km(origin, _at(hub)) + _km(_at(hub), destination) - direct

    chosen = sorted(_HUBS[(route.carrier, countries[0])], key=detour)[: len(route.hubs)]
    return replace(route, hubs=tuple(sorted(chosen, key=lambda h: _km(origin, _at(h)))))


def _at(hub: str) -> LatLon:
    city, region, country = HUB_PLACES[hub]
    found = locate(city, region, country)
    if found is None:
        raise ValueError(f"the gazetteer does not know the hub {hub!r}")
    return found


def _km(a: LatLon, b: LatLon) -> float:
    """Great-circle distance."""
    lat1, lon1, lat2, lon2 = map(radians, (*a, *b))
    h = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 12_742 * asin(sqrt(h))


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
