"""Finding and reading orders, always through the actor's scope."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, func, select

from oms_dashboard.domain.actions import allowed_actions
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.tracking import ShipmentFlag
from oms_dashboard.models import (
    Checkout,
    Customer,
    Order,
    OrderEvent,
    OrderLine,
    Seller,
    Shipment,
    ShipmentScan,
)
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ValidationFailed

MAX_PAGE = 100


@dataclass(frozen=True)
class OrderFilter:
    statuses: tuple[str, ...] = ()
    seller_id: str | None = None
    q: str | None = None
    placed_from: datetime | None = None
    placed_to: datetime | None = None
    search_in: str = "any"
    """Which field ``q`` is looked for in (``services.order_search.SEARCH_FIELDS``)."""
    carrier: str | None = None
    country: str | None = None
    """The delivery country, ISO 3166 alpha-2."""
    flagged: bool | None = None
    """True: a shipment is flagged for support; False: none is; None: either."""


@dataclass
class OrderPage:
    items: list[sa.Row]
    """The page's orders as rows of ``order_search.PAGE_COLUMNS`` (with ``seller_name``)."""
    next_cursor: str | None


@dataclass
class OrderDetail:
    order: Order
    lines: list[OrderLine]
    shipments: list[Shipment]
    scans: dict[str, list[ShipmentScan]]
    """Each shipment's scans by shipment id, newest first."""
    events: list[OrderEvent]
    allowed_actions: list[str]
    seller_name: str
    customer_name: str


def scoped_orders(actor: Actor) -> sa.Select:
    """Every order query starts here: a customer or seller sees only their own."""
    query = select(Order)
    if actor.role is Role.CUSTOMER:
        return query.where(Order.customer_id == (actor.customer_id or "-"))
    if actor.role is Role.SELLER:
        return query.where(Order.seller_id == (actor.seller_id or "-"))
    return query


def list_orders(
    session: Session,
    *,
    actor: Actor,
    filters: OrderFilter = OrderFilter(),
    limit: int = 50,
    cursor: str | None = None,
) -> OrderPage:
    """Newest first, keyset-paged by (placed_at, id) (``order_search.search_orders``)."""
    from oms_dashboard.services.order_search import search_orders

    return search_orders(session, actor=actor, filters=filters, limit=limit, cursor=cursor)


def count_orders(session: Session, *, actor: Actor, filters: OrderFilter = OrderFilter()) -> int:
    query = _apply_filters(scoped_orders(actor), filters, session)
    return session.exec(select(func.count()).select_from(query.subquery())).one()


def count_by_status(session: Session, *, actor: Actor) -> dict[str, int]:
    """How many orders the actor can see, per status (every status present, zero or not)."""
    scoped = scoped_orders(actor).subquery()
    rows = session.exec(select(scoped.c.status, func.count()).group_by(scoped.c.status)).all()
    counts = {status.value: 0 for status in OrderStatus}
    counts.update({status: n for status, n in rows})
    return counts


def get_order(session: Session, *, actor: Actor, order_id: str) -> Order:
    """The order if the actor may see it; otherwise 404, so existence does not leak."""
    order = session.exec(scoped_orders(actor).where(Order.id == order_id)).first()
    if order is None:
        raise NotFound(f"no order {order_id!r}")
    return order


def get_order_detail(session: Session, *, actor: Actor, order_id: str) -> OrderDetail:
    # Here, not at the top: these read orders through this module's scope.
    from oms_dashboard.services import (
        address_change,
        cancellation,
        product_reviews,
        return_views,
    )

    order = get_order(session, actor=actor, order_id=order_id)
    lines = session.exec(
        select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
    ).all()
    shipments = session.exec(
        select(Shipment).where(Shipment.order_id == order.id).order_by(Shipment.created_at)
    ).all()
    scans: dict[str, list[ShipmentScan]] = {shipment.id: [] for shipment in shipments}
    for scan in session.exec(
        select(ShipmentScan)
        .where(ShipmentScan.shipment_id.in_(list(scans)))
        .order_by(ShipmentScan.at.desc(), ShipmentScan.id.desc())
    ):
        scans[scan.shipment_id].append(scan)
    events = session.exec(
        select(OrderEvent)
        .where(OrderEvent.order_id == order.id)
        .order_by(OrderEvent.at, OrderEvent.id)
    ).all()
    checkout = session.get(Checkout, order.checkout_id)
    seller = session.get(Seller, order.seller_id)
    customer = session.get(Customer, order.customer_id)
    return OrderDetail(
        order=order,
        lines=list(lines),
        shipments=list(shipments),
        scans=scans,
        events=list(events),
        allowed_actions=allowed_actions(
            role=actor.role.value,
            status=order.status,
            payment_status=checkout.payment_status if checkout else "pending",
            review_reason=order.review_reason,
            delivery_settled=delivery_settled(session, order),
            paid=order.paid_at is not None,
            cancellation=cancellation.cancellation_decision(session, actor, order),
            cancellation_request_pending=cancellation.open_request(session, order.id) is not None,
            returnable=actor.role is Role.CUSTOMER
            and order.status == OrderStatus.DELIVERED
            and bool(return_views.returnable_lines(session, order)),
            reviewable=actor.role is Role.CUSTOMER
            and bool(product_reviews.order_reviews(session, order)[1]),
            address_changeable=address_change.changeable(session, order),
        ),
        seller_name=seller.name if seller else order.seller_id,
        customer_name=customer.name if customer else "",
    )


def delivery_settled(session: Session, order: Order) -> bool:
    """The customer already answered for the delivery: receipt confirmed, or a problem
    reported (the shipment flagged for support)."""
    if order.receipt_confirmed_at is not None:
        return True
    reported = select(Shipment.id).where(
        Shipment.order_id == order.id, Shipment.flag == ShipmentFlag.REPORTED
    )
    return session.exec(reported).first() is not None


def _apply_filters(
    query: sa.Select, filters: OrderFilter, session: Session | None = None
) -> sa.Select:
    # The search lives beside its indexes and plans, in services.order_search.
    from oms_dashboard.services.order_search import apply_filters

    return apply_filters(query, filters, session)


def encode_cursor(order: Order | sa.Row) -> str:
    raw = f"{order.placed_at.isoformat()}|{order.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        placed, order_id = base64.urlsafe_b64decode(padded).decode().split("|", 1)
        return datetime.fromisoformat(placed), order_id
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.one("cursor", "is not a cursor this API handed out") from None


def seller_names(session: Session, seller_ids: list[str]) -> dict[str, str]:
    ids = set(seller_ids)
    if not ids:
        return {}
    return dict(session.exec(select(Seller.id, Seller.name).where(Seller.id.in_(ids))).all())
