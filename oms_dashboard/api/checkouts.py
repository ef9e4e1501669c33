"""Checkout and payment events: how orders come into the OMS."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse

from oms_dashboard.api.checkout_schemas import CheckoutIn, CheckoutOut, PaymentEventOut
from oms_dashboard.api.deps import EngineDep, ProviderDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.checkout import CheckoutLine, CheckoutRequest, place_checkout
from oms_dashboard.services.errors import ServiceError
from oms_dashboard.services.payments import receive_payment_event
from oms_dashboard.settings import get_settings

router = APIRouter(tags=["checkout"])


class MissingIdempotencyKey(ServiceError):
    status, type, title = 400, "idempotency-key-required", "Idempotency-Key required"


@router.post(
    "/api/v1/checkouts",
    status_code=201,
    response_model=CheckoutOut,
    responses=responses(400, 401, 403, 409, 422),
)
def post_checkout(
    body: CheckoutIn,
    engine: EngineDep,
    idempotency_key: Annotated[str | None, Header(alias="Idempotency-Key")] = None,
    actor: Actor = require_role(Role.CUSTOMER),
) -> JSONResponse:
    """One order per seller, stock held at once. The same `Idempotency-Key` with the
    same body answers the first result again (header `Idempotent-Replayed: true`);
    with another body, 409 `idempotency-key-reused`. Not enough stock: 409
    `insufficient-inventory` with `sku`, `requested`, `available`, `alternatives`."""
    if not idempotency_key or not idempotency_key.strip():
        raise MissingIdempotencyKey(
            "send an Idempotency-Key header (any unique string per checkout)"
        )
    request = CheckoutRequest(
        lines=[CheckoutLine(line.sku, line.quantity) for line in body.lines],
        shipping_address=body.shipping_address.model_dump(),
        service_level=body.service_level,
    )
    result = place_checkout(engine, actor=actor, idempotency_key=idempotency_key, request=request)
    # The service's answer is already ``CheckoutOut``'s JSON (stored for replays, and
    # tested against the model): sent as it is, without FastAPI validating it again in
    # one more thread hop.
    headers = {"Idempotent-Replayed": "true"} if result.replayed else None
    return JSONResponse(result.body, status_code=201, headers=headers)


async def raw_body(request: Request) -> bytes:
    return await request.body()


@router.post(
    "/api/v1/payments/events",
    response_model=PaymentEventOut,
    responses={202: {"description": "the provider did not answer; verification retried"}}
    | responses(401, 422),
)
def post_payment_event(
    engine: EngineDep,
    provider: ProviderDep,
    body: Annotated[bytes, Depends(raw_body)],
    x_oms_signature: Annotated[str | None, Header(alias="X-OMS-Signature")] = None,
) -> JSONResponse:
    """A signed event from the payment system (HMAC-SHA256 of the raw body with the
    webhook secret). Idempotent by `event_id`. 200 once handled (orders in
    `processing` when verified); 202 when the provider could not be asked yet."""
    result = receive_payment_event(
        engine,
        raw_body=body,
        signature=x_oms_signature,
        secret=get_settings().payment_webhook_secret,
        provider=provider,
    )
    return JSONResponse(result.body, status_code=200 if result.provider_answered else 202)
