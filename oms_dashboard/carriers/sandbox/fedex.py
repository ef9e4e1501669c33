"""The FedEx sandbox: FedEx's OAuth, Track API v1 and Rate API v1 answered from the
sandbox's state, in FedEx's own JSON (the shapes of ``tests/fixtures/carriers/fedex/``),
so the real ``FedExCarrier`` and its parser run against it unchanged.

- ``POST /oauth/token`` (form ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``): any non-empty pair gets a bearer token valid one hour.
- ``POST /track/v1/trackingnumbers``: every requested number, unknown ones as FedEx's
  ``TRACKING.TRACKINGNUMBER.NOTFOUND`` entry inside a good answer.
- ``POST /rate/v1/rates/quotes``: every sandbox FedEx service, priced by
  ``sandbox.sandbox_quote``.

Errors are FedEx's ``{"transactionId", "errors": [{"code", "message"}]}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import UTC, date, datetime
from decimal import ROUND_CEILING, Decimal
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

from babel import Locale
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus, local_zone
from oms_dashboard.domain.tracking import CarrierName

router = APIRouter(prefix="/sandbox/carriers/fedex", include_in_schema=False)

CARRIER = CarrierName.FEDEX.value
TOKEN_LIFETIME_SECONDS = 3600
# Tokens are signed, not stored, so every process of the app accepts the others'.
# A sandbox needs no secret: this key only tells our tokens from made-up ones.
_TOKEN_KEY = b"oms-dashboard fedex sandbox"
_now = time.time  # the sandbox's clock for token expiry (tests move it)

# Our status -> the one FedEx code the sandbox writes for it (a row of STATUSES), with
# FedEx's wording, its derived code (as in recorded answers: OD derives IT) and the
# scan's locationType.
CODES: dict[ShipmentStatus, tuple[str, str, str, str, str]] = {
    ShipmentStatus.SHIPPED: ("PU", "Picked up", "PU", "Picked up", "PICKUP_LOCATION"),
    ShipmentStatus.IN_TRANSIT: ("IT", "In transit", "IT", "In transit", "FEDEX_FACILITY"),
    ShipmentStatus.OUT_FOR_DELIVERY: (
        "OD",
        "On FedEx vehicle for delivery",
        "IT",
        "In transit",
        "VEHICLE",
    ),
    ShipmentStatus.DELIVERED: ("DL", "Delivered", "DL", "Delivered", "DELIVERY_LOCATION"),
    ShipmentStatus.DELIVERY_EXCEPTION: (
        "DE",
        "Delivery exception",
        "DE",
        "Delivery exception",
        "DELIVERY_LOCATION",
    ),
}
SERVICE_NAMES = {
    "FEDEX_GROUND": "FedEx Ground",
    "FEDEX_2_DAY": "FedEx 2Day",
    "PRIORITY_OVERNIGHT": "FedEx Priority Overnight",
}
_DAY_WORDS = ("ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE", "TEN")
_GRAMS_PER = {"KG": 1000, "LB": Decimal("453.59237")}

# FedEx's own messages (from its OpenAPI examples, see fixtures/carriers/fedex/SOURCES.md).
BAD_CREDENTIALS = (
    "NOT.AUTHORIZED.ERROR",
    "The given client credentials were not valid. Please modify your request and try again.",
)
TOKEN_EXPIRED = (
    "NOT.AUTHORIZED.ERROR",
    "Access token expired. Please modify your request and try again.",
)
NO_NUMBER = ("TRACKING.TRACKINGNUMBER.EMPTY", "Please provide tracking number.")
NOT_FOUND = (
    "TRACKING.TRACKINGNUMBER.NOTFOUND",
    "Tracking number cannot be found. Please correct the tracking number and try again.",
)
BAD_INPUT = ("INVALID.INPUT.EXCEPTION", "Invalid field value in the input")


# -- answers ---------------------------------------------------------------------------


@router.post("/oauth/token")
async def post_token(request: Request) -> JSONResponse:
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    if form.get("grant_type") != "client_credentials" or not (
        form.get("client_id") and form.get("client_secret")
    ):
        return _error(401, BAD_CREDENTIALS)
    token = _sign_token(form["client_id"], int(_now()) + TOKEN_LIFETIME_SECONDS)
    body = {
        "access_token": token,
        "token_type": "bearer",
        "expires_in": TOKEN_LIFETIME_SECONDS,
        "scope": "CXS",
    }
    return JSONResponse(body)


@router.post("/track/v1/trackingnumbers")
async def post_tracking(request: Request, session: SessionDep) -> JSONResponse:
    refused = _refuse_bearer(request)
    if refused is not None:
        return refused
    body = await _json_body(request)
    infos = body.get("trackingInfo") if isinstance(body, dict) else None
    numbers = [
        str(n)
        for n in (
            _dict(_dict(i).get("trackingNumberInfo")).get("trackingNumber")
            for i in (infos if isinstance(infos, list) else [])
        )
        if n
    ]
    if not numbers:
        return _error(400, NO_NUMBER, request)
    found = await run_in_threadpool(sandbox.packages, session, CARRIER, numbers)
    results = [
        _complete_result(n, found[n]) if n in found else _not_found_result(n) for n in numbers
    ]
    return _answer(request, {"completeTrackResults": results})


@router.post("/rate/v1/rates/quotes")
async def post_rates(request: Request) -> JSONResponse:
    refused = _refuse_bearer(request)
    if refused is not None:
        return refused
    body = await _json_body(request)
    shipment = body.get("requestedShipment") if isinstance(body, dict) else None
    if not isinstance(shipment, dict):
        return _error(400, BAD_INPUT, request)
    grams = _grams(shipment.get("requestedPackageLineItems"))
    origin = _country(shipment.get("shipper"))
    destination = _country(shipment.get("recipient"))
    if grams is None or not origin or not destination:
        return _error(400, BAD_INPUT, request)
    currency = str(shipment.get("preferredCurrency") or "USD")
    replies = [
        _rate_reply(service, grams=grams, international=origin != destination, currency=currency)
        for service in sandbox.SERVICES[CarrierName.FEDEX]
    ]
    return _answer(request, {"rateReplyDetails": replies, "quoteDate": date.today().isoformat()})


# -- credentials -----------------------------------------------------------------------


def _sign_token(client_id: str, expires: int) -> str:
    payload = f"{client_id}.{expires}"
    signature = hmac.new(_TOKEN_KEY, payload.encode(), hashlib.sha256).hexdigest()
    return f"{payload}.{signature}"


def _refuse_bearer(request: Request) -> JSONResponse | None:
    """FedEx's 401 for a call with no bearer, a bearer not ours, or an expired one."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    parts = token.rsplit(".", 2)
    if scheme.lower() != "bearer" or len(parts) != 3 or not parts[1].isdigit():
        return _error(401, BAD_CREDENTIALS, request)
    client_id, expires = parts[0], int(parts[1])
    if not hmac.compare_digest(_sign_token(client_id, expires), token):
        return _error(401, BAD_CREDENTIALS, request)
    if expires <= _now():
        return _error(401, TOKEN_EXPIRED, request)
    return None


# -- tracking --------------------------------------------------------------------------


def _complete_result(number: str, package: sandbox.SandboxPackage) -> dict[str, Any]:
    latest = package.events[0]
    code, description, *_ = CODES[latest.status]
    ground = package.service == "FEDEX_GROUND"
    result: dict[str, Any] = {
        "trackingNumberInfo": {
            "trackingNumber": number,
            "carrierCode": "FDXG" if ground else "FDXE",
            "trackingNumberUniqueId": f"12026~{number}~{'FDEG' if ground else 'FX'}",
        },
        "latestStatusDetail": {
            "code": code,
            "derivedCode": code,
            "statusByLocale": description,
            "description": latest.reason or description,
            "scanLocation": _address(latest.location),
        },
        "dateAndTimes": _dates_and_times(package),
        "specialHandlings": _special_handlings(package),
        "scanEvents": [_scan_event(e) for e in package.events],
        "originLocation": {"locationContactAndAddress": {"address": _address(package.origin)}},
        "lastUpdatedDestinationAddress": _address(package.destination),
        "serviceDetail": {
            "type": package.service,
            "description": SERVICE_NAMES.get(package.service, package.service),
        },
    }
    if latest.status is ShipmentStatus.DELIVERY_EXCEPTION and latest.reason:
        result["latestStatusDetail"]["ancillaryDetails"] = [
            {"reason": "", "reasonDescription": latest.reason}
        ]
    return {"trackingNumber": number, "trackResults": [result]}


def _not_found_result(number: str) -> dict[str, Any]:
    code, message = NOT_FOUND
    return {
        "trackingNumber": number,
        "trackResults": [
            {
                "trackingNumberInfo": {
                    "trackingNumber": number,
                    "carrierCode": "",
                    "trackingNumberUniqueId": "",
                },
                "error": {"code": code, "message": message},
            }
        ],
    }


def _scan_event(event: sandbox.SandboxEvent) -> dict[str, Any]:
    code, description, derived, derived_text, location_type = CODES[event.status]
    return {
        "date": _local_time(event.at, event.location),
        "eventType": code,
        "eventDescription": description,
        "exceptionCode": "",
        "exceptionDescription": event.reason or "",
        "scanLocation": {"streetLines": [""], **_address(event.location)},
        "locationType": location_type,
        "derivedStatusCode": derived,
        "derivedStatus": derived_text,
    }


def _dates_and_times(package: sandbox.SandboxPackage) -> list[dict[str, str]]:
    shipped = _local_time(package.created_at, package.origin)
    times = [{"type": "ACTUAL_PICKUP", "dateTime": shipped}, {"type": "SHIP", "dateTime": shipped}]
    latest = package.events[0]
    if latest.status is ShipmentStatus.DELIVERED:
        delivered = _local_time(latest.at, latest.location)
        times.insert(0, {"type": "ACTUAL_DELIVERY", "dateTime": delivered})
    if package.estimated_delivery is not None:
        # FedEx writes a date as midnight where the package lands.
        zone = _zone(package.destination)
        midnight = datetime.combine(package.estimated_delivery, datetime.min.time(), zone)
        times.insert(0, {"type": "ESTIMATED_DELIVERY", "dateTime": midnight.isoformat()})
    return times


def _special_handlings(package: sandbox.SandboxPackage) -> list[dict[str, str]]:
    handlings = [
        {"type": "DELIVER_WEEKDAY", "description": "Deliver Weekday", "paymentType": "OTHER"}
    ]
    if package.signature_required:
        handlings.append(
            {
                "type": "DIRECT_SIGNATURE_REQUIRED",
                "description": "Direct Signature Required",
                "paymentType": "OTHER",
            }
        )
    return handlings


def _address(location: ScanLocation) -> dict[str, Any]:
    address: dict[str, Any] = {
        "city": (location.city or "").upper(),
        "stateOrProvinceCode": location.region or "",
        "postalCode": location.postal_code or "",
        "countryCode": location.country or "",
        "residential": False,
    }
    if location.country:
        address["countryName"] = Locale("en").territories.get(location.country, "")
    return {k: v for k, v in address.items() if v != ""}


def _zone(location: ScanLocation) -> ZoneInfo:
    return local_zone(location.country, location.region, location.postal_code)


def _local_time(at: datetime, location: ScanLocation) -> str:
    """As FedEx writes a scan's time: local to the scan's place, with its offset."""
    at = at if at.tzinfo else at.replace(tzinfo=UTC)
    return at.astimezone(_zone(location)).isoformat(timespec="seconds")


# -- rates -----------------------------------------------------------------------------


def _grams(items: Any) -> int | None:
    if not isinstance(items, list) or not items:
        return None
    total = Decimal(0)
    for item in items:
        weight = _dict(_dict(item).get("weight"))
        per = _GRAMS_PER.get(str(weight.get("units") or "").upper())
        try:
            value = Decimal(str(weight["value"]))
        except (KeyError, ArithmeticError):
            return None
        if per is None or value <= 0:
            return None
        total += value * per
    return int(total.to_integral_value(rounding=ROUND_CEILING))


def _country(party: Any) -> str | None:
    return _dict(_dict(party).get("address")).get("countryCode") or None


def _rate_reply(
    service: sandbox.SandboxService, *, grams: int, international: bool, currency: str
) -> dict[str, Any]:
    cents, days = sandbox.sandbox_quote(CARRIER, service, grams=grams, international=international)
    amount = float(Decimal(cents) / 100)
    name = SERVICE_NAMES.get(service.code, service.code)
    details = [
        {
            "rateType": rate_type,
            "ratedWeightMethod": "ACTUAL",
            "totalDiscounts": 0,
            "totalBaseCharge": amount,
            "totalNetCharge": amount,
            "totalVatCharge": 0,
            "totalNetFedExCharge": amount,
            "totalDutiesAndTaxes": 0,
            "totalNetChargeWithDutiesAndTaxes": amount,
            "shipmentRateDetail": {"currency": currency},
            "currency": currency,
        }
        for rate_type in ("ACCOUNT", "LIST")
    ]
    word = _DAY_WORDS[days - 1]
    return {
        "serviceType": service.code,
        "serviceName": name,
        "packagingType": "YOUR_PACKAGING",
        "ratedShipmentDetails": details,
        "operationalDetail": {"transitTime": f"{word}_DAY{'S' if days > 1 else ''}"},
        "serviceDescription": {"serviceType": service.code, "description": name},
    }


# -- FedEx's envelope ------------------------------------------------------------------


def _dict(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one for anything else the client sent there."""
    return value if isinstance(value, dict) else {}


async def _json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


def _ids(request: Request | None) -> dict[str, str]:
    ids = {"transactionId": str(uuid.uuid4())}
    customer = request.headers.get("x-customer-transaction-id") if request else None
    if customer:
        ids["customerTransactionId"] = customer
    return ids


def _answer(request: Request, output: dict[str, Any]) -> JSONResponse:
    return JSONResponse({**_ids(request), "output": output})


def _error(status: int, error: tuple[str, str], request: Request | None = None) -> JSONResponse:
    code, message = error
    return JSONResponse({**_ids(request), "errors": [{"code": code, "message": message}]}, status)
