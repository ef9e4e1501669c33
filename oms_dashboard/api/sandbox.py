"""The sandbox payment provider's own endpoints (API.md, "Sandbox contracts").

A stand-in for a real provider, outside production only: the storefront's
test harness (or the demo simulator) records how a customer's payment went,
and the OMS asks it back during verification, through the same HTTP client
it would use for a real provider (in process: ``bootstrap``).
"""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import SessionDep
from oms_dashboard.domain.money import MoneyError, format_minor, parse_amount, to_minor
from oms_dashboard.models import SandboxPayment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.errors import NotFound, ValidationFailed

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
