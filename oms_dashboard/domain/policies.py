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
STANDING = "Seller standing"
SETTLEMENT = "Settlement"
RETENTION = "Data retention"

GROUPS: tuple[str, ...] = (ORDERS, SHIPPING, RETURNS, STOCK, STANDING, SETTLEMENT, RETENTION)
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
        "standing_window_days",
        "Standing window",
        "days",
        STANDING,
        7,
        365,
        "A seller's standing is measured over the paid orders of this many past days.",
    ),
    PolicySpec(
        "standing_min_orders",
        "Orders before rates are judged",
        "orders",
        STANDING,
        1,
        100_000,
        "With fewer paid orders in the window, a seller's rates are shown but not judged.",
    ),
    PolicySpec(
        "standing_min_orders_suspend",
        "Orders before suspension may be advised",
        "orders",
        STANDING,
        1,
        100_000,
        "With fewer paid orders in the window, a measure above its suspension threshold is a "
        "warning.",
    ),
    PolicySpec(
        "late_shipment_warning_bps",
        "Late shipments: warning above",
        "basis points",
        STANDING,
        0,
        10_000,
        "Share of orders due to ship sent late or never: above it, a warning.",
    ),
    PolicySpec(
        "late_shipment_suspend_bps",
        "Late shipments: suspension above",
        "basis points",
        STANDING,
        0,
        10_000,
        "Share of orders due to ship sent late or never: above it, suspension advised.",
    ),
    PolicySpec(
        "seller_cancel_warning_bps",
        "Seller-caused cancellations: warning above",
        "basis points",
        STANDING,
        0,
        10_000,
        "Paid orders cancelled for lost stock or never shipped: above it, a warning.",
    ),
    PolicySpec(
        "seller_cancel_suspend_bps",
        "Seller-caused cancellations: suspension above",
        "basis points",
        STANDING,
        0,
        10_000,
        "Paid orders cancelled for lost stock or never shipped: above it, suspension advised.",
    ),
    PolicySpec(
        "ticket_rate_warning_bps",
        "Support tickets: warning above",
        "basis points",
        STANDING,
        0,
        10_000,
        "Share of paid orders with a customer's or support's ticket: above it, a warning.",
    ),
    PolicySpec(
        "ticket_rate_suspend_bps",
        "Support tickets: suspension above",
        "basis points",
        STANDING,
        0,
        10_000,
        "Share of paid orders with a customer's or support's ticket: above it, suspension advised.",
    ),
    PolicySpec(
        "ship_time_warning_hours",
        "Average time to ship: warning above",
        "hours",
        STANDING,
        1,
        30 * 24,
        "Average hours from payment to shipping: above it, a warning.",
    ),
    PolicySpec(
        "ship_time_suspend_hours",
        "Average time to ship: suspension above",
        "hours",
        STANDING,
        1,
        30 * 24,
        "Average hours from payment to shipping: above it, suspension advised.",
    ),
    PolicySpec(
        "response_time_warning_hours",
        "Reply time to customers: warning above",
        "hours",
        STANDING,
        1,
        30 * 24,
        "Hours from a customer message to the seller reply: above it, a warning.",
    ),
    PolicySpec(
        "response_time_suspend_hours",
        "Reply time to customers: suspension above",
        "hours",
        STANDING,
        1,
        30 * 24,
        "Hours from a customer message to the seller reply: above it, suspension advised.",
    ),
    PolicySpec(
        "commission_bps",
        "Platform commission",
        "basis points",
        SETTLEMENT,
        0,
        5_000,
        "Taken from each delivered order's total (100 = 1 %); a seller's own rate overrides it.",
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

PAIRED_THRESHOLDS: tuple[tuple[str, str], ...] = (
    ("standing_min_orders", "standing_min_orders_suspend"),
) + tuple(
    (f"{name}_warning_{unit}", f"{name}_suspend_{unit}")
    for name, unit in (
        ("late_shipment", "bps"),
        ("seller_cancel", "bps"),
        ("ticket_rate", "bps"),
        ("ship_time", "hours"),
        ("response_time", "hours"),
    )
)
"""(warning, suspension) pairs: a warning's number may not be above its suspension's
(a threshold, or the orders a rate needs before it may warn or advise suspension)."""


def policy_errors(changes: dict[str, Any]) -> list[dict[str, str]]:
    """One ``{"field", "message"}`` per bad value in ``changes``; empty when all are good."""
    errors = []
    for name, value in changes.items():
        spec = SPECS_BY_NAME.get(name)
        problem = "is not a policy" if spec is None else spec.problem(value)
        if problem:
            errors.append({"field": name, "message": problem})
    return errors
