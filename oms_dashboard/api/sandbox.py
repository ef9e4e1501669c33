"""The sandbox payment provider's own endpoints (API.md, "Sandbox contracts").

A stand-in for a real provider, outside production only: the storefront's
test harness (or the demo simulator) records how a customer's payment went,
and the OMS asks it back during verification, through the same HTTP client
it would use for a real provider (in process: ``bootstrap``).
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from sqlmodel import func, select

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.domain.money import MoneyError, format_minor, parse_amount, to_minor
from oms_dashboard.ids import new_id
from oms_dashboard.models import SandboxCharge, SandboxPayment, SandboxRefund
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import Conflict, NotFound, ServiceError, ValidationFailed

router = APIRouter(prefix="/sandbox/payments", tags=["sandbox"], include_in_schema=False)
gone = APIRouter(include_in_schema=False)
"""Production: the sandboxes do not exist."""


@gone.api_route("/sandbox/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
def no_sandbox(path: str) -> None:
    raise NotFound("there are no sandboxes in production")


class AuthorizeRequest(BaseModel):
    checkout_id: str = Field(min_length=1, max_length=40)
    amount: str = Field(max_length=40)
    currency: str = Field(min_length=3, max_length=3)
    outcome: str = Field(default="authorized", pattern="^(authorized|declined|requires_action)$")


@router.post("/authorizations")
def authorize(request: AuthorizeRequest, session: SessionDep) -> dict:
    """How the customer's payment went at the provider."""
    amount_minor = _amount_minor(request.amount, request.currency)
    row = session.get(SandboxPayment, request.checkout_id) or SandboxPayment(
        checkout_id=request.checkout_id, amount_minor=0, currency=request.currency, status=""
    )
    row.amount_minor, row.currency, row.status = amount_minor, request.currency, request.outcome
    row.updated_at = utcnow()
    session.add(row)
    return _as_json(row)


@router.get("/authorizations/{checkout_id}")
def get_authorization(checkout_id: str, session: SessionDep) -> dict:
    row = session.get(SandboxPayment, checkout_id)
    if row is None:
        raise NotFound("no authorization for this checkout")
    return _as_json(row)


def _as_json(row: SandboxPayment) -> dict:
    return {
        "checkout_id": row.checkout_id,
        "status": row.status,
        "amount": format_minor(row.amount_minor, row.currency),
        "currency": row.currency,
    }


def _amount_minor(amount: str, currency: str) -> int:
    try:
        return to_minor(parse_amount(amount, currency), currency)
    except MoneyError as exc:
        raise ValidationFailed.one("amount", str(exc)) from None


# -- money moved on an authorized payment: refunds back, extra charges more -------------

Movement = SandboxRefund | SandboxCharge


class MovementRequest(BaseModel):
    checkout_id: str = Field(min_length=1, max_length=40)
    amount: str = Field(max_length=40)
    currency: str = Field(min_length=3, max_length=3)
    idempotency_key: str = Field(min_length=1, max_length=80)


class RefundRequest(MovementRequest):
    """Money back: on no order in particular (the provider knows payments, not lines)."""


class ChargeRequest(MovementRequest):
    order_id: str | None = Field(default=None, max_length=40)


class ChargeDeclined(ServiceError):
    status, type, title = 402, "charge-declined", "Payment declined"


def _replayed(
    session, model: type[Movement], request: MovementRequest, response: Response
) -> dict | None:
    """The same movement again when its idempotency key was seen (answered 200)."""
    key = request.idempotency_key
    replay = session.exec(select(model).where(model.idempotency_key == key)).first()
    if replay is None:
        return None
    response.status_code = 200
    return _movement_json(replay)


def _payment_and_amount(session, request: MovementRequest) -> tuple[SandboxPayment, int]:
    """The authorized payment the money moves on and the amount in minor units; the
    same refusals, in the same order, for a refund and a charge."""
    payment = session.get(SandboxPayment, request.checkout_id)
    if payment is None:
        raise NotFound("no payment for this checkout")
    if request.currency != payment.currency:
        raise ValidationFailed.one("currency", f"the payment was in {payment.currency}")
    amount_minor = _amount_minor(request.amount, request.currency)
    if amount_minor <= 0:
        raise ValidationFailed.one("amount", "must be more than zero")
    if payment.status != "authorized":
        raise Conflict("this payment was not authorized", type="payment-not-authorized")
    return payment, amount_minor


def _succeeded_minor(session, model: type[Movement], checkout_id: str) -> int:
    return session.exec(
        select(func.coalesce(func.sum(model.amount_minor), 0)).where(
            model.checkout_id == checkout_id, model.status == "succeeded"
        )
    ).one()


def _listed(session, model: type[Movement], checkout_id: str) -> dict:
    rows = session.exec(
        select(model).where(model.checkout_id == checkout_id).order_by(model.created_at, model.id)
    ).all()
    return {"items": [_movement_json(row) for row in rows], "next_cursor": None}


def _recorded(
    session,
    model: type[Movement],
    request: MovementRequest,
    payment: SandboxPayment,
    amount_minor: int,
    **extra: str | None,
) -> dict:
    row = model(
        id=new_id("srf" if model is SandboxRefund else "sch"),
        checkout_id=payment.checkout_id,
        idempotency_key=request.idempotency_key,
        amount_minor=amount_minor,
        currency=payment.currency,
        status="succeeded",
        **extra,
    )
    session.add(row)
    session.flush()
    return _movement_json(row)


def _movement_json(row: Movement) -> dict:
    order = {"order_id": row.order_id} if isinstance(row, SandboxCharge) else {}
    return {
        "id": row.id,
        "checkout_id": row.checkout_id,
        **order,
        "idempotency_key": row.idempotency_key,
        "amount": format_minor(row.amount_minor, row.currency),
        "currency": row.currency,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
    }


@router.post("/refunds", status_code=201)
def refund(request: RefundRequest, session: SessionDep, response: Response) -> dict:
    """Pay money back on an authorized payment, once per idempotency key (a replay
    answers 200 with the same refund); never more than authorized plus charged minus
    refunded."""
    replay = _replayed(session, SandboxRefund, request, response)
    if replay is not None:
        return replay
    payment, amount_minor = _payment_and_amount(session, request)
    left = (
        payment.amount_minor
        + _succeeded_minor(session, SandboxCharge, payment.checkout_id)
        - _succeeded_minor(session, SandboxRefund, payment.checkout_id)
    )
    if amount_minor > left:
        raise Conflict(
            f"{format_minor(amount_minor, payment.currency)} asked but only "
            f"{format_minor(left, payment.currency)} is left to refund",
            type="refund-exceeds-authorized",
        )
    return _recorded(session, SandboxRefund, request, payment, amount_minor)


@router.get("/refunds")
def list_refunds(checkout_id: str, session: SessionDep) -> dict:
    return _listed(session, SandboxRefund, checkout_id)


@router.post("/charges", status_code=201)
def charge(request: ChargeRequest, session: SessionDep, response: Response) -> dict:
    """Take more on an authorized payment, once per idempotency key (a replay answers
    200 with the same charge). Declined (``charge-outcome``): 402, nothing taken, nothing
    kept, so the same key may be tried again."""
    replay = _replayed(session, SandboxCharge, request, response)
    if replay is not None:
        return replay
    payment, amount_minor = _payment_and_amount(session, request)
    if payment.charge_outcome == "declined":
        raise ChargeDeclined("the card was declined for the extra amount (sandbox)")
    return _recorded(
        session, SandboxCharge, request, payment, amount_minor, order_id=request.order_id
    )


@router.get("/charges")
def list_charges(checkout_id: str, session: SessionDep) -> dict:
    return _listed(session, SandboxCharge, checkout_id)


class ChargeOutcomeRequest(BaseModel):
    outcome: str = Field(pattern="^(succeeded|declined)$")


@router.put("/authorizations/{checkout_id}/charge-outcome")
def set_charge_outcome(checkout_id: str, request: ChargeOutcomeRequest, session: SessionDep):
    """What the sandbox answers to the next charges on this payment (a test harness's
    switch, as ``outcome`` is for the authorization): succeeded or declined."""
    payment = session.get(SandboxPayment, checkout_id)
    if payment is None:
        raise NotFound("no authorization for this checkout")
    payment.charge_outcome = request.outcome
    payment.updated_at = utcnow()
    session.add(payment)
    return {"checkout_id": checkout_id, "charge_outcome": payment.charge_outcome}
