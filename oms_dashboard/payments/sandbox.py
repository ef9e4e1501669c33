"""The sandbox payment provider: a client over HTTP, and the endpoints it talks to.

The endpoints are mounted in the app under /sandbox/payments, so a laptop can
take payments with nothing else running; the client reaches them over real
HTTP exactly as it would reach a real provider.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

import httpx
from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field
from sqlmodel import Session

from oms_dashboard.domain.money import MoneyError, format_minor, parse_amount, to_minor
from oms_dashboard.models import SandboxPayment
from oms_dashboard.models.base import utcnow
from oms_dashboard.payments.provider import Authorization, ProviderUnavailable

TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class SandboxProvider:
    def __init__(self, base_url: str, *, transport: httpx.BaseTransport | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.transport = transport

    def fetch_authorization(self, checkout_id: str) -> Authorization:
        url = f"{self.base_url}/authorizations/{checkout_id}"
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as client:
                response = client.get(url)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"payment provider unreachable: {exc}") from exc
        if response.status_code == 404:
            return Authorization(status="unknown", amount="0", currency="")
        if response.status_code >= 500:
            raise ProviderUnavailable(f"payment provider answered {response.status_code}")
        response.raise_for_status()
        data = response.json()
        return Authorization(
            status=data["status"], amount=data["amount"], currency=data["currency"]
        )


def sign(body: bytes, secret: str) -> str:
    """The X-OMS-Signature header value for a raw body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def signed_event(
    *,
    checkout_id: str,
    type: str,
    amount: str,
    currency: str,
    secret: str,
    event_id: str | None = None,
) -> tuple[bytes, dict[str, str]]:
    """A payment event body and its headers, as the provider would post it."""
    body = json.dumps(
        {
            "event_id": event_id or f"evt_{uuid.uuid4().hex}",
            "checkout_id": checkout_id,
            "type": type,
            "amount": amount,
            "currency": currency,
        }
    ).encode()
    return body, {"Content-Type": "application/json", "X-OMS-Signature": sign(body, secret)}


# --- the provider's side -------------------------------------------------------

router = APIRouter(prefix="/sandbox/payments", tags=["sandbox"], include_in_schema=False)


class AuthorizeRequest(BaseModel):
    checkout_id: str = Field(min_length=1, max_length=40)
    amount: str
    currency: str = Field(min_length=3, max_length=3)
    outcome: str = Field(default="authorized", pattern="^(authorized|declined|requires_action)$")


def _session():
    from oms_dashboard.db import session_scope

    with session_scope() as session:
        yield session


@router.post("/authorizations")
def authorize(request: AuthorizeRequest, session: Session = Depends(_session)) -> dict:
    """The customer paid (or not) at the provider: remember the outcome."""
    try:
        amount_minor = to_minor(parse_amount(request.amount, request.currency), request.currency)
    except MoneyError as exc:
        raise HTTPException(422, str(exc)) from exc
    row = session.get(SandboxPayment, request.checkout_id) or SandboxPayment(
        checkout_id=request.checkout_id, amount_minor=0, currency=request.currency, status=""
    )
    row.amount_minor, row.currency, row.status = amount_minor, request.currency, request.outcome
    row.updated_at = utcnow()
    session.add(row)
    return _as_json(row)


@router.get("/authorizations/{checkout_id}")
def get_authorization(checkout_id: str, session: Session = Depends(_session)) -> dict:
    row = session.get(SandboxPayment, checkout_id)
    if row is None:
        raise HTTPException(404, "no authorization for this checkout")
    return _as_json(row)


def _as_json(row: SandboxPayment) -> dict:
    return {
        "checkout_id": row.checkout_id,
        "status": row.status,
        "amount": format_minor(row.amount_minor, row.currency),
        "currency": row.currency,
    }
