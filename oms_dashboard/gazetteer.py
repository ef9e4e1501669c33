"""Where a place is, for a map: a scan that names its city but not its coordinates.

Carriers report scans by city (FedEx and UPS rarely send coordinates). US places
come from the ``zipcodes`` data (every ZIP code's centre, averaged per city); the
few other places the mall ships through are listed here. An unknown place is
``None``: the scan stays in the timeline and off the map.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from statistics import fmean

import zipcodes

LatLon = tuple[float, float]

# (country, city) -> (lat, lon): the demo's cities, sorting centres and gateways
# outside the US, and the names carriers also use for them.
PLACES: dict[tuple[str, str], LatLon] = {
    ("CA", "toronto"): (43.6532, -79.3832),
    ("CA", "ottawa"): (45.4215, -75.6972),
    ("CA", "mississauga"): (43.5890, -79.6441),
    ("CA", "vancouver"): (49.2827, -123.1207),
    ("CA", "victoria"): (48.4284, -123.3656),
    ("CA", "calgary"): (51.0447, -114.0719),
    ("CA", "edmonton"): (53.5461, -113.4938),
    ("CA", "montreal"): (45.5019, -73.5674),
    ("CA", "quebec"): (46.8139, -71.2080),
    ("CA", "quebec city"): (46.8139, -71.2080),
    ("CA", "winnipeg"): (49.8951, -97.1384),
    ("CA", "halifax"): (44.6488, -63.5752),
    ("CA", "saskatoon"): (52.1579, -106.6702),
    ("CA", "concord"): (43.7990, -79.4828),
    ("CA", "richmond"): (49.1666, -123.1336),
    ("CA", "lachine"): (45.4340, -73.6750),
    ("GB", "london"): (51.5074, -0.1278),
    ("GB", "manchester"): (53.4808, -2.2426),
    ("GB", "birmingham"): (52.4862, -1.8904),
    ("GB", "leeds"): (53.8008, -1.5491),
    ("GB", "glasgow"): (55.8642, -4.2518),
    ("GB", "edinburgh"): (55.9533, -3.1883),
    ("GB", "bristol"): (51.4545, -2.5879),
    ("GB", "liverpool"): (53.4084, -2.9916),
    ("GB", "cardiff"): (51.4816, -3.1791),
    ("GB", "sheffield"): (53.3811, -1.4701),
    ("GB", "tamworth"): (52.6336, -1.6910),
    ("GB", "heathrow"): (51.4700, -0.4543),
    ("GB", "east midlands"): (52.8311, -1.3281),
    ("DE", "berlin"): (52.5200, 13.4050),
    ("DE", "hamburg"): (53.5511, 9.9937),
    ("DE", "munchen"): (48.1351, 11.5820),
    ("DE", "munich"): (48.1351, 11.5820),
    ("DE", "koln"): (50.9375, 6.9603),
    ("DE", "cologne"): (50.9375, 6.9603),
    ("DE", "frankfurt am main"): (50.1109, 8.6821),
    ("DE", "frankfurt"): (50.1109, 8.6821),
    ("DE", "stuttgart"): (48.7758, 9.1829),
    ("DE", "dusseldorf"): (51.2277, 6.7735),
    ("DE", "leipzig"): (51.3397, 12.3731),
    ("DE", "dresden"): (51.0504, 13.7373),
    ("DE", "nurnberg"): (49.4521, 11.0767),
    ("DE", "nuremberg"): (49.4521, 11.0767),
    ("DE", "neuss"): (51.2042, 6.6879),
    # DHL's Americas hub is at Cincinnati's airport, across the river in Kentucky.
    ("US", "cincinnati"): (39.0489, -84.6678),
}


def _key(text: str) -> str:
    """``Düsseldorf`` and ``DUSSELDORF`` are the same place."""
    plain = text
    if not text.isascii():
        plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(plain.lower().replace(".", " ").split())


@cache
def locate(
    city: str | None,
    region: str | None = None,
    country: str | None = None,
    postal_code: str | None = None,
) -> LatLon | None:
    """The place's coordinates, or None when the gazetteer does not know it."""
    country = (country or "").upper() or "US"
    if country == "US":
        found = _us_zip(postal_code) if postal_code else None
        if found is None and city and region:
            found = _us_city(_key(city), region.upper())
        if found is not None:
            return found
    return PLACES.get((country, _key(city))) if city else None


def _us_zip(postal_code: str) -> LatLon | None:
    return _zip_index().get(postal_code.strip()[:5])


def _us_city(city: str, state: str) -> LatLon | None:
    """The middle of the city's ZIP codes (``Saint Louis`` and ``St Louis`` both)."""
    index = _city_index()
    names = [city, city.replace("saint ", "st ")]
    if city.startswith("st "):
        names.append("saint " + city[3:])
    for name in names:
        if (name, state) in index:
            return _mean(index[(name, state)])
    return PLACES.get(("US", city))


@cache
def _zip_index() -> dict[str, LatLon]:
    return {
        r["zip_code"]: (float(r["lat"]), float(r["long"]))
        for r in zipcodes.list_all()
        if r.get("lat")
    }


@cache
def _city_index() -> dict[tuple[str, str], list[LatLon]]:
    points: dict[tuple[str, str], list[LatLon]] = {}
    for r in zipcodes.list_all():
        if r["zip_code_type"] == "STANDARD" and r.get("lat"):
            key = (_key(r["city"]), r["state"])
            points.setdefault(key, []).append((float(r["lat"]), float(r["long"])))
    return points


def _mean(points: list[LatLon]) -> LatLon:
    lats, lons = zip(*points, strict=True)
    return round(fmean(lats), 4), round(fmean(lons), 4)
