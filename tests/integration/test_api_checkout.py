"""POST /checkouts over HTTP: the contract of API.md, on every backend."""

from __future__ import annotations

from decimal import Decimal

import pytest

from oms_dashboard.api.checkout_schemas import CheckoutOut
from oms_dashboard.models import Checkout, Order, OrderLine
from tests.factories import make_product, make_seller, make_user
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    count,
    error_fields,
    login,
)

ADDRESS = {
    "name": "Grace Hopper",
    "line1": "350 5th Ave",
    "city": "New York",
    "region": "NY",
    "postal_code": "10118",
    "country": "US",
}


@pytest.fixture
def shop(api, session):
    a = make_seller(session, name="Austin Outfitters")
    b = make_seller(
        session, name="Brooklyn Books", city="Brooklyn", region="NY", postal_code="11201"
    )
    customer = make_user(session, "customer")
    return {
        "tent": make_product(session, a, title="Two-person tent", price_minor=18900, on_hand=4),
        "stove": make_product(session, a, title="Camp stove", price_minor=5450, on_hand=10),
        "atlas": make_product(session, b, title="Road atlas", price_minor=1999, on_hand=2),
        "headers": login(api, customer),
    }


def post(api, headers, body, key="k-1"):
    return api.post("/api/v1/checkouts", json=body, headers={**headers, "Idempotency-Key": key})


def body_for(*lines, **extra):
    return {
        "lines": [{"sku": s, "quantity": q} for s, q in lines],
        "shipping_address": ADDRESS,
        **extra,
    }


def test_checkout_splits_per_seller_and_adds_up(api, shop, engine):
    response = post(api, shop["headers"], body_for((shop["tent"].sku, 1), (shop["atlas"].sku, 2)))
    assert response.status_code == 201, response.text
    body = response.json()
    assert CheckoutOut.model_validate(body).model_dump(mode="json") == body  # as documented
    assert body["status"] == "pending_payment" and body["currency"] == "USD"
    assert len(body["orders"]) == 2
    assert Decimal(body["total"]) == sum(Decimal(o["total"]) for o in body["orders"])
    assert all(o["estimated_delivery"] for o in body["orders"])
    assert count(engine, Order) == 2 and count(engine, OrderLine) == 2


def test_replay_answers_the_same_and_creates_nothing(api, shop, engine):
    body = body_for((shop["stove"].sku, 2))
    first = post(api, shop["headers"], body)
    again = post(api, shop["headers"], body)
    assert again.status_code == 201 and again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert count(engine, Checkout) == 1


def test_key_reused_for_another_body(api, shop):
    post(api, shop["headers"], body_for((shop["stove"].sku, 2)))
    other = post(api, shop["headers"], body_for((shop["stove"].sku, 3)))
    assert_problem(other, 409, "idempotency-key-reused")


def test_missing_key_is_400(api, shop):
    response = api.post(
        "/api/v1/checkouts", json=body_for((shop["stove"].sku, 1)), headers=shop["headers"]
    )
    assert_problem(response, 400, "idempotency-key-required")


def test_insufficient_inventory_problem(api, shop, engine):
    response = post(api, shop["headers"], body_for((shop["atlas"].sku, 3)))
    problem = assert_problem(response, 409, "insufficient-inventory")
    assert (problem["sku"], problem["requested"], problem["available"]) == (shop["atlas"].sku, 3, 2)
    assert isinstance(problem["alternatives"], list)
    assert count(engine, Checkout) == 0


@pytest.mark.parametrize(
    "change,field",
    [
        (lambda b: b["lines"][0].update(quantity=0), "lines[0].quantity"),
        (lambda b: b["lines"][0].update(quantity="2"), "lines.0.quantity"),
        (lambda b: b["lines"][0].update(sku="NO-SUCH"), "lines[0].sku"),
        (
            lambda b: b["shipping_address"].update(postal_code="ABCDE"),
            "shipping_address.postal_code",
        ),
        (lambda b: b["shipping_address"].pop("city"), "shipping_address.city"),
        (lambda b: b["shipping_address"].update(country="XX"), "shipping_address.country"),
        (lambda b: b.update(service_level="overnight"), "service_level"),
        (lambda b: b.update(lines=[]), "lines"),
    ],
)
def test_bad_input_is_422_naming_the_field(api, shop, engine, change, field):
    body = body_for((shop["stove"].sku, 1))
    body["shipping_address"] = dict(ADDRESS)
    change(body)
    response = post(api, shop["headers"], body)
    assert_problem(response, 422, "validation-error")
    assert field in error_fields(response)
    assert count(engine, Checkout) == 0


def test_only_customers_check_out(api, session, shop):
    admin = login(api, make_user(session, "admin"))
    response = post(api, admin, body_for((shop["stove"].sku, 1)))
    assert response.status_code == 403
    assert api.post("/api/v1/checkouts", json={}).status_code == 401


def test_stock_loss_endpoint_flags_orders_that_lost_their_stock(api, session, shop, engine):
    placed = post(api, shop["headers"], body_for((shop["atlas"].sku, 2)))
    assert placed.status_code == 201
    seller = make_user(session, "seller", seller=_seller_of(session, shop["atlas"]))
    response = api.post(
        f"/api/v1/inventory/{shop['atlas'].sku}/losses",
        json={"quantity": 1, "reason": "cover torn"},
        headers=login(api, seller),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["on_hand"], body["reserved"]) == (1, 0)
    assert body["affected_orders"] == [placed.json()["orders"][0]["id"]]
    bad = api.post(
        f"/api/v1/inventory/{shop['atlas'].sku}/losses",
        json={"quantity": 0, "reason": ""},
        headers=login(api, seller),
    )
    assert set(error_fields(bad)) == {"quantity", "reason"}


def _seller_of(session, product):
    from oms_dashboard.models import Seller

    return session.get(Seller, product.seller_id)


def test_a_sellers_own_rate_table_prices_its_shipments(api, session, shop, engine):
    seller_user = make_user(session, "seller", seller=_seller_of(session, shop["stove"]))
    headers = login(api, seller_user)
    url = f"/api/v1/sellers/{shop['stove'].seller_id}/shipping-rates"
    rates = api.get(url, headers=headers).json()
    for level in ("standard", "express"):
        rates["services"][level]["base_minor"] = dict.fromkeys(
            rates["services"][level]["base_minor"], 1000
        )
        rates["services"][level]["per_kg_minor"] = dict.fromkeys(
            rates["services"][level]["per_kg_minor"], 0
        )
    rates["free_shipping_threshold_minor"] = None
    assert api.put(url, json=rates, headers=headers).status_code == 200
    placed = post(api, shop["headers"], body_for((shop["stove"].sku, 1)))
    assert placed.json()["orders"][0]["shipping_cost"] == "10.00"
    broken = dict(rates, services={"standard": rates["services"]["standard"]})
    response = api.put(url, json=broken, headers=headers)
    assert response.status_code == 422 and error_fields(response) == ["shipping_rates"]
    other_seller = login(api, make_user(session, "seller", seller=make_seller(session)))
    assert api.put(url, json=rates, headers=other_seller).status_code == 403


def test_review_queue_over_http(api, session, shop):
    first = post(api, shop["headers"], body_for((shop["stove"].sku, 1)), key="one")
    second = post(api, shop["headers"], body_for((shop["stove"].sku, 1)), key="two")
    assert first.status_code == second.status_code == 201
    admin = login(api, make_user(session, "admin"))
    held = api.get("/api/v1/review", headers=admin).json()
    assert [h["id"] for h in held] == [second.json()["orders"][0]["id"]]
    assert held[0]["reason"] == "duplicate"
    order_id = held[0]["id"]
    empty = api.post(
        f"/api/v1/orders/{order_id}/review/cancel", json={"reason": " "}, headers=admin
    )
    assert error_fields(empty) == ["reason"]
    assert (
        api.post(
            f"/api/v1/orders/{order_id}/review/release", json={}, headers=shop["headers"]
        ).status_code
        == 403
    )
    released = api.post(f"/api/v1/orders/{order_id}/review/release", json={}, headers=admin)
    assert released.status_code == 200 and released.json()["review_reason"] is None
    again = api.post(f"/api/v1/orders/{order_id}/review/release", json={}, headers=admin)
    assert_problem(again, 409, "not-held")


def test_retry_payment_over_http(api, session, shop, engine):
    from tests.fakes import fail_payment

    placed = post(api, shop["headers"], body_for((shop["stove"].sku, 2))).json()
    order_id = placed["orders"][0]["id"]
    too_early = api.post(f"/api/v1/orders/{order_id}/payment/retry", headers=shop["headers"])
    assert too_early.status_code == 409
    fail_payment(engine, placed)
    detail = api.get(f"/api/v1/orders/{order_id}", headers=shop["headers"]).json()
    assert "retry_payment" in detail["allowed_actions"]
    retried = api.post(f"/api/v1/orders/{order_id}/payment/retry", headers=shop["headers"])
    assert retried.status_code == 200 and retried.json()["total"] == placed["total"]
    assert (
        api.get(f"/api/v1/orders/{order_id}", headers=shop["headers"]).json()["status"]
        == "pending_payment"
    )


def test_customers_keep_several_validated_addresses(api, session, shop):
    url = "/api/v1/me/addresses"
    home = api.post(url, json={**ADDRESS, "label": "Home"}, headers=shop["headers"])
    assert home.status_code == 201, home.text
    assert home.json()["is_default"] is True
    work = {
        **ADDRESS,
        "line1": "1 Infinite Loop",
        "city": "Cupertino",
        "region": "CA",
        "postal_code": "95014",
        "label": "Work",
        "default": True,
    }
    assert api.post(url, json=work, headers=shop["headers"]).status_code == 201
    saved = api.get(url, headers=shop["headers"]).json()
    assert [(a["label"], a["is_default"]) for a in saved] == [("Work", True), ("Home", False)]
    wrong_state = {**ADDRESS, "postal_code": "95014", "label": "Typo"}
    bad = api.post(url, json=wrong_state, headers=shop["headers"])
    assert error_fields(bad) == ["address.postal_code"]
    assert len(api.get(url, headers=shop["headers"]).json()) == 2
    assert api.delete(f"{url}/{saved[0]['id']}", headers=shop["headers"]).status_code == 204
    remaining = api.get(url, headers=shop["headers"]).json()
    assert [(a["label"], a["is_default"]) for a in remaining] == [("Home", True)]
    other = login(api, make_user(session, "customer"))
    assert api.delete(f"{url}/{remaining[0]['id']}", headers=other).status_code == 404
