"""Real classes standing in for the world outside (no MagicMock): a payment provider
that answers what it is told, and helpers that drive a checkout's payment with it."""

from __future__ import annotations

from oms_dashboard.domain.payment import VERIFICATION_RETRIES
from oms_dashboard.payments.provider import Authorization, ProviderUnavailable
from oms_dashboard.payments.signing import signed_event
from oms_dashboard.services import payments
from oms_dashboard.settings import get_settings


class FakeProvider:
    """Answers every checkout with the same authorization, or is down."""

    def __init__(self, status: str = "authorized", amount: str = "", currency: str = "USD"):
        self.status, self.amount, self.currency = status, amount, currency
        self.down = False
        self.asked: list[str] = []

    def fetch_authorization(self, checkout_id: str) -> Authorization:
        self.asked.append(checkout_id)
        if self.down:
            raise ProviderUnavailable("the fake provider is down")
        return Authorization(self.status, self.amount, self.currency)


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
