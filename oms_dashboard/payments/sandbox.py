"""The sandbox payment provider's client, and the signing both sides use.

The provider's endpoints live in ``oms_dashboard.api.sandbox`` (mounted in the
app under /sandbox/payments), so a laptop can take payments with nothing
else running; this client reaches them over real HTTP exactly as it would
reach a real provider.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid

import httpx

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
