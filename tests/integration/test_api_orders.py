"""Reading orders over HTTP: the JSON shape, filters, keyset pages, the detail."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta

import pytest

from oms_dashboard.ids import new_id
from oms_dashboard.models import Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_order
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    world_fixture,
)

MONEY = re.compile(r"^\d+\.\d{2}$")


def get_orders(world, who="admin", **params):
    response = world.api.get("/api/v1/orders", params=params, headers=world.headers(who))
    assert response.status_code == 200, response.text
    return response.json()


def test_list_items_carry_money_as_strings_and_times_with_offsets(world):
    items = get_orders(world)["items"]
    bob_b = next(item for item in items if item["id"] == world.orders["bob_b"].id)
    assert bob_b["number"] == world.orders["bob_b"].number
    assert bob_b["seller_name"] == "Shop B"
    assert (bob_b["subtotal"], bob_b["shipping_cost"], bob_b["total"]) == (
        "19.99",
        "5.99",
        "25.98",
    )
    assert all(MONEY.match(item["total"]) for item in items)
    placed = datetime.fromisoformat(bob_b["placed_at"])
    assert placed.utcoffset() == timedelta(0)
    assert bob_b["placed_at"].endswith("+00:00")
    assert bob_b["shipping_address"] == {
        "name": world.users["bob"].name,
        "line1": "1 Main St",
        "line2": None,
        "city": "Austin",
        "region": "TX",
        "postal_code": "78701",
        "country": "US",
    }
    assert "customer_email" not in bob_b and "total_minor" not in bob_b


def test_list_is_newest_first(world):
    ids = [item["id"] for item in get_orders(world)["items"]]
    assert ids == [world.orders[name].id for name in ("bob_b", "bob_a", "alice_a")]


@pytest.fixture
def many_orders(world, session):
    """23 more orders for alice from shop A, three of them placed at the same instant."""
    alice = actor_for_user(session, world.users["alice"])
    start = utcnow() - timedelta(days=30)
    same_instant = start + timedelta(hours=5)
    for n in range(23):
        make_order(
            session,
            customer=alice,
            seller=world.shop_a,
            products=[world.product_a],
            placed_at=same_instant if n in (5, 6, 7) else start + timedelta(hours=n),
        )
    return 23 + 3


def test_keyset_pages_return_every_order_once_newest_first(world, many_orders):
    seen, cursor, pages = [], None, 0
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = get_orders(world, **params)
        pages += 1
        assert len(page["items"]) <= 7
        seen += [(item["placed_at"], item["id"]) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 4
    assert len(seen) == len(set(seen)) == many_orders
    assert seen == sorted(seen, key=lambda key: (datetime.fromisoformat(key[0]), key[1]))[::-1]


def test_default_page_is_fifty_and_the_last_page_says_so(world, many_orders):
    page = get_orders(world)
    assert len(page["items"]) == many_orders and page["next_cursor"] is None


def test_pages_keep_the_callers_scope(world, many_orders):
    first = get_orders(world, who="bob", limit=1)
    second = get_orders(world, who="bob", limit=1, cursor=first["next_cursor"])
    assert second["next_cursor"] is None
    ids = {first["items"][0]["id"], second["items"][0]["id"]}
    assert ids == {world.orders["bob_a"].id, world.orders["bob_b"].id}


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "params, field",
    [
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"cursor": _cursor("2024-01-01T00:00:00|ord_x")}, "cursor"),
        ({"cursor": _cursor("0001-01-01T00:00:00+05:00|ord_x")}, "cursor"),
        ({"status": "lost"}, "status"),
        ({"status": "shipped,lost"}, "status"),
        ({"placed_from": "last tuesday"}, "placed_from"),
        ({"placed_from": "0001-01-01T00:00:00+05:00"}, "placed_from"),
        ({"placed_from": "2026-02-01", "placed_to": "2026-01-01"}, "placed_to"),
        ({"q": "SKU\x00"}, "q"),
        ({"q": "x" * 201}, "q"),
    ],
)
def test_bad_list_parameters_are_422_naming_them(world, params, field):
    response = world.api.get("/api/v1/orders", params=params, headers=world.headers("admin"))
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == [field]


def test_filter_by_statuses_comma_separated_or_repeated(world):
    comma = get_orders(world, status="shipped,delivered")["items"]
    repeated = get_orders(world, status=["shipped", "delivered"])["items"]
    expected = {world.orders["bob_a"].id, world.orders["bob_b"].id}
    assert {i["id"] for i in comma} == {i["id"] for i in repeated} == expected


def test_filter_by_seller_and_placement_window(world):
    by_seller = get_orders(world, seller_id=world.shop_a.id)["items"]
    assert {i["id"] for i in by_seller} == {world.orders["alice_a"].id, world.orders["bob_a"].id}
    since = (world.orders["bob_a"].placed_at - timedelta(minutes=1)).isoformat()
    until = (world.orders["bob_b"].placed_at - timedelta(minutes=1)).isoformat()
    window = get_orders(world, placed_from=since, placed_to=until)["items"]
    assert [i["id"] for i in window] == [world.orders["bob_a"].id]
    naive = world.orders["bob_b"].placed_at.replace(tzinfo=None) - timedelta(minutes=1)
    assert [i["id"] for i in get_orders(world, placed_from=naive.isoformat())["items"]] == [
        world.orders["bob_b"].id
    ]


def test_search_by_sku_email_number_and_tracking(world, session):
    order = world.orders["bob_b"]
    session.add(
        Shipment(
            id=new_id("shp"),
            order_id=order.id,
            seller_id=order.seller_id,
            carrier="ups",
            service="ground",
            tracking_number="1Z999AA10123456784",
            status="in_transit",
        )
    )
    session.commit()

    def found(q):
        return {item["id"] for item in get_orders(world, q=q)["items"]}

    assert found(world.product_b.sku.lower()) == {order.id}
    assert found(world.users["alice"].email.upper()) == {world.orders["alice_a"].id}
    assert found(order.number) == {order.id}
    assert found("1z999aa10123456784") == {order.id}
    assert found("nothing-like-this") == set()


def test_detail_has_lines_shipments_timeline_and_the_callers_actions(world, session):
    order = world.orders["bob_b"]
    session.add(
        Shipment(
            id=new_id("shp"),
            order_id=order.id,
            seller_id=order.seller_id,
            carrier="ups",
            service="ground",
            tracking_number="1Z0000000000000001",
            label_url="https://labels.example/1.pdf",
            status="delivered",
        )
    )
    session.commit()
    response = world.api.get(f"/api/v1/orders/{order.id}", headers=world.headers("bob"))
    assert response.status_code == 200
    detail = response.json()
    assert detail["id"] == order.id and detail["status"] == "delivered"
    assert detail["lines"] == [
        {
            "sku": world.product_b.sku,
            "title": world.product_b.title,
            "quantity": 1,
            "unit_price": "19.99",
            "line_total": "19.99",
        }
    ]
    shipment = detail["shipments"][0]
    assert shipment["tracking_number"] == "1Z0000000000000001"
    assert shipment["label_url"] == "https://labels.example/1.pdf"
    assert shipment["created_at"].endswith("+00:00")
    event = detail["events"][0]
    assert event["type"] == "order.placed"
    assert event["actor"] == f"{world.users['bob'].name} (customer)"
    assert (event["from_status"], event["to_status"]) == (None, "pending_payment")
    assert datetime.fromisoformat(event["at"]) == order.placed_at
    # delivered: the customer is asked to confirm receipt or report a problem
    assert detail["allowed_actions"] == [
        "confirm_receipt",
        "report_delivery_problem",
        "download_invoice",
        "review_products",
        "message_seller",
    ]


def test_allowed_actions_depend_on_who_asks(world):
    order_id = world.orders["bob_a"].id  # shipped, from shop A

    def actions(who):
        response = world.api.get(f"/api/v1/orders/{order_id}", headers=world.headers(who))
        return response.json()["allowed_actions"]

    # Shipped: too late to cancel but for an admin's override; the invoice for all, the
    # thread for the two parties.
    assert actions("bob") == ["download_invoice", "message_seller"]
    assert actions("seller_a") == ["download_invoice", "message_customer"]
    assert actions("support") == ["download_invoice"]
    assert actions("admin") == ["cancel", "download_invoice"]


def test_order_id_with_a_nul_byte_is_refused_not_a_crash(world):
    response = world.api.get("/api/v1/orders/ord%00x", headers=world.headers("admin"))
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == ["order_id"]
