"""What the OMS asks of a payment provider: the state of a checkout's authorization.

One client speaks the provider API over HTTP (``GET {base}/authorizations/{checkout_id}``,
the contract the built-in sandbox serves too). Where it reaches is the
caller's choice: a real provider's base URL, or the sandbox inside this
process through an in-process transport (see ``bootstrap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class ProviderUnavailable(Exception):
    """The provider did not answer (timeout, connection refused, 5xx): try again later."""


@dataclass(frozen=True)
class Authorization:
    status: str
    """authorized, declined, requires_action or unknown."""
    amount: str
    currency: str


class PaymentProvider(Protocol):
    def fetch_authorization(self, checkout_id: str) -> Authorization: ...


class HttpPaymentProvider:
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

    def __repr__(self) -> str:
        where = "in this process" if self.transport is not None else "over the network"
        return f"HttpPaymentProvider({self.base_url!r}, {where})"
