"""Reading USPS APIs v3 answers: tracking details, tracking notifications (webhooks),
prices, error bodies.

Pure functions over the parsed JSON; ``usps`` (the adapter) documents the API versions
and the choices made where USPS's docs leave room. Times: an event's own offset or
``GMTOffset`` when USPS gives one, else the zone of the event's ZIP/state, else of the
package's origin.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from .base import (
    CarrierError,
    RateQuote,
    Scan,
    ScanLocation,
    ShipmentStatus,
    TrackingUpdate,
    aware,
)
from .usps_codes import STATUS_CATEGORIES, STATUSES

CARRIER = "usps"
_OFFSET = re.compile(r"^([+-])(\d{1,2}):?(\d{2})$")
# Extra Service Codes (Domestic Prices 3.4.22 list) that make someone sign.
_SIGNATURE_CODES = {"910", "911", "912", "913", "921", "922", "923", "924", "940", "941", "981"}
_SIGNATURE_WORDS = ("signature confirmation", "signature required", "adult signature")
_SIGNATURE_WORDS += ("signature requested", "certified mail", "registered mail")
# USPS puts the reason phrase in ``message`` and the reason in ``errors[].detail``:
# {"message": "Bad Request", "errors": [{"title": "Bad Request", "detail": "Order not found"}]}.
_GENERIC = {"bad request", "unauthorized", "forbidden", "not found", "access is denied."}


# -- errors -------------------------------------------------------------------------------


def parse_error(payload: Any) -> CarrierError | None:
    """The ``CarrierError`` an error body describes, or None for a normal answer.

    Reads the v3 APIs' ``ErrorMessage`` (``{"apiVersion", "error": {"code", "message",
    "errors": [...]}}``) and OAuth's ``{"error", "error_description"}``."""
    if not isinstance(payload, Mapping):
        return None
    error = payload.get("error")
    if isinstance(error, Mapping):
        details = [d for d in error.get("errors") or [] if isinstance(d, Mapping)]
        said = [str(d.get("detail") or d.get("title")) for d in details]
        said = [words for words in said if words.strip() and words.lower() not in _GENERIC]
        message = error.get("message")
        if not message or str(message).strip().lower() in _GENERIC:
            message = "; ".join(dict.fromkeys(said)) or message
        code = next((str(d["code"]) for d in details if d.get("code")), None)
        code = code or (str(error["code"]) if error.get("code") else None)
        return CarrierError(CARRIER, _clean(message or f"USPS error {code}"), code=code)
    if isinstance(error, str):
        return CarrierError(CARRIER, _clean(payload.get("error_description") or error), code=error)
    return None


def _raise_for_error(payload: Any) -> None:
    error = parse_error(payload)
    if error is not None:
        raise error
    if not isinstance(payload, Mapping):
        raise CarrierError(CARRIER, "USPS answered something that is not a JSON object")


def _clean(message: str) -> str:
    # USPS ends some messages with a dangling " - " separator.
    return str(message).strip().rstrip("-").strip()


# -- tracking -------------------------------------------------------------------------------


def parse_tracking(payload: Mapping[str, Any]) -> list[TrackingUpdate]:
    """One ``TrackingUpdate`` from a Tracking 3.0 ``TrackingDetails`` answer."""
    _raise_for_error(payload)
    return [_update(payload, "the tracking answer")]


def parse_webhook(body: Any) -> list[TrackingUpdate]:
    """The update a Subscriptions - Tracking notification carries (v3r2 ``scanEventEx``
    or ``detailedScanEventEx``): ``{"subscriptionId", "subscriptionType", "timestamp",
    "payload"}``, the payload the package's tracking details "converted into a JSON
    formatted string". Read with the same rules as ``parse_tracking``; the notification
    names ZIP Codes ``eventZIPCode``/``originZIPCode`` and the expected delivery in
    ``deliveryDateExpectation``. USPS's own examples show the payload string escaped
    once more (``{\\"trackingNumber\\":...}``); that reads too."""
    _raise_for_error(body)
    details = _notification(body.get("payload"))
    events = details.get("trackingEvents")
    if events is None and isinstance(details.get("trackingEvent"), Mapping):
        details = dict(details) | {"trackingEvents": [details["trackingEvent"]]}
    return [_update(details, "the tracking notification")]


def _notification(payload: Any) -> Mapping[str, Any]:
    if isinstance(payload, Mapping):
        return payload
    if not isinstance(payload, str) or not payload.strip():
        raise CarrierError(CARRIER, "the tracking notification has no payload")
    text = payload.strip()
    for attempt in (text, f'"{text}"'):
        try:
            found = json.loads(attempt)
            if isinstance(found, str):  # it was escaped once more
                found = json.loads(found)
        except ValueError:
            continue
        if isinstance(found, Mapping):
            return found
    raise CarrierError(CARRIER, "the tracking notification's payload is not a JSON object")


def _update(details: Mapping[str, Any], what: str) -> TrackingUpdate:
    number = details.get("trackingNumber")
    if not number:
        raise CarrierError(CARRIER, f"{what} names no trackingNumber")
    origin = _place(
        details.get("originCity"), details.get("originState"),
        details.get("originZIP") or details.get("originZIPCode"),
    )  # fmt: skip
    events = details.get("trackingEvents") or []
    scans = [scan for event in events if (scan := _scan(event, origin)) is not None]
    scans.sort(key=lambda scan: scan.at, reverse=True)
    return TrackingUpdate(
        tracking_number=str(number),
        status=_status(scans, details.get("statusCategory")),
        scans=scans,
        estimated_delivery=_estimated_delivery(details),
        signature_required=_signature_required(details.get("services")),
    )


def _status(scans: list[Scan], category: Any) -> ShipmentStatus | None:
    if scans:
        row = STATUSES.get(scans[0].code)
        if row is not None and row.status is not None:
            return row.status
    row = STATUS_CATEGORIES.get(str(category or ""))
    return row.status if row is not None else None


def _scan(event: Any, origin: ScanLocation | None) -> Scan | None:
    if not isinstance(event, Mapping):
        return None
    location = _place(
        event.get("eventCity"), event.get("eventState"),
        event.get("eventZIP") or event.get("eventZIPCode"), event.get("eventCountry"),
    )  # fmt: skip
    at = _event_time(event, location or origin)
    if at is None:
        return None
    return Scan(
        at=at,
        code=str(event.get("eventCode") or ""),
        description=str(event.get("eventType") or ""),
        location=location,
    )


def _place(city: Any, state: Any, zip_code: Any, country: Any = None) -> ScanLocation | None:
    if not (city or state or zip_code or country):
        return None
    # A domestic event names no country: it is in the US.
    return ScanLocation(
        city=city or None, region=state or None, postal_code=zip_code or None,
        country=country or "US",
    )  # fmt: skip


def _event_time(event: Mapping[str, Any], zone_place: ScanLocation | None) -> datetime | None:
    raw = event.get("eventTimestamp")
    if not raw:
        gmt = event.get("GMTTimestamp")
        return _parse_datetime(str(gmt)) if gmt else None
    local = _parse_datetime(str(raw).removesuffix("Z"))
    if local is None or local.tzinfo is not None:
        return local
    offset = _offset(event.get("GMTOffset"))
    if offset is not None:
        return local.replace(tzinfo=offset)
    return aware(local, zone_place)


def _parse_datetime(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None


def _offset(text: Any) -> timezone | None:
    match = _OFFSET.match(str(text or "").strip())
    if match is None:
        return None
    sign = -1 if match[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))


def _estimated_delivery(payload: Mapping[str, Any]) -> date | None:
    expectation = payload.get("deliveryDateExpectation")
    if isinstance(expectation, Mapping):  # Tracking v3r2 and its notifications
        payload = expectation
    for key in (
        "expectedDeliveryTimeStamp",
        "expectedDeliveryDate",
        "predictedDeliveryDate",
        "predictedDeliveryTimeStamp",
        "guaranteedDeliveryTimeStamp",
        "guaranteedDeliveryDate",
    ):
        value = payload.get(key)
        if value:
            try:
                return date.fromisoformat(str(value)[:10])
            except ValueError:
                continue
    return None


def _signature_required(services: Any) -> bool:
    if isinstance(services, str):
        services = [services]
    for service in services or []:
        text = str(service).strip()
        if text in _SIGNATURE_CODES or any(w in text.lower() for w in _SIGNATURE_WORDS):
            return True
    return False


# -- rates ----------------------------------------------------------------------------------


def parse_rates(payload: Mapping[str, Any], *, mail_class: str | None = None) -> list[RateQuote]:
    """Quotes from a Domestic Prices answer: one per rate option.

    ``base-rates/search`` answers one option (``{"totalBasePrice", "rates"}``);
    ``total-rates`` and ``base-rates-list`` answer ``{"rateOptions": [...]}``. The amount
    is ``totalBasePrice`` (postage with its fees, no optional extra services); USPS
    prices are in US dollars and carry no transit time. ``mail_class`` names the service
    when a rate omits its ``mailClass``."""
    _raise_for_error(payload)
    if "rateOptions" in payload:
        options = payload.get("rateOptions") or []
    elif "rates" in payload:
        options = [payload]
    else:
        raise CarrierError(CARRIER, "the prices answer has no rates")
    quotes = []
    for option in options:
        rates = [r for r in option.get("rates") or [] if isinstance(r, Mapping)]
        service = next((r["mailClass"] for r in rates if r.get("mailClass")), mail_class)
        amount = option.get("totalBasePrice")
        if service is None or amount is None:
            continue
        quotes.append(RateQuote(service=str(service), amount=_money(amount), currency="USD"))
    return quotes


def _money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))
