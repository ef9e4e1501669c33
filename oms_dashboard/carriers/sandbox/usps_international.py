"""The USPS sandbox abroad: International Prices 3.0 and International Labels 3.0 as
``carriers.usps.UspsCarrier`` calls them (``carriers.usps_international``), answered in
USPS's shapes. ``sandbox.usps.router`` includes these routes.

- ``POST /international-prices/v3/base-rates/search``: one mail class per call, priced by
  ``sandbox_quote`` as international, in the domestic answer's shape (USPS's README
  example "International Prices - Base Rates Request (V3)").
- ``POST /international-labels/v3/international-label``: the required fields checked as
  USPS's schema validator does, in its own words (the 400 "OASValidation
  OpenAPI-Spec-Validation-International-Labels ... missing required properties" recorded
  in USPS/api-examples issue 83): the request's ``toAddress``, ``fromAddress``,
  ``packageDescription`` and ``customsForm``; the form's ``AESITN``, ``contents`` and
  ``customsContentType``; each content's description, quantity, origin, total value and
  weight, and its ``HSTariffNumber`` (USPS would try to look a missing one up; the
  sandbox refuses it, as the OMS always sends one). The package is registered with a UPU
  S10 number (``CP`` Priority Mail International, ``EA`` Priority Mail Express
  International, ``US`` suffix) and answered as ``InternationalLabelMetadata`` (the
  spec's ``InternationalLabelResponseExample``) with the label, multipart or vendor JSON.
- ``DELETE /international-labels/v3/international-label/{trackingNumber}``: as the
  domestic cancellation.
"""

from __future__ import annotations

import base64
import random
import string
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
    api_error,
    bearer_valid,
    grams_from_pounds,
    unauthorized,
)
from oms_dashboard.carriers.sandbox.usps_labels import (
    VENDOR_JSON,
    bad_request,
    json_body,
    mailing_date,
    multipart,
    party_of,
    refuse_tokens,
)
from oms_dashboard.carriers.usps_international import CANCEL_PATH, LABEL_PATH, PRICES_PATH
from oms_dashboard.documents.labels import render_label
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.services.errors import NotFound

router = APIRouter()
"""Paths relative to ``/sandbox/carriers/usps`` (``sandbox.usps.router`` includes it)."""

API = "/international-labels/v3"
_PREFIXES = {"PRIORITY_MAIL_INTERNATIONAL": "CP", "PRIORITY_MAIL_EXPRESS_INTERNATIONAL": "EA"}
SERVICES = {
    service.code: (service, _PREFIXES[service.code])
    for service in sandbox.ABROAD_ONLY[CarrierName.USPS]
}
"""Mail class -> (its sandbox service, the S10 prefix of its numbers)."""
NAMES = {
    "PRIORITY_MAIL_INTERNATIONAL": "Priority Mail International",
    "PRIORITY_MAIL_EXPRESS_INTERNATIONAL": "Priority Mail Express International",
}
_REQUIRED = ("customsForm", "fromAddress", "packageDescription", "toAddress")
_TO_REQUIRED = ("city", "country", "countryISOAlpha2Code", "streetAddress")
_FROM_REQUIRED = ("ZIPCode", "city", "state", "streetAddress")
_PACKAGE_REQUIRED = ("destinationEntryFacilityType", "height", "length", "mailClass")
_PACKAGE_REQUIRED += ("mailingDate", "processingCategory", "weight", "width")
_FORM_REQUIRED = ("AESITN", "contents", "customsContentType")
_CONTENT_REQUIRED = ("HSTariffNumber", "countryofOrigin", "itemDescription", "itemQuantity")
_CONTENT_REQUIRED += ("itemTotalValue", "itemTotalWeight")


# -- International Prices 3.0 ---------------------------------------------------------------


@router.post(PRICES_PATH)
async def search_base_rates(request: Request) -> JSONResponse:
    if not bearer_valid(request):
        return unauthorized("/international-prices/v3")
    query = await json_body(request)
    if not isinstance(query, dict):
        return _price_error("The request body is not a JSON object.", "body")
    required = ("originZIPCode", "destinationCountryCode", "weight", "mailClass")
    missing = [field for field in required if query.get(field) in (None, "")]
    if missing:
        return _price_error(f"{missing[0]} is required.", missing[0])
    known = SERVICES.get(str(query["mailClass"]))
    if known is None:
        return _price_error(f"mailClass must be one of {', '.join(SERVICES)}.", "mailClass")
    try:
        pounds = float(query["weight"])
    except (TypeError, ValueError):
        pounds = 0.0
    if not 0 < pounds <= 70:
        return _price_error("weight must be above 0 and at most 70 pounds.", "weight")
    price = _price(known[0], pounds)
    rate = {
        "SKU": _sku(known[0].code, pounds),
        "description": f"{NAMES[known[0].code]} ISC Single-piece",
        "mailClass": known[0].code,
        "priceType": query.get("priceType") or "RETAIL",
        "zone": "01",
        "dimWeight": 0,
        "weight": pounds,
        "fees": [],
        "price": price,
        "startDate": str(query.get("mailingDate") or ""),
        "endDate": "",
        "warnings": [],
    }
    return JSONResponse({"rates": [rate], "totalBasePrice": price})


def _price(service: sandbox.SandboxService, pounds: float) -> float:
    grams = grams_from_pounds(pounds)
    return sandbox.sandbox_quote(CARRIER, service, grams=grams, international=True)[0] / 100


def _sku(mail_class: str, pounds: float) -> str:
    kind = "IE" if "EXPRESS" in mail_class else "IP"
    return f"{kind}XX0XXXXB01{min(round(pounds + 0.5), 99) * 10:03d}"


def _price_error(message: str, field: str) -> JSONResponse:
    return api_error(
        "/international-prices/v3",
        400,
        message,
        [{"title": message, "detail": "", "source": field}],
    )


# -- International Labels 3.0 ---------------------------------------------------------------


@router.post(LABEL_PATH)
async def create_label(request: Request, session: SessionDep) -> Response:
    refused = refuse_tokens(request, API)
    if refused is not None:
        return refused
    body = await json_body(request)
    if not isinstance(body, dict):
        return bad_request(API, "The request body is not a JSON object.", "body")
    vendor = VENDOR_JSON in request.headers.get("accept", "")
    return await run_in_threadpool(_label, session, body, vendor=vendor)


@router.delete(CANCEL_PATH.format(number="{tracking_number}"))
def cancel_label(tracking_number: str, request: Request, session: SessionDep) -> JSONResponse:
    refused = refuse_tokens(request, API)
    if refused is not None:
        return refused
    try:
        sandbox.void_package(session, carrier=CARRIER, tracking_number=tracking_number)
    except NotFound:
        return bad_request(API, "Order not found", "trackingNumber", code="00000XX")
    except sandbox.AlreadyMoving:
        detail = "A refund request for this order cannot be submitted"
        return bad_request(API, detail, "trackingNumber", code="00000XX")
    return JSONResponse({"trackingNumber": tracking_number, "status": "CANCELED"})


def _label(session: Session, body: dict[str, Any], *, vendor: bool) -> Response:
    problem = schema_problem(body)
    if problem is not None:
        return problem
    package = body["packageDescription"]
    known = SERVICES.get(str(package["mailClass"]))
    if known is None:
        return bad_request(API, f"mailClass must be one of {', '.join(SERVICES)}.", "mailClass")
    service, prefix = known
    try:
        pounds = float(package["weight"])
        inches = [float(package[key]) for key in ("length", "width", "height")]
        mailed = mailing_date(package.get("mailingDate"))
    except (TypeError, ValueError) as exc:
        return bad_request(API, str(exc), "packageDescription")
    if not 0 < pounds <= 70 or min(inches) <= 0:
        detail = "weight must be above 0 and at most 70 pounds, every dimension above 0"
        return bad_request(API, detail, "packageDescription.weight")

    sender, receiver = party_of(body["fromAddress"]), _abroad(body["toAddress"])
    price = _price(service, pounds)
    days = sandbox.sandbox_quote(CARRIER, service, grams=1000, international=True)[1]
    number = sandbox.register_package(
        session, carrier=CARRIER, service=service.code, origin=sandbox.place_of(sender),
        destination=sandbox.place_of(receiver), tracking_number=_s10(prefix),
        estimated_delivery=sandbox.delivery_date(days, start=mailed),
    ).tracking_number  # fmt: skip
    grams = grams_from_pounds(pounds)
    pdf = render_label(
        carrier=CARRIER, service=NAMES[service.code], tracking_number=number,
        shipper=sender, recipient=receiver, ship_date=mailed,
        parcel=Parcel(grams, *(round(i * 25.4) for i in inches)),
    )  # fmt: skip
    keys = ("firstName", "lastName", "firm", "streetAddress", "secondaryAddress", "city")
    keys += ("postalCode", "province", "country", "countryISOAlpha2Code", "phone")
    metadata = {
        "labelAddress": {k: str(body["toAddress"][k]) for k in keys if body["toAddress"].get(k)},
        "internationalTrackingNumber": number,
        "constructCode": "I01",
        "postage": price,
        "extraServices": [],
        "internationalPriceGroup": "12",
        "weightUOM": "lb",
        "weight": pounds,
        "dimensionalWeight": "0.0",
        "fees": [],
        "SKU": _sku(service.code, pounds),
    }
    image = base64.b64encode(pdf).decode()
    if vendor:
        return JSONResponse(metadata | {"labelImage": image}, media_type=VENDOR_JSON)
    return multipart([("labelMetadata", metadata), ("labelImage", image)])


def schema_problem(body: dict[str, Any]) -> JSONResponse | None:
    """USPS's schema validator's refusal of the first object missing a required field."""
    missing = [key for key in _REQUIRED if not body.get(key)]
    if missing:
        return _missing(missing, "")
    checks = (
        ("toAddress", _TO_REQUIRED),
        ("fromAddress", _FROM_REQUIRED),
        ("packageDescription", _PACKAGE_REQUIRED),
        ("customsForm", _FORM_REQUIRED),
    )
    for key, required in checks:
        section = body[key] if isinstance(body[key], dict) else {}
        missing = [field for field in required if section.get(field) in (None, "", [])]
        if key.endswith("Address") and not (section.get("firm") or section.get("lastName")):
            missing.append("firm")
        if missing:
            return _missing(missing, f"/{key}")
    for index, content in enumerate(body["customsForm"]["contents"]):
        content = content if isinstance(content, dict) else {}
        missing = [field for field in _CONTENT_REQUIRED if content.get(field) in (None, "")]
        if missing:
            return _missing(missing, f"/customsForm/contents/{index}")
    return None


def _missing(fields: list[str], pointer: str) -> JSONResponse:
    reason = (
        f"[ERROR - Object has missing required properties ([{', '.join(fields)}]): [{pointer}]]"
    )
    message = (
        "OASValidation OpenAPI-Spec-Validation-International-Labels with resource "
        f"oas://international-labels-v3.yaml: failed with reason: {reason}"
    )
    return api_error(f"{API}/", 400, message, [])


def _abroad(address: dict[str, Any]) -> Party:
    name = " ".join(str(address.get(k) or "") for k in ("firstName", "lastName")).strip()
    return Party(
        name=name or str(address.get("firm") or ""), line1=str(address["streetAddress"]),
        line2=address.get("secondaryAddress"), city=str(address["city"]),
        postal_code=str(address.get("postalCode") or ""), region=address.get("province"),
        country=str(address["countryISOAlpha2Code"]).upper(),
    )  # fmt: skip


def _s10(prefix: str) -> str:
    """A UPU S10 number (two letters, eight digits and a check digit, the country)."""
    digits = [int(d) for d in random.SystemRandom().choices(string.digits, k=8)]
    check = 11 - sum(w * d for w, d in zip((8, 6, 4, 2, 3, 5, 9, 7), digits, strict=True)) % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"{prefix}{''.join(map(str, digits))}{check}US"
