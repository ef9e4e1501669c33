"""DHL's JSON in and out, as pure functions: the status table, the tracking and rates
parsers, the error reader and the request builders. ``dhl.py`` holds the HTTP adapter.

Tracking follows the DHL Shipment Tracking - Unified API (OpenAPI 1.5.x,
https://developer.dhl.com/api-reference/shipment-tracking); rates follow the
DHL Express MyDHL API 2.12.0 (https://developer.dhl.com/api-reference/dhl-express-mydhl-api).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Any

from oms_dashboard.carriers.base import (
    CarrierError,
    Parcel,
    Party,
    RateQuote,
    Scan,
    ScanLocation,
    ShipmentStatus,
    StatusCode,
    TrackingUpdate,
    aware,
    local_zone,
    status_table,
)

CARRIER = "dhl"

# The Unified API publishes exactly these five values for status.statusCode and
# events[].statusCode ("Code of the status (high-level grouping statuses)"). It has no
# out-for-delivery grouping: DHL reports the courier run as "transit".
STATUSES: Mapping[str, StatusCode] = status_table(
    StatusCode(
        "pre-transit",
        ShipmentStatus.SHIPPED,
        "pre-transit: DHL has the shipment's data (label created) but not yet the package",
    ),
    StatusCode("transit", ShipmentStatus.IN_TRANSIT, "transit: the shipment is on its way"),
    StatusCode("delivered", ShipmentStatus.DELIVERED, "delivered: the shipment was delivered"),
    StatusCode(
        "failure",
        ShipmentStatus.DELIVERY_EXCEPTION,
        "failure: delivery failed or was stopped (not home, returned to shipper, ...)",
    ),
    StatusCode("unknown", None, "unknown: DHL cannot place this event in a status group"),
)

# Intra-EU goods cross no customs border, so MyDHL must not be told they are dutiable.
_EU = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "CY",
        "CZ",
        "DE",
        "DK",
        "EE",
        "ES",
        "FI",
        "FR",
        "GR",
        "HR",
        "HU",
        "IE",
        "IT",
        "LT",
        "LU",
        "LV",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SE",
        "SI",
        "SK",
    ]
)


def status_for(code: str | None) -> ShipmentStatus | None:
    row = STATUSES.get(code or "")
    return row.status if row else None


# -- errors ------------------------------------------------------------------------------


def parse_error(payload: Any) -> CarrierError | None:
    """The CarrierError a DHL error body describes, or None when it is no error body.

    Both APIs answer with RFC 7807-style problems: the Unified API with
    ``{title, detail, status}``, MyDHL with ``{instance, title, detail, message, status
    | code, additionalDetails}``. DHL's own sentence is ``detail``; MyDHL lists each
    field problem in ``additionalDetails``."""
    if not isinstance(payload, Mapping) or "shipments" in payload or "products" in payload:
        return None
    if not ({"detail", "title"} & payload.keys()):
        return None
    message = str(payload.get("detail") or payload.get("title") or payload.get("message"))
    details = [str(d) for d in payload.get("additionalDetails") or []]
    if details:
        message = f"{message}: " + "; ".join(details)
    code = payload.get("status") or payload.get("code")
    return CarrierError(CARRIER, message.strip(), code=str(code) if code is not None else None)


def raise_for_error(payload: Any) -> None:
    error = parse_error(payload)
    if error is not None:
        raise error


# -- tracking ------------------------------------------------------------------------------


def tracking_request(numbers: list[str]) -> list[dict[str, str]]:
    """The query of each ``GET /track/shipments`` call: the Unified API takes one
    tracking number per request, so a batch is one request per number."""
    return [{"trackingNumber": number, "service": "express"} for number in numbers]


def parse_tracking(payload: Mapping[str, Any]) -> list[TrackingUpdate]:
    """One update per tracking number in a Unified API ``/track/shipments`` body.

    Raises CarrierError for a problem body (404 "No result found" included: the API
    answers one number per request, so there is no "not found" entry inside a good
    body; the adapter decides what a 404 means for a batch). When DHL returns several
    shipments under one number (a reused number), the most recently updated one wins."""
    raise_for_error(payload)
    updates: dict[str, TrackingUpdate] = {}
    for shipment in payload.get("shipments") or []:
        try:
            update = _parse_shipment(shipment)
        except (KeyError, TypeError, ValueError) as exc:
            raise unreadable("tracking", exc) from exc
        known = updates.get(update.tracking_number)
        if known is None or _newest(update) > _newest(known):
            updates[update.tracking_number] = update
    return list(updates.values())


def unreadable(what: str, exc: Exception) -> CarrierError:
    return CarrierError(CARRIER, f"unreadable {what} answer ({exc!r})", code="bad-response")


def _newest(update: TrackingUpdate) -> datetime:
    return update.scans[0].at if update.scans else datetime.min.replace(tzinfo=UTC)


def _parse_shipment(shipment: Mapping[str, Any]) -> TrackingUpdate:
    domestic = _domestic_country(shipment)
    scans = [_parse_event(event, domestic) for event in shipment.get("events") or []]
    # DHL lists newest first; sorting keeps that promise when an answer does not.
    scans.sort(key=lambda scan: scan.at, reverse=True)
    current = shipment.get("status") or {}
    code = current.get("statusCode") or (scans[0].code if scans else None)
    return TrackingUpdate(
        tracking_number=str(shipment.get("id")),
        status=status_for(code),
        scans=scans,
        estimated_delivery=_estimated_delivery(shipment),
        # The Unified API says nothing about a signature being required (only, after
        # the fact, who signed), so no DHL update announces one.
        signature_required=False,
    )


def _parse_event(event: Mapping[str, Any], domestic: str | None) -> Scan:
    location = _location(event.get("location"))
    when = _parse_time(event["timestamp"])
    if when.tzinfo is None:
        # A local time without offset: read it where the scan happened, or, for a
        # scan DHL gives no country for, in the country of a domestic shipment.
        place = location if location and location.country else None
        when = aware(when, place or (ScanLocation(country=domestic) if domestic else None))
    return Scan(
        at=when,
        code=str(event.get("statusCode") or ""),
        description=_describe(event),
        location=location,
    )


def _describe(event: Mapping[str, Any]) -> str:
    """DHL's title (``status``) and its detailed text (``description``); services
    fill one, the other or both, so both are kept when they say different things."""
    title = (event.get("status") or "").strip()
    detail = (event.get("description") or "").strip()
    if title and detail and title.casefold() != detail.casefold():
        return f"{title} - {detail}"
    return title or detail


def _location(place: Mapping[str, Any] | None) -> ScanLocation | None:
    address = (place or {}).get("address") or {}
    if not address:
        return None
    city = address.get("addressLocality") or None
    country = address.get("countryCode") or None
    if city and not country:
        # Express and parcel scans often carry the country only in the locality's text
        # ("Radefeld, Germany", "LEIPZIG - GERMANY").
        city, country = _split_country(city)
    return ScanLocation(
        city=city,
        region=address.get("addressRegion") or None,
        postal_code=address.get("postalCode") or None,
        country=country,
    )


def _split_country(locality: str) -> tuple[str | None, str | None]:
    cut = max(locality.rfind(","), locality.rfind(" - "))
    head, tail = (locality[:cut], locality[cut:].lstrip(", -")) if cut >= 0 else ("", locality)
    code = _country_codes().get(tail.strip().upper())
    if not code:
        return locality, None
    return head.strip() or None, code


@cache
def _country_codes() -> dict[str, str]:
    from babel import Locale

    territories = Locale("en").territories
    return {name.upper(): code for code, name in territories.items() if len(code) == 2}


def _domestic_country(shipment: Mapping[str, Any]) -> str | None:
    def country(side: str) -> str | None:
        return (((shipment.get(side) or {}).get("address") or {}).get("countryCode")) or None

    origin, destination = country("origin"), country("destination")
    return origin if origin and origin == destination else None


def _estimated_delivery(shipment: Mapping[str, Any]) -> date | None:
    # The day as DHL writes it: converting "2018-08-03T00:00:00Z" to another zone
    # would move the promised day.
    frame = shipment.get("estimatedDeliveryTimeFrame") or {}
    value = shipment.get("estimatedTimeOfDelivery") or frame.get("estimatedThrough")
    return date.fromisoformat(value[:10]) if value else None


def _parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


# -- rates ---------------------------------------------------------------------------------

# MyDHL prices each product in up to three currencies; BILLC is what the account is
# billed, so it is the price a seller pays. The others are fallbacks, in DHL's order.
_CURRENCY_PREFERENCE = ("BILLC", "PULCL", "BASEC")


def parse_rates(payload: Mapping[str, Any]) -> list[RateQuote]:
    """One quote per MyDHL ``/rates`` product that carries a price.

    ``service`` is DHL's global product code (``P``, ``N``, ...), the code a shipment
    is later booked with. A product listed without a price, or priced 0 (MyDHL returns
    prices only "where applicable", e.g. products that need a customer agreement), is no
    offer and is left out."""
    raise_for_error(payload)
    quotes = []
    for product in payload.get("products") or []:
        try:
            quote = _parse_product(product)
        except (KeyError, TypeError, ValueError) as exc:
            raise unreadable("rates", exc) from exc
        if quote is not None:
            quotes.append(quote)
    return quotes


def _parse_product(product: Mapping[str, Any]) -> RateQuote | None:
    price = billed_price(product.get("totalPrice") or [])
    if price is None:
        return None
    transit = (product.get("deliveryCapabilities") or {}).get("totalTransitDays")
    return RateQuote(
        service=str(product["productCode"]),
        amount=price[0],
        currency=price[1],
        transit_days=int(transit) if transit is not None else None,
    )


def billed_price(prices: list[Mapping[str, Any]]) -> tuple[Decimal, str] | None:
    def rank(entry: Mapping[str, Any]) -> int:
        kind = entry.get("currencyType")
        return _CURRENCY_PREFERENCE.index(kind) if kind in _CURRENCY_PREFERENCE else 99

    for entry in sorted(prices, key=rank):
        amount = _decimal(entry.get("price"))
        if amount and entry.get("priceCurrency"):
            return amount, str(entry["priceCurrency"])
    return None


def _decimal(value: Any) -> Decimal | None:
    if value is None:
        return None
    try:
        # str() first: a float parsed from JSON (157.95) must stay 157.95, not its binary
        # neighbour.
        return Decimal(str(value))
    except InvalidOperation:
        return None


def rate_request(
    shipper: Party,
    recipient: Party,
    parcel: Parcel,
    *,
    account_number: str,
    planned_at: datetime | None = None,
) -> dict[str, Any]:
    """The MyDHL ``POST /rates`` body for one package, in metric units.

    ``planned_at`` is when the package is handed to DHL; DHL wants the shipper's local
    time with its GMT offset and refuses past dates, so it defaults to the next full hour
    where the shipper is. ``nextBusinessDay`` asks DHL for products of the next day when
    today's cut-off has passed, rather than no products at all."""
    if planned_at is None:
        planned_at = next_full_hour(shipper)
    return {
        "customerDetails": {
            "shipperDetails": postal_address(shipper),
            "receiverDetails": postal_address(recipient),
        },
        "accounts": [{"typeCode": "shipper", "number": account_number}],
        "plannedShippingDateAndTime": dhl_datetime(planned_at),
        "unitOfMeasurement": "metric",
        "isCustomsDeclarable": crosses_customs(shipper.country, recipient.country),
        "nextBusinessDay": True,
        "packages": [
            {
                "weight": round(parcel.weight_grams / 1000, 3),
                "dimensions": {
                    "length": centimetres(parcel.length_mm),
                    "width": centimetres(parcel.width_mm),
                    "height": centimetres(parcel.height_mm),
                },
            }
        ],
    }


def next_full_hour(shipper: Party) -> datetime:
    """When a package is handed to DHL unless said otherwise: the next full hour where
    the shipper is (DHL wants the shipper's local time and refuses past times)."""
    now = datetime.now(local_zone(shipper.country, shipper.region, shipper.postal_code))
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def postal_address(party: Party) -> dict[str, str]:
    """A party's address as MyDHL writes it (rates, shipments)."""
    address = {
        "postalCode": party.postal_code,
        "cityName": party.city,
        "countryCode": party.country.upper(),
        "addressLine1": party.line1,
    }
    if party.line2:
        address["addressLine2"] = party.line2
    if party.region:
        address["provinceCode"] = party.region
    return address


def centimetres(mm: int) -> float:
    # MyDHL's minimum is 1 cm; a thinner envelope is declared at that minimum.
    return max(1.0, round(mm / 10, 1))


def crosses_customs(origin: str, destination: str) -> bool:
    origin, destination = origin.upper(), destination.upper()
    return origin != destination and not (origin in _EU and destination in _EU)


def dhl_datetime(value: datetime) -> str:
    """``2022-11-20T13:00:00GMT+01:00``: MyDHL's local time with its GMT offset."""
    if value.tzinfo is None:
        raise ValueError("plannedShippingDateAndTime needs a time zone")
    offset = value.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{value:%Y-%m-%dT%H:%M:%S}GMT{sign}{minutes // 60:02d}:{minutes % 60:02d}"
