"""The checkout's statements, built once on the models' tables (SQLAlchemy Core).

A checkout runs these and nothing else on its way through: the cart with its sellers,
stock, the two policies it needs and the customer's latest checkout of the same lines;
the key's claim; one multi-row INSERT per table. Built at import, a statement costs
its execution only, not its construction and cache key on every request (profiled:
that was most of the checkout's Python time; docs/PERFORMANCE.md).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

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
from oms_dashboard.services.driver_sql import DriverInsert, DriverStatement

_checkouts = Checkout.__table__
_policy = OrderPolicy.__table__

_products = Product.__table__
_sellers = Seller.__table__


def _latest_same_cart(column: sa.Column) -> sa.ScalarSelect:
    """``column`` of the customer's latest checkout of the same lines (NULL if none)."""
    return (
        sa.select(column)
        .where(
            _checkouts.c.customer_id == sa.bindparam("customer_id"),
            _checkouts.c.lines_hash == sa.bindparam("lines_hash"),
        )
        .order_by(_checkouts.c.created_at.desc())
        .limit(1)
        .scalar_subquery()
    )


def _cart(sku_matches: sa.ColumnElement[bool]) -> sa.Select:
    return (
        sa.select(
            *_products.columns,
            *(column.label(f"{SELLER}{column.name}") for column in _sellers.columns),
            (Inventory.on_hand - Inventory.reserved).label("available"),
            sa.select(_policy.c.payment_hold_minutes)
            .where(_policy.c.id == 1)
            .scalar_subquery()
            .label("payment_hold_minutes"),
            sa.select(_policy.c.duplicate_window_minutes)
            .where(_policy.c.id == 1)
            .scalar_subquery()
            .label("duplicate_window_minutes"),
            _latest_same_cart(_checkouts.c.id).label("same_cart_id"),
            _latest_same_cart(_checkouts.c.created_at).label("same_cart_at"),
        )
        .join(_sellers, _sellers.c.id == _products.c.seller_id)
        .outerjoin(Inventory, Inventory.sku == _products.c.sku)
        .where(sku_matches)
    )


SELLER = "seller__"
"""The prefix of a seller's columns in a cart row (a product's have none)."""

CART = DriverStatement(
    _cart(_products.c.sku.in_(sa.bindparam("skus", expanding=True))),
    postgresql=_cart(_products.c.sku == sa.any_(sa.bindparam("skus", type_=ARRAY(sa.String)))),
)
"""The cart's products (``skus``) with their sellers, available stock, the policy's
payment hold and duplicate window (NULL until the policy row exists), and the id and time
of the customer's (``customer_id``) latest checkout of the same lines (``lines_hash``):
the duplicate check without a statement of its own. Plain rows, read through
``Columns``: loading ORM objects cost more than the query (profiled)."""


class Columns:
    """One table's columns of a joined row, read as attributes, like the model's."""

    __slots__ = ("_row", "_prefix")

    def __init__(self, row: Any, prefix: str = "") -> None:
        self._row, self._prefix = row, prefix

    def __getattr__(self, name: str):
        return getattr(self._row, self._prefix + name)


def cart_product(row: Any) -> Columns:
    return Columns(row)


def cart_seller(row: Any) -> Columns:
    return Columns(row, SELLER)


BY_KEY = DriverStatement(
    sa.select(_checkouts.c.id, _checkouts.c.request_hash, _checkouts.c.response).where(
        _checkouts.c.customer_id == sa.bindparam("customer_id"),
        _checkouts.c.idempotency_key == sa.bindparam("key"),
    )
)
"""The customer's checkout placed under an Idempotency-Key: what a replay answers."""

CLAIM = DriverInsert(_checkouts, skip_taken=True)
"""Insert the checkout unless its (customer, key) is taken: its id, or none."""

INSERT_ORDERS = DriverInsert(Order.__table__)
INSERT_LINES = DriverInsert(OrderLine.__table__)
INSERT_EVENTS = DriverInsert(OrderEvent.__table__)
