"""FedEx's own JSON read into the carrier-neutral shapes: pure functions, no I/O.

Follows FedEx Track API v1 (``POST /track/v1/trackingnumbers``), Rate API v1
(``POST /rate/v1/rates/quotes``) and the Advanced Integrated Visibility webhook, whose
push carries the Track API's ``completeTrackResults``; see ``fedex.py`` for the
documents used (Ship API answers: ``fedex_ship.py``). The adapter in ``fedex.py`` calls
these; tests call them on recorded bodies.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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

CARRIER = "fedex"

_S, _T, _O, _D, _X = (
    ShipmentStatus.SHIPPED,
    ShipmentStatus.IN_TRANSIT,
    ShipmentStatus.OUT_FOR_DELIVERY,
    ShipmentStatus.DELIVERED,
    ShipmentStatus.DELIVERY_EXCEPTION,
)

# FedEx's tracking status codes, as the Track Service guide lists them (the same code
# space as Track API v1 ``eventType`` and ``latestStatusDetail.code``), plus AE and AO
# announced in the Track API change log of 15 October 2021. Where FedEx lists one code
# twice with two meanings, both meanings are kept. None: the code says nothing about
# where the package is (notices, custom delivery options, return-label links).
STATUSES = status_table(
    StatusCode("AA", _T, "At Airport"),
    StatusCode("AC", _T, "At Canada Post facility"),
    StatusCode("AD", _O, "At Delivery"),
    StatusCode("AE", None, "Shipment arriving early"),
    StatusCode("AF", _T, "At FedEx Facility"),
    StatusCode("AO", None, "Shipment arriving On-time"),
    StatusCode("AP", _S, "At Pickup"),
    StatusCode("AR", _T, "Arrived at"),
    StatusCode("AX", _T, "At USPS facility"),
    StatusCode("BR", _T, "Broker"),
    StatusCode("CA", _X, "Shipment Cancelled / Carrier"),
    StatusCode("CC", _T, "Cleared Customs"),
    StatusCode("CD", _X, "Clearance Delay"),
    StatusCode("CH", None, "Location Changed"),
    StatusCode("CP", _T, "Clearance in Progress"),
    StatusCode("CU", _T, "Customs"),
    StatusCode("DD", _T, "Delivery Delay"),
    StatusCode("DE", _X, "Delivery Exception"),
    StatusCode("DL", _D, "Delivered"),
    StatusCode("DP", _T, "Departed"),
    StatusCode("DR", None, "Vehicle furnished but not used"),
    StatusCode("DS", None, "Vehicle Dispatched"),
    StatusCode("DY", _T, "Delay"),
    StatusCode("EA", _T, "Enroute to Airport / Export Approved"),
    StatusCode("ED", _O, "Enroute to Delivery"),
    StatusCode("EO", _T, "Enroute to Origin Airport"),
    StatusCode("EP", None, "Enroute to Pickup"),
    StatusCode("FD", _T, "At FedEx Destination"),
    StatusCode("HL", _X, "Hold at Location"),
    StatusCode("IT", _T, "In Transit"),
    StatusCode("IX", _T, "In transit (see Details)"),
    StatusCode("LO", _T, "Left Origin"),
    StatusCode("LP", None, "Return label link cancelled by shipment originator"),
    StatusCode("OC", _S, "Order Created"),
    StatusCode("OD", _O, "Out for Delivery"),
    StatusCode("OF", _T, "At FedEx origin facility"),
    StatusCode("OX", _T, "Shipment information sent to USPS"),
    StatusCode("PD", None, "Pickup Delay"),
    StatusCode("PF", _T, "Plane in Flight"),
    StatusCode("PL", _T, "Plane Landed"),
    StatusCode("PM", _T, "In Progress"),
    StatusCode("PU", _S, "Picked Up"),
    StatusCode("PX", _S, "Picked up (see Details)"),
    StatusCode("RC", None, "CDO Cancelled / Recipient"),
    StatusCode("RD", None, "Return label link expired"),
    StatusCode("RG", None, "Return label link expiring soon"),
    StatusCode("RM", None, "CDO Modified"),
    StatusCode("RP", None, "Return label link emailed to return sender"),
    StatusCode("RR", None, "CDO requested"),
    StatusCode("RS", _X, "Return to Shipper"),
    StatusCode("SE", _X, "Shipment Exception"),
    StatusCode("SF", _T, "At Sort Facility"),
    StatusCode("SH", None, "Shipper"),
    StatusCode("SP", None, "Split Status"),
    StatusCode("TP", _T, "Transfer Partner"),
    StatusCode("TR", _T, "Transfer"),
)

# Track API v1 ``specialHandlings[].type`` values that mean someone must sign.
SIGNATURE_HANDLINGS = frozenset(
    {"ADULT_SIGNATURE_REQUIRED", "DIRECT_SIGNATURE_REQUIRED", "INDIRECT_SIGNATURE_REQUIRED"}
)
# The rate we pay: the account's negotiated rate, else FedEx's list rate.
_RATE_PREFERENCE = ("ACCOUNT", "LIST")
_WORDS = (
    "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN",
    "ELEVEN", "TWELVE", "THIRTEEN", "FOURTEEN", "FIFTEEN", "SIXTEEN", "SEVENTEEN",
    "EIGHTEEN", "NINETEEN", "TWENTY",
)  # fmt: skip
_NUMBERS = {word: n for n, word in enumerate(_WORDS, start=1)}


def parse_error(payload: Mapping[str, Any]) -> CarrierError:
    """FedEx's error body (``{"errors": [{"code", "message"}]}``) as a CarrierError."""
    errors = [e for e in payload.get("errors") or [] if isinstance(e, Mapping)]
    if not errors:
        return CarrierError(CARRIER, "FedEx answered with an error body that lists no error")
    message = "; ".join(str(e.get("message") or e.get("code") or "unknown error") for e in errors)
    return CarrierError(CARRIER, message, code=errors[0].get("code"))


def output_of(payload: Mapping[str, Any], what: str) -> Mapping[str, Any]:
    """The ``output`` of a FedEx answer; its error body raised as CarrierError."""
    if not isinstance(payload, Mapping):
        raise CarrierError(CARRIER, f"{what} response is not a JSON object")
    if payload.get("errors"):
        raise parse_error(payload)
    output = payload.get("output")
    if not isinstance(output, Mapping):
        raise CarrierError(CARRIER, f"{what} response has no output")
    return output


# -- tracking ------------------------------------------------------------------------


def parse_tracking(payload: Mapping[str, Any]) -> list[TrackingUpdate]:
    """One update per tracking number FedEx found, in the order FedEx lists them.

    A number FedEx reports as an error inside a good response (not found, not yet in
    the system) is left out, so one bad number does not hide the others' news; read
    those with ``tracking_errors``. A whole-response error body raises CarrierError.
    """
    updates = []
    for complete in output_of(payload, "Track").get("completeTrackResults") or []:
        result = _current_result(complete.get("trackResults") or [])
        if result is not None:
            updates.append(_update(complete, result))
    return updates


def parse_webhook(payload: Mapping[str, Any]) -> list[TrackingUpdate]:
    """An Advanced Integrated Visibility push: FedEx sends the Track API's
    ``output.completeTrackResults`` (its ``TestWebhookOutputVO``), read by the same rules
    as ``parse_tracking``: FedEx's status table, aware times, scans newest first."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("output"), Mapping):
        raise CarrierError(CARRIER, "FedEx's webhook body has no output")
    return parse_tracking(payload)


def webhook_signature(raw_body: bytes, security_token: str) -> str:
    """The ``fdx-signature`` header FedEx sends with every push: base64 of the
    HMAC-SHA256 of the raw body, keyed by the webhook project's security token."""
    digest = hmac.new(security_token.encode(), raw_body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def tracking_errors(payload: Mapping[str, Any]) -> dict[str, CarrierError]:
    """The numbers FedEx could not track in a good response, with FedEx's own message."""
    found = {}
    for complete in output_of(payload, "Track").get("completeTrackResults") or []:
        results = complete.get("trackResults") or []
        if results and _current_result(results) is None:
            error = results[0].get("error") or {}
            number = complete.get("trackingNumber") or _number(results[0])
            found[number] = CarrierError(
                CARRIER, str(error.get("message") or "tracking failed"), code=error.get("code")
            )
    return found


def _current_result(results: Iterable[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    # FedEx reuses tracking numbers: a number may come back with several shipments
    # ("duplicates"). Ours is the one with the latest scan; ties keep FedEx's order.
    usable = [r for r in results if not (r.get("error") and not r.get("latestStatusDetail"))]
    if not usable:
        return None

    def newest(result: Mapping[str, Any]) -> float:
        scans = _scans(result)
        return scans[0].at.timestamp() if scans else float("-inf")

    return max(usable, key=newest)


def _number(result: Mapping[str, Any]) -> str:
    return str((result.get("trackingNumberInfo") or {}).get("trackingNumber") or "")


def _update(complete: Mapping[str, Any], result: Mapping[str, Any]) -> TrackingUpdate:
    latest = result.get("latestStatusDetail") or {}
    row = STATUSES.get(latest.get("code") or latest.get("derivedCode") or "")
    handlings = {h.get("type") for h in result.get("specialHandlings") or []}
    return TrackingUpdate(
        tracking_number=str(complete.get("trackingNumber") or _number(result)),
        status=row.status if row else None,
        scans=_scans(result),
        estimated_delivery=_estimated_delivery(result),
        signature_required=bool(handlings & SIGNATURE_HANDLINGS),
    )


def _scans(result: Mapping[str, Any]) -> list[Scan]:
    scans = [s for s in map(_scan, result.get("scanEvents") or []) if s is not None]
    return sorted(scans, key=lambda s: s.at, reverse=True)


def _scan(event: Mapping[str, Any]) -> Scan | None:
    location = _location(event.get("scanLocation"))
    try:
        at = aware(datetime.fromisoformat(str(event["date"])), location)
    except (KeyError, ValueError):
        return None  # a scan that cannot be placed in time cannot go on a timeline
    code = str(event.get("eventType") or event.get("derivedStatusCode") or "")
    description = str(event.get("eventDescription") or event.get("derivedStatus") or code)
    reason = str(event.get("exceptionDescription") or "").strip()
    if reason and reason.lower() != description.lower():
        description = f"{description}: {reason}"
    return Scan(at=at, code=code, description=description, location=location)


def _location(address: Any) -> ScanLocation | None:
    if not isinstance(address, Mapping):
        return None
    location = ScanLocation(
        city=address.get("city") or None,
        region=address.get("stateOrProvinceCode") or None,
        postal_code=address.get("postalCode") or None,
        country=address.get("countryCode") or None,
    )
    return location if location != ScanLocation() else None


def _estimated_delivery(result: Mapping[str, Any]) -> date | None:
    # FedEx's best guess first, its commitment last.
    times = {t.get("type"): t.get("dateTime") for t in result.get("dateAndTimes") or []}
    estimate = (result.get("estimatedDeliveryTimeWindow") or {}).get("window") or {}
    standard = (result.get("standardTransitTimeWindow") or {}).get("window") or {}
    for value in (
        times.get("ESTIMATED_DELIVERY"),
        estimate.get("ends"),
        estimate.get("begins"),
        times.get("COMMITMENT"),
        standard.get("ends"),
    ):
        if value:
            try:
                return datetime.fromisoformat(str(value)).date()  # the date where it lands
            except ValueError:
                continue
    return None


# -- rates ---------------------------------------------------------------------------


def parse_rates(payload: Mapping[str, Any]) -> list[RateQuote]:
    """One quote per FedEx service offered: its service type, net charge and transit."""
    quotes = []
    for reply in output_of(payload, "Rate").get("rateReplyDetails") or []:
        details = reply.get("ratedShipmentDetails") or []
        if not reply.get("serviceType") or not details:
            continue
        by_type = {d.get("rateType"): d for d in details}
        chosen = next((by_type[t] for t in _RATE_PREFERENCE if t in by_type), details[0])
        try:
            amount = Decimal(str(chosen["totalNetCharge"]))
        except (KeyError, InvalidOperation):
            continue  # a service FedEx could not price is not a quote
        currency = chosen.get("currency") or (chosen.get("shipmentRateDetail") or {}).get(
            "currency"
        )
        if not currency:
            continue
        operational = reply.get("operationalDetail") or {}
        quotes.append(
            RateQuote(
                service=str(reply["serviceType"]),
                amount=amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                currency=str(currency),
                transit_days=transit_days(operational.get("transitTime")),
            )
        )
    return quotes


def transit_days(value: Any) -> int | None:
    """FedEx's ``transitTime`` words (``ONE_DAY``, ``THREE_DAYS``...) as a number."""
    word = str(value or "").split("_", 1)[0]
    return _NUMBERS.get(word)
