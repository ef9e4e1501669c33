"""Orders held for review (admins decide), and the customer's retry after a failed payment."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import RequestBody, Text
from oms_dashboard.domain.money import format_minor
from oms_dashboard.services import review
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.payments import retry_payment

router = APIRouter(tags=["review"])


class HeldOrderOut(BaseModel):
    id: str
    number: str
    seller_id: str
    status: str
    total: str
    currency: str
    reason: str = Field(description="duplicate, stock_lost or payment")
    explanation: str


class ReleaseIn(RequestBody):
    note: Annotated[Text, Field(max_length=500)] = ""


class CancelIn(RequestBody):
    reason: Annotated[Text, Field(max_length=500)]


class StatusOut(BaseModel):
    id: str
    status: str
    review_reason: str | None


@router.get("/api/v1/review", response_model=list[HeldOrderOut], responses=responses(401, 403, 422))
def list_review(
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    actor: Actor = require_role(Role.ADMIN, Role.SUPPORT),
) -> list[HeldOrderOut]:
    """Held orders, the longest waiting first."""
    return [
        HeldOrderOut(
            id=item.order.id,
            number=item.order.number,
            seller_id=item.order.seller_id,
            status=item.order.status,
            total=format_minor(item.order.total_minor, item.order.currency),
            currency=item.order.currency,
            reason=item.reason,
            explanation=item.explanation,
        )
        for item in review.list_held(session, actor=actor, limit=limit)
    ]


@router.post(
    "/api/v1/orders/{order_id}/review/release",
    response_model=StatusOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_release(
    order_id: str, body: ReleaseIn, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> StatusOut:
    """Let a held order go on; a paid one moves to processing (409 `not-held` if it
    is not held, `insufficient-inventory` if its lost stock is not back)."""
    order = review.release_order(engine, actor=actor, order_id=order_id, note=body.note)
    return StatusOut(id=order.id, status=order.status, review_reason=order.review_reason)


@router.post(
    "/api/v1/orders/{order_id}/review/cancel",
    response_model=StatusOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_cancel_held(
    order_id: str, body: CancelIn, engine: EngineDep, actor: Actor = require_role(Role.ADMIN)
) -> StatusOut:
    """Cancel a held order: stock released; a refund is due if it was paid."""
    order = review.cancel_held_order(engine, actor=actor, order_id=order_id, reason=body.reason)
    return StatusOut(id=order.id, status=order.status, review_reason=order.review_reason)


@router.post(
    "/api/v1/orders/{order_id}/payment/retry",
    responses=responses(401, 403, 404, 409),
)
def post_retry_payment(order_id: str, engine: EngineDep, actor: ActorDep) -> dict:
    """After payment_failed: hold the stock again and wait for a new payment of the
    same checkout (its `checkout_id` and `total` are in the answer)."""
    checkout = retry_payment(engine, actor=actor, order_id=order_id)
    return {
        "checkout_id": checkout.id,
        "status": checkout.status,
        "total": format_minor(checkout.total_minor, checkout.currency),
        "currency": checkout.currency,
    }
