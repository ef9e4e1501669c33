"""What the OMS asks of a payment provider: the state of a checkout's authorization,
refunds of what it took, and extra charges on the same payment method.

One client speaks the provider API over HTTP (``GET {base}/authorizations/{checkout_id}``,
``POST {base}/refunds``, ``POST {base}/charges``: the contract the built-in sandbox
serves too). Where it reaches is the caller's choice: a real provider's base URL, or
the sandbox inside this process through an in-process transport (see ``bootstrap``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

TIMEOUT = httpx.Timeout(5.0, connect=2.0)


class ProviderUnavailable(Exception):
    """The provider did not answer (timeout, connection refused, 5xx): try again later."""


class ProviderRefused(Exception):
    """The provider answered and said no (a 4xx): trying again will not help.
    ``status`` is the HTTP status, ``reason`` the provider's words."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"the payment provider refused ({status}): {reason}")
        self.status, self.reason = status, reason


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    status: str
    """succeeded (the money is on its way back) or failed."""


@dataclass(frozen=True)
class ProviderCharge:
    id: str
    status: str
    """succeeded (a declined charge is a ``ProviderRefused``, 402)."""


@dataclass(frozen=True)
class Authorization:
    status: str
    """authorized, declined, requires_action or unknown."""
    amount: str
    currency: str


class PaymentProvider(Protocol):
    def fetch_authorization(self, checkout_id: str) -> Authorization: ...

    def refund(
        self, checkout_id: str, amount: str, currency: str, idempotency_key: str
    ) -> ProviderRefund:
        """Pay ``amount`` (a decimal string) back on the checkout's payment. The same
        ``idempotency_key`` again returns the same refund and never pays twice."""
        ...

    def charge(
        self,
        checkout_id: str,
        amount: str,
        currency: str,
        idempotency_key: str,
        *,
        order_id: str | None = None,
    ) -> ProviderCharge:
        """Take ``amount`` more on the checkout's payment method (for ``order_id``). The
        same ``idempotency_key`` again returns the same charge and never takes twice;
        declined: ``ProviderRefused`` with the provider's words."""
        ...


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

    def refund(
        self, checkout_id: str, amount: str, currency: str, idempotency_key: str
    ) -> ProviderRefund:
        body = {
            "checkout_id": checkout_id,
            "amount": amount,
            "currency": currency,
            "idempotency_key": idempotency_key,
        }
        data = self._post("/refunds", body, idempotency_key)
        return ProviderRefund(id=data["id"], status=data["status"])

    def charge(
        self,
        checkout_id: str,
        amount: str,
        currency: str,
        idempotency_key: str,
        *,
        order_id: str | None = None,
    ) -> ProviderCharge:
        body = {
            "checkout_id": checkout_id,
            "order_id": order_id,
            "amount": amount,
            "currency": currency,
            "idempotency_key": idempotency_key,
        }
        data = self._post("/charges", body, idempotency_key)
        return ProviderCharge(id=data["id"], status=data["status"])

    def _post(self, path: str, body: dict, idempotency_key: str) -> dict:
        try:
            with httpx.Client(timeout=TIMEOUT, transport=self.transport) as client:
                response = client.post(
                    f"{self.base_url}{path}",
                    json=body,
                    headers={"Idempotency-Key": idempotency_key},
                )
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"payment provider unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"payment provider answered {response.status_code}")
        if response.status_code >= 400:
            raise ProviderRefused(response.status_code, _problem_detail(response))
        return response.json()

    def __repr__(self) -> str:
        where = "in this process" if self.transport is not None else "over the network"
        return f"HttpPaymentProvider({self.base_url!r}, {where})"


def _problem_detail(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return response.text[:300] or response.reason_phrase
    if isinstance(data, dict):
        return str(data.get("detail") or data.get("title") or data)[:300]
    return str(data)[:300]
