"""Shipping over HTTP: who may ship what, offers from the sandbox carriers, refusals
that name the field, signed carrier webhooks."""

from __future__ import annotations

import json

from sqlmodel import Session, select

from oms_dashboard.models import Seller
from oms_dashboard.payments.signing import sign
from oms_dashboard.services import carrier_accounts
from oms_dashboard.services.auth import actor_for_user
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    world_fixture,
)


def ship(world, order, who="seller_a", **body):
    return world.api.post(
        f"/api/v1/orders/{world.orders[order].id}/ship",
        json={"carrier": "fedex", **body},
        headers=world.headers(who),
    )


def test_only_a_processing_order_ships(world):
    body = assert_problem(ship(world, "bob_a"), 409, "invalid-transition")
    assert (body["from_status"], body["to_status"]) == ("shipped", "shipped")


def test_only_the_owning_seller_ships(world):
    assert ship(world, "alice_a", who="alice").status_code == 403
    assert ship(world, "alice_a", who="admin").status_code == 403
    assert_problem(ship(world, "alice_a", who="seller_b"), 404, "not-found")


def test_bad_input_names_the_field_and_changes_nothing(world):
    assert "carrier" in error_fields(ship(world, "alice_a", carrier="pigeon"))
    heavy = {"weight_grams": 40_000, "length_mm": 500, "width_mm": 400, "height_mm": 300}
    response = ship(world, "alice_a", carrier="usps", parcel=heavy)
    assert "weight_grams" in error_fields(response)
    assert "31.751 kg limit" in response.text
    flat = ship(world, "alice_a", parcel={**heavy, "height_mm": 0})
    assert [f for f in error_fields(flat) if f.endswith("height_mm")], flat.text
    detail = world.api.get(
        f"/api/v1/orders/{world.orders['alice_a'].id}", headers=world.headers("seller_a")
    ).json()
    assert detail["status"] == "processing" and detail["shipments"] == []


def test_a_seller_without_a_pickup_street_is_told_what_to_add(world, engine):
    with Session(engine) as s:
        seller = s.get(Seller, world.shop_a.id)
        seller.address_line1 = None
        s.add(seller)
        s.commit()
    body = assert_problem(ship(world, "alice_a"), 409, "pickup-address-missing")
    assert "street" in body["detail"]


def test_offers_come_from_every_enabled_carrier_cheapest_first(world, engine, session):
    admin = actor_for_user(session, world.users["admin"])
    carrier_accounts.configure_carrier(engine, actor=admin, carrier="dhl", enabled=False)
    try:
        response = world.api.get(
            f"/api/v1/orders/{world.orders['alice_a'].id}/label-options",
            headers=world.headers("seller_a"),
        )
        assert response.status_code == 200, response.text
        options = response.json()
        carriers = {offer["carrier"] for offer in options["offers"]}
        assert carriers == {"fedex", "ups", "usps"}
        assert options["unavailable"] == {"dhl": "disabled by an admin"}
        amounts = [float(offer["amount"]) for offer in options["offers"]]
        assert amounts == sorted(amounts)
        assert options["preselected"] in options["offers"]
        assert options["parcel"]["weight_grams"] > 0
    finally:
        carrier_accounts.configure_carrier(engine, actor=admin, carrier="dhl", enabled=True)


def test_carrier_events_must_be_signed_with_the_carriers_secret(world):
    body = b'{"anything": true}'
    post = lambda carrier, headers: world.api.post(  # noqa: E731
        f"/api/v1/carriers/{carrier}/events", content=body, headers=headers
    )
    assert_problem(post("fedex", {}), 401, "unauthorized")
    assert_problem(post("fedex", {"X-OMS-Signature": sign(body, "wrong")}), 401, "unauthorized")
    assert "carrier" in error_fields(post("pigeon", {"X-OMS-Signature": "sha256=00"}))


def test_after_delivery_the_customer_confirms_or_reports_once(world, engine):
    from oms_dashboard.ids import new_id
    from oms_dashboard.models import Notification, Shipment

    order = world.orders["bob_b"]
    with Session(engine) as s:
        s.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=order.seller_id,
                carrier="ups",
                service="03",
                tracking_number=new_id("trk")[-18:],
                status="delivered",
            )
        )
        s.commit()
    url = f"/api/v1/orders/{order.id}"
    actions = world.api.get(url, headers=world.headers("bob")).json()["allowed_actions"]
    assert actions == [
        "confirm_receipt",
        "report_delivery_problem",
        "download_invoice",
        "review_products",
        "message_seller",
    ]
    assert world.api.post(f"{url}/receipt", headers=world.headers("alice")).status_code == 404
    bad = world.api.post(
        f"{url}/delivery-problem", json={"problem": "meh"}, headers=world.headers("bob")
    )
    assert error_fields(bad) == ["problem"]
    reported = world.api.post(
        f"{url}/delivery-problem",
        json={"problem": "damaged", "note": "box crushed"},
        headers=world.headers("bob"),
    )
    assert reported.status_code == 200, reported.text
    assert reported.json()["flag"] == "reported"
    assert "arrived damaged: box crushed" in reported.json()["reason"]
    assert_problem(
        world.api.post(f"{url}/receipt", headers=world.headers("bob")), 409, "already-answered"
    )
    answered = world.api.get(url, headers=world.headers("bob")).json()["allowed_actions"]
    assert answered == ["download_invoice", "review_products", "message_seller"]  # answered once
    with Session(engine) as s:
        told = s.exec(select(Notification).where(Notification.seller_id == order.seller_id)).all()
        assert [n.kind for n in told] == ["delivery_problem"]
    shipped = world.orders["bob_a"]
    assert_problem(
        world.api.post(f"/api/v1/orders/{shipped.id}/receipt", headers=world.headers("bob")),
        409,
        "not-delivered",
    )


def test_a_carriers_webhook_applies_once_however_often_it_comes(world, engine):
    from oms_dashboard.carriers import sandbox
    from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus
    from oms_dashboard.carriers.sandbox.fedex_track import webhook_body
    from oms_dashboard.ids import new_id
    from oms_dashboard.models import Order, OrderEvent, Shipment, ShipmentScan
    from oms_dashboard.services.carrier_events import webhook_secret

    order = world.orders["bob_a"]  # shipped
    here = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
    with Session(engine) as s:
        package = sandbox.register_package(
            s, carrier="fedex", service="FEDEX_GROUND", origin=here, destination=here
        )
        sandbox.record_scan(
            s,
            carrier="fedex",
            tracking_number=package.tracking_number,
            status=ShipmentStatus.IN_TRANSIT,
        )
        s.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=order.seller_id,
                carrier="fedex",
                service="FEDEX_GROUND",
                tracking_number=package.tracking_number,
                status="shipped",
            )
        )
        s.commit()
        body = json.dumps(
            webhook_body(
                sandbox.packages(s, "fedex", [package.tracking_number])[package.tracking_number]
            )
        ).encode()
        secret = webhook_secret(s, "fedex")
    headers = {"Content-Type": "application/json", "X-OMS-Signature": sign(body, secret)}
    answers = [
        world.api.post("/api/v1/carriers/fedex/events", content=body, headers=headers).json()
        for _ in range(3)
    ]
    assert answers[0]["moves"] == 1 and answers[0]["new_scans"] == 2
    assert [a["moves"] for a in answers[1:]] == [0, 0]
    assert [a["new_scans"] for a in answers[1:]] == [0, 0]
    with Session(engine) as s:
        assert s.get(Order, order.id).status == "in_transit"
        moves = s.exec(
            select(OrderEvent).where(
                OrderEvent.order_id == order.id, OrderEvent.to_status == "in_transit"
            )
        ).all()
        assert len(moves) == 1
        ours = select(Shipment.id).where(Shipment.order_id == order.id)
        # only this shipment's scans: tests that use no session leave theirs behind
        assert (
            len(s.exec(select(ShipmentScan).where(ShipmentScan.shipment_id.in_(ours))).all()) == 2
        )
