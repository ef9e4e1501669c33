"""The USPS sandbox's Payments 3.0 and Labels 3.0, as ``carriers.usps.UspsCarrier`` calls
them, answered from the sandbox's packages in USPS's shapes (the recorded examples in
``tests/fixtures/carriers/usps``). ``sandbox.usps.router`` includes these routes.

- ``POST /payments/v3/payment-authorization``: roles naming a PAYER (with
  ``accountType`` and ``accountNumber``) and a LABEL_OWNER get a signed
  ``paymentAuthorizationToken``. The sandbox knows no CRIDs or MIDs and asks for none.
- ``POST /labels/v3/label``: the required fields checked as USPS's schema validator does
  (its 400 "OASValidation ... missing required properties", as recorded from the
  International Labels API), the mail class priced by ``sandbox_quote``, the package
  registered from the ``fromAddress`` to the ``toAddress`` and delivered
  ``sandbox.delivery_date`` business days after the mailing date (the
  ``commitment``). The label is ``documents.labels.render_label``'s 4x6 in PDF. The
  answer is multipart/form-data (``labelMetadata`` JSON, ``labelImage`` base64), as USPS
  answers by default, or one JSON object for ``Accept: application/vnd.usps.labels+json``.
- ``POST /labels/v3/return-label``: the same for a ``*_RETURN_SERVICE`` mail class,
  ``returnLabelMetadata`` and ``returnLabelImage``; the package goes from the customer
  (``fromAddress``) to the merchant (``toAddress``).
- ``DELETE /labels/v3/label/{trackingNumber}``: ``sandbox.void_package``, answered
  ``CANCELED``; USPS's "Order not found" for an unknown or cancelled number and "A refund
  request for this order cannot be submitted" once the package has moved past acceptance.

Labels and cancellation need both tokens; a missing or expired payment token is a 401,
so the adapter fetches new ones. Where USPS's wording was not found recorded (a business
rule's ``detail``, the payment token's refusal), the words are the sandbox's own.
"""

from __future__ import annotations

import base64
import json
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import Parcel, Party
from oms_dashboard.carriers.sandbox.usps_api import (
    CARRIER,
    MAIL_CLASSES,
    api_error,
    bearer_valid,
    grams_from_pounds,
    new_token,
    sku,
    token_valid,
    unauthorized,
)
from oms_dashboard.carriers.usps_labels import PAYMENT_HEADER, RETURN_MAIL_CLASSES
from oms_dashboard.carriers.usps_package import TERRITORIES
from oms_dashboard.documents.labels import render_label
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.services.errors import NotFound

router = APIRouter()
"""Paths relative to ``/sandbox/carriers/usps`` (``sandbox.usps.router`` includes it)."""

LABELS = "/labels/v3"
VENDOR_JSON = "application/vnd.usps.labels+json"
_OUTBOUND = {service.code: service for service in sandbox.SERVICES[CarrierName.USPS]}
_RETURNS = {RETURN_MAIL_CLASSES[code]: _OUTBOUND[code] for code in _OUTBOUND}
_ADDRESS_REQUIRED = ("ZIPCode", "city", "state", "streetAddress")
_PACKAGE_REQUIRED = ("height", "length", "mailClass", "processingCategory", "rateIndicator")
_PACKAGE_REQUIRED += ("weight", "width")
_OUTBOUND_REQUIRED = ("destinationEntryFacilityType", "mailingDate")
_CANCEL_DETAILS = {
    NotFound: "Order not found",
    sandbox.AlreadyMoving: "A refund request for this order cannot be submitted",
}
"""USPS's cancel refusals (its examples ExampleCancelError_NOTFOUND, _REFUND_NOT_SUBMITTED)."""


# -- Payments 3.0 ---------------------------------------------------------------------------


@router.post("/payments/v3/payment-authorization")
async def authorize_payment(request: Request) -> JSONResponse:
    if not bearer_valid(request):
        return unauthorized("/payments/v3")
    body = await json_body(request)
    roles = [r for r in (body or {}).get("roles") or [] if isinstance(r, dict)]
    names = {str(role.get("roleName")): role for role in roles}
    payer = names.get("PAYER") or {}
    if "LABEL_OWNER" not in names or not (payer.get("accountType") and payer.get("accountNumber")):
        detail = "roles must name a PAYER with its accountType and accountNumber, and a LABEL_OWNER"
        return bad_request("/payments/v3", detail, "roles")
    token, _ = new_token(str(payer["accountNumber"]), kind="payment")
    return JSONResponse({"paymentAuthorizationToken": token, "roles": roles})


# -- Labels 3.0 -----------------------------------------------------------------------------


@router.post(f"{LABELS}/label")
async def create_label(request: Request, session: SessionDep) -> Response:
    return await _buy(request, session, is_return=False)


@router.post(f"{LABELS}/return-label")
async def create_return_label(request: Request, session: SessionDep) -> Response:
    return await _buy(request, session, is_return=True)


@router.delete(f"{LABELS}/label/{{tracking_number}}")
def cancel_label(tracking_number: str, request: Request, session: SessionDep) -> JSONResponse:
    refused = refuse_tokens(request)
    if refused is not None:
        return refused
    try:
        sandbox.void_package(session, carrier=CARRIER, tracking_number=tracking_number)
    except (NotFound, sandbox.AlreadyMoving) as exc:
        return bad_request(LABELS, _CANCEL_DETAILS[type(exc)], "trackingNumber", code="00000XX")
    return JSONResponse({"trackingNumber": tracking_number, "status": "CANCELED"})


async def _buy(request: Request, session: SessionDep, *, is_return: bool) -> Response:
    refused = refuse_tokens(request)
    if refused is not None:
        return refused
    body = await json_body(request)
    if not isinstance(body, dict):
        return bad_request(LABELS, "The request body is not a JSON object.", "body")
    vendor = VENDOR_JSON in request.headers.get("accept", "")
    # The database and the drawing are blocking work: off the event loop.
    return await run_in_threadpool(_label, session, body, is_return=is_return, vendor=vendor)


def _label(session: Session, body: dict[str, Any], *, is_return: bool, vendor: bool) -> Response:
    problem = _schema_problem(body, is_return=is_return)
    if problem is not None:
        return problem
    package = body["packageDescription"]
    service = (_RETURNS if is_return else _OUTBOUND).get(str(package["mailClass"]))
    if service is None:
        known = ", ".join(_RETURNS if is_return else _OUTBOUND)
        return bad_request(LABELS, f"mailClass must be one of {known}.", "mailClass")
    try:
        pounds = float(package["weight"])
        inches = [float(package[key]) for key in ("length", "width", "height")]
        mailed = mailing_date(package.get("mailingDate"))
    except (TypeError, ValueError) as exc:
        return bad_request(LABELS, str(exc), "packageDescription")
    if not 0 < pounds <= 70 or min(inches) <= 0:
        detail = "weight must be above 0 and at most 70 pounds, every dimension above 0"
        return bad_request(LABELS, detail, "packageDescription.weight")

    grams = grams_from_pounds(pounds)
    cents, days = sandbox.sandbox_quote(CARRIER, service, grams=grams, international=False)
    sender, receiver = party_of(body["fromAddress"]), party_of(body["toAddress"])
    delivery = sandbox.delivery_date(days, start=mailed)
    number = sandbox.register_package(
        session, carrier=CARRIER, service=service.code, origin=sandbox.place_of(sender),
        destination=sandbox.place_of(receiver), estimated_delivery=delivery,
    ).tracking_number  # fmt: skip
    name = MAIL_CLASSES.get(service.code, (service.code,))[0]
    pdf = render_label(
        carrier=CARRIER, service=f"{name} Return" if is_return else name,
        tracking_number=number, shipper=sender, recipient=receiver,
        parcel=Parcel(grams, *(round(i * 25.4) for i in inches)), ship_date=mailed,
        is_return=is_return,
    )  # fmt: skip
    metadata = _metadata(body["toAddress"], number, service.code, cents / 100, pounds)
    if is_return:
        url = f"https://tools.usps.com/go/TrackConfirmAction_input?origTrackNum={number}"
        metadata["links"] = [{"rel": ["Tracking URL"], "href": url}]
    else:
        metadata |= {
            "commitment": {"name": f"{days} Days", "scheduleDeliveryDate": delivery.isoformat()},
            "constructCode": "C01",
        }
    prefix = "returnLabel" if is_return else "label"
    image = base64.b64encode(pdf).decode()
    if vendor:
        answer = metadata | {f"{prefix}Image": image}
        return JSONResponse(answer, media_type=VENDOR_JSON)
    return multipart([(f"{prefix}Metadata", metadata), (f"{prefix}Image", image)])


def _schema_problem(body: dict[str, Any], *, is_return: bool) -> JSONResponse | None:
    """USPS's schema validator's refusal of the first object missing a required field."""
    missing = [
        key for key in ("fromAddress", "packageDescription", "toAddress") if not body.get(key)
    ]
    if missing:
        return _missing(missing, "")
    for key in ("toAddress", "fromAddress"):
        address = body[key] if isinstance(body[key], dict) else {}
        missing = [field for field in _ADDRESS_REQUIRED if not str(address.get(field) or "")]
        if missing or not (address.get("firm") or address.get("lastName")):
            return _missing(missing or ["firm"], f"/{key}")
    package = body["packageDescription"] if isinstance(body["packageDescription"], dict) else {}
    required = _PACKAGE_REQUIRED + (() if is_return else _OUTBOUND_REQUIRED)
    missing = sorted(field for field in required if package.get(field) in (None, ""))
    return _missing(missing, "/packageDescription") if missing else None


def _missing(fields: list[str], pointer: str) -> JSONResponse:
    reason = (
        f"[ERROR - Object has missing required properties ([{', '.join(fields)}]): [{pointer}]]"
    )
    message = (
        "OASValidation OpenAPI-Spec-Validation-Domestic-Labels with resource "
        f"oas://labels-v3.yaml: failed with reason: {reason}"
    )
    return api_error(LABELS, 400, message, [])


def mailing_date(value: Any) -> date:
    """USPS: "The mailing date may be today plus 0 to 7 days in advance" (a day of slack
    for a caller in another time zone)."""
    text = str(value or "")
    if not text:  # optional for return labels
        return date.today()
    mailed = (
        datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        if "T" in text
        else date.fromisoformat(text)
    )
    today = date.today()
    if not today - timedelta(days=1) <= mailed <= today + timedelta(days=7):
        raise ValueError("mailingDate must be today or up to 7 days ahead")
    return mailed


def party_of(address: dict[str, Any]) -> Party:
    name = " ".join(str(address.get(k) or "") for k in ("firstName", "lastName")).strip()
    state = str(address["state"]).upper()
    return Party(
        name=name or str(address.get("firm") or ""), line1=str(address["streetAddress"]),
        line2=address.get("secondaryAddress"), city=str(address["city"]),
        postal_code=str(address["ZIPCode"]), region=state,
        country=state if state in TERRITORIES else "US",
    )  # fmt: skip


def _metadata(
    to: dict[str, Any], number: str, mail_class: str, price: float, pounds: float
) -> dict[str, Any]:
    """``LabelMetadata`` as USPS answers it: the address standardized (upper case), the
    IMpb routing code ``420`` + ZIP, postage, extra services, zone, weight, SKU."""
    keys = ("firstName", "lastName", "firm", "streetAddress", "secondaryAddress", "city")
    address = {key: str(to[key]).upper() for key in keys if to.get(key)}
    address |= {"state": str(to["state"]).upper(), "ZIPCode": str(to["ZIPCode"])}
    if to.get("ZIPPlus4"):
        address["ZIPPlus4"] = str(to["ZIPPlus4"])
    zone = "01"  # sandbox prices do not vary with distance
    return {
        "labelAddress": address | {"ignoreBadAddress": False},
        "routingInformation": f"420{to['ZIPCode']}{to.get('ZIPPlus4') or ''}",
        "trackingNumber": number,
        "postage": price,
        "extraServices": [{"name": "USPS Tracking", "price": 0}],
        "zone": zone,
        "weightUOM": "LB",
        "weight": pounds,
        "fees": [],
        "SKU": sku(mail_class, pounds, zone),
    }


def multipart(parts: list[tuple[str, Any]]) -> Response:
    """USPS's multipart answer: each part typed and named (as in its README's answers),
    images base64."""
    boundary = secrets.token_urlsafe(18).replace("-", "A").replace("_", "B")
    chunks = []
    for name, value in parts:
        if isinstance(value, dict):
            head, content = "Content-Type: application/json", json.dumps(value, indent=4)
            head += f'\r\nContent-Disposition: form-data; name="{name}"'
        else:
            head, content = "Content-Type: application/pdf", value
            head += f'\r\nContent-Disposition: form-data; filename="{name}.pdf"; name="{name}"'
        chunks.append(f"--{boundary}\r\n{head}\r\n\r\n{content}\r\n")
    body = "".join(chunks) + f"--{boundary}--\r\n"
    return Response(body.encode(), media_type=f"multipart/form-data; boundary={boundary}")


def refuse_tokens(request: Request, api: str = LABELS) -> JSONResponse | None:
    """USPS's 401 for a call without both tokens (the bearer, the payment's); else None."""
    if not bearer_valid(request):
        return unauthorized(api)
    if not token_valid(request.headers.get(PAYMENT_HEADER, ""), kind="payment"):
        detail = f"{PAYMENT_HEADER} is missing, malformed or expired."
        error = {"title": "invalid_token", "detail": detail, "source": PAYMENT_HEADER}
        return api_error(api, 401, "Missing or invalid payment authorization token.", [error])
    return None


def bad_request(api: str, detail: str, parameter: str, *, code: str = "") -> JSONResponse:
    """USPS's business-rule refusal: "Bad Request", the reason in ``detail``."""
    error = {"title": "Bad Request", "detail": detail, "source": {"parameter": parameter}}
    return api_error(api, 400, "Bad Request", [error | ({"code": code} if code else {})])


async def json_body(request: Request) -> Any:
    try:
        return json.loads(await request.body() or b"{}")
    except ValueError:
        return None
