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
    try:
        amount_minor = to_minor(parse_amount(request.amount, request.currency), request.currency)
    except MoneyError as exc:
        raise ValidationFailed.one("amount", str(exc)) from None
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


class RefundRequest(BaseModel):
    checkout_id: str = Field(min_length=1, max_length=40)
    amount: str = Field(max_length=40)
    currency: str = Field(min_length=3, max_length=3)
    idempotency_key: str = Field(min_length=1, max_length=80)


@router.post("/refunds", status_code=201)
def refund(request: RefundRequest, session: SessionDep, response: Response) -> dict:
    """Pay money back on an authorized payment, once per idempotency key (a replay
    answers 200 with the same refund); never more than authorized minus refunded."""
    replay = session.exec(
        select(SandboxRefund).where(SandboxRefund.idempotency_key == request.idempotency_key)
    ).first()
    if replay is not None:
        response.status_code = 200
        return _refund_json(replay)
    payment = session.get(SandboxPayment, request.checkout_id)
    if payment is None:
        raise NotFound("no payment for this checkout")
    if request.currency != payment.currency:
        raise ValidationFailed.one("currency", f"the payment was in {payment.currency}")
    try:
        amount_minor = to_minor(parse_amount(request.amount, request.currency), request.currency)
    except MoneyError as exc:
        raise ValidationFailed.one("amount", str(exc)) from None
    if amount_minor <= 0:
        raise ValidationFailed.one("amount", "must be more than zero")
    if payment.status != "authorized":
        raise Conflict("this payment was not authorized", type="payment-not-authorized")
    refunded = session.exec(
        select(func.coalesce(func.sum(SandboxRefund.amount_minor), 0)).where(
            SandboxRefund.checkout_id == payment.checkout_id,
            SandboxRefund.status == "succeeded",
        )
    ).one()
    left = payment.amount_minor + _charged(session, payment.checkout_id) - refunded
    if amount_minor > left:
        raise Conflict(
            f"{format_minor(amount_minor, payment.currency)} asked but only "
            f"{format_minor(left, payment.currency)} is left to refund",
            type="refund-exceeds-authorized",  # authorized plus charged, minus refunded
        )
    row = SandboxRefund(
        id=new_id("srf"),
        checkout_id=payment.checkout_id,
        idempotency_key=request.idempotency_key,
        amount_minor=amount_minor,
        currency=payment.currency,
        status="succeeded",
    )
    session.add(row)
    session.flush()
    return _refund_json(row)


@router.get("/refunds")
def list_refunds(checkout_id: str, session: SessionDep) -> dict:
    rows = session.exec(
        select(SandboxRefund)
        .where(SandboxRefund.checkout_id == checkout_id)
        .order_by(SandboxRefund.created_at, SandboxRefund.id)
    ).all()
    return {"items": [_refund_json(row) for row in rows], "next_cursor": None}


def _refund_json(row: SandboxRefund) -> dict:
    return {
        "id": row.id,
        "checkout_id": row.checkout_id,
        "idempotency_key": row.idempotency_key,
        "amount": format_minor(row.amount_minor, row.currency),
        "currency": row.currency,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
    }


# -- extra charges on the same payment ---------------------------------------------------


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


class ChargeRequest(BaseModel):
    checkout_id: str = Field(min_length=1, max_length=40)
    order_id: str | None = Field(default=None, max_length=40)
    amount: str = Field(max_length=40)
    currency: str = Field(min_length=3, max_length=3)
    idempotency_key: str = Field(min_length=1, max_length=80)


class ChargeDeclined(ServiceError):
    status, type, title = 402, "charge-declined", "Payment declined"


@router.post("/charges", status_code=201)
def charge(request: ChargeRequest, session: SessionDep, response: Response) -> dict:
    """Take more on an authorized payment, once per idempotency key (a replay answers
    200 with the same charge). Declined (``charge-outcome``): 402, nothing taken, nothing
    kept, so the same key may be tried again."""
    replay = session.exec(
        select(SandboxCharge).where(SandboxCharge.idempotency_key == request.idempotency_key)
    ).first()
    if replay is not None:
        response.status_code = 200
        return _charge_json(replay)
    payment = session.get(SandboxPayment, request.checkout_id)
    if payment is None:
        raise NotFound("no payment for this checkout")
    if request.currency != payment.currency:
        raise ValidationFailed.one("currency", f"the payment was in {payment.currency}")
    try:
        amount_minor = to_minor(parse_amount(request.amount, request.currency), request.currency)
    except MoneyError as exc:
        raise ValidationFailed.one("amount", str(exc)) from None
    if amount_minor <= 0:
        raise ValidationFailed.one("amount", "must be more than zero")
    if payment.status != "authorized":
        raise Conflict("this payment was not authorized", type="payment-not-authorized")
    if payment.charge_outcome == "declined":
        raise ChargeDeclined("the card was declined for the extra amount (sandbox)")
    row = SandboxCharge(
        id=new_id("sch"),
        checkout_id=payment.checkout_id,
        order_id=request.order_id,
        idempotency_key=request.idempotency_key,
        amount_minor=amount_minor,
        currency=payment.currency,
        status="succeeded",
    )
    session.add(row)
    session.flush()
    return _charge_json(row)


@router.get("/charges")
def list_charges(checkout_id: str, session: SessionDep) -> dict:
    rows = session.exec(
        select(SandboxCharge)
        .where(SandboxCharge.checkout_id == checkout_id)
        .order_by(SandboxCharge.created_at, SandboxCharge.id)
    ).all()
    return {"items": [_charge_json(row) for row in rows], "next_cursor": None}


def _charged(session, checkout_id: str) -> int:
    return session.exec(
        select(func.coalesce(func.sum(SandboxCharge.amount_minor), 0)).where(
            SandboxCharge.checkout_id == checkout_id, SandboxCharge.status == "succeeded"
        )
    ).one()


def _charge_json(row: SandboxCharge) -> dict:
    return {
        "id": row.id,
        "checkout_id": row.checkout_id,
        "order_id": row.order_id,
        "idempotency_key": row.idempotency_key,
        "amount": format_minor(row.amount_minor, row.currency),
        "currency": row.currency,
        "status": row.status,
        "created_at": row.created_at.isoformat(),
    }
