"""What the OMS asks of a payment provider: the state of a checkout's authorization."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from oms_dashboard.settings import get_settings


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


@lru_cache(maxsize=1)
def get_provider() -> PaymentProvider:
    from oms_dashboard.payments.sandbox import SandboxProvider

    return SandboxProvider(get_settings().payment_provider_url)
