"""Migration 0019 backfills ``orders.ship_by`` for the orders paid before it, by the
rule payment uses now (the seller's zone, cut-off and holidays), on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlmodel import Session, select

from oms_dashboard.db import get_engine
from oms_dashboard.migrations import alembic_config, upgrade_to_head
from oms_dashboard.models import Order, Seller
from oms_dashboard.services.ship_by import seller_deadline
from tests.conftest import backends, drop_postgres_database, fresh_database_url
from tests.factories import make_actor, make_order, make_product, make_seller


@pytest.fixture(params=backends())
def url(request, tmp_path):
    url = fresh_database_url(request.param, "shipby_backfill", tmp_path)
    upgrade_to_head(url)
    yield url
    get_engine(url).dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def test_the_backfill_gives_each_paid_order_the_deadline_payment_would(url):
    engine = get_engine(url)
    with Session(engine) as session:
        london = make_seller(
            session, country="GB", region=None, postal_code="SW1A 1AA", handling_hours=24,
            timezone="Europe/London",
        )  # fmt: skip
        austin = make_seller(session, handling_hours=48, timezone="America/Chicago")
        customer = make_actor(session, "customer")
        placed = [
            (london, datetime(2026, 12, 24, 11, tzinfo=UTC), "processing"),  # Christmas
            (london, datetime(2026, 12, 4, 19, tzinfo=UTC), "shipped"),  # Friday evening
            (austin, datetime(2026, 7, 3, 15, tzinfo=UTC), "delivered"),  # July 4 observed
            (austin, datetime(2026, 3, 6, 16, tzinfo=UTC), "processing"),  # before DST
            (austin, datetime(2026, 3, 6, 16, tzinfo=UTC), "pending_payment"),  # unpaid
        ]
        for seller, at, status in placed:
            make_order(
                session, customer=customer, seller=seller,
                products=[make_product(session, seller)], status=status, placed_at=at,
            )  # fmt: skip
        session.commit()
        before = {o.id: o.ship_by for o in session.exec(select(Order))}

    config = alembic_config(url)
    command.downgrade(config, "0016")  # drops the column
    command.upgrade(config, "0019")  # adds it and backfills

    with Session(engine) as session:
        sellers = {s.id: s for s in session.exec(select(Seller))}
        orders = session.exec(select(Order).order_by(Order.placed_at)).all()
        assert len(orders) == 5
        for order in orders:
            if order.paid_at is None:
                assert order.ship_by is None
                continue
            assert order.ship_by == seller_deadline(sellers[order.seller_id], order.paid_at)
            assert order.ship_by == before[order.id]
        christmas = next(o for o in orders if o.placed_at.month == 12 and o.placed_at.day == 24)
        # Thu 24 Dec 11:00 in London: Christmas, the weekend and Boxing Day (observed on
        # Monday 28) are off, so one business day of handling ends on Tuesday 29.
        assert christmas.ship_by == datetime(2026, 12, 29, 23, 59, 59, tzinfo=UTC)
