"""Cancellations and refunds (API.md "Orders" and "After delivery, support and oversight").

Routes stay thin: each calls one service (``services.cancellation``,
``services.refunds``) and shapes its answer. Refusals are problem documents
naming the rule (``reason``): 409 ``not-cancellable``, ``refund-exceeds-paid``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, StrictBool, StrictInt

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep, require_role
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import Money, MoneyOut, RequestBody, Text, Time
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.refunds import LineRequest
from oms_dashboard.models import CancellationRequest
from oms_dashboard.services import cancellation, refund_payments, refunds
from oms_dashboard.services.actor import Actor, Role

router = APIRouter(tags=["service desk"])
P = "/api/v1"


class ReasonIn(RequestBody):
    reason: Annotated[Text, Field(max_length=1000)]


class OptionalReasonIn(RequestBody):
    reason: Annotated[Text, Field(max_length=1000)] = ""


class RefundLineIn(RequestBody):
    sku: Annotated[Text, Field(max_length=64)]
    quantity: StrictInt


class RefundIn(RequestBody):
    lines: list[RefundLineIn] | None = Field(default=None, max_length=200)
    amount: Money | None = None
    include_shipping: StrictBool = False
    reason: Annotated[Text, Field(max_length=1000)]
    cause: Annotated[Text, Field(max_length=40)] | None = Field(
        default=None,
        description="Optional: discretionary or not_shipped_in_time (anyone); support and "
        "admins may also say system_error or duplicate_charge. Left out, it is "
        "not_shipped_in_time for a paid order past its ship-by time, else discretionary.",
    )


class RefundLineOut(BaseModel):
    sku: str
    quantity: int
    amount: MoneyOut


class RefundOut(BaseModel):
    id: str
    order_id: str
    status: Literal["pending_review", "approved", "paid", "rejected", "failed"]
    amount: MoneyOut
    shipping: MoneyOut
    currency: str
    reason: str
    rule: str = Field(description="The automatic-approval or manual-review rule that decided")
    rule_reason: str
    lines: list[RefundLineOut]
    requested_role: str
    created_at: Time
    due_at: Time | None
    overdue: bool
    decided_at: Time | None
    decision_note: str | None
    paid_at: Time | None
    provider_refund_id: str | None
    last_error: str | None


class RefundPageOut(BaseModel):
    items: list[RefundOut]
    next_cursor: str | None


class CancellationRequestOut(BaseModel):
    id: str
    order_id: str
    status: str
    reason: str
    requested_at: Time
    due_at: Time
    decided_at: Time | None
    decision_note: str | None


class RefundBrief(BaseModel):
    id: str
    status: str
    amount: MoneyOut
    currency: str
    rule: str


class CancelOut(BaseModel):
    order_id: str
    status: str = Field(description="The order's status: cancelled when it was cancelled now")
    rule: str = Field(description="The cancellation rule that decided")
    message: str
    refund: RefundBrief | None = None
    cancellation_request: CancellationRequestOut | None = None
    renewal_cancelled_at: Time | None = Field(
        default=None,
        description="A subscription's order: when its future renewals were cancelled "
        "(rule `subscription-renewals-only`; the order itself stands)",
    )


# -- cancellation ------------------------------------------------------------------------


@router.post(
    f"{P}/orders/{{order_id}}/cancel",
    response_model=CancelOut,
    responses={
        202: {"description": "After the window: a cancellation request for the seller"},
        **responses(401, 403, 404, 409, 422),
    },
)
def post_cancel(order_id: str, body: ReasonIn, engine: EngineDep, actor: ActorDep):
    """200 cancelled now (inside the window, before shipping; or an admin's override,
    audited): stock released, refund started when paid. 202 a cancellation request
    the seller decides (after the window). 409 `not-cancellable` once shipped, its
    `reason` the rule (e.g. `already-shipped`) and its detail offering a return."""
    outcome = cancellation.cancel_order(engine, actor=actor, order_id=order_id, reason=body.reason)
    answer = CancelOut(
        order_id=outcome.order.id,
        status=outcome.order.status,
        rule=outcome.decision.rule.value,
        message=outcome.decision.reason,
        refund=_brief(outcome.refund),
        cancellation_request=_request_out(outcome.request),
        renewal_cancelled_at=outcome.order.renewal_cancelled_at,
    )
    if outcome.request is not None:
        return JSONResponse(answer.model_dump(mode="json"), status_code=202)
    return answer


@router.post(
    f"{P}/orders/{{order_id}}/cancellation-request/approve",
    response_model=CancelOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_approve_cancellation(
    order_id: str,
    body: OptionalReasonIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN, Role.SUPPORT),
) -> CancelOut:
    """The owning seller (or an admin; support once escalated) approves: the order is
    cancelled, stock released, the refund started."""
    outcome = cancellation.approve_request(
        engine, actor=actor, order_id=order_id, reason=body.reason
    )
    return CancelOut(
        order_id=outcome.order.id,
        status=outcome.order.status,
        rule="cancellation-approved",
        message="The cancellation request is approved: the order is cancelled.",
        refund=_brief(outcome.refund),
        cancellation_request=_request_out(outcome.request),
    )


@router.post(
    f"{P}/orders/{{order_id}}/cancellation-request/reject",
    response_model=CancelOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_reject_cancellation(
    order_id: str,
    body: ReasonIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN, Role.SUPPORT),
) -> CancelOut:
    """Reject with a reason; the customer is told why and the order goes on."""
    outcome = cancellation.reject_request(
        engine, actor=actor, order_id=order_id, reason=body.reason
    )
    return CancelOut(
        order_id=outcome.order.id,
        status=outcome.order.status,
        rule="cancellation-rejected",
        message="The cancellation request is rejected: the order goes on.",
        cancellation_request=_request_out(outcome.request),
    )


# -- refunds -----------------------------------------------------------------------------


@router.post(
    f"{P}/orders/{{order_id}}/refunds",
    response_model=RefundOut,
    status_code=201,
    responses=responses(401, 403, 404, 409, 422),
)
def post_refund(order_id: str, body: RefundIn, engine: EngineDep, actor: ActorDep) -> RefundOut:
    """Ask for a refund: by lines (`sku`, `quantity`), by `amount`, or neither (all that
    is left); `include_shipping` adds the shipping not yet refunded. `lines` and
    `amount` together are a 422; more than paid minus refunded minus pending is a 409
    `refund-exceeds-paid`. `rule` names the rule that approved it or sent it to review."""
    found = refunds.request_refund(
        engine,
        actor=actor,
        order_id=order_id,
        reason=body.reason,
        lines=(
            [LineRequest(line.sku, line.quantity) for line in body.lines]
            if body.lines is not None
            else None
        ),
        amount=body.amount,
        include_shipping=body.include_shipping,
        cause=body.cause,
    )
    return refund_out(found)


@router.get(
    f"{P}/orders/{{order_id}}/refunds",
    response_model=RefundPageOut,
    responses=responses(401, 404, 422),
)
def get_refunds(
    order_id: str,
    session: SessionDep,
    actor: ActorDep,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    cursor: Annotated[str | None, Query(max_length=200)] = None,
) -> RefundPageOut:
    """The order's refunds, oldest first, for whoever sees the order."""
    page = refunds.list_refunds(session, actor=actor, order_id=order_id, limit=limit, cursor=cursor)
    return RefundPageOut(items=[refund_out(v) for v in page.items], next_cursor=page.next_cursor)


@router.post(
    f"{P}/refunds/{{refund_id}}/approve",
    response_model=RefundOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_approve_refund(
    refund_id: str,
    body: OptionalReasonIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN, Role.SUPPORT),
) -> RefundOut:
    """The owning seller or an admin (support up to the policy's limit) approves a
    refund waiting for review: it is sent to the payment provider."""
    return refund_out(
        refunds.approve_refund(engine, actor=actor, refund_id=refund_id, note=body.reason)
    )


@router.post(
    f"{P}/refunds/{{refund_id}}/reject",
    response_model=RefundOut,
    responses=responses(401, 403, 404, 409, 422),
)
def post_reject_refund(
    refund_id: str,
    body: ReasonIn,
    engine: EngineDep,
    actor: Actor = require_role(Role.SELLER, Role.ADMIN, Role.SUPPORT),
) -> RefundOut:
    """Reject a refund waiting for review, saying why; the customer is told."""
    return refund_out(
        refunds.reject_refund(engine, actor=actor, refund_id=refund_id, note=body.reason)
    )


@router.post(
    f"{P}/refunds/{{refund_id}}/retry",
    response_model=RefundOut,
    responses=responses(401, 403, 404, 409),
)
def post_retry_refund(
    refund_id: str,
    engine: EngineDep,
    actor: Actor = require_role(Role.ADMIN, Role.SUPPORT),
) -> RefundOut:
    """Send a refund the payment provider refused (``failed``) to it again, as a new
    attempt with its own idempotency key (admins; support up to the policy's limit).
    Audited. Any other status is a 409 ``refund-not-failed``."""
    return refund_out(refund_payments.retry_refund(engine, actor=actor, refund_id=refund_id))


# -- shaping -----------------------------------------------------------------------------


def refund_out(found: refunds.RefundView) -> RefundOut:
    r = found.refund
    return RefundOut(
        id=r.id,
        order_id=r.order_id,
        status=r.status,
        amount=format_minor(r.amount_minor, r.currency),
        shipping=format_minor(r.shipping_minor, r.currency),
        currency=r.currency,
        reason=r.reason,
        rule=r.rule,
        rule_reason=r.rule_reason,
        lines=[
            RefundLineOut(
                sku=line.sku,
                quantity=line.quantity,
                amount=format_minor(line.amount_minor, r.currency),
            )
            for line in found.lines
        ],
        requested_role=r.requested_role,
        created_at=r.created_at,
        due_at=r.due_at,
        overdue=found.overdue,
        decided_at=r.decided_at,
        decision_note=r.decision_note,
        paid_at=r.paid_at,
        provider_refund_id=r.provider_refund_id,
        last_error=r.last_error,
    )


def _brief(refund) -> RefundBrief | None:
    if refund is None:
        return None
    return RefundBrief(
        id=refund.id,
        status=refund.status,
        amount=format_minor(refund.amount_minor, refund.currency),
        currency=refund.currency,
        rule=refund.rule,
    )


def _request_out(request: CancellationRequest | None) -> CancellationRequestOut | None:
    if request is None:
        return None
    return CancellationRequestOut(
        id=request.id,
        order_id=request.order_id,
        status=request.status,
        reason=request.reason,
        requested_at=request.requested_at,
        due_at=request.due_at,
        decided_at=request.decided_at,
        decision_note=request.decision_note,
    )
