"""Product reviews: who may rate a product of an order, and what a review must hold.

Product spec: after delivery the customer rates (1-5) and reviews each product of
the order once; sellers see their reviews. ("Once" is per customer and product,
whichever order it came in: the table's unique key says the same.)

Kept apart from ``domain.review``, which is about orders held for a person's review.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from oms_dashboard.domain.errors import NotReviewable
from oms_dashboard.domain.statuses import OrderStatus

MIN_RATING, MAX_RATING = 1, 5
MAX_BODY = 5000


class ReviewRule(StrEnum):
    ALLOWED = "review-allowed"
    NOT_DELIVERED = "not-delivered"
    ALREADY_REVIEWED = "already-reviewed"


@dataclass(frozen=True)
class ReviewDecision:
    rule: ReviewRule
    reason: str

    @property
    def allowed(self) -> bool:
        return self.rule is ReviewRule.ALLOWED

    def check(self) -> ReviewDecision:
        """The decision itself, or ``NotReviewable`` naming the rule that refused."""
        if not self.allowed:
            raise NotReviewable(self.rule, self.reason)
        return self


def review_errors(
    *, rating: object, sku: str, order_skus: Collection[str], body: str | None = None
) -> list[dict[str, str]]:
    """What is wrong with the review itself (a 422), every field at once."""
    errors = []
    if isinstance(rating, bool) or not isinstance(rating, int):
        errors.append({"field": "rating", "message": "must be a whole number from 1 to 5"})
    elif not MIN_RATING <= rating <= MAX_RATING:
        errors.append({"field": "rating", "message": f"must be from 1 to 5, not {rating}"})
    if sku not in order_skus:
        errors.append({"field": "sku", "message": f"{sku!r} is not a product of this order"})
    if body is not None and len(body) > MAX_BODY:
        errors.append({"field": "body", "message": f"at most {MAX_BODY} characters"})
    return errors


def decide_review(
    *, order_status: OrderStatus | str, sku: str, reviewed_skus: Collection[str]
) -> ReviewDecision:
    """Whether the customer may review ``sku`` of this order now (the input is valid)."""
    if OrderStatus(order_status) is not OrderStatus.DELIVERED:
        return ReviewDecision(
            ReviewRule.NOT_DELIVERED, "Products can be reviewed once the order is delivered."
        )
    if sku in reviewed_skus:
        return ReviewDecision(
            ReviewRule.ALREADY_REVIEWED, f"You have already reviewed {sku}: one review a product."
        )
    return ReviewDecision(ReviewRule.ALLOWED, "Delivered, and not reviewed yet.")


def average_rating(total: int, count: int) -> str | None:
    """The mean rating to one decimal place, as a string ("4.5"); None with no reviews."""
    if count <= 0:
        return None
    mean = Decimal(total) / Decimal(count)
    return str(mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
