"""The KPI page's SQL: a few GROUP BY queries over the orders placed in a time range,
read into DataFrames. Nothing here walks orders one by one.

Each query filters ``orders.placed_at`` by a half-open range first (the indexes
``(seller_id, placed_at)`` and ``(status, placed_at)`` serve it), then the
optional seller, destination country and carrier; related rows (shipments,
returns, events, refunds, reviews, tickets) are reached through their
``order_id`` indexes. ``order_facts`` groups by (UTC day, seller, currency).

With ``rollup=True`` each query also splits its rows by destination country and
the order's carrier mask (and day and seller where it has no such keys): the rows
``services.kpi_rollups`` stores. ``orders="undecided"`` / ``"settled"`` and
``tickets="unresolved"`` / ``"resolved"`` pick the part whose facts still move with
the clock (counted live) or no longer do (rolled up).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from oms_dashboard.domain.delivery import handling_days
from oms_dashboard.domain.kpis import ACCURACY_REPORTED_PROBLEMS, ACCURACY_RETURN_REASONS
from oms_dashboard.domain.tracking import CarrierName, ShipmentDirection, ShipmentStatus
from oms_dashboard.models import (
    KpiRollupDay,
    Order,
    OrderEvent,
    Refund,
    Return,
    Review,
    Seller,
    Shipment,
    ShipmentScan,
    Ticket,
)
from oms_dashboard.models.base import UTCDateTime

# -- two things SQLite and PostgreSQL spell differently ------------------------------------


class hours_between(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """(later - earlier) in hours, as a float."""

    type = sa.Float()
    inherit_cache = True


@compiles(hours_between)
def _hours_sqlite(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 24.0)"


@compiles(hours_between, "postgresql")
def _hours_postgres(element, compiler, **kw):
    later, earlier = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM ({later} - {earlier})) / 3600.0)"


class utc_date(FunctionElement):  # noqa: N801
    """The UTC calendar day of a timestamp."""

    type = sa.Date()
    inherit_cache = True


@compiles(utc_date)
def _date_sqlite(element, compiler, **kw):
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_date, "postgresql")
def _date_postgres(element, compiler, **kw):
    return f"CAST(({compiler.process(element.clauses, **kw)} AT TIME ZONE 'UTC') AS DATE)"


# -- filters ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """Which orders: placed in [start, end), and optionally one seller, country, carrier."""

    start: datetime
    end: datetime
    seller_id: str | None = None
    country: str | None = None
    carrier: str | None = None


def _when(value: datetime) -> sa.BindParameter:
    return sa.bindparam(None, value, type_=UTCDateTime())


def _orders_where(scope: Scope, orders=Order) -> list:
    where = [orders.placed_at >= _when(scope.start), orders.placed_at < _when(scope.end)]
    if scope.seller_id:
        where.append(orders.seller_id == scope.seller_id)
    if scope.country:
        where.append(orders.ship_country == scope.country)
    if scope.carrier:
        # An alias of its own: the carrier query also selects from shipments.
        shipped_by = aliased(Shipment)
        where.append(
            sa.exists().where(
                shipped_by.order_id == orders.id,
                shipped_by.direction == ShipmentDirection.OUTBOUND.value,
                shipped_by.carrier == scope.carrier,
            )
        )
    return where


CARRIER_BITS = {c.value: 1 << i for i, c in enumerate(CarrierName)}
"""Each carrier's bit in the rollups' ``carriers`` mask of an order's outbound carriers."""


def _carrier_masks(scope: Scope):
    """Per scoped order with outbound shipments: the bits of the carriers that took them."""
    s, o = Shipment, aliased(Order)
    bit = sa.case(*((s.carrier == name, b) for name, b in CARRIER_BITS.items()), else_=0)
    return (
        sa.select(s.order_id.label("order_id"), sa.func.sum(sa.distinct(bit)).label("mask"))
        .join(o, o.id == s.order_id)
        .where(s.direction == ShipmentDirection.OUTBOUND.value, *_orders_where(scope, o))
        .group_by(s.order_id)
        .subquery("carrier_masks")
    )


def _split(query, scope: Scope, *, rollup: bool, keys: list, per_day: bool = False):
    """Group ``query`` by ``keys``, and for a rollup by the rollup's keys too (appended
    last: day and seller when ``per_day``, then country and carriers)."""
    if not rollup:
        return query.group_by(*keys)
    masks = _carrier_masks(scope)
    extra = [
        sa.func.coalesce(Order.ship_country, "").label("country"),
        sa.func.coalesce(masks.c.mask, 0).label("carriers"),
    ]
    if per_day:
        extra = [utc_date(Order.placed_at).label("day"), Order.seller_id, *extra]
    return (
        query.outerjoin(masks, masks.c.order_id == Order.id)
        .add_columns(*extra)
        .group_by(*keys, *extra)
    )


def _rollup_columns(columns: list[str], rollup: bool, *, per_day: bool = False) -> list[str]:
    if not rollup:
        return columns
    return [*columns, *(["day", "seller_id"] if per_day else []), "country", "carriers"]


def _count_if(condition) -> sa.ColumnElement:
    return sa.func.sum(sa.case((condition, 1), else_=0))


def _sum_if(condition, value) -> sa.ColumnElement:
    return sa.func.sum(sa.case((condition, value), else_=0))


def _frame(session: Session, query, columns: list[str]) -> pd.DataFrame:
    rows = session.connection().execute(query).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


# -- the queries -------------------------------------------------------------------------------

ORDER_FACTS = [
    "day", "seller_id", "currency", "placed", "paid", "gross_minor", "shipped", "delivered",
    "cancelled", "fulfilled", "fulfillable", "processing_hours", "processed", "late_shipped",
    "on_time", "delivery_due", "accurate",
]  # fmt: skip


def order_facts(
    session: Session,
    scope: Scope,
    now: datetime,
    *,
    orders: str = "all",
    rolled_since: datetime | None = None,
    rollup: bool = False,
) -> pd.DataFrame:
    """Per UTC day of placing, seller and currency: every order-side fact the KPIs sum.

    ``orders``: "all"; "settled", the orders not ``undecided`` at ``now`` (what a
    rollup written at ``now`` keeps); or "undecided", those that were undecided when
    their day was last rolled up (``kpi_rollup_days.rolled_at``, none before
    ``rolled_since``): what the report adds live to a rolled day."""
    o = Order
    paid = o.paid_at.is_not(None)
    shipped = o.shipped_at.is_not(None)
    delivered = o.delivered_at.is_not(None)
    cancelled = o.status == "cancelled"
    since_paid = hours_between(o.shipped_at, o.paid_at)
    # Past the ship-by deadline stored at payment (services.ship_by, business days).
    overdue = sa.and_(~shipped, ~cancelled, o.ship_by <= _when(now))
    fulfillable = sa.and_(paid, sa.or_(shipped, cancelled, overdue))
    today = now.date()
    due = sa.and_(
        ~cancelled,
        o.estimated_delivery.is_not(None),
        sa.or_(delivered, o.estimated_delivery < today),
    )
    on_time = sa.and_(delivered, utc_date(o.delivered_at) <= o.estimated_delivery)
    bad_return = sa.exists().where(
        Return.order_id == o.id, Return.reason.in_(ACCURACY_RETURN_REASONS)
    )
    bad_report = sa.exists().where(
        OrderEvent.order_id == o.id,
        OrderEvent.type == "order.delivery_problem",
        OrderEvent.data["problem"].as_string().in_(ACCURACY_REPORTED_PROBLEMS),
    )
    day = utc_date(o.placed_at)
    query = sa.select(
        day.label("day"),
        o.seller_id,
        o.currency,
        sa.func.count(),
        _count_if(paid),
        _sum_if(paid, o.total_minor),
        _count_if(shipped),
        _count_if(delivered),
        _count_if(cancelled),
        _count_if(sa.and_(fulfillable, shipped)),
        _count_if(fulfillable),
        _sum_if(sa.and_(paid, shipped), since_paid),
        _count_if(sa.and_(paid, shipped)),
        _count_if(sa.and_(paid, shipped, o.shipped_at > o.ship_by)),
        _count_if(sa.and_(due, on_time)),
        _count_if(due),
        _count_if(sa.and_(delivered, ~bad_return, ~bad_report)),
    ).where(*_orders_where(scope))
    if orders == "settled":
        query = query.where(sa.not_(undecided(_when(now))))
    elif orders == "undecided":
        rolled = KpiRollupDay
        query = query.join(rolled, rolled.day == day).where(
            _indexed_undecided(session, rolled_since or now), undecided(rolled.rolled_at)
        )
    query = _split(query, scope, rollup=rollup, keys=[day, o.seller_id, o.currency])
    return _frame(session, query, _rollup_columns(ORDER_FACTS, rollup))


def undecided(at) -> sa.ColumnElement:
    """Orders whose facts could still change with the clock after the moment ``at``:
    not delivered with a promised date on or after ``at``'s day, or paid, unshipped
    and not yet past their ship-by deadline. Every other order's facts are the
    same at any later time until its data changes (the clock's tests only flip once)."""
    o = Order
    return sa.and_(
        o.status != "cancelled",
        sa.or_(
            sa.and_(
                o.delivered_at.is_(None),
                o.estimated_delivery.is_not(None),
                o.estimated_delivery >= utc_date(at),
            ),
            sa.and_(
                o.paid_at.is_not(None),
                o.shipped_at.is_(None),
                o.ship_by > at,
            ),
        ),
    )


def _indexed_undecided(session: Session, since: datetime) -> sa.ColumnElement:
    """A wider net than ``undecided`` for any moment from ``since`` on, worded so the
    partial indexes ``ix_orders_kpi_undelivered`` and ``_unshipped`` serve it."""
    o = Order
    longest = session.connection().execute(sa.select(sa.func.max(Seller.handling_hours))).scalar()
    # A ship-by deadline is at most this long after payment: the handling's business
    # days, each at worst a weekend and a holiday away, and a day to the cut-off.
    reach = timedelta(days=3 * handling_days(longest or 0) + 4)
    return sa.or_(
        sa.and_(
            o.status != "cancelled",
            o.delivered_at.is_(None),
            o.estimated_delivery.is_not(None),
            o.estimated_delivery >= since.date(),
        ),
        sa.and_(
            o.status != "cancelled",
            o.paid_at.is_not(None),
            o.shipped_at.is_(None),
            o.paid_at > _when(since - reach),
            o.ship_by > _when(since),
        ),
    )


REFUND_FACTS = ["day", "seller_id", "currency", "refunds", "refunds_paid", "refunded_minor",
                "refund_hours"]  # fmt: skip


def refund_facts(session: Session, scope: Scope, *, rollup: bool = False) -> pd.DataFrame:
    """Refunds of the scoped orders, by the order's day, seller and currency."""
    r, o = Refund, Order
    paid = sa.and_(r.status == "paid", r.paid_at.is_not(None))
    day = utc_date(o.placed_at)
    query = (
        sa.select(
            day,
            o.seller_id,
            r.currency,
            sa.func.count(),
            _count_if(paid),
            _sum_if(paid, r.amount_minor),
            _sum_if(paid, hours_between(r.paid_at, r.created_at)),
        )
        .join(o, o.id == r.order_id)
        .where(*_orders_where(scope))
    )
    query = _split(query, scope, rollup=rollup, keys=[day, o.seller_id, r.currency])
    return _frame(session, query, _rollup_columns(REFUND_FACTS, rollup))


def rating_facts(session: Session, scope: Scope, *, rollup: bool = False) -> pd.DataFrame:
    """Review and ticket ratings about the scoped orders, by day and seller."""
    day = utc_date(Order.placed_at)
    reviews = (
        sa.select(day, Order.seller_id, sa.func.sum(Review.rating), sa.func.count())
        .join(Order, Order.id == Review.order_id)
        .where(*_orders_where(scope))
    )
    tickets = (
        sa.select(day, Order.seller_id, sa.func.sum(Ticket.rating), sa.func.count())
        .join(Order, Order.id == Ticket.order_id)
        .where(Ticket.rating.is_not(None), *_orders_where(scope))
    )
    reviews, tickets = (
        _split(query, scope, rollup=rollup, keys=[day, Order.seller_id])
        for query in (reviews, tickets)
    )
    columns = _rollup_columns(["day", "seller_id", "rating_sum", "ratings"], rollup)
    return pd.concat(
        [_frame(session, reviews, columns), _frame(session, tickets, columns)], ignore_index=True
    )


def ticket_facts(
    session: Session, scope: Scope, now: datetime, *, tickets: str = "all", rollup: bool = False
) -> pd.DataFrame:
    """Tickets about the scoped orders by priority: how many, and how many missed their
    SLA (not answered, then not resolved, by the due time written on the ticket).

    ``tickets``: "all", "unresolved" (breached moves with ``now``) or "resolved"."""
    t = Ticket
    breached = sa.func.coalesce(t.resolved_at, _when(now)) > t.sla_due_at
    part = {"all": [], "unresolved": [t.resolved_at.is_(None)]}.get(
        tickets, [t.resolved_at.is_not(None)]
    )
    query = (
        sa.select(t.priority, t.priority_rank, sa.func.count(), _count_if(breached))
        .join(Order, Order.id == t.order_id)
        .where(*_orders_where(scope), *part)
        .order_by(t.priority_rank)
    )
    query = _split(query, scope, rollup=rollup, keys=[t.priority, t.priority_rank], per_day=True)
    columns = ["priority", "rank", "tickets", "breached"]
    return _frame(session, query, _rollup_columns(columns, rollup, per_day=True))


def carrier_facts(session: Session, scope: Scope, *, rollup: bool = False) -> pd.DataFrame:
    """Outbound shipments of the scoped orders by carrier: delivered ones' transit time
    (shipped to delivered) and how many ever hit a delivery exception."""
    s = Shipment
    delivered = sa.and_(s.delivered_at.is_not(None), Order.shipped_at.is_not(None))
    exception = sa.or_(
        s.status == ShipmentStatus.DELIVERY_EXCEPTION.value,
        sa.exists().where(
            ShipmentScan.shipment_id == s.id,
            ShipmentScan.status == ShipmentStatus.DELIVERY_EXCEPTION.value,
        ),
    )
    query = (
        sa.select(
            s.carrier,
            sa.func.count(),
            _count_if(delivered),
            _sum_if(delivered, hours_between(s.delivered_at, Order.shipped_at)),
            _count_if(exception),
        )
        .join(Order, Order.id == s.order_id)
        .where(s.direction == ShipmentDirection.OUTBOUND.value, *_orders_where(scope))
        .order_by(s.carrier)
    )
    query = _split(query, scope, rollup=rollup, keys=[s.carrier], per_day=True)
    columns = ["carrier", "shipments", "delivered", "transit_hours", "exceptions"]
    return _frame(session, query, _rollup_columns(columns, rollup, per_day=True))


def refund_reasons(session: Session, scope: Scope, *, rollup: bool = False) -> pd.DataFrame:
    """Refunds of the scoped orders by why: a return's reason, else the deciding rule."""
    r = Refund
    reason = sa.func.coalesce(sa.literal("return: ") + Return.reason, r.rule)
    query = (
        sa.select(reason, r.status, sa.func.count())
        .join(Order, Order.id == r.order_id)
        .outerjoin(Return, Return.id == r.return_id)
        .where(*_orders_where(scope))
    )
    query = _split(query, scope, rollup=rollup, keys=[reason, r.status], per_day=True)
    return _frame(
        session, query, _rollup_columns(["reason", "status", "refunds"], rollup, per_day=True)
    )


def seller_names(session: Session) -> dict[str, str]:
    rows = session.connection().execute(sa.select(Seller.id, Seller.name).order_by(Seller.name))
    return dict(rows.all())
