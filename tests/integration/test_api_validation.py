"""Bad input: a 422 problem naming the field, never a 500, and nothing written."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from oms_dashboard.models import (
    AuditEntry,
    Customer,
    Inventory,
    OrderPolicy,
    Product,
    Seller,
    User,
)
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    count,
    error_fields,
    product_body,
    world_fixture,
)

WRITTEN = (User, Customer, Seller, Product, Inventory, AuditEntry, OrderPolicy)

USER = {"email": "dana@example.com", "password": "long enough", "name": "Dana", "role": "support"}
SELLER = {"name": "Shop C", "country": "DE", "postal_code": "10115", "city": "Berlin"}


def _product(world, **changes):
    return product_body(world.shop_a, **changes)


def _without(body: dict, field: str) -> dict:
    return {k: v for k, v in body.items() if k != field}


# (endpoint, body builder, the field the answer must name)
CASES = [
    ("/api/v1/users", lambda w: _without(USER, "email"), "email"),
    ("/api/v1/users", lambda w: {**USER, "email": "dana.example.com"}, "email"),
    ("/api/v1/users", lambda w: {**USER, "email": 42}, "email"),
    ("/api/v1/users", lambda w: {**USER, "password": "short"}, "password"),
    ("/api/v1/users", lambda w: {**USER, "name": "   "}, "name"),
    ("/api/v1/users", lambda w: {**USER, "name": "x" * 201}, "name"),
    ("/api/v1/users", lambda w: {**USER, "name": "Da\x00na"}, "name"),
    ("/api/v1/users", lambda w: {**USER, "role": "owner"}, "role"),
    ("/api/v1/users", lambda w: {**USER, "role": "seller"}, "seller_id"),
    ("/api/v1/users", lambda w: {**USER, "seller_id": w.shop_a.id}, "seller_id"),
    ("/api/v1/users", lambda w: {**USER, "role": "seller", "seller_id": "sel_nope"}, "seller_id"),
    ("/api/v1/users", lambda w: {**USER, "is_admin": True}, "is_admin"),
    ("/api/v1/sellers", lambda w: _without(SELLER, "name"), "name"),
    ("/api/v1/sellers", lambda w: {**SELLER, "country": "Germany"}, "country"),
    ("/api/v1/sellers", lambda w: {**SELLER, "country": "de"}, "country"),
    ("/api/v1/sellers", lambda w: {**SELLER, "postal_code": ""}, "postal_code"),
    ("/api/v1/sellers", lambda w: {**SELLER, "postal_code": "1" * 21}, "postal_code"),
    ("/api/v1/sellers", lambda w: {**SELLER, "handling_hours": 0}, "handling_hours"),
    ("/api/v1/sellers", lambda w: {**SELLER, "handling_hours": "24"}, "handling_hours"),
    ("/api/v1/sellers", lambda w: {**SELLER, "currency": "usd"}, "currency"),
    ("/api/v1/sellers", lambda w: {**SELLER, "currency": "XYZ"}, "currency"),
    ("/api/v1/products", lambda w: _product(w, price=12.5), "price"),
    ("/api/v1/products", lambda w: _product(w, price=True), "price"),
    ("/api/v1/products", lambda w: _product(w, price="12.345"), "price"),
    ("/api/v1/products", lambda w: _product(w, price="-1.00"), "price"),
    ("/api/v1/products", lambda w: _product(w, price="twelve"), "price"),
    ("/api/v1/products", lambda w: _product(w, price="NaN"), "price"),
    ("/api/v1/products", lambda w: _product(w, price="99999999.00"), "price"),
    ("/api/v1/products", lambda w: _product(w, price="1e1000000000000"), "price"),
    ("/api/v1/products", lambda w: _product(w, price="1e-1000000000000"), "price"),
    ("/api/v1/products", lambda w: _product(w, price="1" * 41), "price"),
    ("/api/v1/products", lambda w: _without(_product(w), "title"), "title"),
    ("/api/v1/products", lambda w: _product(w, title="x" * 301), "title"),
    ("/api/v1/products", lambda w: _product(w, sku="has spaces"), "sku"),
    ("/api/v1/products", lambda w: _product(w, sku="S" * 65), "sku"),
    ("/api/v1/products", lambda w: _product(w, currency="usd"), "currency"),
    ("/api/v1/products", lambda w: _product(w, weight_grams=-1), "weight_grams"),
    ("/api/v1/products", lambda w: _product(w, weight_grams="350"), "weight_grams"),
    ("/api/v1/products", lambda w: _product(w, weight_grams=0), "weight_grams"),
    ("/api/v1/products", lambda w: _product(w, length_mm=3.5), "length_mm"),
    ("/api/v1/products", lambda w: _product(w, height_mm=10**7), "height_mm"),
    ("/api/v1/products", lambda w: _product(w, digital="yes"), "digital"),
    ("/api/v1/products", lambda w: _product(w, hs_code="6912AB"), "hs_code"),
    ("/api/v1/products", lambda w: _product(w, hs_code="123"), "hs_code"),
    ("/api/v1/products", lambda w: _product(w, origin_country="China"), "origin_country"),
    ("/api/v1/products", lambda w: _product(w, seller_id="sel_nope"), "seller_id"),
]


@pytest.mark.parametrize("path, build, field", CASES)
def test_bad_bodies_name_the_field_and_write_nothing(world, engine, path, build, field):
    headers = world.headers("admin")
    before = {model: count(engine, model) for model in WRITTEN}
    response = world.api.post(path, json=build(world), headers=headers)
    body = assert_problem(response, 422, "validation-error")
    assert field in error_fields(response), body
    assert all(error["message"] for error in body["errors"])
    assert {model: count(engine, model) for model in WRITTEN} == before


def test_a_float_price_is_refused_with_a_message_saying_why(world):
    response = world.api.post(
        "/api/v1/products", json=_product(world, price=12.5), headers=world.headers("admin")
    )
    assert response.json()["errors"] == [
        {"field": "price", "message": 'must be a decimal string such as "12.50", not a JSON number'}
    ]


def test_several_mistakes_are_reported_together(world):
    response = world.api.post(
        "/api/v1/users",
        json={"email": "nope", "password": "x", "name": "", "role": "customer"},
        headers=world.headers("admin"),
    )
    assert set(error_fields(response)) == {"email", "password", "name"}


@pytest.mark.parametrize(
    "body, field",
    [
        ({"on_hand": -1}, "on_hand"),
        ({"on_hand": "5"}, "on_hand"),
        ({"on_hand": 2.5}, "on_hand"),
        ({"on_hand": None}, "on_hand"),
        ({"on_hand": 10**12}, "on_hand"),
        ({}, "on_hand"),
        ({"on_hand": 5, "reserved": 0}, "reserved"),
    ],
)
def test_bad_stock_counts_are_refused(world, engine, body, field):
    sku = world.product_a.sku
    response = world.api.put(f"/api/v1/inventory/{sku}", json=body, headers=world.headers("admin"))
    assert_problem(response, 422, "validation-error")
    assert field in error_fields(response)
    assert _stock(engine, sku) == (10, 0)
    assert count(engine, AuditEntry) == 0


def test_stock_below_what_is_reserved_is_refused(world, engine):
    sku = world.product_a.sku
    with engine.begin() as conn:
        conn.execute(sa.update(Inventory.__table__).values(reserved=4))
    response = world.api.put(
        f"/api/v1/inventory/{sku}", json={"on_hand": 3}, headers=world.headers("seller_a")
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"] == [
        {"field": "on_hand", "message": "must be at least 4, the units reserved for open orders"}
    ]
    assert _stock(engine, sku) == (10, 4)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"cancellation_window_minutes": -1}, "cancellation_window_minutes"),
        ({"cancellation_window_minutes": "60"}, "cancellation_window_minutes"),
        ({"cancellation_window_minutes": None}, "cancellation_window_minutes"),
        ({"return_window_days": 1000}, "return_window_days"),
        ({"free_shipping": True}, "free_shipping"),
        ({}, "body"),
    ],
)
def test_bad_policy_changes_are_refused(world, engine, body, field):
    response = world.api.put("/api/v1/policies", json=body, headers=world.headers("admin"))
    assert_problem(response, 422, "validation-error")
    assert field in error_fields(response)
    assert count(engine, AuditEntry) == 0
    policy = world.api.get("/api/v1/policies", headers=world.headers("admin")).json()
    assert policy["cancellation_window_minutes"] == 60 and policy["return_window_days"] == 30


@pytest.mark.parametrize(
    "method, path",
    [
        ("POST", "/api/v1/auth/token"),
        ("POST", "/api/v1/users"),
        ("POST", "/api/v1/sellers"),
        ("POST", "/api/v1/products"),
        ("PUT", "/api/v1/inventory/{sku}"),
        ("PUT", "/api/v1/policies"),
    ],
)
@pytest.mark.parametrize(
    "content",
    [
        '{"email": "a@b.co",',
        "[1, 2]",
        "",
        "not json at all",
        b'{"email": "\xff"}',
        '{"on_hand": ' + "9" * 5000 + "}",
    ],
    ids=["truncated", "array", "empty", "garbage", "not-utf8", "endless-number"],
)
def test_malformed_json_is_422_naming_the_body(world, engine, method, path, content):
    headers = {**world.headers("admin"), "Content-Type": "application/json"}
    before = {model: count(engine, model) for model in WRITTEN}
    response = world.api.request(
        method, path.format(sku=world.product_a.sku), content=content, headers=headers
    )
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["body"]
    assert {model: count(engine, model) for model in WRITTEN} == before


def test_token_request_with_missing_fields_is_422_not_401(api):
    response = api.post("/api/v1/auth/token", json={"email": "a@example.com"})
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["password"]


def _stock(engine, sku: str) -> tuple[int, int]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(Inventory.on_hand, Inventory.reserved).where(Inventory.sku == sku)
        ).one()
    return row.on_hand, row.reserved
