"""Product reviews: written by the customer after delivery, read by the seller,
staff and anyone signed in (a product's)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, Field

from oms_dashboard.api.deps import ActorDep, EngineDep, SessionDep
from oms_dashboard.api.problems import responses
from oms_dashboard.api.schemas import RequestBody, Text
from oms_dashboard.models import Review
from oms_dashboard.services import product_reviews
from oms_dashboard.services.orders import MAX_PAGE
from oms_dashboard.services.product_reviews import ReviewPage

router = APIRouter(tags=["reviews"])
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE)]
Cursor = Annotated[Text | None, Query(max_length=64)]


class ReviewIn(RequestBody):
    sku: Annotated[Text, Field(max_length=64)]
    rating: int = Field(description="1 to 5", examples=[5])
    body: Annotated[Text | None, Field(max_length=50_000)] = None


class ReviewOut(BaseModel):
    id: str
    sku: str
    rating: int
    body: str | None
    reviewer: str = Field(description='The first name and an initial ("Ada L.")')
    created_at: datetime
    order_id: str | None = Field(
        default=None, description="On the seller's list only: the order it came from"
    )


class ReviewPageOut(BaseModel):
    items: list[ReviewOut]
    next_cursor: str | None
    count: int = Field(description="Reviews in all, not only on this page")
    average_rating: str | None = Field(description='One decimal place ("4.5"); null with none')


def review_out(review: Review, reviewer: str, *, with_order: bool = False) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        sku=review.sku,
        rating=review.rating,
        body=review.body,
        reviewer=reviewer,
        created_at=review.created_at,
        order_id=review.order_id if with_order else None,
    )


def page_out(page: ReviewPage, *, with_order: bool = False) -> ReviewPageOut:
    return ReviewPageOut(
        items=[
            review_out(r, page.reviewers.get(r.customer_id, "A customer"), with_order=with_order)
            for r in page.items
        ],
        next_cursor=page.next_cursor,
        count=page.count,
        average_rating=page.average,
    )


@router.post(
    "/api/v1/orders/{order_id}/reviews",
    response_model=ReviewOut,
    status_code=201,
    responses=responses(401, 403, 404, 409, 422),
)
def post_review(
    order_id: Annotated[Text, Path(max_length=64)],
    body: ReviewIn,
    engine: EngineDep,
    actor: ActorDep,
) -> ReviewOut:
    """The customer rates (1-5) and reviews one product of their delivered order, once:
    409 `not-delivered` before delivery, 409 `already-reviewed` the second time, 422 for
    a rating out of range or a sku not on the order."""
    review = product_reviews.post_review(
        engine,
        actor=actor,
        order_id=order_id,
        sku=body.sku,
        rating=body.rating,
        body=body.body,
    )
    name = product_reviews.reviewer_name(actor.name)
    return review_out(review, name, with_order=True)


@router.get(
    "/api/v1/sellers/{seller_id}/reviews",
    response_model=ReviewPageOut,
    responses=responses(401, 403, 404, 422),
)
def get_seller_reviews(
    seller_id: Annotated[Text, Path(max_length=40)],
    session: SessionDep,
    actor: ActorDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ReviewPageOut:
    """Newest first, with the average rating: the seller's own staff, support, admins."""
    page = product_reviews.seller_reviews(
        session, actor=actor, seller_id=seller_id, limit=limit, cursor=cursor or None
    )
    return page_out(page, with_order=True)


@router.get(
    "/api/v1/products/{sku}/reviews",
    response_model=ReviewPageOut,
    responses=responses(401, 404, 422),
)
def get_product_reviews(
    sku: Annotated[Text, Path(max_length=64)],
    session: SessionDep,
    actor: ActorDep,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> ReviewPageOut:
    """Newest first, with the average rating, for anyone signed in."""
    page = product_reviews.product_reviews(
        session, actor=actor, sku=sku, limit=limit, cursor=cursor or None
    )
    return page_out(page)
