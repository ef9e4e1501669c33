"""Every system-wide policy an admin may change, declared once.

Validation (services/policies), the API's request and response schemas and the
admin page all read ``POLICY_SPECS``: adding a policy is one entry here plus its
column on ``OrderPolicy``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PolicySpec:
    name: str
    """The column on ``order_policies`` and the field in the API."""
    label: str
    unit: str
    """What the whole number counts, as people read it: "minutes", "cents"."""
    group: str
    minimum: int
    maximum: int
    help: str
    """One line: what the OMS does with the value."""

    def problem(self, value: Any) -> str | None:
        """Why ``value`` cannot be this policy, or None when it can."""
        if isinstance(value, bool) or not isinstance(value, int):
            return f"must be a whole number of {self.unit}"
        if not self.minimum <= value <= self.maximum:
            return f"must be from {self.minimum} to {self.maximum} {self.unit}"
        return None


ORDERS = "Orders and payment"
SHIPPING = "Shipping"
RETURNS = "Returns and refunds"
STOCK = "Stock"
RETENTION = "Data retention"

GROUPS: tuple[str, ...] = (ORDERS, SHIPPING, RETURNS, STOCK, RETENTION)
"""The order the page shows the groups in."""

POLICY_SPECS: tuple[PolicySpec, ...] = (
    PolicySpec(
        "cancellation_window_minutes",
        "Cancellation window",
        "minutes",
        ORDERS,
        0,
        7 * 24 * 60,
        "How long after paying a customer may cancel an order that has not shipped, unasked.",
    ),
    PolicySpec(
        "cancellation_request_hours",
        "Seller answer time for cancellation requests",
        "hours",
        ORDERS,
        1,
        7 * 24,
        "How long a seller has to answer a cancellation request before support takes it.",
    ),
    PolicySpec(
        "payment_hold_minutes",
        "Payment hold",
        "minutes",
        ORDERS,
        5,
        7 * 24 * 60,
        "How long stock stays reserved for an order waiting for its payment.",
    ),
    PolicySpec(
        "duplicate_window_minutes",
        "Duplicate order window",
        "minutes",
        ORDERS,
        1,
        24 * 60,
        "Orders with the same customer and lines this close together are held as duplicates.",
    ),
    PolicySpec(
        "ship_by_hours",
        "Default handling time",
        "hours",
        SHIPPING,
        1,
        14 * 24,
        "New sellers must ship within this many hours of payment; each seller may set its own.",
    ),
    PolicySpec(
        "stuck_shipment_hours",
        "Stuck package after",
        "hours",
        SHIPPING,
        12,
        30 * 24,
        "A shipment without a carrier scan for this long is flagged for support.",
    ),
    PolicySpec(
        "return_window_days",
        "Return window",
        "days",
        RETURNS,
        0,
        365,
        "How long after delivery a customer may ask to return an item.",
    ),
    PolicySpec(
        "high_value_refund_minor",
        "Refund auto-approval threshold",
        "cents",
        RETURNS,
        0,
        100_000_000,
        "Refunds above this amount wait for an admin's approval instead of being paid at once.",
    ),
    PolicySpec(
        "support_refund_limit_minor",
        "Support agent refund limit",
        "cents",
        RETURNS,
        0,
        100_000_000,
        "The most a support agent refunds alone; above it an admin decides.",
    ),
    PolicySpec(
        "low_stock_threshold",
        "Low-stock threshold",
        "units",
        STOCK,
        0,
        100_000,
        "New sellers are alerted when a product's available stock falls under this.",
    ),
    PolicySpec(
        "archive_after_days",
        "Archive orders after",
        "days",
        RETENTION,
        30,
        10 * 365,
        "Closed orders older than this move to cold storage (the spec asks for 1 year).",
    ),
    PolicySpec(
        "order_retention_years",
        "Keep order records for",
        "years",
        RETENTION,
        7,
        30,
        "Order records are kept at least this long for tax and compliance (7 years minimum).",
    ),
)

SPECS_BY_NAME: dict[str, PolicySpec] = {spec.name: spec for spec in POLICY_SPECS}


def policy_errors(changes: dict[str, Any]) -> list[dict[str, str]]:
    """One ``{"field", "message"}`` per bad value in ``changes``; empty when all are good."""
    errors = []
    for name, value in changes.items():
        spec = SPECS_BY_NAME.get(name)
        problem = "is not a policy" if spec is None else spec.problem(value)
        if problem:
            errors.append({"field": name, "message": problem})
    return errors
