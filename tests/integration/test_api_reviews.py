"""Reviews: the customer rates each product of a delivered order once; the seller,
staff and anyone signed in read them with the average."""

from __future__ import annotations

import pytest
from sqlmodel import select

from oms_dashboard.models import Review
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_order, make_product
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    fetch,
    world_fixture,
)


def review(world, who, order, sku, rating=5, **extra):
    return world.api.post(
        f"/api/v1/orders/{order.id}/reviews",
        json={"sku": sku, "rating": rating, **extra},
        headers=world.headers(who),
    )


def seller_reviews(world, who, seller_id, **params):
    return world.api.get(
        f"/api/v1/sellers/{seller_id}/reviews", params=params, headers=world.headers(who)
    )


def product_reviews(world, who, sku, **params):
    return world.api.get(
        f"/api/v1/products/{sku}/reviews", params=params, headers=world.headers(who)
    )


@pytest.fixture
def delivered(world, session):
    """Alice's delivered order from shop A, with two products."""
    extra = make_product(session, world.shop_a, price_minor=450, title="Saucer")
    alice = actor_for_user(session, world.users["alice"])
    order = make_order(
        session,
        customer=alice,
        seller=world.shop_a,
        products=[world.product_a, extra],
        status="delivered",
    )
    return order, extra


def test_a_customer_reviews_each_product_once_and_the_seller_reads_them(world, delivered, engine):
    order, saucer = delivered
    mug = world.product_a.sku

    first = review(world, "alice", order, mug, 5, body="  Lovely mug  ")
    assert first.status_code == 201, first.text
    assert first.json()["body"] == "Lovely mug" and first.json()["rating"] == 5
    assert first.json()["order_id"] == order.id
    second = review(world, "alice", order, saucer.sku, 2)
    assert second.status_code == 201 and second.json()["body"] is None

    again = review(world, "alice", order, mug, 1)
    body = assert_problem(again, 409, "already-reviewed")
    assert body["reason"] == "already-reviewed" and mug in body["detail"]
    assert len(fetch(engine, select(Review))) == 2

    # Bob's delivered order from shop B: his review is shop B's, not shop A's.
    bob_b = world.orders["bob_b"]
    assert review(world, "bob", bob_b, world.product_b.sku, 4).status_code == 201

    page = seller_reviews(world, "seller_a", world.shop_a.id).json()
    assert page["count"] == 2 and page["average_rating"] == "3.5"
    assert [(r["sku"], r["rating"]) for r in page["items"]] == [(saucer.sku, 2), (mug, 5)]
    assert all(r["order_id"] == order.id for r in page["items"])
    name = world.users["alice"].name.split()
    assert page["items"][0]["reviewer"] == f"{name[0]} {name[-1][0]}."

    shop_b = seller_reviews(world, "support", world.shop_b.id).json()
    assert shop_b["count"] == 1 and shop_b["average_rating"] == "4.0"

    mugs = product_reviews(world, "bob", mug).json()
    assert mugs["count"] == 1 and mugs["average_rating"] == "5.0"
    assert mugs["items"][0]["body"] == "Lovely mug" and mugs["items"][0]["order_id"] is None


def test_a_second_order_of_the_same_product_is_not_a_second_review(world, delivered, session):
    order, _ = delivered
    mug = world.product_a.sku
    assert review(world, "alice", order, mug).status_code == 201
    alice = actor_for_user(session, world.users["alice"])
    later = make_order(
        session,
        customer=alice,
        seller=world.shop_a,
        products=[world.product_a],
        status="delivered",
    )
    assert_problem(review(world, "alice", later, mug), 409, "already-reviewed")


@pytest.mark.parametrize("status", ["processing", "shipped", "out_for_delivery", "cancelled"])
def test_only_a_delivered_order_is_reviewed(world, session, engine, status):
    alice = actor_for_user(session, world.users["alice"])
    order = make_order(
        session, customer=alice, seller=world.shop_a, products=[world.product_a], status=status
    )
    body = assert_problem(review(world, "alice", order, world.product_a.sku), 409, "not-delivered")
    assert body["reason"] == "not-delivered"
    assert fetch(engine, select(Review)) == []


@pytest.mark.parametrize(
    ("sku", "rating", "fields"),
    [
        ("MUG", 0, ["rating"]),
        ("MUG", 6, ["rating"]),
        ("MUG", -1, ["rating"]),
        ("NOT-ON-ORDER", 3, ["sku"]),
        ("NOT-ON-ORDER", 9, ["rating", "sku"]),
    ],
)
def test_a_bad_rating_or_sku_is_a_422(world, delivered, engine, sku, rating, fields):
    order, _ = delivered
    sku = world.product_a.sku if sku == "MUG" else world.product_b.sku
    response = review(world, "alice", order, sku, rating)
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == fields
    assert fetch(engine, select(Review)) == []


def test_a_malformed_review_is_a_422(world, delivered):
    order, _ = delivered
    for payload in ({"rating": 5}, {"sku": world.product_a.sku}, {"sku": "X", "rating": 4.5}):
        response = world.api.post(
            f"/api/v1/orders/{order.id}/reviews", json=payload, headers=world.headers("alice")
        )
        assert_problem(response, 422, "validation-error")


@pytest.mark.parametrize(
    ("who", "status"),
    [("bob", 404), ("seller_a", 403), ("support", 403), ("admin", 403), (None, 401)],
)
def test_only_the_customer_reviews_their_order(world, delivered, engine, who, status):
    order, _ = delivered
    name = {401: "unauthorized", 403: "forbidden", 404: "not-found"}[status]
    assert_problem(review(world, who, order, world.product_a.sku), status, name)
    assert fetch(engine, select(Review)) == []


@pytest.mark.parametrize(
    ("who", "shop", "status"),
    [
        ("seller_a", "a", 200),
        ("seller_b", "b", 200),
        ("seller_b", "a", 403),
        ("support", "a", 200),
        ("admin", "b", 200),
        ("alice", "a", 403),
        (None, "a", 401),
    ],
)
def test_who_reads_a_sellers_reviews(world, who, shop, status):
    seller = world.shop_a if shop == "a" else world.shop_b
    response = seller_reviews(world, who, seller.id)
    if status == 200:
        assert response.json() == {
            "items": [],
            "next_cursor": None,
            "count": 0,
            "average_rating": None,
        }
    else:
        assert_problem(response, status, {401: "unauthorized", 403: "forbidden"}[status])


def test_unknown_seller_or_product_is_a_404(world):
    assert_problem(seller_reviews(world, "admin", "sel_nope"), 404, "not-found")
    assert_problem(product_reviews(world, "alice", "NOPE"), 404, "not-found")
    assert_problem(product_reviews(world, None, world.product_a.sku), 401, "unauthorized")


def test_reviews_page_newest_first(world, session):
    alice = actor_for_user(session, world.users["alice"])
    products = [make_product(session, world.shop_a) for _ in range(3)]
    order = make_order(
        session, customer=alice, seller=world.shop_a, products=products, status="delivered"
    )
    for rating, product in zip((1, 2, 4), products, strict=True):
        assert review(world, "alice", order, product.sku, rating).status_code == 201
    first = seller_reviews(world, "seller_a", world.shop_a.id, limit=2).json()
    assert [r["rating"] for r in first["items"]] == [4, 2]
    assert first["count"] == 3 and first["average_rating"] == "2.3"
    rest = seller_reviews(
        world, "seller_a", world.shop_a.id, limit=2, cursor=first["next_cursor"]
    ).json()
    assert [r["rating"] for r in rest["items"]] == [1] and rest["next_cursor"] is None


def test_a_review_racing_its_twin_hears_already_reviewed(world, delivered, engine, monkeypatch):
    """Both passed the "reviewed yet?" check; the unique key decides the second."""
    from oms_dashboard.services import product_reviews as service

    order, _ = delivered
    mug = world.product_a.sku
    assert review(world, "alice", order, mug).status_code == 201
    real, calls = service.decide_review, []

    def blind_first(**facts):
        calls.append(facts)
        if len(calls) == 1:  # the check that raced: it saw no review yet
            facts = {**facts, "reviewed_skus": set()}
        return real(**facts)

    monkeypatch.setattr(service, "decide_review", blind_first)
    body = assert_problem(review(world, "alice", order, mug, 3), 409, "already-reviewed")
    assert body["reason"] == "already-reviewed"
    assert [r.rating for r in fetch(engine, select(Review))] == [5]
