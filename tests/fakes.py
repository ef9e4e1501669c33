"""Real classes standing in for the world outside (no MagicMock): a payment provider
that answers what it is told, and helpers that drive a checkout's payment with it."""

from __future__ import annotations

from oms_dashboard.domain.payment import VERIFICATION_RETRIES
from oms_dashboard.payments.provider import (
    Authorization,
    ProviderCharge,
    ProviderRefund,
    ProviderRefused,
    ProviderUnavailable,
)
from oms_dashboard.payments.signing import signed_event
from oms_dashboard.services import payments
from oms_dashboard.settings import get_settings


class FakeProvider:
    """Answers every checkout with the same authorization, or is down; pays refunds
    (once per idempotency key, as a real provider), or refuses them when told to."""

    def __init__(self, status: str = "authorized", amount: str = "", currency: str = "USD"):
        self.status, self.amount, self.currency = status, amount, currency
        self.down = False
        self.asked: list[str] = []
        self.refuse: str | None = None
        """Set to a reason: every refund is refused with it (a 4xx)."""
        self.refund_calls: list[tuple[str, str, str, str]] = []
        self.refunds: dict[str, ProviderRefund] = {}
        self.decline: str | None = None
        """Set to a reason: every charge is declined with it (a 402)."""
        self.charge_calls: list[tuple[str, str, str, str]] = []
        self.charges: dict[str, ProviderCharge] = {}

    def fetch_authorization(self, checkout_id: str) -> Authorization:
        self.asked.append(checkout_id)
        if self.down:
            raise ProviderUnavailable("the fake provider is down")
        return Authorization(self.status, self.amount, self.currency)

    def refund(
        self, checkout_id: str, amount: str, currency: str, idempotency_key: str
    ) -> ProviderRefund:
        self.refund_calls.append((checkout_id, amount, currency, idempotency_key))
        if self.down:
            raise ProviderUnavailable("the fake provider is down")
        if self.refuse:
            raise ProviderRefused(409, self.refuse)
        if idempotency_key not in self.refunds:
            self.refunds[idempotency_key] = ProviderRefund(
                f"fre_{len(self.refunds) + 1}", "succeeded"
            )
        return self.refunds[idempotency_key]

    def charge(
        self,
        checkout_id: str,
        amount: str,
        currency: str,
        idempotency_key: str,
        *,
        order_id: str | None = None,
    ) -> ProviderCharge:
        self.charge_calls.append((checkout_id, amount, currency, idempotency_key))
        if self.down:
            raise ProviderUnavailable("the fake provider is down")
        if self.decline:
            raise ProviderRefused(402, self.decline)
        if idempotency_key not in self.charges:
            self.charges[idempotency_key] = ProviderCharge(
                f"fch_{len(self.charges) + 1}", "succeeded"
            )
        return self.charges[idempotency_key]


def post_event(engine, checkout: dict, provider, *, type: str = "payment.authorized"):
    """The payment system's signed event for ``checkout`` (a checkout answer body)."""
    body, headers = signed_event(
        checkout_id=checkout["checkout_id"],
        type=type,
        amount=checkout["total"],
        currency=checkout["currency"],
        secret=get_settings().payment_webhook_secret,
    )
    return payments.receive_payment_event(
        engine,
        raw_body=body,
        signature=headers["X-OMS-Signature"],
        secret=get_settings().payment_webhook_secret,
        provider=provider,
    )


def pay(engine, checkout: dict):
    """Authorized for the checkout's total: its orders go to processing."""
    provider = FakeProvider("authorized", checkout["total"], checkout["currency"])
    return post_event(engine, checkout, provider)


def fail_payment(engine, checkout: dict, *, payment_round: int = 1):
    """Declined, and every re-verification of the round declined too: payment_failed."""
    provider = FakeProvider("declined", checkout["total"], checkout["currency"])
    post_event(engine, checkout, provider, type="payment.failed")
    return [
        payments.verify_again(
            engine,
            checkout_id=checkout["checkout_id"],
            payment_round=payment_round,
            provider=provider,
        )
        for _ in range(VERIFICATION_RETRIES)
    ]
