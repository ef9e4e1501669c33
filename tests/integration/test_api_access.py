"""Who may do what: every role (and no token at all) against every endpoint.

The world: shop A and shop B; seller_a works for A, seller_b for B; alice
bought from A; bob bought from A and from B.
"""

from __future__ import annotations

import pytest

from oms_dashboard.models import Inventory, Product, Seller, User
from tests.integration.api_helpers import api_fixture, count, product_body, world_fixture  # noqa: F401


def expect(**by_who: int) -> list[tuple[str | None, int]]:
    """Parametrize rows; the keyword ``anonymous`` stands for "no token"."""
    return [(None if who == "anonymous" else who, status) for who, status in by_who.items()]


@pytest.mark.parametrize(
    "who, status",
    expect(admin=201, support=403, seller_a=403, alice=403, anonymous=401),
)
def test_only_admins_create_users(world, engine, who, status):
    before = count(engine, User)
    body = {
        "email": "new.person@example.com",
        "password": "long enough password",
        "name": "New Person",
        "role": "support",
    }
    response = world.api.post("/api/v1/users", json=body, headers=world.headers(who))
    assert response.status_code == status, response.text
    assert count(engine, User) == before + (status == 201)


@pytest.mark.parametrize(
    "who, status",
    expect(admin=201, support=403, seller_a=403, alice=403, anonymous=401),
)
def test_only_admins_create_sellers(world, engine, who, status):
    body = {"name": "Shop C", "country": "US", "postal_code": "10001"}
    response = world.api.post("/api/v1/sellers", json=body, headers=world.headers(who))
    assert response.status_code == status, response.text
    assert count(engine, Seller) == 2 + (status == 201)


@pytest.mark.parametrize(
    "who, shop, status",
    [
        ("admin", "shop_b", 201),
        ("seller_a", "shop_a", 201),
        ("seller_a", "shop_b", 403),
        ("support", "shop_a", 403),
        ("alice", "shop_a", 403),
        (None, "shop_a", 401),
    ],
)
def test_products_are_created_by_admins_or_by_a_seller_for_itself(world, engine, who, shop, status):
    body = product_body(getattr(world, shop))
    response = world.api.post("/api/v1/products", json=body, headers=world.headers(who))
    assert response.status_code == status, response.text
    assert count(engine, Product) == 2 + (status == 201)
    assert count(engine, Inventory) == 2 + (status == 201)


@pytest.mark.parametrize(
    "who, status",
    expect(admin=200, support=200, seller_a=200, seller_b=403, alice=403, anonymous=401),
)
def test_stock_is_read_by_staff_and_the_owning_seller(world, who, status):
    sku = world.product_a.sku
    response = world.api.get(f"/api/v1/inventory/{sku}", headers=world.headers(who))
    assert response.status_code == status, response.text
    if status == 200:
        assert response.json()["sku"] == sku


@pytest.mark.parametrize(
    "who, status",
    expect(admin=200, seller_a=200, support=403, seller_b=403, alice=403, anonymous=401),
)
def test_stock_is_counted_by_admins_and_the_owning_seller(world, session, who, status):
    sku = world.product_a.sku
    response = world.api.put(
        f"/api/v1/inventory/{sku}", json={"on_hand": 42}, headers=world.headers(who)
    )
    assert response.status_code == status, response.text
    session.expire_all()
    assert session.get(Inventory, sku).on_hand == (42 if status == 200 else 10)


def test_unknown_sku_is_404(world):
    response = world.api.get("/api/v1/inventory/NOPE-1", headers=world.headers("admin"))
    assert response.status_code == 404


@pytest.mark.parametrize(
    "who, visible",
    [
        ("admin", {"alice_a", "bob_a", "bob_b"}),
        ("support", {"alice_a", "bob_a", "bob_b"}),
        ("seller_a", {"alice_a", "bob_a"}),
        ("seller_b", {"bob_b"}),
        ("alice", {"alice_a"}),
        ("bob", {"bob_a", "bob_b"}),
    ],
)
def test_order_list_shows_only_what_the_caller_may_see(world, who, visible):
    response = world.api.get("/api/v1/orders", headers=world.headers(who))
    assert response.status_code == 200, response.text
    ids = {item["id"] for item in response.json()["items"]}
    assert ids == {world.orders[name].id for name in visible}


@pytest.mark.parametrize(
    "who, order, status",
    [
        ("admin", "bob_b", 200),
        ("support", "alice_a", 200),
        ("seller_a", "bob_a", 200),
        ("seller_a", "bob_b", 404),
        ("seller_b", "alice_a", 404),
        ("alice", "alice_a", 200),
        ("alice", "bob_a", 404),
        (None, "alice_a", 401),
    ],
)
def test_order_detail_is_404_outside_the_callers_scope(world, who, order, status):
    order_id = world.orders[order].id
    response = world.api.get(f"/api/v1/orders/{order_id}", headers=world.headers(who))
    assert response.status_code == status, response.text
    if status == 404:
        # Exactly what a truly missing order answers: nothing reveals it exists.
        missing = world.api.get("/api/v1/orders/ord_missing", headers=world.headers(who))
        assert response.json()["title"] == missing.json()["title"] == "Not found"


def test_seller_filter_cannot_widen_a_sellers_scope(world):
    response = world.api.get(
        "/api/v1/orders",
        params={"seller_id": world.shop_b.id},
        headers=world.headers("seller_a"),
    )
    assert response.status_code == 200
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "who, status",
    expect(admin=200, support=200, seller_a=200, alice=403, anonymous=401),
)
def test_policies_are_read_by_staff_and_sellers(world, who, status):
    response = world.api.get("/api/v1/policies", headers=world.headers(who))
    assert response.status_code == status, response.text


@pytest.mark.parametrize(
    "who, status",
    expect(admin=200, support=403, seller_a=403, alice=403, anonymous=401),
)
def test_only_admins_change_policies(world, who, status):
    response = world.api.put(
        "/api/v1/policies",
        json={"cancellation_window_minutes": 15},
        headers=world.headers(who),
    )
    assert response.status_code == status, response.text
    window = world.api.get("/api/v1/policies", headers=world.headers("admin")).json()
    assert window["cancellation_window_minutes"] == (15 if status == 200 else 60)


def test_a_role_refusal_comes_before_any_validation_message(world, engine):
    response = world.api.post(
        "/api/v1/users", json={"email": "not-an-email"}, headers=world.headers("support")
    )
    assert response.status_code == 403
    assert response.json()["type"] == "https://oms.example/problems/forbidden"
