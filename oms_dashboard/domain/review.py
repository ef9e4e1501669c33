"""Why an order waits for a person, and the words each reader sees for it.

An order is held for one reason at a time (the first one found); it leaves
review when an admin releases or cancels it. Every page, email and API answer
takes its wording from here.
"""

from __future__ import annotations

from enum import StrEnum

from oms_dashboard.domain.errors import DomainError


class ReviewReason(StrEnum):
    DUPLICATE = "duplicate"
    STOCK_LOST = "stock_lost"
    PAYMENT = "payment"

    @property
    def label(self) -> str:
        """The reason in a few words, as the review queue lists it."""
        return _LABELS[self]

    def explain(self, role: str) -> str:
        """What the order page says: staff and sellers get the rule, customers what comes next."""
        return (_FOR_CUSTOMER if role == "customer" else _FOR_STAFF)[self]


_LABELS = {
    ReviewReason.DUPLICATE: "Same lines as another checkout minutes earlier",
    ReviewReason.STOCK_LOST: "Stock lost after it was reserved",
    ReviewReason.PAYMENT: "Payment does not match the order total",
}
_FOR_STAFF = {
    ReviewReason.DUPLICATE: "It repeats an order the same customer placed minutes earlier. "
    "Nothing ships until an admin releases or cancels it.",
    ReviewReason.STOCK_LOST: "An item is no longer in stock. The customer was offered "
    "alternatives; an admin releases the order once stock is back, or cancels it.",
    ReviewReason.PAYMENT: "The payment does not match the order total. Nothing ships until "
    "an admin releases or cancels it.",
}
_FOR_CUSTOMER = {
    ReviewReason.DUPLICATE: "We are checking this order: it has the same items as an order "
    "you placed minutes earlier. Our team confirms it or cancels the copy shortly, and "
    "refunds the copy if it was paid.",
    ReviewReason.STOCK_LOST: "An item of this order went out of stock after you ordered it. "
    "We have emailed you alternatives; our team confirms or cancels the order shortly.",
    ReviewReason.PAYMENT: "We are checking your payment: the amount did not match the order "
    "total. Our team confirms the order or contacts you shortly.",
}


class NotHeld(DomainError):
    code = "not-held"


def should_flag(current: ReviewReason | str | None) -> bool:
    """An order already held keeps its first reason."""
    return current is None


def check_release(current: ReviewReason | str | None) -> ReviewReason:
    """The reason being cleared; ``NotHeld`` if the order is not waiting for review."""
    if current is None:
        raise NotHeld("this order is not held for review")
    return ReviewReason(current)
