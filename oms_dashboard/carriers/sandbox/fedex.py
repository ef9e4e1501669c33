"""The FedEx sandbox: FedEx's OAuth, Track API v1, Rate API v1 and Ship API v1 answered
from the sandbox's state, in FedEx's own JSON (the shapes of
``tests/fixtures/carriers/fedex/``), so the real ``FedExCarrier`` and its parser run
against it unchanged.

- ``POST /oauth/token`` (form ``grant_type=client_credentials``, ``client_id``,
  ``client_secret``): any non-empty pair gets a bearer token valid one hour.
- ``POST /track/v1/trackingnumbers``: every requested number, unknown ones as FedEx's
  ``TRACKING.TRACKINGNUMBER.NOTFOUND`` entry inside a good answer (``fedex_track.py``).
- ``POST /rate/v1/rates/quotes``: every sandbox FedEx service, priced by
  ``sandbox.sandbox_quote``.
- ``POST /ship/v1/shipments`` and ``PUT /ship/v1/shipments/cancel``: labels, return
  labels and their cancellation (``fedex_ship.py``).
- ``webhook_body(package)``: the Advanced Integrated Visibility push FedEx would send
  about a package (``fedex_track.py``).

Errors are FedEx's ``{"transactionId", "errors": [{"code", "message"}]}``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.sandbox import fedex_ship
from oms_dashboard.carriers.sandbox.fedex_ship import BAD_INPUT, as_dict, grams_of
from oms_dashboard.carriers.sandbox.fedex_track import (
    CARRIER,
    DAY_WORDS,
    SERVICE_NAMES,
    complete_result,
    not_found_result,
    webhook_body,
)
from oms_dashboard.domain.tracking import CarrierName

__all__ = ["router", "webhook_body"]

router = APIRouter(prefix="/sandbox/carriers/fedex", include_in_schema=False)

TOKEN_LIFETIME_SECONDS = 3600
# Tokens are signed, not stored, so every process of the app accepts the others'.
# A sandbox needs no secret: this key only tells our tokens from made-up ones.
_TOKEN_KEY = b"oms-dashboard fedex sandbox"
_now = time.time  # the sandbox's clock for token expiry (tests move it)

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
            as_dict(as_dict(i).get("trackingNumberInfo")).get("trackingNumber")
            for i in (infos if isinstance(infos, list) else [])
        )
        if n
    ]
    if not numbers:
        return _error(400, NO_NUMBER, request)
    found = await run_in_threadpool(sandbox.packages, session, CARRIER, numbers)
    results = [complete_result(n, found[n]) if n in found else not_found_result(n) for n in numbers]
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
    grams = grams_of(shipment.get("requestedPackageLineItems"))
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


@router.post("/ship/v1/shipments")
async def post_shipment(request: Request, session: SessionDep) -> JSONResponse:
    refused = _refuse_bearer(request)
    if refused is not None:
        return refused
    order = fedex_ship.read_order(await _json_body(request))
    if isinstance(order, tuple):
        return _error(*order, request)
    return _answer(request, await run_in_threadpool(fedex_ship.ship, session, order))


@router.put("/ship/v1/shipments/cancel")
async def put_cancel(request: Request, session: SessionDep) -> JSONResponse:
    refused = _refuse_bearer(request)
    if refused is not None:
        return refused
    answer = await run_in_threadpool(fedex_ship.cancel, session, await _json_body(request))
    if isinstance(answer, tuple):
        return _error(*answer, request)
    return _answer(request, answer)


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


# -- rates -----------------------------------------------------------------------------


def _country(party: Any) -> str | None:
    return as_dict(as_dict(party).get("address")).get("countryCode") or None


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
    word = DAY_WORDS[days - 1]
    return {
        "serviceType": service.code,
        "serviceName": name,
        "packagingType": "YOUR_PACKAGING",
        "ratedShipmentDetails": details,
        "operationalDetail": {"transitTime": f"{word}_DAY{'S' if days > 1 else ''}"},
        "serviceDescription": {"serviceType": service.code, "description": name},
    }


# -- FedEx's envelope ------------------------------------------------------------------


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
