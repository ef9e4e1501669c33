"""What kind of thing a product is, and the facts the cancellation rules read from it.

- physical: goods in a box, shipped by a carrier.
- digital: a file the customer downloads from the order (nothing ships, no customs).
  Once downloaded it cannot be cancelled (``cancellation.DIGITAL_DELIVERED``).
- subscription: the order is one delivery of something that renews. Asking to cancel
  it stops the future renewals (``Order.renewal_cancelled_at``); the order itself is
  neither cancelled nor refunded (``cancellation.SUBSCRIPTION``). It ships like a
  physical product.

The kind is copied onto each order line at checkout, so a product changed later does
not change what an order was.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from oms_dashboard.domain.errors import Refused
from oms_dashboard.domain.statuses import OrderStatus


class ProductKind(StrEnum):
    PHYSICAL = "physical"
    DIGITAL = "digital"
    SUBSCRIPTION = "subscription"

    @property
    def ships(self) -> bool:
        return self is not ProductKind.DIGITAL


@dataclass(frozen=True)
class LineFacts:
    """What an order line says about its kind."""

    kind: ProductKind | str
    downloaded_at: datetime | None = None


def digital_delivered(lines: Iterable[LineFacts]) -> bool:
    """A digital line of the order was downloaded: it was delivered."""
    return any(
        ProductKind(line.kind) is ProductKind.DIGITAL and line.downloaded_at is not None
        for line in lines
    )


def renews(lines: Iterable[LineFacts]) -> bool:
    """The order is a subscription's: one of its lines renews."""
    return any(ProductKind(line.kind) is ProductKind.SUBSCRIPTION for line in lines)


class DownloadRule(StrEnum):
    NOT_DIGITAL = "not-digital"
    NOT_PAID = "download-not-paid"
    CANCELLED = "download-order-cancelled"


UNPAID = frozenset({OrderStatus.PENDING_PAYMENT, OrderStatus.PAYMENT_FAILED})


def check_downloadable(kind: ProductKind | str, status: OrderStatus | str) -> None:
    """A digital line is downloaded once its order is paid, and never once cancelled."""
    if ProductKind(kind) is not ProductKind.DIGITAL:
        raise Refused(DownloadRule.NOT_DIGITAL, "Only a digital item can be downloaded.")
    status = OrderStatus(status)
    if status is OrderStatus.CANCELLED:
        raise Refused(DownloadRule.CANCELLED, "This order was cancelled: nothing to download.")
    if status in UNPAID:
        raise Refused(
            DownloadRule.NOT_PAID, "The download opens once the order's payment is verified."
        )
