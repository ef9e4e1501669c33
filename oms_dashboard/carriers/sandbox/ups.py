"""The UPS sandbox: OAuth, Track API v1 and Rating API v2409 answered in UPS's own JSON.

The same paths, headers and bodies ``oms_dashboard.carriers.ups.UpsCarrier`` sends to UPS
(see that module for the API versions and UPS's docs), and the same answer shapes as the
recorded fixtures in ``tests/fixtures/carriers/ups/``; the packages are the sandbox's
(``oms_dashboard.carriers.sandbox``).

- ``POST /security/v1/oauth/token``: any non-empty Basic client id and secret get a token;
  the token is signed (HMAC with the app's secret key), so every process accepts it.
- ``GET /api/track/v1/details/{inquiryNumber}``: the package, its activities newest first,
  each time written as UPS writes it: local time of the scan place with its ``gmtOffset``.
- ``POST /api/rating/v2409/Shop`` and ``.../Shoptimeintransit``: every sandbox service.
- ``POST /api/shipments/v2409/ship`` and ``DELETE /api/shipments/v2409/void/cancel/{number}``:
  labels, print-return labels and voids (``ups_ship.py`` says how they are answered).
- ``webhook_body``: the Track Alert event UPS pushes for a package's latest scan.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus, local_zone
from oms_dashboard.carriers.sandbox import ups_ship
from oms_dashboard.carriers.sandbox.ups_ship import SERVICE_NAMES, WeightInvalid, grams_of
from oms_dashboard.carriers.ups import RATE_VERSION, TOKEN_PATH, TRACK_PATH, tracking_request
from oms_dashboard.carriers.ups_labels import SHIP_PATH, VOID_PATH
from oms_dashboard.settings import get_settings

CARRIER = "ups"
router = APIRouter(prefix="/sandbox/carriers/ups", include_in_schema=False)

TOKEN_SECONDS = 14399  # what UPS grants (fixture ``oauth_token.json``)

# Our status -> (UPS status type, an activity code, UPS's wording). One canonical type per
# status, from ``ups_parse.STATUSES``: "shipped" is the label (M), since the sandbox
# registers a package when its label is bought, before any pickup scan.
UPS_STATUS = {
    ShipmentStatus.SHIPPED: (
        "M",
        "MP",
        "Shipper created a label, UPS has not received the package yet.",
    ),
    ShipmentStatus.IN_TRANSIT: ("I", "AR", "Arrived at Facility"),
    ShipmentStatus.OUT_FOR_DELIVERY: ("O", "OT", "Out For Delivery Today"),
    ShipmentStatus.DELIVERED: ("D", "FS", "DELIVERED"),
    ShipmentStatus.DELIVERY_EXCEPTION: ("X", "48", "Exception"),
}

# Track Alert's words for our statuses: (type, code, description, descriptionCode), as UPS's
# examples in UPSTrackAlert.yaml write them (out for delivery is typed I there); UPS gives
# no example of an exception event, so its words are the Track API's.
TRACK_ALERT_STATUS = {
    ShipmentStatus.SHIPPED: ("M", "MP", "Shipment Ready for UPS", "003"),
    ShipmentStatus.IN_TRANSIT: ("I", "DP", "On the Way", "005"),
    ShipmentStatus.OUT_FOR_DELIVERY: ("I", "OT", "Out for Delivery", "021"),
    ShipmentStatus.DELIVERED: ("D", "FS", "Delivered", "011"),
    ShipmentStatus.DELIVERY_EXCEPTION: ("X", "48", "Exception", ""),
}


# -- errors, in UPS's shape {"response": {"errors": [{"code", "message"}]}} ---------------


def ups_error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse(
        {"response": {"errors": [{"code": code, "message": message}]}}, status_code=status
    )


def _unauthorized() -> JSONResponse:
    return ups_error(401, "250002", "Invalid Authentication Information.")


# -- OAuth -------------------------------------------------------------------------------


@router.post(TOKEN_PATH)
async def post_token(request: Request) -> JSONResponse:
    """UPS's client-credentials token for any non-empty Basic id and secret."""
    client = _basic_client_id(request.headers.get("authorization", ""))
    if client is None:
        return ups_error(401, "10401", "ClientId is Invalid")
    grant = (await request.form()).get("grant_type")
    if not grant:
        return ups_error(400, "20007", "Missing Required field, grant_type.")
    if grant != "client_credentials":
        return ups_error(400, "20008", f"The field, grant_type, contains invalid data, {grant}.")
    issued = int(time.time())
    return JSONResponse(
        {
            "token_type": "Bearer",
            "issued_at": str(issued * 1000),
            "client_id": client,
            "access_token": _sign_token(client, issued + TOKEN_SECONDS),
            "scope": "",
            "expires_in": str(TOKEN_SECONDS),
            "refresh_count": "0",
            "status": "approved",
        }
    )


def _basic_client_id(header: str) -> str | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, sep, secret = base64.b64decode(encoded).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return client_id if sep and client_id and secret else None


def _sign_token(client_id: str, expires: int) -> str:
    claims = base64.urlsafe_b64encode(f"{client_id}:{expires}".encode()).decode().rstrip("=")
    return f"{claims}.{_mac(claims)}"


def _mac(claims: str) -> str:
    key = get_settings().secret_key.encode()
    return hmac.new(key, f"ups-sandbox:{claims}".encode(), hashlib.sha256).hexdigest()


def _bearer_ok(request: Request) -> bool:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    claims, _, mac = token.partition(".")
    if scheme.lower() != "bearer" or not hmac.compare_digest(mac.encode(), _mac(claims).encode()):
        return False
    decoded = base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)).decode()
    expires = decoded.rpartition(":")[2]
    return expires.isdigit() and int(expires) > time.time()


# -- tracking ----------------------------------------------------------------------------


@router.get(TRACK_PATH.format("{inquiry_number}"))
def get_tracking(inquiry_number: str, request: Request, session: SessionDep) -> JSONResponse:
    if not _bearer_ok(request):
        return _unauthorized()
    try:
        tracking_request([inquiry_number])
    except ValueError:
        return ups_error(400, "TV1002", "Invalid inquiry number")
    package = sandbox.packages(session, CARRIER, [inquiry_number]).get(inquiry_number)
    if package is None:
        # What UPS answers for a number it has no scan of: a 404 with its error body.
        return ups_error(404, "TW0001", "Tracking Information Not Found")
    shipment = {"inquiryNumber": inquiry_number, "package": [track_package(package)]}
    return JSONResponse({"trackResponse": {"shipment": [shipment]}})


def track_package(package: sandbox.SandboxPackage) -> dict[str, Any]:
    """One ``Package`` of a Track API answer, activities newest first."""
    activities = [track_activity(event) for event in package.events]
    latest = activities[0]["status"]
    # No ``service`` block: Track names services by three-digit codes ("518" UPS Ground)
    # that UPS does not map to the Rating codes the sandbox holds, and nothing reads it.
    body: dict[str, Any] = {
        "trackingNumber": package.tracking_number,
        "packageCount": 1,
        "currentStatus": {**latest, "simplifiedTextDescription": latest["description"]},
        "deliveryDate": _delivery_dates(package),
        "packageAddress": [
            {"type": "ORIGIN", "address": _address(package.origin)},
            {"type": "DESTINATION", "address": _address(package.destination)},
        ],
        "activity": activities,
    }
    if package.signature_required:
        body["additionalServices"] = ["SIGNATURE_REQUIRED"]
    return body


def _delivery_dates(package: sandbox.SandboxPackage) -> list[dict[str, str]]:
    # Once delivered UPS gives the day it was (DEL) instead of the scheduled day (SDD).
    if package.status is ShipmentStatus.DELIVERED:
        delivered = _local(package.events[0].at, package.events[0].location)
        return [{"type": "DEL", "date": delivered.strftime("%Y%m%d")}]
    if package.estimated_delivery is None:
        return []
    return [{"type": "SDD", "date": package.estimated_delivery.strftime("%Y%m%d")}]


def track_activity(event: sandbox.SandboxEvent) -> dict[str, Any]:
    """One ``Activity``: local date and time of the place, its offset and the GMT stamp."""
    status_type, code, wording = UPS_STATUS[event.status]
    local = _local(event.at, event.location)
    offset = local.strftime("%z")
    gmt = event.at.astimezone(UTC)
    return {
        "location": {"address": _address(event.location)},
        # The harness's reason is what UPS says of the scan, e.g. why delivery failed.
        "status": {"type": status_type, "code": code, "description": event.reason or wording},
        "date": local.strftime("%Y%m%d"),
        "time": local.strftime("%H%M%S"),
        "gmtDate": gmt.strftime("%Y%m%d"),
        "gmtTime": gmt.strftime("%H:%M:%S"),
        "gmtOffset": f"{offset[:3]}:{offset[3:]}",
    }


def _local(at: datetime, place: ScanLocation) -> datetime:
    return at.astimezone(local_zone(place.country, place.region, place.postal_code))


def _address(place: ScanLocation) -> dict[str, str]:
    fields = {
        "city": place.city,
        "stateProvince": place.region,
        "postalCode": place.postal_code,
        "countryCode": place.country,
        "country": place.country,
    }
    return {key: value for key, value in fields.items() if value}


# -- rates -------------------------------------------------------------------------------


@router.post(f"/api/rating/{RATE_VERSION}/{{request_option}}")
async def post_rate(request_option: str, request: Request) -> JSONResponse:
    if not _bearer_ok(request):
        return _unauthorized()
    if request_option not in ("Shop", "Shoptimeintransit"):
        return ups_error(400, "20006", "Invalid request action.")
    # UPS's common error codes (developer.ups.com, "Common Error Codes", every API).
    try:
        shipment = (await request.json())["RateRequest"]["Shipment"]
        grams = grams_of(shipment["Package"]["PackageWeight"])
        origin = _text(shipment["Shipper"]["Address"]["CountryCode"]).upper()
        destination = _text(shipment["ShipTo"]["Address"]["CountryCode"]).upper()
    except KeyError as missing:
        return ups_error(400, "20007", f"Missing Required field, {missing.args[0]}.")
    except WeightInvalid as exc:
        return ups_error(400, "20008", f"The field, Weight, contains invalid data, {exc}.")
    except (ValueError, TypeError):
        # Not JSON, or an element that is no object where UPS's schema wants one.
        return ups_error(400, "10001", "The request is not well formed.")
    currency = _field(shipment, "InvoiceLineTotal", "CurrencyCode") or "USD"
    negotiated = bool(_field(shipment, "ShipmentRatingOptions", "NegotiatedRatesIndicator"))
    rated = [
        rated_shipment(
            service,
            grams=grams,
            international=origin != destination,
            currency=currency.upper(),
            time_in_transit=request_option == "Shoptimeintransit",
            negotiated=negotiated,
        )
        for service in sandbox.SERVICES[CARRIER]
    ]
    return JSONResponse(
        {
            "RateResponse": {
                "Response": {"ResponseStatus": {"Code": "1", "Description": "Success"}},
                "RatedShipment": rated,
            }
        }
    )


def rated_shipment(
    service: sandbox.SandboxService,
    *,
    grams: int,
    international: bool,
    currency: str,
    time_in_transit: bool,
    negotiated: bool,
) -> dict[str, Any]:
    """One ``RatedShipment``, priced by ``sandbox_quote``."""
    cents, days = sandbox.sandbox_quote(CARRIER, service, grams=grams, international=international)
    charge = {"CurrencyCode": currency, "MonetaryValue": f"{Decimal(cents) / 100:.2f}"}
    rated: dict[str, Any] = {
        "Service": {"Code": service.code, "Description": ""},
        "TransportationCharges": charge,
        "BaseServiceCharge": charge,
        "ServiceOptionsCharges": {"CurrencyCode": currency, "MonetaryValue": "0.00"},
        "TotalCharges": charge,
    }
    if negotiated:
        rated["NegotiatedRateCharges"] = {"TotalCharge": charge}
    # As in UPS's Shop answers: guaranteed days for the air services, none for Ground.
    if service.tier > 0:
        rated["GuaranteedDelivery"] = {"BusinessDaysInTransit": str(days)}
    if time_in_transit:
        rated["TimeInTransit"] = {
            "PackageBillType": "03",
            "ServiceSummary": {
                "Service": {"Description": SERVICE_NAMES.get(service.code, "")},
                "EstimatedArrival": {"BusinessDaysInTransit": str(days)},
            },
        }
    return rated


def _field(shipment: dict[str, Any], element: str, name: str) -> str:
    """An optional element's field, "" when the element is absent or no object."""
    block = shipment.get(element)
    return _text(block.get(name)) if isinstance(block, dict) else ""


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


# -- labels and voids ----------------------------------------------------------------------


@router.post(SHIP_PATH)
async def post_shipment(request: Request, session: SessionDep) -> JSONResponse:
    if not _bearer_ok(request):
        return _unauthorized()
    try:
        body = await request.json()
    except ValueError:
        return ups_error(400, "10001", "The request is not well formed.")
    order = ups_ship.read_order(body)
    if isinstance(order, tuple):
        return ups_error(*order)
    return JSONResponse(await run_in_threadpool(ups_ship.ship, session, order))


@router.delete(VOID_PATH.format("{number}"))
def delete_shipment(number: str, request: Request, session: SessionDep) -> JSONResponse:
    if not _bearer_ok(request):
        return _unauthorized()
    answer = ups_ship.void(session, number)
    return ups_error(*answer) if isinstance(answer, tuple) else JSONResponse(answer)


# -- Track Alert ---------------------------------------------------------------------------


def webhook_body(package: sandbox.SandboxPackage) -> dict[str, Any]:
    """The Track Alert event for the package's latest scan, keys in the order of UPS's
    examples; blank fields are empty strings, as UPS sends them."""
    event = package.events[0]
    status_type, code, wording, description_code = TRACK_ALERT_STATUS[event.status]
    local = _local(event.at, event.location)
    gmt = event.at.astimezone(UTC)
    delivered = event.status is ShipmentStatus.DELIVERED
    scheduled = package.estimated_delivery if not delivered else None
    place = event.location
    return {
        "trackingNumber": package.tracking_number,
        "localActivityDate": local.strftime("%Y%m%d"),
        "localActivityTime": local.strftime("%H%M%S"),
        "activityLocation": {
            "city": place.city or "",
            "stateProvince": place.region or "",
            "postalCode": place.postal_code or "",
            "country": place.country or "",
        },
        "activityStatus": {
            "type": status_type,
            "code": code,
            "description": event.reason or wording,
            "descriptionCode": description_code,
        },
        "scheduledDeliveryDate": scheduled.strftime("%Y%m%d") if scheduled else "",
        "actualDeliveryDate": local.strftime("%Y%m%d") if delivered else "",
        "actualDeliveryTime": local.strftime("%H%M%S") if delivered else "",
        "gmtActivityDate": gmt.strftime("%Y%m%d"),
        "gmtActivityTime": gmt.strftime("%H%M%S"),
        "deliveryStartTime": "",
        "deliveryEndTime": "",
        "deliveryTimeDescription": "",
    }
