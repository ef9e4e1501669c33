"""Digital and subscription facts, recorded: a product's kind (through the catalogue
API), copied onto the order's lines at checkout; a digital line downloaded from the
customer's own order, after which the order cannot be cancelled; a subscription's
order whose cancel stops its renewals only."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from oms_dashboard.models import Inventory, Order, OrderEvent, OrderLine, Refund
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_order, make_product, make_seller, make_user
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    login,
    product_body,
    world_fixture,
)
from tests.integration.test_api_checkout import body_for, post


@pytest.fixture
def shop(api, session):
    seller = make_seller(session, name="Pixel Press")
    user = make_user(session, "customer")
    return {
        "seller": seller,
        "ebook": make_product(
            session,
            seller,
            kind="digital",
            title="Field guide (e-book)",
            price_minor=900,
            weight_grams=0,
        ),
        "coffee": make_product(
            session, seller, kind="subscription", title="Coffee of the month", price_minor=1500
        ),
        "mug": make_product(session, seller, title="Enamel mug"),
        "user": user,
        "customer": actor_for_user(session, user),
        "headers": login(api, user),
    }


def order_of(session, shop, *products, minutes_ago=10, status="processing") -> Order:
    # End the read the products' attributes began, so SQLite lets this session write
    # after the API's own writes.
    session.rollback()
    order = make_order(
        session,
        customer=shop["customer"],
        seller=shop["seller"],
        products=list(products),
        status=status,
        placed_at=utcnow() - timedelta(minutes=minutes_ago),
    )
    # Its units held as checkout holds them (confirmed once paid), so a cancel releases them.
    order.stock_status = "held" if status == "pending_payment" else "confirmed"
    for product in products:
        stock = session.get(Inventory, product.sku)
        stock.reserved += 1
        session.add(stock)
    session.add(order)
    session.commit()
    return order


def test_the_catalogue_records_a_products_kind(world):
    admin = world.headers("admin")
    made = {}
    for kind in ("physical", "digital", "subscription"):
        answer = world.api.post(
            "/api/v1/products", json=product_body(world.shop_a, kind=kind), headers=admin
        )
        assert answer.status_code == 201, answer.text
        made[kind] = answer.json()
    assert {k: (p["kind"], p["digital"]) for k, p in made.items()} == {
        "physical": ("physical", False),
        "digital": ("digital", True),
        "subscription": ("subscription", False),
    }
    legacy = world.api.post(
        "/api/v1/products", json=product_body(world.shop_a, digital=True), headers=admin
    )
    assert legacy.json()["kind"] == "digital"
    for bad in ({"kind": "service"}, {"kind": "physical", "digital": True}):
        refused = world.api.post(
            "/api/v1/products", json=product_body(world.shop_a, **bad), headers=admin
        )
        assert refused.status_code == 422, refused.text
        assert error_fields(refused) == ["kind"] or "kind" in refused.text


def test_checkout_copies_the_kind_and_a_digital_order_pays_no_shipping(api, shop, engine):
    placed = post(api, shop["headers"], body_for((shop["ebook"].sku, 1), (shop["coffee"].sku, 1)))
    assert placed.status_code == 201, placed.text
    with Session(engine) as s:
        (order,) = s.exec(
            select(Order).where(Order.checkout_id == placed.json()["checkout_id"])
        ).all()
        kinds = dict(
            s.exec(
                select(OrderLine.sku, OrderLine.kind).where(OrderLine.order_id == order.id)
            ).all()
        )
    assert kinds == {shop["ebook"].sku: "digital", shop["coffee"].sku: "subscription"}
    only_file = post(api, shop["headers"], body_for((shop["ebook"].sku, 1)), key="k-2")
    assert only_file.status_code == 201, only_file.text
    (alone,) = only_file.json()["orders"]
    assert Decimal(alone["shipping_cost"]) == 0 and Decimal(alone["total"]) == Decimal("9.00")


def test_a_downloaded_digital_order_cannot_be_cancelled_twice(api, session, engine, shop):
    for _ in range(2):
        order = order_of(session, shop, shop["ebook"], shop["mug"])
        path = f"/api/v1/orders/{order.id}/lines/{shop['ebook'].sku}/download"
        got = api.get(path, headers=shop["headers"])
        assert got.status_code == 200, got.text
        assert got.headers["content-disposition"].startswith("attachment;")
        assert "Field guide (e-book)" in got.text and "Licence key: " in got.text
        assert api.get(path, headers=shop["headers"]).text == got.text  # the same key
        with Session(engine) as s:
            line = s.exec(
                select(OrderLine).where(
                    OrderLine.order_id == order.id, OrderLine.sku == shop["ebook"].sku
                )
            ).one()
            first = line.downloaded_at
            notes = s.exec(
                select(OrderEvent.note)
                .where(OrderEvent.order_id == order.id, OrderEvent.type == "line.downloaded")
                .order_by(OrderEvent.at)
            ).all()
        assert first is not None
        assert notes == [
            "Downloaded: Field guide (e-book)",
            "Downloaded again: Field guide (e-book)",
        ]
        detail = api.get(f"/api/v1/orders/{order.id}", headers=shop["headers"]).json()
        assert "cancel" not in detail["allowed_actions"]
        refused = api.post(
            f"/api/v1/orders/{order.id}/cancel",
            json={"reason": "changed mind"},
            headers=shop["headers"],
        )
        problem = assert_problem(refused, 409, "not-cancellable")
        assert problem["reason"] == "digital-already-delivered"
        assert "downloaded cannot be cancelled" in problem["detail"]
        with Session(engine) as s:
            assert s.get(Order, order.id).status == "processing"
    # Not downloaded yet, inside the window: it cancels like any order.
    fresh = order_of(session, shop, shop["ebook"])
    cancelled = api.post(
        f"/api/v1/orders/{fresh.id}/cancel",
        json={"reason": "changed mind"},
        headers=shop["headers"],
    )
    assert cancelled.status_code == 200, cancelled.text
    assert cancelled.json()["status"] == "cancelled"
    gone = api.get(
        f"/api/v1/orders/{fresh.id}/lines/{shop['ebook'].sku}/download", headers=shop["headers"]
    )
    assert assert_problem(gone, 409, "refused")["reason"] == "download-order-cancelled"


def test_who_downloads_what(api, session, engine, shop):
    order = order_of(session, shop, shop["ebook"], shop["mug"])
    path = f"/api/v1/orders/{order.id}"
    physical = api.get(f"{path}/lines/{shop['mug'].sku}/download", headers=shop["headers"])
    assert assert_problem(physical, 409, "refused")["reason"] == "not-digital"
    assert_problem(
        api.get(f"{path}/lines/NOPE/download", headers=shop["headers"]), 404, "not-found"
    )
    stranger = login(api, make_user(session, "customer"))
    assert_problem(
        api.get(f"{path}/lines/{shop['ebook'].sku}/download", headers=stranger), 404, "not-found"
    )
    seller = login(api, make_user(session, "seller", seller=shop["seller"]))
    assert_problem(
        api.get(f"{path}/lines/{shop['ebook'].sku}/download", headers=seller), 403, "forbidden"
    )
    unpaid = order_of(session, shop, shop["ebook"], status="pending_payment")
    waiting = api.get(
        f"/api/v1/orders/{unpaid.id}/lines/{shop['ebook'].sku}/download", headers=shop["headers"]
    )
    assert assert_problem(waiting, 409, "refused")["reason"] == "download-not-paid"
    with Session(engine) as s:
        assert s.exec(
            select(OrderLine.downloaded_at).where(OrderLine.order_id == unpaid.id)
        ).all() == [None]


def test_cancelling_a_subscription_stops_its_renewals_only_twice(api, session, engine, shop):
    for _ in range(2):
        order = order_of(session, shop, shop["coffee"], minutes_ago=300)
        path = f"/api/v1/orders/{order.id}"
        before = api.get(path, headers=shop["headers"]).json()["allowed_actions"]
        assert "cancel_renewals" in before and "cancel" not in before
        stopped = api.post(
            f"{path}/cancel", json={"reason": "too much coffee"}, headers=shop["headers"]
        )
        assert stopped.status_code == 200, stopped.text
        body = stopped.json()
        assert (body["status"], body["rule"]) == ("processing", "subscription-renewals-only")
        assert body["renewal_cancelled_at"] and body["refund"] is None
        assert "future renewals are cancelled" in body["message"]
        with Session(engine) as s:
            kept = s.get(Order, order.id)
            assert (kept.status, kept.cancelled_at) == ("processing", None)
            assert kept.renewal_cancelled_at is not None
            assert not s.exec(select(Refund).where(Refund.order_id == order.id)).all()
            (event,) = s.exec(
                select(OrderEvent).where(
                    OrderEvent.order_id == order.id,
                    OrderEvent.type == "subscription.renewals_cancelled",
                )
            ).all()
            assert event.note == "future renewals cancelled: too much coffee"
        after = api.get(path, headers=shop["headers"]).json()["allowed_actions"]
        assert "cancel_renewals" not in after
        again = api.post(f"{path}/cancel", json={"reason": "again"}, headers=shop["headers"])
        assert assert_problem(again, 409, "not-cancellable")["reason"] == (
            "renewals-already-cancelled"
        )
