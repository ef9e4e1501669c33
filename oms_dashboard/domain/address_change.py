"""Changing where an order goes: allowed until it ships, priced again, the difference
settled by the same rules as any other charge or refund."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from oms_dashboard.domain.errors import Refused
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.statuses import NOT_YET_SHIPPED, OrderStatus


class AddressChangeRule(StrEnum):
    CHANGED = "address-changed"
    ALREADY_SHIPPED = "already-shipped"
    LABEL_BOUGHT = "label-already-bought"
    CANCELLED = "order-cancelled"
    OTHER_COUNTRY = "other-country"
    NOT_PAID = "payment-not-taken"


class Settlement(StrEnum):
    NONE = "none"
    """The new address costs the same to ship to."""
    CHARGE = "charge"
    """It costs more: the difference is charged before the change takes effect."""
    REFUND = "refund"
    """It costs less: the difference is refunded (automatically approved)."""


class AddressChangeRefused(Refused):
    code = "address-not-changeable"


@dataclass(frozen=True)
class AddressChangeDecision:
    rule: AddressChangeRule
    reason: str
    difference_minor: int = 0
    """New shipping minus old: positive to charge, negative to refund."""

    @property
    def settlement(self) -> Settlement:
        if self.difference_minor > 0:
            return Settlement.CHARGE
        if self.difference_minor < 0:
            return Settlement.REFUND
        return Settlement.NONE


def check_address_change(
    status: OrderStatus | str,
    *,
    paid: bool,
    label_bought: bool,
    old_country: str,
    new_country: str,
) -> None:
    """Raise ``AddressChangeRefused`` unless the order may still go somewhere else.

    ``paid``: the checkout's payment was taken. Before that the payment system is
    still verifying the checkout's total, which a new shipping price would change
    under it: the address changes once the order is paid (or the order is cancelled
    and placed again)."""
    status = OrderStatus(status)
    if status is OrderStatus.CANCELLED:
        raise AddressChangeRefused(
            AddressChangeRule.CANCELLED, "This order is cancelled: there is nothing to send."
        )
    if status not in NOT_YET_SHIPPED:
        raise AddressChangeRefused(
            AddressChangeRule.ALREADY_SHIPPED,
            "This order has shipped: ask the carrier to redirect it, or contact support.",
        )
    if not paid:
        raise AddressChangeRefused(
            AddressChangeRule.NOT_PAID,
            "The payment for this order is not verified yet: change the address once it "
            "is, or cancel the order and place it again.",
        )
    if label_bought:
        raise AddressChangeRefused(
            AddressChangeRule.LABEL_BOUGHT,
            "The seller has already bought the label for the current address; "
            "contact the seller about a change.",
        )
    if old_country.upper() != new_country.upper():
        raise AddressChangeRefused(
            AddressChangeRule.OTHER_COUNTRY,
            "A new country changes customs, duties and the carriers that can deliver: "
            "cancel this order and place it again for the new country.",
        )


def decide_address_change(
    *, old_shipping_minor: int, new_shipping_minor: int, currency: str
) -> AddressChangeDecision:
    """How the price difference of an allowed change is settled, in words."""
    difference = new_shipping_minor - old_shipping_minor
    amount = f"{format_minor(abs(difference), currency)} {currency}"
    if difference > 0:
        reason = (
            f"Shipping to the new address costs {amount} more; "
            "it is charged to your payment method."
        )
    elif difference < 0:
        reason = (
            f"Shipping to the new address costs {amount} less; "
            "the difference is refunded to your payment method."
        )
    else:
        reason = "Shipping to the new address costs the same."
    return AddressChangeDecision(AddressChangeRule.CHANGED, reason, difference)
