"""Threads racing for the last units: exactly the stock is sold, never more."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import select

from oms_dashboard.models import Checkout, Inventory
from oms_dashboard.services.errors import Conflict
from tests.factories import make_actor, make_product, make_seller
from tests.integration.test_checkout import place, request


@pytest.fixture
def race(engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("row-level concurrency is a PostgreSQL property; SQLite serialises writers")
    seller = make_seller(session)
    return {
        "lamp": make_product(session, seller, on_hand=5),
        "customers": [make_actor(session, "customer") for _ in range(12)],
    }


def test_twelve_buyers_for_five_units_exactly_five_sold(engine, session, race):
    sku = race["lamp"].sku

    def buy(actor):
        try:
            place(engine, actor, request((sku, 1)), key=f"k-{actor.user_id}")
            return "sold"
        except Conflict as exc:
            assert exc.type == "insufficient-inventory"
            return "refused"

    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = list(pool.map(buy, race["customers"]))
    assert outcomes.count("sold") == 5 and outcomes.count("refused") == 7
    session.rollback()  # a fresh transaction sees what other sessions committed
    session.expire_all()
    stock = session.get(Inventory, sku)
    assert (stock.on_hand, stock.reserved) == (5, 5)


def test_one_key_replayed_concurrently_creates_one_checkout(engine, session, race):
    actor = race["customers"][0]
    req = request((race["lamp"].sku, 2))
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda _: place(engine, actor, req, key="same"), range(10)))
    assert len({r.body["checkout_id"] for r in results}) == 1
    assert sum(not r.replayed for r in results) == 1
    assert len(session.exec(select(Checkout)).all()) == 1
    session.rollback()  # a fresh transaction sees what other sessions committed
    session.expire_all()
    assert session.get(Inventory, race["lamp"].sku).reserved == 2
