"""A parcel and an address as USPS's v3 APIs take them: pounds and inches rounded up to
the hundredth (so a price or label never undercounts), ZIP Codes only.

Shared by Domestic Prices (``usps.rate_request``) and Labels (``usps_labels``).
"""

from __future__ import annotations

import math
import re

from .base import Parcel, Party

DOMESTIC = {"US", "PR", "VI", "GU", "AS", "MP"}
"""Places with US ZIP Codes: the only ones Domestic Prices and Domestic Labels take."""
TERRITORIES = DOMESTIC - {"US"}
"""USPS writes these as the address's state (its State enum lists PR, VI, GU, AS, MP)."""
ZIP = re.compile(r"^(\d{5})(?:[-\s]?(\d{4}))?$")
GRAMS_PER_POUND = 453.59237
MM_PER_INCH = 25.4


def check_domestic(field: str, party: Party) -> tuple[str, str | None]:
    """The party's (ZIP Code, ZIP+4 or None); ``ValueError`` naming the field otherwise."""
    if party.country.upper() not in DOMESTIC:
        raise ValueError(f"{field}.country: USPS domestic services take US addresses only")
    match = ZIP.match(party.postal_code.strip())
    if match is None:
        raise ValueError(f"{field}.postal_code: {party.postal_code!r} is not a ZIP Code")
    return match[1], match[2]


def package_size(parcel: Parcel) -> tuple[float, float, float, float]:
    """(pounds, length, width, height) in USPS's units, length the longest side."""
    sizes = (parcel.weight_grams, parcel.length_mm, parcel.width_mm, parcel.height_mm)
    if min(sizes) <= 0:
        raise ValueError("parcel: weight and every dimension must be above zero")
    # USPS: "The maximum dimension is always length", the second longest is width.
    length, width, height = sorted((up(mm / MM_PER_INCH) for mm in sizes[1:]), reverse=True)
    return up(parcel.weight_grams / GRAMS_PER_POUND), length, width, height


def processing_category(length: float, width: float, height: float, pounds: float) -> str:
    # Machinable parcel limits, DMM 201.7.5 (22 x 18 x 15 in, 25 lb); beyond: nonstandard.
    fits = length <= 22 and width <= 18 and height <= 15 and pounds <= 25
    return "MACHINABLE" if fits else "NONSTANDARD"


def up(value: float) -> float:
    """Rounded up to the hundredth of the unit."""
    return math.ceil(round(value * 100, 6)) / 100
