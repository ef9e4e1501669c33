"""An order's stock hold: reserved at checkout, confirmed when paid, then
released (payment failed, cancelled, stock lost) or fulfilled (shipped)."""

from __future__ import annotations

from enum import StrEnum

from oms_dashboard.domain.lifecycle import Lifecycle


class StockStatus(StrEnum):
    HELD = "held"
    CONFIRMED = "confirmed"
    RELEASED = "released"
    FULFILLED = "fulfilled"


H = StockStatus

STOCK_HOLD = Lifecycle(
    "a stock hold",
    StockStatus,
    {
        H.HELD: frozenset({H.CONFIRMED, H.RELEASED}),
        H.CONFIRMED: frozenset({H.RELEASED, H.FULFILLED}),
        # Held again: the customer retries payment, or an admin releases an order
        # whose stock was lost once the shelf is refilled.
        H.RELEASED: frozenset({H.HELD, H.CONFIRMED}),
        H.FULFILLED: frozenset(),
    },
)

RESERVED = frozenset({H.HELD, H.CONFIRMED})
"""The order's units count in ``inventory.reserved``."""
