"""Changes to old orders reach the KPI rollups at the next 5-minute run, not the nightly
one: the transaction that changes an order placed before the recent window marks its
day stale (``services.kpi_stale``), ``roll_up_recent`` recomputes exactly the marked
days and deletes the marks it read, and a mark made meanwhile is kept.

The data is built around the real clock (the marks are): two months of orders up to
yesterday, every run of the job at the same ``NOW`` so that its rollup rows can be
compared with a fresh recomputation of every day, row for row."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.sql import visitors
from sqlmodel import Session

from oms_dashboard.ids import new_id
from oms_dashboard.models import (
    KpiDailyCarriers,
    KpiDailyFacts,
    KpiDailyRefundReasons,
    KpiDailyTickets,
    KpiStaleDay,
    Review,
    Shipment,
    ShipmentScan,
    Ticket,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import kpi_rollups as rollups
from oms_dashboard.services import kpi_stale, kpis
from tests.factories import make_actor
from tests.integration.test_kpi_rollups import assert_same, build
from tests.integration.test_kpis import Mall, refund

NOW = utcnow()
TODAY = NOW.date()
ROLLED = (KpiDailyFacts, KpiDailyCarriers, KpiDailyTickets, KpiDailyRefundReasons)


@pytest.fixture
def mall(session):
    kpi_stale.track_changes()  # what bootstrap does in every process
    return Mall(session)


def placed_day(order) -> date:
    return order.placed_at.date()


def marks(engine) -> dict[date, int]:
    with Session(engine) as session:
        return dict(rollups.stale_marks(session, date.min, date.max))


def rollup_rows(session: Session) -> dict[str, list[tuple]]:
    """Every rollup row (floats rounded: sums of hours), in key order."""
    rows = {}
    for model in ROLLED:
        table = model.__table__
        result = session.connection().execute(sa.select(table).order_by(*table.primary_key.columns))
        rows[table.name] = [
            tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in result
        ]
    return rows


def stored_rows(engine) -> dict[str, list[tuple]]:
    with Session(engine) as session:
        return rollup_rows(session)


def fresh_rows(engine) -> dict[str, list[tuple]]:
    """Every day recomputed from scratch at ``NOW``, read, and rolled back."""
    with Session(engine) as session:
        rollups.roll_up(session, TODAY - timedelta(days=60), TODAY - timedelta(days=2), NOW)
        rows = rollup_rows(session)
        session.rollback()
    return rows


def report(engine, admin, *, rollups_used: bool) -> kpis.KpiReport:
    filters = kpis.kpi_filters(
        actor=admin, today=TODAY, start=TODAY - timedelta(days=50), end=TODAY
    )
    with Session(engine) as session:
        return kpis.kpi_report(
            session, actor=admin, filters=filters, now=NOW, rollups_used=rollups_used
        )


def assert_exact(engine, admin) -> None:
    assert stored_rows(engine) == fresh_rows(engine)
    assert_same(report(engine, admin, rollups_used=True), report(engine, admin, rollups_used=False))


def test_changes_to_old_orders_are_marked_and_the_recent_job_redoes_exactly_those_days(
    mall, engine
):
    orders = build(mall, TODAY)
    first_unmarked = rollups.first_unmarked_day(NOW)
    old_days = {placed_day(o) for o in orders if placed_day(o) < first_unmarked}
    assert set(marks(engine)) == old_days  # inserting old orders marked their days
    rollups.roll_up_recent(engine, NOW)  # the first run rolls every day
    assert marks(engine) == {}
    assert_exact(engine, mall.admin)

    # Round 1: a refund on an order placed 40 days ago (its order loaded in the
    # session), a review of one placed 30 days ago (written by a session that never
    # loaded it: its day is read from the database).
    refunded, reviewed = orders[16], orders[26]
    assert (placed_day(refunded), placed_day(reviewed)) == (
        TODAY - timedelta(days=40),
        TODAY - timedelta(days=30),
    )
    mall.add(refund(refunded, asked=NOW - timedelta(days=2), paid_after_hours=5, amount=900))
    reviewer = make_actor(mall.session, "customer")
    mall.session.commit()  # SQLite: no read snapshot held while others write
    with Session(engine) as other:
        other.add(
            Review(id=new_id("rev"), order_id=reviewed.id, seller_id=reviewed.seller_id,
                   customer_id=reviewer.customer_id, sku=mall.other_product.sku, rating=1)
        )  # fmt: skip
        other.commit()
    assert set(marks(engine)) == {placed_day(refunded), placed_day(reviewed)}
    assert stored_rows(engine) != fresh_rows(engine)  # stale until the job runs
    before = report(engine, mall.admin, rollups_used=False)

    rollups.roll_up_recent(engine, NOW)
    assert marks(engine) == {}
    assert_exact(engine, mall.admin)

    # Round 2, other old orders: a late delivery of one in transit (the order, its
    # shipment, and a scan written where the shipment was never loaded), a ticket
    # resolved, and a review deleted.
    late = orders[23]  # in transit since 33 days ago, promised 30 days ago
    late.status, late.delivered_at = "delivered", NOW - timedelta(days=1)
    shipment = mall.session.exec(sa.select(Shipment).where(Shipment.order_id == late.id)).one()[0]
    shipment.status, shipment.delivered_at = "delivered", late.delivered_at
    mall.add(late, shipment)
    with Session(engine) as other:
        other.add(
            ShipmentScan(id=new_id("scn"), shipment_id=shipment.id, code="EX",
                         at=NOW - timedelta(days=2), status="delivery_exception",
                         description="held at depot")
        )  # fmt: skip
        other.commit()
    ticket = mall.session.exec(
        sa.select(Ticket).where(Ticket.order_id == orders[36].id)  # 20 days ago, open
    ).one()[0]
    assert ticket.resolved_at is None  # counted live until now, rolled from now on
    ticket.status, ticket.resolved_at = "resolved", NOW - timedelta(days=1)
    mall.add(ticket)
    review = mall.session.exec(sa.select(Review).where(Review.order_id == orders[4].id)).one()[0]
    mall.session.delete(review)
    mall.session.commit()
    assert set(marks(engine)) == {placed_day(o) for o in (late, orders[36], orders[4])}
    assert stored_rows(engine) != fresh_rows(engine)

    rollups.roll_up_recent(engine, NOW)
    assert marks(engine) == {}
    assert_exact(engine, mall.admin)
    # The changes did change the numbers: the test is not comparing fixed reports.
    after = report(engine, mall.admin, rollups_used=False)
    assert after.revenue_minor != before.revenue_minor or after.kpis != before.kpis
    assert (after.tickets["tickets"].sum(), after.carriers["exceptions"].sum()) != (
        before.tickets["tickets"].sum(),
        before.carriers["exceptions"].sum(),
    )


def test_recent_and_new_orders_mark_nothing_and_read_nothing_more(mall, engine):
    """The recent window is redone by every run anyway; a new order (checkout) costs
    no statement at all."""
    orders = build(mall, TODAY)
    rollups.roll_up_recent(engine, NOW)
    recent = orders[-5]  # placed 5 days ago
    mall.add(refund(recent, asked=NOW - timedelta(hours=3), paid_after_hours=1))
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", seen)
    try:
        mall.order(placed=NOW, paid_after=0)
    finally:
        sa.event.remove(engine, "before_cursor_execute", seen)
    assert marks(engine) == {}
    assert statements and not [s for s in statements if "kpi_stale" in s or "DISTINCT" in s]
    rollups.roll_up_recent(engine, NOW)
    assert stored_rows(engine) == fresh_rows(engine)


def test_the_window_edge_is_marked_before_it_leaves_the_window(mall, engine):
    """A change to the window's oldest day just before midnight still lands: the days
    about to leave the window are marked too."""
    build(mall, TODAY)  # an order a day, 56 days ago to yesterday
    first_unmarked = rollups.first_unmarked_day(NOW)
    window_first = TODAY - timedelta(days=rollups.LIVE_DAYS + rollups.RECENT_DAYS - 1)
    assert window_first < first_unmarked <= window_first + timedelta(days=2)
    ordered = {TODAY - timedelta(days=n) for n in range(1, 57)}
    assert set(marks(engine)) == {day for day in ordered if day < first_unmarked}


def test_a_mark_made_while_the_job_recomputes_is_kept(mall, engine):
    orders = build(mall, TODAY)
    rollups.roll_up_recent(engine, NOW)
    day = placed_day(orders[10])
    mall.add(refund(orders[10], asked=NOW - timedelta(days=3)))
    assert marks(engine) == {day: 1}
    with Session(engine) as job:
        read = rollups.stale_marks(job, day, day)  # what roll_up reads first
        if engine.dialect.name == "sqlite":
            job.commit()  # SQLite: a writer meanwhile would fail this snapshot's DELETE
        mall.add(refund(orders[10], asked=NOW - timedelta(days=2)))  # meanwhile
        rollups._clear_marks(job, read)
        job.commit()
    assert marks(engine) == {day: 2}  # kept for the next run
    rollups.roll_up_recent(engine, NOW)
    assert marks(engine) == {}
    assert stored_rows(engine) == fresh_rows(engine)


def test_the_job_waits_for_a_transaction_marking_the_day_and_keeps_its_mark(mall, engine):
    """PostgreSQL: the marking transaction holds the mark's row lock until it commits;
    the job's DELETE waits for it, then finds the new version and leaves the mark."""
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks: PostgreSQL only (SQLite has one writer at a time)")
    orders = build(mall, TODAY)
    rollups.roll_up_recent(engine, NOW)
    day = placed_day(orders[12])
    kpi_stale.mark(mall.session, [day])
    mall.session.commit()
    writer = Session(engine)
    kpi_stale.mark(writer, [day])  # what a commit hook does, the commit held back here
    with Session(engine) as job:
        read = rollups.stale_marks(job, day, day)
        assert read == [(day, 1)]  # the writer's version is not committed yet
        pid = job.connection().execute(sa.text("SELECT pg_backend_pid()")).scalar()
        done = threading.Event()

        def clear():
            rollups._clear_marks(job, read)
            job.commit()
            done.set()

        thread = threading.Thread(target=clear)
        thread.start()
        with engine.connect() as probe:
            for _ in range(500):  # until the DELETE waits on the writer's row lock
                waiting = probe.execute(
                    sa.text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :p"),
                    {"p": pid},
                ).scalar()
                if waiting == "Lock":
                    break
                threading.Event().wait(0.02)
        assert waiting == "Lock" and not done.is_set()
        writer.commit()
        writer.close()
        thread.join(timeout=30)
    assert done.is_set()
    assert marks(engine) == {day: 2}


def test_the_marked_columns_are_every_column_the_rollup_reads(mall, engine):
    """``FEEDS`` lists what the rollup's SQL reads: a query that starts reading another
    column of these tables must have it added, or its changes would go unmarked."""
    build(mall, TODAY)
    statements = []

    def seen(_conn, clause, *_):
        statements.append(clause)

    sa.event.listen(engine, "before_execute", seen)
    try:
        with Session(engine) as session:
            rollups.roll_up(session, TODAY - timedelta(days=60), TODAY, NOW)
            session.rollback()
    finally:
        sa.event.remove(engine, "before_execute", seen)
    read: dict[str, set[str]] = {}
    for statement in statements:
        for element in visitors.iterate(statement):
            table = getattr(element, "table", None)
            if isinstance(element, sa.Column) and table is not None:
                table = getattr(table, "element", table)  # an alias: its table
                if isinstance(table, sa.Table):  # not a subquery's own columns
                    read.setdefault(table.name, set()).add(element.name)
    fed = {model.__tablename__: columns for model, columns in kpi_stale.FEEDS.items()}
    rollup_tables = {m.__tablename__ for m in (*ROLLED, KpiStaleDay)} | {"kpi_rollup_days"}
    assert set(read) - rollup_tables == set(fed)
    for name, columns in fed.items():
        assert read[name] <= columns, name


def test_savepoints_keep_the_days_noted_before_them(mall, engine):
    """A savepoint released or rolled back inside the transaction (checkout and
    payments use them) loses nothing the transaction noted before it."""
    orders = build(mall, TODAY)
    rollups.roll_up_recent(engine, NOW)
    session = mall.session
    session.add(refund(orders[10], asked=NOW - timedelta(days=3)))
    session.flush()
    with pytest.raises(sa.exc.IntegrityError), session.begin_nested():
        session.add(refund(orders[11], asked=NOW, amount=-1))  # refused: amount > 0
        session.flush()
    with session.begin_nested():
        pass
    session.commit()
    assert marks(engine) == {placed_day(orders[10]): 1}
