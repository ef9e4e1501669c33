"""The DHL Express sandbox: what ``carriers.dhl.DhlCarrier`` calls, answered in DHL's
own JSON from the sandbox's packages (``carriers.sandbox``).

* ``GET /track/shipments?trackingNumber=...&service=express`` - Shipment Tracking -
  Unified API 1.5.x, key in the ``DHL-API-Key`` header;
* ``POST /rates`` - MyDHL API 2.12.0, HTTP Basic (API key and secret);
* ``POST /shipments`` - MyDHL API 2.12.0: labels and return labels (``dhl_shipments``),
  the package then tracked like any other. MyDHL has no call to cancel a shipment, so
  there is no cancel route;
* ``webhook_body`` - the message DHL's Shipment Tracking - Unified - Push API posts to a
  subscribed hook, for the OMS's sandbox to post to its own carrier events endpoint.

Neither API has a token step: any non-empty key (tracking) or key and secret (rates)
is accepted, anything else gets DHL's 401 problem body. The bodies follow the recorded
answers in ``tests/fixtures/carriers/dhl/``.
"""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus, local_zone
from oms_dashboard.carriers.sandbox import SandboxEvent, SandboxPackage
from oms_dashboard.carriers.sandbox.dhl_shipments import (
    PRODUCTS,
    Refusal,
    book,
    read_shipment_request,
)
from oms_dashboard.domain.tracking import CarrierName

router = APIRouter(prefix="/sandbox/carriers/dhl", include_in_schema=False)

CARRIER = CarrierName.DHL.value

STATUS_CODES: dict[ShipmentStatus, str] = {
    ShipmentStatus.SHIPPED: "pre-transit",
    ShipmentStatus.IN_TRANSIT: "transit",
    # The Unified API has no out-for-delivery group: the courier run is "transit".
    ShipmentStatus.OUT_FOR_DELIVERY: "transit",
    ShipmentStatus.DELIVERED: "delivered",
    ShipmentStatus.DELIVERY_EXCEPTION: "failure",
}
"""Our status -> the Unified API ``statusCode`` DHL groups that event under."""

_TITLES: dict[ShipmentStatus, str] = {
    ShipmentStatus.SHIPPED: "Shipment information received",
    ShipmentStatus.IN_TRANSIT: "Processed at DHL facility",
    ShipmentStatus.OUT_FOR_DELIVERY: "Shipment is out with courier for delivery",
    ShipmentStatus.DELIVERED: "Delivered",
    ShipmentStatus.DELIVERY_EXCEPTION: "Delivery attempted; shipment not delivered",
}
"""The event title (``status``) DHL Express writes for each."""

# -- DHL's problem bodies -----------------------------------------------------------------


def _tracking_problem(status: int, title: str, detail: str, **extra: Any) -> JSONResponse:
    """The Unified API's RFC 7807 body (``status`` a number)."""
    body = {"title": title, "status": status, "detail": detail, **extra}
    return JSONResponse(body, status_code=status, media_type="application/problem+json")


def _mydhl_problem(
    status: int, title: str, detail: str, *details: str, instance: str = "/expressapi/rates"
) -> JSONResponse:
    """MyDHL's error body (``supermodelIoLogisticsExpressErrorResponse``, ``status`` a
    string), one ``additionalDetails`` line per field problem."""
    body: dict[str, Any] = {
        "instance": instance,
        "detail": detail,
        "title": title,
        "message": HTTPStatus(status).phrase,
        "status": str(status),
    }
    if details:
        body["additionalDetails"] = list(details)
    return JSONResponse(body, status_code=status)


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return (user, password) if user and password else None


# -- tracking -------------------------------------------------------------------------------


@router.get("/track/shipments")
def track_shipments(request: Request, session: SessionDep) -> JSONResponse:
    if not request.headers.get("DHL-API-Key", "").strip():
        return _tracking_problem(401, "Unauthorized", "Unauthorized for given resource.")
    number = request.query_params.get("trackingNumber", "").strip()
    if not number:
        return _tracking_problem(
            400, "Invalid input", "Input is invalid: trackingNumber is required"
        )
    service = request.query_params.get("service", "express")
    package = sandbox.packages(session, CARRIER, [number]).get(number)
    if package is None or service != "express":
        return _tracking_problem(
            404,
            "No result found",
            "No shipment with given tracking number found.",
            instance=f"/shipment/{number}",
        )
    return JSONResponse({"shipments": [_shipment(package)]})


def _shipment(package: SandboxPackage) -> dict[str, Any]:
    events = [_event(event) for event in package.events]
    shipment: dict[str, Any] = {
        "id": package.tracking_number,
        "service": "express",
        "origin": {"address": _address(package.origin)},
        "destination": {"address": _address(package.destination)},
        "status": events[0],
        "details": {
            "carrier": {"@type": "Organization", "organizationName": "EXPRESS"},
            "product": {"productName": PRODUCTS.get(package.service, package.service)},
            "totalNumberOfPieces": 1,
        },
        "events": events,
    }
    if package.estimated_delivery is not None:
        # DHL writes the promised day at midnight UTC; the adapter reads the day as written.
        shipment["estimatedTimeOfDelivery"] = f"{package.estimated_delivery}T00:00:00Z"
        shipment["estimatedTimeOfDeliveryRemark"] = "By End of Day"
    # The Unified API has no "signature required" field (only, once delivered, a proof
    # of delivery), so package.signature_required is not rendered.
    return shipment


def _event(event: SandboxEvent) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "timestamp": _local_timestamp(event.at, event.location),
        "location": {"address": _address(event.location)},
        "statusCode": STATUS_CODES[event.status],
        "status": _TITLES[event.status],
    }
    if event.reason:
        rendered["description"] = event.reason
    return rendered


def _address(place: ScanLocation) -> dict[str, str]:
    fields = {
        "countryCode": place.country,
        "postalCode": place.postal_code,
        "addressLocality": place.city,
    }
    return {key: value for key, value in fields.items() if value}


def _local_timestamp(at: datetime, place: ScanLocation) -> str:
    """The scan's local time where it happened, with that place's offset
    (``2019-06-03T10:24:00+02:00``), as DHL writes it."""
    moment = at if at.tzinfo else at.replace(tzinfo=UTC)
    local = moment.astimezone(local_zone(place.country, place.region, place.postal_code))
    # DHL writes whole seconds or milliseconds; finer scans keep their microseconds so
    # the adapter reads back the very instant the sandbox holds.
    fraction = local.microsecond
    precision = "microseconds" if fraction % 1000 else "milliseconds" if fraction else "seconds"
    return local.isoformat(timespec=precision)


# -- the push (webhook) ---------------------------------------------------------------


def webhook_body(package: SandboxPackage) -> dict[str, Any]:
    """The message DHL's tracking push posts for ``package``: scope ``subscription.push``
    and the package as the Unified API's shipment (status, every event, the estimate),
    the shape ``carriers.dhl.parse_webhook`` reads."""
    return {"scope": "subscription.push", "shipments": [_shipment(package)]}


# -- rates ----------------------------------------------------------------------------------


@router.post("/rates")
async def rates(request: Request) -> JSONResponse:
    if _basic_credentials(request) is None:
        return _mydhl_problem(401, "Unauthorized", "Invalid Credentials")
    try:
        body = await request.json()
    except ValueError:
        return _mydhl_problem(400, "Bad request", "The request body is not JSON")
    problems, asked = _read_rate_request(body if isinstance(body, dict) else {})
    if problems:
        return _mydhl_problem(
            422, "Validation error", "Multiple problems found, see Additional Details", *problems
        )
    return JSONResponse(_rates_answer(**asked))


def _read_rate_request(body: dict[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(field problems in MyDHL's ``#/path: reason`` form, what the request asks)."""
    problems = []
    customer = body.get("customerDetails") or {}
    countries = {}
    for side in ("shipperDetails", "receiverDetails"):
        code = (customer.get(side) or {}).get("countryCode")
        if not (isinstance(code, str) and len(code) == 2):
            problems.append(f"#/customerDetails/{side}/countryCode: expected a 2-letter code")
        countries[side] = str(code).upper()
    packages = body.get("packages")
    weights = [p.get("weight") for p in packages or [] if isinstance(p, dict)]
    if not weights or not all(isinstance(w, int | float) and w > 0 for w in weights):
        problems.append("#/packages: expected packages each with a weight above 0")
    if not body.get("accounts"):
        problems.append("#/accounts: expected minimum item count: 1, found: 0")
    planned = _planned_day(body.get("plannedShippingDateAndTime"))
    if planned is None:
        problems.append("#/plannedShippingDateAndTime: expected 2022-11-20T13:00:00GMT+01:00")
    # The sandbox bills in the currency the request declares values in, else USD.
    declared = [m.get("currency") for m in body.get("monetaryAmount") or [] if isinstance(m, dict)]
    return problems, {
        "origin": countries["shipperDetails"],
        "destination": countries["receiverDetails"],
        "grams": round(sum(Decimal(str(w)) for w in weights) * 1000) if not problems else 0,
        "planned": planned,
        "currency": next((c for c in declared if c), "USD"),
    }


def _planned_day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _rates_answer(
    *, origin: str, destination: str, grams: int, planned: date, currency: str
) -> dict[str, Any]:
    international = origin != destination
    return {
        "products": [
            _product(service, origin, grams, planned, currency, international=international)
            for service in sandbox.SERVICES[CarrierName.DHL]
        ],
        "exchangeRates": [],
    }


def _product(
    service: sandbox.SandboxService,
    origin: str,
    grams: int,
    planned: date,
    currency: str,
    *,
    international: bool,
) -> dict[str, Any]:
    cents, days = sandbox.sandbox_quote(CARRIER, service, grams=grams, international=international)
    price = float(Decimal(cents) / 100)
    arrives = _add_business_days(planned, days)
    return {
        "productName": PRODUCTS.get(service.code, service.code),
        "productCode": service.code,
        "localProductCode": service.code,
        "localProductCountryCode": origin,
        "networkTypeCode": "TD",
        "isCustomerAgreement": False,
        "weight": {"provided": grams / 1000, "unitOfMeasurement": "metric"},
        "totalPrice": [{"currencyType": "BILLC", "priceCurrency": currency, "price": price}],
        "totalPriceBreakdown": [
            {
                "currencyType": "BILLC",
                "priceCurrency": currency,
                "priceBreakdown": [{"typeCode": "SPRQT", "price": price}],
            }
        ],
        "deliveryCapabilities": {
            "deliveryTypeCode": "QDDC",
            "estimatedDeliveryDateAndTime": f"{arrives}T23:59:00",
            "deliveryAdditionalDays": 0,
            "deliveryDayOfWeek": arrives.isoweekday(),
            "totalTransitDays": days,
        },
        "pricingDate": planned.isoformat(),
    }


def _add_business_days(start: date, days: int) -> date:
    day = start
    while days:
        day += timedelta(days=1)
        days -= day.weekday() < 5
    return day


# -- labels -------------------------------------------------------------------------------

_SHIPMENTS = "/expressapi/shipments"


@router.post("/shipments")
async def shipments(request: Request, session: SessionDep) -> JSONResponse:
    if _basic_credentials(request) is None:
        return _mydhl_problem(401, "Unauthorized", "Invalid Credentials", instance=_SHIPMENTS)
    try:
        body = await request.json()
    except ValueError:
        return _mydhl_problem(
            400, "Bad request", "The request body is not JSON", instance=_SHIPMENTS
        )
    asked = read_shipment_request(body)
    if isinstance(asked, Refusal):
        return _refusal(asked)
    url = str(request.url).split("?", 1)[0]
    # Booking writes to the database and draws the label: off the event loop.
    answer = await run_in_threadpool(book, session, asked, tracking_url=url)
    return JSONResponse(answer, status_code=201)


def _refusal(refusal: Refusal) -> JSONResponse:
    if refusal.status == 400:
        return _mydhl_problem(400, "Bad request", refusal.problems[0], instance=_SHIPMENTS)
    if len(refusal.problems) == 1:
        return _mydhl_problem(422, "Validation error", refusal.problems[0], instance=_SHIPMENTS)
    return _mydhl_problem(
        422,
        "Validation error",
        "Multiple problems found, see Additional Details",
        *refusal.problems,
        instance=_SHIPMENTS,
    )
