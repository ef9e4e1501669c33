"""Migration 0025 gives every existing order line its order's ``placed_at`` and the
``order_lines (sku, placed_at, order_id)`` index a search walks, on every backend."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from alembic import command
from sqlmodel import Session, select

from oms_dashboard.db import get_engine
from oms_dashboard.migrations import alembic_config, upgrade_to_head
from oms_dashboard.models import Order, OrderLine
from tests.conftest import backends, drop_postgres_database, fresh_database_url
from tests.factories import make_actor, make_order, make_product, make_seller


@pytest.fixture(params=backends())
def url(request, tmp_path):
    url = fresh_database_url(request.param, "line_placed_backfill", tmp_path)
    upgrade_to_head(url)
    yield url
    get_engine(url).dispose()
    if request.param == "postgresql":
        drop_postgres_database(url)


def test_the_backfill_gives_each_line_its_orders_placing_time(url):
    engine = get_engine(url)
    with Session(engine) as session:
        seller, customer = make_seller(session), make_actor(session, "customer")
        products = [make_product(session, seller) for _ in range(2)]
        for day in (3, 17, 28):
            make_order(
                session, customer=customer, seller=seller, products=products,
                placed_at=datetime(2026, 11, day, 9, 30, tzinfo=UTC),
            )  # fmt: skip
        session.commit()

    config = alembic_config(url)
    command.downgrade(config, "0024")  # drops the column and its index
    command.upgrade(config, "head")  # adds them and backfills

    with Session(engine) as session:
        placed = {o.id: o.placed_at for o in session.exec(select(Order))}
        lines = session.exec(select(OrderLine)).all()
        assert len(lines) == 6
        assert all(line.placed_at == placed[line.order_id] for line in lines)
    indexes = {i["name"]: i["column_names"] for i in sa.inspect(engine).get_indexes("order_lines")}
    assert indexes["ix_order_lines_sku_placed"] == ["sku", "placed_at", "order_id"]
    assert "ix_order_lines_sku_order" not in indexes
