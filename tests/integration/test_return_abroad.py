"""Returns across a border carry customs: the return label of an order shipped abroad
declares the returned lines (the return's quantities, as returned goods) and the
exchange's replacement goes out with its own declaration, per carrier, against the
sandbox (which refuses a cross-border label without customs). USPS publishes no
international return label: the return stays approved, its label due, in its words."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from oms_dashboard.carriers.base import CustomsPurpose
from oms_dashboard.models import Customer, Inventory, Order, Return, SandboxShipment, Shipment
from oms_dashboard.services.actor import SYSTEM
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.return_records import quantities, return_lines
from oms_dashboard.services.ship_context import ship_context
from tests.factories import make_order, make_product, make_seller, make_user
from tests.integration.api_helpers import api_fixture, login  # noqa: F401
from tests.integration.test_returns import scan
from tests.integration.test_ship_abroad import abroad

RETURN_CARRIERS = ["fedex", "ups", "dhl"]


def delivered_abroad(api, session, engine, seller, product, seller_headers, carrier):
    """Two units sent to Toronto with ``carrier`` and scanned to the door."""
    user = make_user(session, "customer")
    customer = actor_for_user(session, user)
    profile = session.get(Customer, customer.customer_id)
    profile.phone = "+1 416 555 0199"
    session.add(profile)
    order = make_order(session, customer=customer, seller=seller, products=[product], quantity=2)
    order.stock_status = "confirmed"
    stock = session.get(Inventory, product.sku)
    stock.reserved += 2
    session.add_all([order, stock])
    session.commit()
    order = abroad(session, order)
    shipped = api.post(
        f"/api/v1/orders/{order.id}/ship", json={"carrier": carrier}, headers=seller_headers
    )
    assert shipped.status_code == 200, shipped.text
    scan(api, engine, carrier, shipped.json()["shipment"]["tracking_number"], "delivered")
    return order, login(api, user)


@pytest.fixture
def shop(api: TestClient, session):
    seller = make_seller(session)
    mug = make_product(
        session,
        seller,
        on_hand=10,
        hs_code="691200",
        title="Enamel mug",
        price_minor=1250,
        weight_grams=350,
    )
    headers = login(api, make_user(session, "seller", seller=seller))
    return seller, mug, headers


def ask_exchange(api, order: Order, sku: str, headers: dict) -> dict:
    asked = api.post(
        f"/api/v1/orders/{order.id}/returns",
        json={
            "lines": [{"sku": sku, "quantity": 1}],
            "reason": "damaged",
            "resolution": "exchange",
            "note": "Chipped on arrival",
        },
        headers=headers,
    )
    assert asked.status_code == 201, asked.text
    return asked.json()


@pytest.mark.parametrize("carrier", RETURN_CARRIERS)
def test_a_return_from_abroad_gets_its_label_and_the_replacement_ships_abroad(
    api: TestClient, session, engine, shop, carrier
):
    seller, mug, seller_headers = shop
    order, headers = delivered_abroad(api, session, engine, seller, mug, seller_headers, carrier)
    body = ask_exchange(api, order, mug.sku, headers)
    assert body["status"] == "label_created", body
    number = body["label"]["tracking_number"]
    with Session(engine) as s:
        parcel = s.get(SandboxShipment, number)
        assert (parcel.origin_country, parcel.destination_country) == ("CA", "US")
        # What was declared: the one returned unit of the two, as returned goods.
        ret = s.get(Return, body["id"])
        back = quantities(return_lines(s, ret.id))
        customs = ship_context(
            s, SYSTEM, order.id, None, goods=back, purpose=CustomsPurpose.RETURN
        ).customs
        (item,) = customs.commodities
        assert (item.sku, item.quantity, item.unit_value) == (mug.sku, 1, Decimal("12.50"))
        assert (customs.purpose, customs.weight_grams) == (CustomsPurpose.RETURN, 350)

    scan(api, engine, carrier, number, "delivered")
    received = api.post(
        f"/api/v1/returns/{body['id']}/receive",
        json={"condition": "sellable"},
        headers=seller_headers,
    )
    assert received.status_code == 200, received.text
    done = received.json()
    assert done["status"] == "exchange_shipped", done
    assert done["exchange_shipment"]["carrier"] == carrier
    with Session(engine) as s:
        sent = s.get(Shipment, s.get(Return, body["id"]).exchange_shipment_id)
        assert (sent.direction, sent.order_id) == ("outbound", order.id)
        parcel = s.get(SandboxShipment, sent.tracking_number)
        assert (parcel.origin_country, parcel.destination_country) == ("US", "CA")


def test_usps_has_no_return_label_from_abroad_so_the_return_waits_for_it(
    api: TestClient, session, engine, shop
):
    seller, mug, seller_headers = shop
    order, headers = delivered_abroad(api, session, engine, seller, mug, seller_headers, "usps")
    body = ask_exchange(api, order, mug.sku, headers)
    assert (body["status"], body["label"]) == ("approved", None)
    again = api.post(f"/api/v1/returns/{body['id']}/approve", headers=seller_headers)
    assert again.status_code == 422, again.text
    problem = again.json()
    assert problem["type"].endswith("/carrier-refused") and problem["carrier"] == "usps"
    assert "no return labels from abroad" in problem["detail"]
