"""What the Buy label dialog shows and says: the parcel as typed, every carrier's
offer with its promise, and a refusal in a sentence. Plain functions of what the
seller typed and what the services answered, so they are tested without a browser."""

from __future__ import annotations

import re
from dataclasses import dataclass

from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.fulfillment import ParcelSize
from oms_dashboard.domain.tracking import carrier_title
from oms_dashboard.formatting.carriers import service_title
from oms_dashboard.formatting.money import format_money
from oms_dashboard.services.carrier_health import CarrierRefused, CarrierUnavailable
from oms_dashboard.services.carrier_offers import LabelOptions
from oms_dashboard.services.errors import ServiceError, ValidationFailed

PARCEL_FIELDS = ("weight_grams", "length_mm", "width_mm", "height_mm")
FIELD_LABELS = {
    "weight_grams": "Weight",
    "length_mm": "Length",
    "width_mm": "Width",
    "height_mm": "Height",
    "carrier": "Carrier",
    "service": "Service",
}
MAX_SIDE_MM, MAX_WEIGHT_G = 10_000, 1_000_000
"""The API's bounds for a parcel; a carrier's own limits come back as its reason."""
_DIGITS = re.compile(r"[0-9]{1,9}")


@dataclass
class OfferRow:
    key: str
    carrier: str
    service: str
    price: str
    arrives: str
    transit: str
    promise: str
    """``meets`` the promised date, ``late`` for it, or ``unknown`` (no estimate)."""
    recommended: bool
    """The preselected offer: the cheapest arriving in time (else the earliest)."""


@dataclass
class UnavailableRow:
    carrier: str
    reason: str


def parse_parcel(values: dict[str, str]) -> tuple[ParcelSize | None, dict[str, str]]:
    """The parcel as typed, or what is wrong with each field (all at once)."""
    errors, sizes = {}, {}
    for name in PARCEL_FIELDS:
        text = values.get(name, "").strip()
        top = MAX_WEIGHT_G if name == "weight_grams" else MAX_SIDE_MM
        if not _DIGITS.fullmatch(text) or not 0 < int(text) <= top:
            errors[name] = f"{FIELD_LABELS[name]} must be a whole number from 1 to {top:,}."
        else:
            sizes[name] = int(text)
    return (None, errors) if errors else (ParcelSize(**sizes), {})


def parcel_key(parcel: ParcelSize | None) -> str:
    if parcel is None:
        return ""
    return f"{parcel.weight_grams}/{parcel.length_mm}/{parcel.width_mm}/{parcel.height_mm}"


def offer_rows(options: LabelOptions) -> list[OfferRow]:
    rows = []
    best = options.preselected
    for offer in options.offers:
        if offer.arrives is None and options.promised is not None:
            promise = "unknown"
        else:
            promise = "meets" if offer.meets(options.promised) else "late"
        rows.append(
            OfferRow(
                key=f"{offer.carrier}:{offer.service}",
                carrier=carrier_title(offer.carrier),
                service=service_title(offer.carrier, offer.service),
                price=format_money(offer.amount_minor, offer.currency),
                arrives=offer.arrives.strftime("%a %d %b") if offer.arrives else "No estimate",
                transit=_transit(offer.transit_days),
                promise=promise,
                recommended=offer == best,
            )
        )
    return rows


def _transit(days: int | None) -> str:
    if days is None:
        return ""
    return f"{days} business day{'' if days == 1 else 's'}"


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] + "."


def refusal_text(carrier: str, error: Exception) -> str:
    """Why the purchase failed, in the dialog's words."""
    name = carrier_title(carrier)
    if isinstance(error, ValidationFailed):
        return _sentence(
            "; ".join(
                f"{FIELD_LABELS.get(e['field'], e['field'])} {e['message']}" for e in error.errors
            )
        )
    if isinstance(error, CarrierRefused) and isinstance(error.__cause__, CarrierError):
        error = error.__cause__  # the carrier's own words, without the API's wrapping
    if isinstance(error, CarrierUnavailable):
        # "fedex cannot be used now: ..." names the carrier as people write it.
        return _sentence(error.detail.replace(error.carrier, carrier_title(error.carrier), 1))
    if isinstance(error, ServiceError | DomainError):
        return _sentence(error.detail)
    if isinstance(error, CarrierError):
        again = " Try again in a minute, or choose another carrier." if error.transient else ""
        return _sentence(f"{name} refused the label: {error.message}") + again
    if isinstance(error, NotImplementedError):
        return f"{name} labels cannot be bought here yet. Choose another carrier's offer."
    return "The label could not be bought because of an unexpected error (it was logged)."
