"""Product reviews: a customer rates each product of a delivered order once; the
seller and staff read a seller's reviews, anyone signed in a product's."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlmodel import Session, func, select

from oms_dashboard.domain.product_reviews import average_rating, decide_review, review_errors
from oms_dashboard.ids import new_id
from oms_dashboard.models import Customer, Order, OrderLine, Product, Review, Seller
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.orders import MAX_PAGE, get_order
from oms_dashboard.services.unit_of_work import transactional


@dataclass(frozen=True)
class ReviewPage:
    items: list[Review]
    reviewers: dict[str, str]
    """Customer id to the name shown ("Ada L.")."""
    count: int
    average: str | None
    next_cursor: str | None


@transactional
def post_review(
    session: Session, *, actor: Actor, order_id: str, sku: str, rating: int, body: str | None
) -> Review:
    """The customer's review of one product of their delivered order."""
    actor.require(Role.CUSTOMER)
    order = get_order(session, actor=actor, order_id=order_id)
    skus = set(session.exec(select(OrderLine.sku).where(OrderLine.order_id == order.id)))
    text = (body or "").strip() or None
    errors = review_errors(rating=rating, sku=sku, order_skus=skus, body=text)
    if errors:
        raise ValidationFailed(errors)
    reviewed = set(
        session.exec(
            select(Review.sku).where(Review.customer_id == order.customer_id, Review.sku == sku)
        )
    )
    decide_review(order_status=order.status, sku=sku, reviewed_skus=reviewed).check()
    review = Review(
        id=new_id("rev"),
        order_id=order.id,
        seller_id=order.seller_id,
        customer_id=order.customer_id,
        sku=sku,
        rating=rating,
        body=text,
    )
    session.add(review)
    try:
        session.flush()
    except sa_exc.IntegrityError as exc:
        # The same review sent twice at once: the unique key decided, and the loser
        # hears the rule rather than a bare conflict.
        if "uq_reviews_customer_sku" not in str(exc) and "reviews.customer_id" not in str(exc):
            raise
        session.rollback()
        decide_review(order_status=order.status, sku=sku, reviewed_skus={sku}).check()
        raise
    return review


def seller_reviews(
    session: Session, *, actor: Actor, seller_id: str, limit: int = 50, cursor: str | None = None
) -> ReviewPage:
    """A seller's reviews, newest first: for its own staff, support and admins."""
    if not (actor.is_staff or (actor.role is Role.SELLER and actor.seller_id == seller_id)):
        raise Forbidden("only the seller's own staff, support and admins read its reviews")
    if session.get(Seller, seller_id) is None:
        raise NotFound(f"no seller {seller_id!r}")
    return _page(session, Review.seller_id == seller_id, limit, cursor)


def product_reviews(
    session: Session, *, actor: Actor, sku: str, limit: int = 50, cursor: str | None = None
) -> ReviewPage:
    """A product's reviews, newest first, for anyone signed in."""
    if session.exec(select(Product.id).where(Product.sku == sku)).first() is None:
        raise NotFound(f"no product {sku!r}")
    return _page(session, Review.sku == sku, limit, cursor)


def _page(
    session: Session, where: sa.ColumnElement[bool], limit: int, cursor: str | None
) -> ReviewPage:
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.one("limit", f"must be between 1 and {MAX_PAGE}")
    count, total = session.exec(
        select(func.count(), func.coalesce(func.sum(Review.rating), 0)).where(where)
    ).one()
    query = select(Review).where(where)
    if cursor:
        query = query.where(Review.id < cursor)  # ids are time-ordered
    rows = list(session.exec(query.order_by(Review.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    ids = {r.customer_id for r in rows}
    names = {
        c.id: reviewer_name(c.name)
        for c in session.exec(select(Customer).where(Customer.id.in_(ids)))
    }
    return ReviewPage(
        items=rows,
        reviewers=names,
        count=count,
        average=average_rating(int(total), count),
        next_cursor=rows[-1].id if more else None,
    )


def reviewer_name(full_name: str) -> str:
    """The first name and the initial of the last: reviews are read by strangers."""
    parts = full_name.split()
    if not parts:
        return "A customer"
    return parts[0] if len(parts) == 1 else f"{parts[0]} {parts[-1][0]}."


def order_reviews(session: Session, order: Order) -> tuple[dict[str, Review], list[str]]:
    """The customer's reviews of this order's products (by sku, wherever they were
    written) and the skus they may still review from it (delivered: each one once)."""
    skus = list(
        dict.fromkeys(
            session.exec(
                select(OrderLine.sku).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
            )
        )
    )
    written = {
        r.sku: r
        for r in session.exec(
            select(Review).where(Review.customer_id == order.customer_id, Review.sku.in_(skus))
        )
    }
    open_skus = [
        sku
        for sku in skus
        if decide_review(order_status=order.status, sku=sku, reviewed_skus=written).allowed
    ]
    return written, open_skus
