"""Shipping an order abroad through ``POST /orders/{id}/ship``, per carrier, against the
sandbox: the order's lines go to the carrier as customs data (the sandbox refuses a
cross-border label without it), so the label is bought; a product without its HS code is
refused in the carrier's words and nothing ships. What the declaration holds is read
from ``ship_context`` itself."""

from __future__ import annotations

from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from oms_dashboard.carriers.base import CustomsPurpose
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, OrderLine, SandboxShipment, Shipment
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.ship_context import ship_context
from tests.factories import make_product, make_seller, make_user
from tests.integration.api_helpers import api_fixture, login  # noqa: F401
from tests.integration.test_ship_flow import paid_order

CARRIERS = ["fedex", "ups", "dhl", "usps"]
REFUSED_WORDS = {
    "fedex": "harmonized code",
    "ups": "CommodityCode",
    "dhl": "commodityCodes",
    "usps": "HSTariffNumber",
}


def abroad(session: Session, order: Order) -> Order:
    """The order sent to Toronto instead."""
    order.ship_line1, order.ship_city, order.ship_region = "2 King St W", "Toronto", "ON"
    order.ship_postal_code, order.ship_country = "M5H 2N2", "CA"
    session.add(order)
    session.commit()
    return order


def ship(api: TestClient, order: Order, carrier: str, headers: dict) -> dict:
    options = api.get(f"/api/v1/orders/{order.id}/label-options", headers=headers)
    assert options.status_code == 200, options.text
    mine = [o for o in options.json()["offers"] if o["carrier"] == carrier]
    assert mine, options.json()["unavailable"]
    return api.post(
        f"/api/v1/orders/{order.id}/ship",
        json={"carrier": carrier, "service": mine[0]["service"]},
        headers=headers,
    )


@pytest.mark.parametrize("carrier", CARRIERS)
def test_an_order_abroad_ships_with_its_customs_data_and_without_an_hs_code_it_does_not(
    api: TestClient, session, engine, carrier
):
    seller = make_seller(session)
    headers = login(api, make_user(session, "seller", seller=seller))
    mugs = make_product(session, seller, hs_code="691200", title="Enamel mug")
    order = abroad(session, paid_order(session, seller, mugs))

    shipped = ship(api, order, carrier, headers)
    assert shipped.status_code == 200, shipped.text
    number = shipped.json()["shipment"]["tracking_number"]
    with Session(engine) as s:
        parcel = s.get(SandboxShipment, number)
        assert (parcel.origin_country, parcel.destination_country) == ("US", "CA")
        assert s.get(Order, order.id).status == "shipped"

    unclassified = make_product(session, seller, hs_code=None)
    other = abroad(session, paid_order(session, seller, unclassified))
    refused = ship(api, other, carrier, headers)
    assert refused.status_code == 422, refused.text
    body = refused.json()
    assert body["type"].endswith("/carrier-refused") and body["carrier"] == carrier
    assert REFUSED_WORDS[carrier] in body["detail"]
    with Session(engine) as s:
        assert s.get(Order, other.id).status == "processing"
        assert not s.exec(select(Shipment).where(Shipment.order_id == other.id)).all()


def test_the_declaration_lists_the_physical_lines_at_their_price_and_nothing_at_home(session):
    seller = make_seller(session)
    actor = actor_for_user(session, make_user(session, "seller", seller=seller))
    mugs = make_product(session, seller, hs_code="691200", title="Enamel mug", price_minor=1250,
                        weight_grams=350, origin_country="PT")  # fmt: skip
    ebook = make_product(session, seller, digital=True, hs_code="490199")
    at_home = paid_order(session, seller, mugs)
    assert ship_context(session, actor, at_home.id, None).customs is None

    order = paid_order(session, seller, mugs)
    order.ship_country = "CA"
    session.add(order)
    session.add(OrderLine(id=new_id("oln"), order_id=order.id, seller_id=seller.id,
                          sku=ebook.sku, title=ebook.title, quantity=1,
                          unit_price_minor=ebook.price_minor,
                          line_total_minor=ebook.price_minor,
                          placed_at=order.placed_at))  # fmt: skip
    session.commit()
    customs = ship_context(session, actor, order.id, None).customs
    (mug,) = customs.commodities  # the e-book crosses no border
    assert (mug.description, mug.hs_code, mug.origin_country) == ("Enamel mug", "691200", "PT")
    assert (mug.quantity, mug.unit_value, mug.currency) == (1, Decimal("12.50"), "USD")
    assert mug.weight_grams == 350
    assert customs.purpose is CustomsPurpose.SALE
    assert customs.invoice_number == order.number
