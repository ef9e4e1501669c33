"""Properties of the split: whatever the basket, one order per seller, totals to the cent."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oms_dashboard.services.checkout import CheckoutLine, CheckoutRequest, place_checkout
from tests.factories import make_actor, make_product, make_seller
from tests.integration.test_checkout import ADDRESS

_keys = itertools.count()


@pytest.fixture
def catalog(session):
    sellers = [
        make_seller(session, city="Austin", region="TX", postal_code="78701"),
        make_seller(session, city="Seattle", region="WA", postal_code="98101"),
        make_seller(session, city="Miami", region="FL", postal_code="33101"),
    ]
    prices = [199, 1999, 4999, 12345, 2, 99999]
    products = [
        make_product(
            session, seller, price_minor=price, on_hand=1_000_000, weight_grams=50 + 700 * i
        )
        for i, (seller, price) in enumerate(itertools.product(sellers, prices))
    ]
    return {"products": products, "customer": make_actor(session, "customer")}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(basket=st.lists(st.tuples(st.integers(0, 17), st.integers(1, 5)), min_size=1, max_size=8))
def test_any_basket_splits_per_seller_and_adds_up(engine, catalog, basket):
    products = catalog["products"]
    lines = [CheckoutLine(products[i].sku, qty) for i, qty in basket]
    request = CheckoutRequest(lines=lines, shipping_address=dict(ADDRESS))
    body = place_checkout(
        engine,
        actor=catalog["customer"],
        idempotency_key=f"prop-{next(_keys)}",
        request=request,
    ).body
    by_sku = {p.sku: p for p in products}
    sellers = {by_sku[line.sku].seller_id for line in lines}
    assert sorted(o["seller_id"] for o in body["orders"]) == sorted(sellers)
    assert Decimal(body["total"]) == sum(Decimal(o["total"]) for o in body["orders"])
    wanted: dict[str, int] = {}
    for line in lines:
        wanted[line.sku] = wanted.get(line.sku, 0) + line.quantity
    for order in body["orders"]:
        assert Decimal(order["total"]) == Decimal(order["subtotal"]) + Decimal(
            order["shipping_cost"]
        )
        subtotal = Decimal(0)
        for line in order["lines"]:
            product = by_sku[line["sku"]]
            assert product.seller_id == order["seller_id"]
            assert line["quantity"] == wanted[line["sku"]]
            assert (
                Decimal(line["line_total"]) == Decimal(product.price_minor * line["quantity"]) / 100
            )
            subtotal += Decimal(line["line_total"])
        assert Decimal(order["subtotal"]) == subtotal
