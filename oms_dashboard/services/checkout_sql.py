"""The checkout's statements, built once on the models' tables (SQLAlchemy Core).

A checkout runs these and nothing else on its way through: the cart with its sellers,
stock and the two policies it needs; the duplicate check; the key's claim; one
multi-row INSERT per table. Built at import, a statement costs its execution only,
not its construction and cache key on every request (profiled: that was most of
the checkout's Python time; docs/PERFORMANCE.md).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from oms_dashboard.models import (
    Checkout,
    Inventory,
    Order,
    OrderEvent,
    OrderLine,
    OrderPolicy,
    Product,
    Seller,
)

_checkouts = Checkout.__table__
_policy = OrderPolicy.__table__

_products = Product.__table__
_sellers = Seller.__table__

CART = (
    sa.select(
        _products,
        _sellers,
        (Inventory.on_hand - Inventory.reserved).label("available"),
        sa.select(_policy.c.payment_hold_minutes)
        .where(_policy.c.id == 1)
        .scalar_subquery()
        .label("payment_hold_minutes"),
        sa.select(_policy.c.duplicate_window_minutes)
        .where(_policy.c.id == 1)
        .scalar_subquery()
        .label("duplicate_window_minutes"),
    )
    .join(_sellers, _sellers.c.id == _products.c.seller_id)
    .outerjoin(Inventory, Inventory.sku == _products.c.sku)
    .where(_products.c.sku.in_(sa.bindparam("skus", expanding=True)))
)
"""The cart's products (``skus``) with their sellers, available stock and the policy's
payment hold and duplicate window (NULL until the policy row exists). Plain rows, read
through ``Columns``: loading ORM objects cost more than the query (profiled)."""


class Columns:
    """One table's columns of a joined row, read as attributes, like the model's."""

    __slots__ = ("_row", "_table")

    def __init__(self, row: sa.Row, table: sa.Table) -> None:
        self._row, self._table = row, table

    def __getattr__(self, name: str):
        return self._row._mapping[self._table.c[name]]


def cart_product(row: sa.Row) -> Columns:
    return Columns(row, _products)


def cart_seller(row: sa.Row) -> Columns:
    return Columns(row, _sellers)


DUPLICATE = (
    sa.select(_checkouts.c.id)
    .where(
        _checkouts.c.customer_id == sa.bindparam("customer_id"),
        _checkouts.c.lines_hash == sa.bindparam("lines_hash"),
        _checkouts.c.created_at >= sa.bindparam("since"),
    )
    .order_by(_checkouts.c.created_at.desc())
    .limit(1)
)
"""The customer's latest checkout of the same cart since ``since``."""

CLAIM = {
    name: dialect.insert(_checkouts).on_conflict_do_nothing().returning(_checkouts.c.id)
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}
"""Insert the checkout unless its (customer, key) is taken: its id, or no row."""

INSERT_ORDERS = sa.insert(Order.__table__)
INSERT_LINES = sa.insert(OrderLine.__table__)
INSERT_EVENTS = sa.insert(OrderEvent.__table__)
