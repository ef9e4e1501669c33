"""The demo seed's ship-by deadlines: stored on every paid order by the rule payment
uses, and the late-shipment rates they give are about the one-in-twenty the demo
plans (``demo.timeline.ship_time``), so most sellers are good on that measure.

Seeded once per backend for the module (as ``test_seed``); the tests only read.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest
from sqlmodel import Session, select

from oms_dashboard.demo.seed import seed_demo
from oms_dashboard.domain.standing import Metric, Standing
from oms_dashboard.models import Order, Seller
from oms_dashboard.services import kpis
from oms_dashboard.services.seller_standing import all_standings
from oms_dashboard.services.ship_by import seller_deadline
from tests.conftest import empty_all_tables
from tests.factories import make_actor

NOW = datetime(2026, 3, 14, 15, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def seeded(engine):
    with Session(engine) as session:
        seed_demo(session, now=NOW)
        session.commit()
    yield SimpleNamespace(engine=engine)
    empty_all_tables(engine)


@pytest.fixture
def db(seeded):
    with Session(seeded.engine, expire_on_commit=False) as session:
        yield session
        session.rollback()


def test_every_paid_order_stores_the_deadline_payment_would(db):
    sellers = {s.id: s for s in db.exec(select(Seller))}
    orders = db.exec(select(Order)).all()
    assert orders
    for order in orders:
        if order.paid_at is None:
            assert order.ship_by is None, order.number
        else:
            assert order.ship_by == seller_deadline(sellers[order.seller_id], order.paid_at)


def test_late_shipments_are_about_one_in_twenty_and_most_sellers_are_good_on_them(db):
    """On the late-shipment measure. (The overall standing of the demo sellers is a
    warning for the average time to ship, 31-58 wall-clock hours from payment against
    the policy's 24 h: a separate threshold, not the deadline.)"""
    admin = make_actor(db, "admin")
    found = all_standings(db, actor=admin, now=NOW)
    late = sum(s.metrics.late_shipments for s in found)
    due = sum(s.metrics.due_orders for s in found)
    assert due > 100
    assert 0.02 <= late / due <= 0.09, (late, due)
    on_late = {
        s.seller.name: next(v for v in s.decision.verdicts if v.metric is Metric.LATE_SHIPMENT)
        for s in found
    }
    for name, verdict in on_late.items():
        assert verdict.standing is not Standing.SUSPEND, (name, verdict.reason)
        assert verdict.value is None or verdict.value <= 0.15, (name, verdict.reason)
    good = [name for name, verdict in on_late.items() if verdict.standing is Standing.GOOD]
    assert len(good) > len(found) / 2, {n: v.reason for n, v in on_late.items()}
    assert not [s for s in found if s.decision.standing is Standing.SUSPEND]


def test_the_kpis_count_the_same_late_shipments(db):
    admin = make_actor(db, "admin")
    filters = kpis.kpi_filters(
        actor=admin, today=NOW.date(), start=date(2026, 1, 1), end=NOW.date()
    )
    report = kpis.kpi_report(db, actor=admin, filters=filters, now=NOW)
    late, processed = report.sellers["late_shipped"].sum(), report.sellers["processed"].sum()
    assert processed > 100
    assert 0.02 <= late / processed <= 0.09, (late, processed)
