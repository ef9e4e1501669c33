"""Marking KPI rollup days stale: the one place that does it, for every service.

A change to an order placed before ``kpi_rollups.first_unmarked_day`` (a late
delivery scan, a refund, a return, a review, a rating, a cancellation) makes its day's
rollup wrong until the day is recomputed, and the 5-minute job redoes only the
recent days. So the transaction that makes the change also marks the day
(``kpi_stale_days``), and that job recomputes the marked days too.

Session events, not calls in each service: ``after_flush`` notes the days of the
orders whose rollup inputs were inserted, deleted or changed (``FEEDS``: the tables
and columns ``kpi_queries`` reads for a rollup), and ``before_commit`` writes
them, sorted, in one upsert that bumps each mark's ``version`` (see
``kpi_rollups._clear_marks`` for why the job needs it). A new order (checkout) is
placed today: its flush costs a date comparison and no SQL. Only ORM writes are
seen: the Core UPDATEs elsewhere (the tracking sync's ``next_sync_at`` lease) touch
no rollup input; anything else that writes these tables in bulk must call ``mark``.

Installed once per process by ``bootstrap`` (``track_changes``), for every session.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, time

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import PASSIVE_NO_INITIALIZE, get_history
from sqlalchemy.orm.util import identity_key

from oms_dashboard.models import (
    KpiStaleDay,
    Order,
    OrderEvent,
    Refund,
    Return,
    Review,
    Shipment,
    ShipmentScan,
    Ticket,
)
from oms_dashboard.models.base import UTCDateTime, utcnow
from oms_dashboard.services import kpi_queries as q
from oms_dashboard.services import kpi_rollups
from oms_dashboard.services.locks import touching_kpi_stale_days

FEEDS: dict[type, frozenset[str]] = {
    Order: frozenset({
        "id", "placed_at", "seller_id", "currency", "status", "paid_at", "total_minor",
        "ship_by", "shipped_at", "delivered_at", "estimated_delivery", "ship_country",
    }),
    OrderEvent: frozenset({"order_id", "type", "data"}),
    Shipment: frozenset({"id", "order_id", "direction", "carrier", "status", "delivered_at"}),
    ShipmentScan: frozenset({"shipment_id", "status"}),
    Refund: frozenset({
        "order_id", "return_id", "status", "amount_minor", "currency", "created_at", "paid_at",
        "rule",
    }),
    Return: frozenset({"id", "order_id", "reason"}),
    Review: frozenset({"order_id", "rating"}),
    Ticket: frozenset({
        "order_id", "priority", "priority_rank", "sla_due_at", "resolved_at", "rating",
    }),
}  # fmt: skip
"""The columns a rollup is computed from, per table: a row inserted or deleted, or one
of these changed, changes its order's day (``tests`` check the list against the SQL)."""

_PENDING = "kpi_stale_pending"
"""session.info: (transaction, days noted so far, or None once they were written)."""


def track_changes() -> None:
    """Mark the days of changed orders in every session's transaction (idempotent).

    First among the ``before_commit`` listeners, so the marks' row locks come before
    the audit chain head's (``services.locks``)."""
    for name, listener, options in (
        ("after_flush", _note_flushed, {}),
        ("before_commit", _write_noted, {"insert": True}),
        ("after_commit", _forget_noted, {}),
        ("after_rollback", _forget_noted, {}),
    ):
        if not event.contains(OrmSession, name, listener):
            event.listen(OrmSession, name, listener, **options)


def mark(session: OrmSession, days: Iterable[date]) -> None:
    """Mark ``days`` stale in ``session``'s transaction: inserted, or their version
    bumped. One statement, days in order, so two transactions lock marks in one order."""
    days = sorted(set(days))
    if not days:
        return
    touching_kpi_stale_days(session)  # type: ignore[arg-type]
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    statement = insert(KpiStaleDay).values(
        [{"day": day, "version": 1, "marked_at": now} for day in days]
    )
    session.connection().execute(
        statement.on_conflict_do_update(
            index_elements=[KpiStaleDay.day],
            set_={
                "version": KpiStaleDay.version + 1,
                "marked_at": statement.excluded.marked_at,
            },
        )
    )


# -- the listeners ---------------------------------------------------------------------------


def _note_flushed(session: OrmSession, _context) -> None:
    days = _changed_days(session)
    if not days:
        return
    transaction = session.get_transaction()
    owner, noted = session.info.get(_PENDING, (None, set()))
    if owner is not transaction:
        noted = set()  # what a rolled-back transaction noted went with it
    if noted is None:  # a flush after the marks were written (another commit hook)
        mark(session, days)
        return
    session.info[_PENDING] = (transaction, noted | days)


def _write_noted(session: OrmSession) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction goes on
    session.flush()  # the commit's own flush comes after this hook: note its changes now
    transaction = session.get_transaction()
    owner, noted = session.info.get(_PENDING, (None, None))
    session.info[_PENDING] = (transaction, None)
    if owner is transaction and noted:
        mark(session, noted)


def _forget_noted(session: OrmSession) -> None:
    """Tidy up after the transaction (a savepoint's end keeps what the transaction
    noted; anything left over is ignored anyway: it names another transaction)."""
    if not session.in_nested_transaction():
        session.info.pop(_PENDING, None)


# -- which days ------------------------------------------------------------------------------


def _changed_days(session: OrmSession) -> set[date]:
    """The days before ``first_unmarked_day`` of the orders this flush changed."""
    touched = [*_touched(session)]
    if not touched:
        return set()
    # Rows inserted by this flush are not in the identity map until it ends.
    flushed = {(type(obj), obj.id): obj for obj in session.new if type(obj) in (Order, Shipment)}
    orders: set[str] = set()
    unknown_shipments: set[str] = set()
    for obj in touched:
        if isinstance(obj, Order):
            orders.add(obj.id)
        elif isinstance(obj, ShipmentScan):
            for shipment_id in _values(obj, "shipment_id"):
                shipment = _known(session, flushed, Shipment, shipment_id)
                order_ids = _values(shipment, "order_id") if shipment is not None else []
                orders.update(order_ids)
                if not order_ids:
                    unknown_shipments.add(shipment_id)
        else:
            orders.update(_values(obj, "order_id"))
    before = kpi_rollups.first_unmarked_day(utcnow())
    days: set[date] = set()
    unknown_orders: set[str] = set()
    for order_id in orders:
        order = _known(session, flushed, Order, order_id)
        placed = _values(order, "placed_at") if order is not None else []
        days.update(day for day in map(_utc_day, placed) if day < before)
        if not placed:
            unknown_orders.add(order_id)
    if unknown_orders or unknown_shipments:
        days |= _days_from_database(session, unknown_orders, unknown_shipments, before)
    return days


def _touched(session: OrmSession) -> Iterable[object]:
    """The rows of ``FEEDS`` this flush inserts or deletes, or changes a fed column of."""
    for obj in (*session.new, *session.deleted):
        if type(obj) in FEEDS:
            yield obj
    for obj in session.dirty:
        columns = FEEDS.get(type(obj))
        if columns and _changed(obj, columns):
            yield obj


def _changed(obj, columns: frozenset[str]) -> bool:
    return any(get_history(obj, n, PASSIVE_NO_INITIALIZE).has_changes() for n in columns)


def _values(obj, name: str) -> list:
    """The attribute's value and, when this flush changed it, the one before; only
    what is loaded (nothing is read from the database here)."""
    state = sa.inspect(obj)
    if name not in state.dict:
        return []
    history = get_history(obj, name, PASSIVE_NO_INITIALIZE)
    return [v for v in (*history.sum(), state.dict[name]) if v is not None]


def _known(session: OrmSession, flushed: dict, model: type, pk: str):
    """The row with this key if this session holds it (nothing is read here)."""
    return flushed.get((model, pk)) or session.identity_map.get(identity_key(model, pk))


def _utc_day(at: datetime) -> date:
    return at.astimezone(UTC).date() if at.tzinfo else at.date()


def _days_from_database(
    session: OrmSession, order_ids: set[str], shipment_ids: set[str], before: date
) -> set[date]:
    """The days before ``before`` of orders not loaded, by id or by shipment id."""
    cutoff = sa.bindparam(None, datetime.combine(before, time(), UTC), type_=UTCDateTime())
    shipped = sa.select(Shipment.order_id).where(Shipment.id.in_(sorted(shipment_ids)))
    found = sa.or_(Order.id.in_(sorted(order_ids)), Order.id.in_(shipped))
    rows = session.connection().execute(
        sa.select(q.utc_date(Order.placed_at)).distinct().where(found, Order.placed_at < cutoff)
    )
    return {date.fromisoformat(d) if isinstance(d, str) else d for (d,) in rows}
