"""The USPS sandbox: USPS APIs v3 as ``carriers.usps.UspsCarrier`` calls them, answered
from the sandbox's packages in USPS's own JSON (the shapes of the recorded answers in
``tests/fixtures/carriers/usps``).

- ``POST /oauth2/v3/token`` (OAuth 2.0 v3, client credentials, JSON or form body): any
  non-empty client id and secret get a token; missing ones get OAuth's ``invalid_client``.
  Tokens are JWT-shaped and signed, so every process accepts the others' tokens; the key
  is no secret, it only proves the caller went through the token step.
- ``GET /tracking/v3/tracking/{trackingNumber}`` (Tracking 3.0 ``TrackingDetails``): event
  times are the local wall time of the scan's place with its ``GMTOffset`` and
  ``GMTTimestamp``, as USPS writes them; an unknown number gets USPS's 400 "12: A status
  update is not yet available" body.
- ``POST /prices/v3/base-rates/search`` (Domestic Prices 3.0 ``BaseRatesQuery``): one
  mail class per call, priced by ``sandbox_quote``. The query names ZIP Codes only, so
  every quote is domestic; USPS's answer carries no currency (US dollars) and no transit
  time.
- Payments 3.0 and Labels 3.0 (labels, return labels, cancellation): ``usps_labels``;
  International Prices 3.0 and International Labels 3.0: ``usps_international``. This
  router includes both.
- ``webhook_body(package)``: the Subscriptions - Tracking notification USPS would POST to
  a listener for the package's newest scan.

Any other call with a missing or foreign bearer token gets USPS's 401 body. Tokens and
the error body are shared with the labels routes (``usps_api``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus, local_zone
from oms_dashboard.carriers.sandbox import usps_international, usps_labels
from oms_dashboard.carriers.sandbox.usps_api import (
    CARRIER,
    MAIL_CLASSES,
    TOKEN_LIFETIME_S,
    api_error,
    bearer_valid,
    grams_from_pounds,
    new_token,
    sku,
    unauthorized,
)
from oms_dashboard.carriers.usps_codes import STATUS_CATEGORIES, STATUSES
from oms_dashboard.domain.tracking import CarrierName

router = APIRouter(prefix="/sandbox/carriers/usps", include_in_schema=False)
router.include_router(usps_labels.router)
router.include_router(usps_international.router)

_S = ShipmentStatus
SUBSCRIPTION_ID = "sandbox-usps-tracking"
"""The one tracking subscription the sandbox notifies for (``webhook_body``)."""


@dataclass(frozen=True)
class UspsEvent:
    code: str
    """``eventCode``, a row of ``usps_codes.STATUSES``."""
    event_type: str
    """``eventType`` as USPS words it."""
    category: str
    """``statusCategory``, a row of ``usps_codes.STATUS_CATEGORIES``."""


EVENTS = {
    _S.SHIPPED: UspsEvent("03", "USPS in possession of item", "Accepted"),
    _S.IN_TRANSIT: UspsEvent("A1", "Arrived at USPS Facility", "Moving Through Network"),
    _S.OUT_FOR_DELIVERY: UspsEvent("OF", "Out for Delivery", "Out for Delivery"),
    _S.DELIVERED: UspsEvent("01", "Delivered", "Delivered"),
    _S.DELIVERY_EXCEPTION: UspsEvent("02", "Attempted / Notice Left", "Delivery Attempt"),
}
"""Our status -> the one USPS scan code the sandbox writes for it."""

for _status, _event in EVENTS.items():  # a typo here would silently change a status
    assert STATUSES[_event.code].status is _status, _event
    assert STATUS_CATEGORIES[_event.category].status is _status, _event

SIGNATURE_SERVICE = "Signature Confirmation<SUP>&#8482;</SUP>"
NOT_FOUND_MESSAGE = (
    "12: A status update is not yet available on your package. It will be available when "
    "the shipper provides an update or the package is given to USPS. Check back soon. "
    "Sign up for Informed Delivery<SUP>reg;</SUP> to receive notifications for packages "
    "addressed to you. - "
)


# -- OAuth 2.0 v3 ---------------------------------------------------------------------------


@router.post("/oauth2/v3/token")
async def issue_token(request: Request) -> JSONResponse:
    body = await _token_body(request)
    if not (str(body.get("client_id") or "").strip() and body.get("client_secret")):
        return _oauth_error(401, "invalid_client", "Client authentication failed.")
    if body.get("grant_type") != "client_credentials":
        message = "Grant type must be client_credentials."
        return _oauth_error(400, "unsupported_grant_type", message)
    client_id = str(body["client_id"])
    token, now = new_token(client_id, kind="access")
    return JSONResponse(
        {
            "access_token": token,
            "token_type": "Bearer",
            "issued_at": now * 1000,
            "expires_in": TOKEN_LIFETIME_S,
            "status": "approved",
            "scope": "tracking prices labels payments",
            "issuer": "api.usps.com",
            "client_id": client_id,
            "application_name": "OMS Dashboard sandbox",
        }
    )


async def _token_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if "application/x-www-form-urlencoded" in request.headers.get("content-type", ""):
        return dict(parse_qsl(raw.decode()))
    try:
        body = json.loads(raw or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _oauth_error(status: int, error: str, description: str) -> JSONResponse:
    body = {
        "error": error,
        "error_description": description,
        "error_uri": "https://datatracker.ietf.org/doc/html/rfc6749#page-45",
    }
    return JSONResponse(body, status_code=status)


# -- Tracking 3.0 ---------------------------------------------------------------------------


@router.get("/tracking/v3/tracking/{tracking_number}")
def track_package(tracking_number: str, request: Request, session: SessionDep) -> JSONResponse:
    if not bearer_valid(request):
        return unauthorized("/tracking/v3")
    package = sandbox.packages(session, CARRIER, [tracking_number]).get(tracking_number)
    if package is None or not package.events:
        error = {"title": NOT_FOUND_MESSAGE, "detail": "", "code": "150001"}
        return api_error("/tracking/v3", 400, NOT_FOUND_MESSAGE, [error])
    return JSONResponse(tracking_details(package))


def tracking_details(package: sandbox.SandboxPackage) -> dict[str, Any]:
    """A ``TrackingDetails`` answer (``expand=DETAIL``), events newest first."""
    newest, event = package.events[0], EVENTS[package.events[0].status]
    name, mark, _ = MAIL_CLASSES.get(package.service, (package.service, "", ""))
    details: dict[str, Any] = {
        "trackingNumber": package.tracking_number,
        "mailClass": name + mark,
        "mailType": "DM",
        "originCity": package.origin.city,
        "originState": package.origin.region,
        "originZIP": package.origin.postal_code,
        "destinationCity": package.destination.city,
        "destinationState": package.destination.region,
        "destinationZIP": package.destination.postal_code,
        "services": _services(package),
        "status": _event_type(newest),
        "statusCategory": event.category,
        "statusSummary": _summary(newest),
        "trackingEvents": [_tracking_event(e) for e in package.events],
    }
    if package.estimated_delivery is not None:
        details["expectedDeliveryTimeStamp"] = f"{package.estimated_delivery.isoformat()}T00:00:00"
    return details


def _services(package: sandbox.SandboxPackage) -> list[str]:
    services = ["USPS Tracking<SUP>&#174;</SUP>"]
    if package.signature_required:
        services.append(SIGNATURE_SERVICE)
    return services


def _tracking_event(event: sandbox.SandboxEvent) -> dict[str, Any]:
    local, utc = _local_time(event.at, event.location), _utc(event.at)
    offset = local.strftime("%z")
    place = event.location
    return {
        "eventType": _event_type(event),
        "eventTimestamp": local.replace(tzinfo=None).isoformat(timespec="seconds"),
        "GMTTimestamp": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "GMTOffset": f"{offset[:3]}:{offset[3:]}",
        # USPS names a country for events abroad only.
        "eventCountry": place.country if (place.country or "US") != "US" else None,
        "eventCity": place.city,
        "eventState": place.region,
        "eventZIP": place.postal_code,
        "firm": None,
        "name": None,
        "authorizedAgent": "false",
        "eventCode": EVENTS[event.status].code,
        "additionalProp": None,
    }


def _event_type(event: sandbox.SandboxEvent) -> str:
    # USPS puts the why of an event in its wording: "Notice Left (No Secure Location ...)".
    words = EVENTS[event.status].event_type
    return f"{words} ({event.reason})" if event.reason else words


def _summary(event: sandbox.SandboxEvent) -> str:
    local = _local_time(event.at, event.location)
    when = f"{local:%I:%M %p}".lstrip("0").lower() + f" on {local:%B} {local.day}, {local.year}"
    where = " ".join(p for p in (event.location.city, event.location.region) if p)
    return f"{_event_type(event)} at {when} in {where}."


def _utc(at: datetime) -> datetime:
    # The database may hand back naive UTC (SQLite).
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _local_time(at: datetime, place: ScanLocation) -> datetime:
    zone: ZoneInfo = local_zone(place.country or "US", place.region, place.postal_code)
    return _utc(at).astimezone(zone)


# -- Subscriptions - Tracking v3r2 ---------------------------------------------------------


def webhook_body(package: sandbox.SandboxPackage) -> dict[str, Any]:
    """The notification USPS POSTs to a tracking subscription's listener for the
    package's newest scan: a ``scanEventEx`` whose ``payload`` is the package's details
    as a JSON string, the new event in ``trackingEvents`` (the shape of
    ``tests/fixtures/carriers/usps/webhook_tracking_event.json``, whose event time has its
    offset and ``GMTOffset`` reads ``-5:00``)."""
    newest, event = package.events[0], EVENTS[package.events[0].status]
    name, mark, _ = MAIL_CLASSES.get(package.service, (package.service, "", ""))
    origin, destination = package.origin, package.destination
    details: dict[str, Any] = {
        "trackingNumber": package.tracking_number,
        "destinationCity": destination.city,
        "destinationCountry": destination.country or "US",
        "destinationState": destination.region,
        "destinationZIPCode": destination.postal_code,
        "mailClass": name + mark,
        "mailType": "DM",
        "originCity": origin.city,
        "originCountry": origin.country or "US",
        "originState": origin.region,
        "originZIPCode": origin.postal_code,
        "services": _services(package),
        "status": _event_type(newest),
        "statusCategory": event.category,
        "statusSummary": _summary(newest),
        "trackingEvents": [_notified_event(newest)],
    }
    if package.estimated_delivery is not None:
        expected = package.estimated_delivery.isoformat()
        details["deliveryDateExpectation"] = {"expectedDeliveryDate": expected}
    return {
        "subscriptionId": SUBSCRIPTION_ID,
        "subscriptionType": "TRACKING",
        "timestamp": _utc(newest.at).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "payload": json.dumps(details, separators=(",", ":")),
    }


def _notified_event(event: sandbox.SandboxEvent) -> dict[str, Any]:
    local, place = _local_time(event.at, event.location), event.location
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    return {
        "eventCity": place.city,
        "eventCode": EVENTS[event.status].code,
        "eventCountry": place.country or "US",
        "eventState": place.region,
        "eventTimestamp": local.isoformat(timespec="seconds"),
        "eventType": _event_type(event),
        "eventZIPCode": place.postal_code,
        "GMTTimestamp": _utc(event.at).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "GMTOffset": f"{sign}{minutes // 60}:{minutes % 60:02d}",
    }


# -- Domestic Prices 3.0 --------------------------------------------------------------------

_REQUIRED = ("originZIPCode", "destinationZIPCode", "weight", "mailClass", "processingCategory")


@router.post("/prices/v3/base-rates/search")
async def search_base_rates(request: Request) -> JSONResponse:
    if not bearer_valid(request):
        return unauthorized("/prices/v3")
    try:
        query = json.loads(await request.body() or b"{}")
    except ValueError:
        query = None
    if not isinstance(query, dict):
        return _price_error("The request body is not a JSON object.", "body")
    missing = [field for field in _REQUIRED if query.get(field) in (None, "")]
    if missing:
        return _price_error(f"{missing[0]} is required.", missing[0])
    services = {service.code: service for service in sandbox.SERVICES[CarrierName.USPS]}
    service = services.get(str(query["mailClass"]))
    if service is None:
        known = ", ".join(services)
        return _price_error(f"mailClass must be one of {known}.", "mailClass")
    try:
        pounds = float(query["weight"])
    except (TypeError, ValueError):
        pounds = 0.0
    if not 0 < pounds <= 70:
        return _price_error("weight must be above 0 and at most 70 pounds.", "weight")
    return JSONResponse(base_rates(query, service, pounds))


def base_rates(query: dict[str, Any], service: sandbox.SandboxService, pounds: float) -> dict:
    """A ``BaseRatesResponse``: one rate, its ``totalBasePrice`` the sandbox's price."""
    cents, _ = sandbox.sandbox_quote(
        CARRIER, service, grams=grams_from_pounds(pounds), international=False
    )
    name = MAIL_CLASSES.get(service.code, (service.code,))[0]
    shape = "Machinable" if query["processingCategory"] == "MACHINABLE" else "Nonmachinable"
    price = cents / 100
    zone = "01"  # sandbox prices do not vary with distance
    return {
        "totalBasePrice": price,
        "rates": [
            {
                "SKU": sku(service.code, pounds, zone),
                "description": f"{name} {shape} Single-piece",
                "priceType": query.get("priceType") or "RETAIL",
                "price": price,
                "weight": pounds,
                "dimWeight": 0,
                "fees": [],
                "startDate": str(query.get("mailingDate") or date.today().isoformat()),
                "endDate": "",
                "warnings": [],
                "mailClass": service.code,
                "zone": zone,
                "productName": name,
            }
        ],
    }


def _price_error(message: str, field: str) -> JSONResponse:
    return api_error(
        "/prices/v3", 400, message, [{"title": message, "detail": "", "source": field}]
    )
