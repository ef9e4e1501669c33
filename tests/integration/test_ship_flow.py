"""From processing to delivered through the real pieces: the seller buys a label from a
sandbox carrier over the API, the label scans back, the stock leaves the shelf; the
carrier's harness scans the parcel, the sandbox posts its signed webhook, the OMS moves
the order. Each lifecycle twice, per carrier with labels."""

from __future__ import annotations

import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from oms_dashboard.bootstrap import current
from oms_dashboard.models import Customer, Inventory, Order, OrderEvent, OutboxMessage, Shipment
from oms_dashboard.services import outbox
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_order, make_product, make_seller, make_user
from tests.integration.api_helpers import api_fixture, login  # noqa: F401

LABELLED = ["fedex", "ups", "dhl", "usps"]
SAYS = {"dhl": {"out_for_delivery": "in_transit"}}
"""DHL's tracking has no "out for delivery": it says "transit" until the door."""


def paid_order(session, seller, product):
    customer = actor_for_user(session, make_user(session, "customer"))
    profile = session.get(Customer, customer.customer_id)
    profile.phone = "+1 512 555 0199"  # DHL's courier must be able to call
    session.add(profile)
    order = make_order(session, customer=customer, seller=seller, products=[product])
    order.stock_status = "confirmed"
    session.add(order)
    stock = session.get(Inventory, product.sku)
    stock.reserved += 1
    session.add(stock)
    session.commit()
    return order


def scanned(pdf: bytes) -> list[str]:
    page = pypdfium2.PdfDocument(pdf)[0]
    return [hit.text for hit in zxingcpp.read_barcodes(page.render(scale=203 / 72).to_pil())]


def deliver_outbox(engine) -> None:
    """What the worker does: deliver every pending message, until none is left."""
    for _ in range(5):
        if not outbox.dispatch_pending(handlers=current().handlers, engine=engine)["sent"]:
            return


@pytest.mark.parametrize("carrier", LABELLED)
def test_label_to_door_twice(api: TestClient, session, engine, carrier):
    seller = make_seller(session)
    product = make_product(session, seller, on_hand=10)
    seller_headers = login(api, make_user(session, "seller", seller=seller))
    for _ in range(2):
        order = paid_order(session, seller, product)
        options = api.get(f"/api/v1/orders/{order.id}/label-options", headers=seller_headers)
        assert options.status_code == 200, options.text
        mine = [o for o in options.json()["offers"] if o["carrier"] == carrier]
        assert mine, options.json()["unavailable"]
        shipped = api.post(
            f"/api/v1/orders/{order.id}/ship",
            json={"carrier": carrier, "service": mine[0]["service"]},
            headers=seller_headers,
        )
        assert shipped.status_code == 200, shipped.text
        label = shipped.json()["shipment"]
        number = label["tracking_number"]
        pdf = api.get(label["label_url"], headers=seller_headers)
        assert pdf.headers["content-type"] == "application/pdf"
        assert scanned(pdf.content) == [number]
        again = api.post(
            f"/api/v1/orders/{order.id}/ship", json={"carrier": carrier}, headers=seller_headers
        )
        assert again.status_code == 409 and again.json()["from_status"] == "shipped"

        for status in ("in_transit", "out_for_delivery", "delivered"):
            scan = api.post(
                f"/sandbox/carriers/{carrier}/shipments/{number}/scans", json={"status": status}
            )
            assert scan.status_code == 201, scan.text
            deliver_outbox(engine)
            with Session(engine) as s:
                assert s.get(Order, order.id).status == SAYS.get(carrier, {}).get(status, status)

        with Session(engine) as s:
            shipment = s.exec(select(Shipment).where(Shipment.order_id == order.id)).one()
            assert (shipment.status, shipment.next_sync_at) == ("delivered", None)
            moves = s.exec(
                select(OrderEvent.to_status).where(
                    OrderEvent.order_id == order.id, OrderEvent.to_status.is_not(None)
                )
            ).all()
            assert moves[-4:] == ["shipped", "in_transit", "out_for_delivery", "delivered"]
            notices = s.exec(
                select(OutboxMessage.dedupe_key).where(
                    OutboxMessage.dedupe_key.like(f"shipment:{shipment.id}:%")
                )
            ).all()
            told = (
                ["delivered", "shipped"]
                if carrier == "dhl"
                else ["delivered", "out_for_delivery", "shipped"]
            )
            assert sorted(notices) == [f"shipment:{shipment.id}:{n}" for n in told]
    with Session(engine) as s:
        stock = s.get(Inventory, product.sku)
        assert (stock.on_hand, stock.reserved) == (8, 0)  # two parcels left the shelf


def test_packing_slips_and_labels_print_in_bulk(api: TestClient, session):
    seller = make_seller(session)
    product = make_product(session, seller, on_hand=10)
    headers = login(api, make_user(session, "seller", seller=seller))
    orders = [paid_order(session, seller, product) for _ in range(3)]
    for order in orders[:2]:
        answer = api.post(
            f"/api/v1/orders/{order.id}/ship", json={"carrier": "fedex"}, headers=headers
        )
        assert answer.status_code == 200, answer.text
    ids = [("order_id", o.id) for o in orders]
    labels = api.get("/api/v1/fulfillment/labels.pdf", params=ids, headers=headers)
    assert labels.status_code == 200
    assert len(pypdfium2.PdfDocument(labels.content)) == 2  # the third has no label yet
    slips = api.get("/api/v1/fulfillment/packing-slips.pdf", params=ids, headers=headers)
    assert len(pypdfium2.PdfDocument(slips.content)) == 3
    text = pypdfium2.PdfDocument(slips.content)[0].get_textpage().get_text_range()
    assert orders[0].number in text and product.sku in text
    queue = api.get("/api/v1/fulfillment/queue", headers=headers).json()
    assert [row["order_id"] for row in queue] == [orders[2].id]
