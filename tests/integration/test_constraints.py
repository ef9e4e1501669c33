"""The database itself refuses impossible stock and orders, whatever the code does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from oms_dashboard.models import Inventory
from tests.factories import make_actor, make_order, make_product, make_seller


def test_reserved_can_never_exceed_on_hand(session):
    product = make_product(session, make_seller(session), on_hand=5)
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(Inventory).where(Inventory.sku == product.sku).values(reserved=6))
        session.flush()
    session.rollback()
    stock = session.get(Inventory, product.sku)
    assert (stock.on_hand, stock.reserved) == (5, 0)


def test_negative_stock_is_refused(session):
    product = make_product(session, make_seller(session), on_hand=5)
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.update(Inventory).where(Inventory.sku == product.sku).values(on_hand=-1))
        session.flush()
    session.rollback()


def test_conditional_reserve_takes_only_what_is_available(session):
    product = make_product(session, make_seller(session), on_hand=3)
    reserve = (
        sa.update(Inventory)
        .where(Inventory.sku == product.sku, Inventory.on_hand - Inventory.reserved >= 2)
        .values(reserved=Inventory.reserved + 2)
    )
    assert session.execute(reserve).rowcount == 1
    assert session.execute(reserve).rowcount == 0
    session.commit()
    assert session.get(Inventory, product.sku).reserved == 2


def test_an_order_whose_total_does_not_add_up_is_refused(session):
    seller = make_seller(session)
    order = make_order(
        session,
        customer=make_actor(session, "customer"),
        seller=seller,
        products=[make_product(session, seller)],
    )
    order.total_minor += 1
    session.add(order)
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()


def test_unknown_order_status_is_refused(session):
    seller = make_seller(session)
    order = make_order(
        session,
        customer=make_actor(session, "customer"),
        seller=seller,
        products=[make_product(session, seller)],
    )
    order.status = "lost"
    session.add(order)
    with pytest.raises(sa.exc.IntegrityError):
        session.flush()
    session.rollback()
