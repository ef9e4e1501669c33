"""The KPI page's SQL: a few GROUP BY queries over the orders placed in a time range,
read into DataFrames. Nothing here walks orders one by one.

Each query filters ``orders.placed_at`` by a half-open range first (the indexes
``(seller_id, placed_at)`` and ``(status, placed_at)`` serve it), then the
optional seller, destination country and carrier; related rows (shipments,
returns, events, refunds, reviews, tickets) are reached through their
``order_id`` indexes. ``order_facts`` groups by (UTC day, seller, currency): the
shape of a daily rollup table, should the live query ever be too slow.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import aliased
from sqlalchemy.sql.functions import FunctionElement
from sqlmodel import Session

from oms_dashboard.domain.kpis import ACCURACY_REPORTED_PROBLEMS, ACCURACY_RETURN_REASONS
from oms_dashboard.domain.tracking import ShipmentDirection, ShipmentStatus
from oms_dashboard.models import (
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


def order_facts(session: Session, scope: Scope, now: datetime) -> pd.DataFrame:
    """Per UTC day of placing, seller and currency: every order-side fact the KPIs sum."""
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
    query = (
        sa.select(
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
        )
        .where(*_orders_where(scope))
        .group_by(day, o.seller_id, o.currency)
    )
    return _frame(session, query, ORDER_FACTS)


REFUND_FACTS = ["day", "seller_id", "currency", "refunds", "refunds_paid", "refunded_minor",
                "refund_hours"]  # fmt: skip


def refund_facts(session: Session, scope: Scope) -> pd.DataFrame:
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
        .group_by(day, o.seller_id, r.currency)
    )
    return _frame(session, query, REFUND_FACTS)


def rating_facts(session: Session, scope: Scope) -> pd.DataFrame:
    """Review and ticket ratings about the scoped orders, by day and seller."""
    day = utc_date(Order.placed_at)
    reviews = (
        sa.select(day, Order.seller_id, sa.func.sum(Review.rating), sa.func.count())
        .join(Order, Order.id == Review.order_id)
        .where(*_orders_where(scope))
        .group_by(day, Order.seller_id)
    )
    tickets = (
        sa.select(day, Order.seller_id, sa.func.sum(Ticket.rating), sa.func.count())
        .join(Order, Order.id == Ticket.order_id)
        .where(Ticket.rating.is_not(None), *_orders_where(scope))
        .group_by(day, Order.seller_id)
    )
    columns = ["day", "seller_id", "rating_sum", "ratings"]
    return pd.concat(
        [_frame(session, reviews, columns), _frame(session, tickets, columns)], ignore_index=True
    )


def ticket_facts(session: Session, scope: Scope, now: datetime) -> pd.DataFrame:
    """Tickets about the scoped orders by priority: how many, and how many missed their
    SLA (not answered, then not resolved, by the due time written on the ticket)."""
    t = Ticket
    breached = sa.func.coalesce(t.resolved_at, _when(now)) > t.sla_due_at
    query = (
        sa.select(t.priority, t.priority_rank, sa.func.count(), _count_if(breached))
        .join(Order, Order.id == t.order_id)
        .where(*_orders_where(scope))
        .group_by(t.priority, t.priority_rank)
        .order_by(t.priority_rank)
    )
    return _frame(session, query, ["priority", "rank", "tickets", "breached"])


def carrier_facts(session: Session, scope: Scope) -> pd.DataFrame:
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
        .group_by(s.carrier)
        .order_by(s.carrier)
    )
    columns = ["carrier", "shipments", "delivered", "transit_hours", "exceptions"]
    return _frame(session, query, columns)


def refund_reasons(session: Session, scope: Scope) -> pd.DataFrame:
    """Refunds of the scoped orders by why: a return's reason, else the deciding rule."""
    r = Refund
    reason = sa.func.coalesce(sa.literal("return: ") + Return.reason, r.rule)
    query = (
        sa.select(reason, r.status, sa.func.count())
        .join(Order, Order.id == r.order_id)
        .outerjoin(Return, Return.id == r.return_id)
        .where(*_orders_where(scope))
        .group_by(reason, r.status)
    )
    return _frame(session, query, ["reason", "status", "refunds"])


def seller_names(session: Session) -> dict[str, str]:
    rows = session.connection().execute(sa.select(Seller.id, Seller.name).order_by(Seller.name))
    return dict(rows.all())
