"""UPS's JSON read into the carrier-neutral shapes: tracking, rates, errors, status types.

Pure functions over the parsed bodies of UPS's Track API v1 and Rating API (see ``ups.py``
for the versions and the docs they follow). ``ups.py`` re-exports everything public here.

UPS quirks this reads around:
- an element the schema calls an array comes back as a lone object when there is one
  (``RatedShipmentAlert`` in UPS's own recorded rate responses), so every list is read
  through ``_listify``;
- descriptions carry trailing spaces (``"DELIVERED "``), stripped here;
- ``gmtTime`` is ``HHMMSS`` with its leading zero dropped in the spec's example
  (``"74700"``) and ``HH:MM:SS`` in live answers; both are read.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

from oms_dashboard.carriers.base import (
    CarrierError,
    RateQuote,
    Scan,
    ScanLocation,
    ShipmentStatus,
    StatusCode,
    TrackingUpdate,
    aware,
    status_table,
)

CARRIER = "ups"
log = logging.getLogger(__name__)

# Every activity status type UPS publishes for tracking (Track API appendix, "Status Types";
# the same list as the Tracking Developer Guide's Activity/Status/Type), with UPS's wording.
# UPS's two-letter activity codes and three-digit status codes have no published list, so
# the type is what our status follows.
STATUSES = status_table(
    StatusCode("M", ShipmentStatus.SHIPPED, "Billing Information Received"),
    # The label was voided: says nothing about where a package is.
    StatusCode("MV", None, "Billing Information Voided"),
    StatusCode("P", ShipmentStatus.SHIPPED, "Pickup"),
    StatusCode("I", ShipmentStatus.IN_TRANSIT, "In Transit"),
    # Freight container stations and warehouses are stops on the way, not the consignee;
    # a freight shipment held too long there is caught by the no-scan rule instead.
    StatusCode("DO", ShipmentStatus.IN_TRANSIT, "Delivered Origin CFS (Freight Only)"),
    StatusCode("DD", ShipmentStatus.IN_TRANSIT, "Delivered Destination CFS (Freight Only)"),
    StatusCode("W", ShipmentStatus.IN_TRANSIT, "Warehousing (Freight Only)"),
    StatusCode("O", ShipmentStatus.OUT_FOR_DELIVERY, "Out for Delivery"),
    StatusCode("D", ShipmentStatus.DELIVERED, "Delivered"),
    StatusCode("X", ShipmentStatus.DELIVERY_EXCEPTION, "Exception"),
    StatusCode("RS", ShipmentStatus.DELIVERY_EXCEPTION, "Returned to Shipper"),
    StatusCode("NA", None, "Not Available"),
)

_SIGNATURE_SERVICES = {"SIGNATURE_REQUIRED", "ADULT_SIGNATURE_REQUIRED"}
# deliveryDate types: RDD (rescheduled) supersedes SDD (scheduled); DEL is the day it was
# delivered, which is no estimate (the delivery scan carries it).
_ESTIMATE_TYPES = ("RDD", "SDD")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")


def status_of(code: str | None) -> ShipmentStatus | None:
    """Our status for a UPS status type; None for a type that says nothing or is unknown."""
    row = STATUSES.get((code or "").strip().upper())
    return row.status if row else None


# -- errors ------------------------------------------------------------------------------


def parse_error(payload: Any) -> CarrierError | None:
    """The ``CarrierError`` a UPS error body stands for, or None when it is no error body.

    UPS's error shape is ``{"response": {"errors": [{"code", "message"}]}}`` (Track, Rating
    and OAuth alike); older Track answers put ``errors`` at the top level.
    """
    if not isinstance(payload, Mapping):
        return None
    wrapper = payload.get("response")
    if not isinstance(wrapper, Mapping):
        wrapper = payload
    errors = [e for e in _listify(wrapper.get("errors")) if isinstance(e, Mapping)]
    if not errors:
        return None
    messages = [_text(e.get("message")) for e in errors]
    message = "; ".join(m for m in messages if m) or "UPS returned an error without a message"
    code = _text(errors[0].get("code"))
    return CarrierError(CARRIER, message, code=code or None)


def _raise_on_error(payload: Any) -> None:
    error = parse_error(payload)
    if error is not None:
        raise error


# -- tracking ----------------------------------------------------------------------------


def parse_tracking(payload: Mapping[str, Any]) -> list[TrackingUpdate]:
    """One update per package in a Track API answer, its scans newest first.

    A shipment UPS answers with warnings only (``TW0001`` "Tracking Information Not Found")
    has no package to report: it is skipped and UPS's message logged, so one unknown number
    does not fail the rest of a sync. A whole error body raises ``CarrierError``.
    """
    _raise_on_error(payload)
    response = payload.get("trackResponse") if isinstance(payload, Mapping) else None
    if not isinstance(response, Mapping):
        raise CarrierError(CARRIER, "the tracking answer has no trackResponse")
    updates: list[TrackingUpdate] = []
    for shipment in _listify(response.get("shipment")):
        inquiry = _text(shipment.get("inquiryNumber"))
        for warning in _listify(shipment.get("warnings")):
            log.warning(
                "UPS tracking warning for %s: %s (%s)",
                inquiry or "?",
                _text(warning.get("message")),
                _text(warning.get("code")),
            )
        for package in _listify(shipment.get("package")):
            updates.append(_package_update(package, inquiry))
    return updates


def _package_update(package: Mapping[str, Any], inquiry: str) -> TrackingUpdate:
    number = _text(package.get("trackingNumber")) or inquiry
    scans = [s for s in (_scan(a, number) for a in _listify(package.get("activity"))) if s]
    # UPS lists activities newest first; sorting keeps that promise when it does not.
    scans.sort(key=lambda s: s.at, reverse=True)
    current = package.get("currentStatus") or {}
    status_type = _text(current.get("type")) or (scans[0].code if scans else "")
    services = {_text(s).upper() for s in _listify(package.get("additionalServices"))}
    return TrackingUpdate(
        tracking_number=number,
        status=status_of(status_type),
        scans=scans,
        estimated_delivery=_estimated_delivery(package),
        signature_required=bool(services & _SIGNATURE_SERVICES),
    )


def _scan(activity: Mapping[str, Any], number: str) -> Scan | None:
    status = activity.get("status") or {}
    location = _location(activity.get("location"))
    at = _activity_time(activity, location)
    if at is None:
        log.warning("UPS activity for %s has no readable date: %r", number, activity.get("date"))
        return None
    return Scan(
        at=at,
        # The status type, the code the status table reads; UPS's two-letter activity
        # code has no published meaning.
        code=_text(status.get("type")).upper(),
        description=_text(status.get("description")),
        location=location,
    )


def _activity_time(activity: Mapping[str, Any], location: ScanLocation | None) -> datetime | None:
    """The scan's local time with UPS's offset; else its GMT stamp; else the place's zone."""
    local = _datetime(activity.get("date"), activity.get("time"))
    offset = _offset(activity.get("gmtOffset"))
    if local is not None and offset is not None:
        return local.replace(tzinfo=offset)
    gmt = _datetime(activity.get("gmtDate"), activity.get("gmtTime"))
    if gmt is not None:
        return gmt.replace(tzinfo=UTC)
    return aware(local, location) if local is not None else None


def _location(value: Any) -> ScanLocation | None:
    address = value.get("address") if isinstance(value, Mapping) else None
    if not isinstance(address, Mapping):
        return None
    place = ScanLocation(
        city=_text(address.get("city")) or None,
        region=_text(address.get("stateProvince")) or None,
        postal_code=_text(address.get("postalCode")) or None,
        country=(_text(address.get("countryCode")) or _text(address.get("country"))).upper()
        or None,
    )
    return place if any((place.city, place.region, place.postal_code, place.country)) else None


def _estimated_delivery(package: Mapping[str, Any]) -> date | None:
    dates = {
        _text(d.get("type")).upper(): _date(d.get("date"))
        for d in _listify(package.get("deliveryDate"))
        if isinstance(d, Mapping)
    }
    return next((dates[t] for t in _ESTIMATE_TYPES if dates.get(t)), None)


# -- rates -------------------------------------------------------------------------------


def parse_rates(payload: Mapping[str, Any]) -> list[RateQuote]:
    """One quote per rated UPS service, in UPS's order.

    The amount is the account's negotiated total when UPS gives one (its published
    ``TotalCharges`` can read 0.00 then, as in UPS's third-party-billing example), else the
    published total. Transit days come from Time in Transit when asked for, else from the
    guaranteed-delivery days; UPS Ground without Time in Transit has neither.
    """
    _raise_on_error(payload)
    response = payload.get("RateResponse") if isinstance(payload, Mapping) else None
    if not isinstance(response, Mapping):
        raise CarrierError(CARRIER, "the rate answer has no RateResponse")
    quotes = []
    for rated in _listify(response.get("RatedShipment")):
        service = _text((rated.get("Service") or {}).get("Code"))
        negotiated = (rated.get("NegotiatedRateCharges") or {}).get("TotalCharge")
        charge = negotiated or rated.get("TotalCharges") or {}
        try:
            amount = Decimal(_text(charge.get("MonetaryValue")))
        except InvalidOperation:
            raise CarrierError(
                CARRIER, f"UPS's rate for service {service or '?'} has no readable amount"
            ) from None
        quotes.append(
            RateQuote(
                service=service,
                amount=amount,
                currency=_text(charge.get("CurrencyCode")).upper(),
                transit_days=_transit_days(rated),
            )
        )
    return quotes


def _transit_days(rated: Mapping[str, Any]) -> int | None:
    summary = (rated.get("TimeInTransit") or {}).get("ServiceSummary") or {}
    arrival = summary.get("EstimatedArrival") or {}
    guaranteed = rated.get("GuaranteedDelivery") or {}
    for days in (arrival.get("BusinessDaysInTransit"), guaranteed.get("BusinessDaysInTransit")):
        if _text(days).isdigit():
            return int(_text(days))
    return None


# -- small readers -----------------------------------------------------------------------


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _date(value: Any) -> date | None:
    try:
        return datetime.strptime(_text(value), "%Y%m%d").date()
    except ValueError:
        return None


def _datetime(day: Any, time: Any) -> datetime | None:
    on = _date(day)
    digits = _text(time).replace(":", "")
    if on is None or not digits.isdigit() or len(digits) not in (5, 6):
        return None
    hour, minute, second = (int(digits.zfill(6)[i : i + 2]) for i in (0, 2, 4))
    try:
        return datetime(on.year, on.month, on.day, hour, minute, second)
    except ValueError:
        return None


def _offset(value: Any) -> timezone | None:
    found = _OFFSET.match(_text(value))
    if not found:
        return None
    sign, hours, minutes = found.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta)
