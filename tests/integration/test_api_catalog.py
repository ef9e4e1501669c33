"""Accounts, sellers, products, stock and policies over HTTP, each change audited."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.models import AuditEntry, Customer, Inventory, Product, Seller, User
from tests.factories import PASSWORD
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    audit_rows,
    count,
    fetch,
    product_body,
    world_fixture,
)


def test_admin_creates_a_customer_account_with_its_profile(world, engine):
    response = world.api.post(
        "/api/v1/users",
        json={
            "email": "Erin@Example.com",
            "password": "a long password",
            "name": "Erin Example",
            "role": "customer",
        },
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    user = response.json()
    assert user["email"] == "Erin@Example.com" and user["role"] == "customer"
    assert user["seller_id"] is None and "password" not in str(user)
    [profile] = fetch(engine, select(Customer).where(Customer.user_id == user["id"]))
    assert profile.name == "Erin Example"

    [entry] = audit_rows(engine, "user.create")
    assert entry.actor_id == world.users["admin"].id and entry.actor_role == "admin"
    assert entry.entity_id == user["id"] and entry.before is None
    assert entry.after["email"] == "Erin@Example.com"
    assert "password_hash" not in entry.after

    token = world.api.post(
        "/api/v1/auth/token", json={"email": "erin@example.com", "password": "a long password"}
    )
    assert token.status_code == 200 and token.json()["role"] == "customer"


def test_admin_creates_a_seller_account(world):
    response = world.api.post(
        "/api/v1/users",
        json={
            "email": "staff@shop-a.example",
            "password": PASSWORD,
            "name": "Shop A staff",
            "role": "seller",
            "seller_id": world.shop_a.id,
        },
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    assert response.json()["seller_id"] == world.shop_a.id


def test_an_email_already_taken_is_409_whatever_its_case(world, engine):
    taken = world.users["alice"].email.upper()
    before = count(engine, User)
    response = world.api.post(
        "/api/v1/users",
        json={"email": taken, "password": PASSWORD, "name": "Copy", "role": "customer"},
        headers=world.headers("admin"),
    )
    assert_problem(response, 409, "email-exists")
    assert count(engine, User) == before
    assert audit_rows(engine, "user.create") == []


def test_admin_creates_a_seller(world, engine):
    response = world.api.post(
        "/api/v1/sellers",
        json={"name": "Shop C", "country": "DE", "postal_code": "10115", "city": "Berlin"},
        headers=world.headers("admin"),
    )
    assert response.status_code == 201, response.text
    seller = response.json()
    assert seller["id"].startswith("sel_")
    assert (seller["name"], seller["country"], seller["handling_hours"]) == ("Shop C", "DE", 24)
    [entry] = audit_rows(engine, "seller.create")
    assert entry.entity_id == seller["id"] and entry.after["city"] == "Berlin"
    assert entry.actor_id == world.users["admin"].id


def test_seller_creates_its_own_product_with_empty_stock(world, engine):
    body = product_body(world.shop_a, sku="MUG-RED-01", price="12.5", hs_code=None)
    response = world.api.post("/api/v1/products", json=body, headers=world.headers("seller_a"))
    assert response.status_code == 201, response.text
    product = response.json()
    assert product["price"] == "12.50" and product["currency"] == "USD"
    assert product["origin_country"] == world.shop_a.country
    assert product["hs_code"] is None and product["digital"] is False
    assert "price_minor" not in product

    stock = world.api.get("/api/v1/inventory/MUG-RED-01", headers=world.headers("seller_a"))
    assert stock.json() | {"updated_at": None} == {
        "sku": "MUG-RED-01",
        "seller_id": world.shop_a.id,
        "on_hand": 0,
        "reserved": 0,
        "available": 0,
        "updated_at": None,
    }
    [entry] = audit_rows(engine, "product.create")
    assert entry.actor_id == world.users["seller_a"].id and entry.actor_role == "seller"
    assert entry.entity_id == "MUG-RED-01" and entry.after["price_minor"] == 1250


def test_a_whole_number_price_is_accepted_as_integer_or_string(world):
    for sku, price in (("INT-PRICE", 12), ("STR-PRICE", "7")):
        body = product_body(world.shop_a, sku=sku, price=price)
        response = world.api.post("/api/v1/products", json=body, headers=world.headers("admin"))
        assert response.status_code == 201, response.text
        assert response.json()["price"] == f"{int(price)}.00"


def test_a_sku_already_taken_is_409(world, engine):
    body = product_body(world.shop_a, sku=world.product_b.sku)
    response = world.api.post("/api/v1/products", json=body, headers=world.headers("admin"))
    assert_problem(response, 409, "sku-exists")
    assert count(engine, Product) == 2
    assert audit_rows(engine, "product.create") == []


def test_seller_counts_its_stock_and_the_change_is_audited(world, engine):
    sku = world.product_a.sku
    with engine.begin() as conn:
        conn.execute(sa.update(Inventory.__table__).where(Inventory.sku == sku).values(reserved=3))
    response = world.api.put(
        f"/api/v1/inventory/{sku}", json={"on_hand": 25}, headers=world.headers("seller_a")
    )
    assert response.status_code == 200, response.text
    stock = response.json()
    assert (stock["sku"], stock["on_hand"], stock["reserved"], stock["available"]) == (
        sku,
        25,
        3,
        22,
    )
    [entry] = audit_rows(engine, "inventory.set")
    assert entry.actor_id == world.users["seller_a"].id and entry.entity_id == sku
    assert (entry.before["on_hand"], entry.after["on_hand"]) == (10, 25)

    read = world.api.get(f"/api/v1/inventory/{sku}", headers=world.headers("support"))
    assert read.json()["available"] == 22


def test_admin_changes_one_policy_and_keeps_the_others(world, engine):
    before = world.api.get("/api/v1/policies", headers=world.headers("support")).json()
    response = world.api.put(
        "/api/v1/policies",
        json={"cancellation_window_minutes": 30},
        headers=world.headers("admin"),
    )
    assert response.status_code == 200, response.text
    after = response.json()
    assert after["cancellation_window_minutes"] == 30
    assert after["return_window_days"] == before["return_window_days"] == 30
    assert after["updated_by"] == world.users["admin"].id

    [entry] = audit_rows(engine, "policy.update")
    assert entry.actor_id == world.users["admin"].id
    assert entry.before["cancellation_window_minutes"] == 60
    assert entry.after["cancellation_window_minutes"] == 30
    again = world.api.get("/api/v1/policies", headers=world.headers("seller_a")).json()
    assert again["cancellation_window_minutes"] == 30


def test_support_creates_nothing_and_the_refusals_leave_no_trace(world, engine):
    headers = world.headers("support")
    sellers, products = count(engine, Seller), count(engine, Product)
    body = {"name": "Shop Z", "country": "US", "postal_code": "10001"}
    assert world.api.post("/api/v1/sellers", json=body, headers=headers).status_code == 403
    body = product_body(world.shop_a)
    assert world.api.post("/api/v1/products", json=body, headers=headers).status_code == 403
    assert (count(engine, Seller), count(engine, Product)) == (sellers, products)
    assert count(engine, AuditEntry) == 0
