"""Returns and exchanges over the API, through the real pieces: the order shipped and
delivered by a sandbox carrier, the return label from that carrier, the return parcel
scanned back by the carrier's harness (its signed webhook moving the return, never the
order), the seller's inspection, stock, and the customer's notices through the outbox.
Each lifecycle twice."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from oms_dashboard.bootstrap import current
from oms_dashboard.models import (
    Customer,
    EmailMessage,
    Inventory,
    Notification,
    Order,
    OutboxMessage,
    Return,
    SandboxPayment,
    Seller,
    Shipment,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import outbox
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_order, make_product, make_seller, make_user
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    audit_rows,
    error_fields,
    login,
    world_fixture,
)


def deliver_outbox(engine) -> None:
    """What the worker does: deliver every pending message, until none is left."""
    for _ in range(6):
        if not outbox.dispatch_pending(handlers=current().handlers, engine=engine)["sent"]:
            return


def scan(api: TestClient, engine, carrier: str, number: str, status: str) -> None:
    answer = api.post(
        f"/sandbox/carriers/{carrier}/shipments/{number}/scans", json={"status": status}
    )
    assert answer.status_code == 201, answer.text
    deliver_outbox(engine)


def delivered_order(api, session, engine, seller, product, seller_headers, carrier, quantity=1):
    """A customer's order, paid, shipped with ``carrier`` over the API and scanned to
    the door by the carrier's harness."""
    user = make_user(session, "customer")
    customer = actor_for_user(session, user)
    profile = session.get(Customer, customer.customer_id)
    profile.phone = "+1 512 555 0199"
    session.add(profile)
    order = make_order(
        session, customer=customer, seller=seller, products=[product], quantity=quantity
    )
    order.stock_status = "confirmed"
    session.add(order)
    session.add(  # what the payment sandbox knows of it: refunds are paid against it
        SandboxPayment(
            checkout_id=order.checkout_id,
            amount_minor=order.total_minor,
            currency=order.currency,
            status="authorized",
        )
    )
    stock = session.get(Inventory, product.sku)
    stock.reserved += quantity
    session.add(stock)
    session.commit()
    shipped = api.post(
        f"/api/v1/orders/{order.id}/ship", json={"carrier": carrier}, headers=seller_headers
    )
    assert shipped.status_code == 200, shipped.text
    number = shipped.json()["shipment"]["tracking_number"]
    scan(api, engine, carrier, number, "delivered")
    with Session(engine) as s:
        assert s.get(Order, order.id).status == "delivered"
    return order, login(api, user)


def _label_audit(engine, action: str, return_id: str):
    (entry,) = [a for a in audit_rows(engine, action) if a.entity_id == return_id]
    assert entry.entity_type == "return"
    return entry


def stock_of(engine, sku: str) -> tuple[int, int]:
    with Session(engine) as s:
        row = s.get(Inventory, sku)
        return row.on_hand, row.reserved


def order_status(engine, order_id: str) -> str:
    with Session(engine) as s:
        return s.get(Order, order_id).status


def told(engine, return_id: str) -> list[str]:
    with Session(engine) as s:
        keys = s.exec(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.like(f"return:{return_id}:%")
            )
        ).all()
        return sorted(k.rsplit(":", 1)[1] for k in keys)


def emails_and_bells(engine, return_id: str) -> tuple[list[str], list[str]]:
    with Session(engine) as s:
        emails = s.exec(
            select(EmailMessage.dedupe_key).where(
                EmailMessage.dedupe_key.like(f"email:return:{return_id}:%")
            )
        ).all()
        bells = s.exec(
            select(Notification.dedupe_key).where(
                Notification.dedupe_key.like(f"inapp:return:{return_id}:%")
            )
        ).all()
    return sorted(k.rsplit(":", 1)[1] for k in emails), sorted(k.rsplit(":", 1)[1] for k in bells)


@pytest.fixture
def shop(api: TestClient, session):
    seller = make_seller(session)
    product = make_product(session, seller, on_hand=10)
    other = make_product(session, seller, on_hand=5)
    headers = login(api, make_user(session, "seller", seller=seller))
    return seller, product, other, headers


@pytest.mark.parametrize("carrier", ["fedex", "ups"])
def test_an_exchange_from_request_to_the_replacement_shipped_twice(
    api: TestClient, session, engine, smtp, shop, carrier
):
    seller, product, other, seller_headers = shop
    for _ in range(2):
        order, headers = delivered_order(
            api, session, engine, seller, product, seller_headers, carrier
        )
        on_hand, reserved = stock_of(engine, other.sku)
        asked = api.post(
            f"/api/v1/orders/{order.id}/returns",
            json={
                "lines": [{"sku": product.sku, "quantity": 1}],
                "reason": "damaged",
                "resolution": "exchange",
                "exchange_sku": other.sku,
                "note": "The handle broke",
            },
            headers=headers,
        )
        assert asked.status_code == 201, asked.text
        body = asked.json()
        assert (body["status"], body["rule"]) == ("label_created", "damaged-approved")
        label = body["label"]
        assert label["carrier"] == carrier and label["tracking_number"]
        pdf = api.get(label["label_url"], headers=headers)
        assert pdf.headers["content-type"] == "application/pdf"
        assert stock_of(engine, other.sku) == (on_hand, reserved + 1)  # held at approval

        with Session(engine) as s:
            back = s.exec(
                select(Shipment).where(Shipment.tracking_number == label["tracking_number"])
            ).one()
            assert (back.direction, back.order_id) == ("return", order.id)
        # Bought when the rule approved it: audited as the OMS's purchase.
        bought = _label_audit(engine, "return.label_buy", body["id"])
        assert (bought.actor_id, bought.order_id) == (None, order.id)
        assert bought.before == {"status": "approved", "shipment_id": None}
        assert bought.after == {
            "status": "label_created",
            "shipment_id": back.id,
            "carrier": carrier,
            "service": back.service,
            "tracking_number": label["tracking_number"],
            "direction": "return",
            "rate_minor": back.rate_minor,
            "rate_currency": back.rate_currency,
        }

        scan(api, engine, carrier, label["tracking_number"], "in_transit")
        assert api.get(f"/api/v1/returns/{body['id']}", headers=headers).json()["status"] == (
            "in_transit"
        )
        assert order_status(engine, order.id) == "delivered"  # the order stays delivered
        scan(api, engine, carrier, label["tracking_number"], "delivered")
        got = api.get(f"/api/v1/returns/{body['id']}", headers=seller_headers).json()
        assert got["status"] == "received" and got["label"]["status"] == "delivered"
        assert order_status(engine, order.id) == "delivered"

        product_stock = stock_of(engine, product.sku)
        received = api.post(
            f"/api/v1/returns/{body['id']}/receive",
            json={"condition": "sellable"},
            headers=seller_headers,
        )
        assert received.status_code == 200, received.text
        done = received.json()
        assert (done["status"], done["condition"], done["rule"]) == (
            "exchange_shipped",
            "sellable",
            "inspected-sellable",
        )
        assert done["exchange_shipment"]["carrier"] == carrier
        assert stock_of(engine, product.sku) == (product_stock[0] + 1, product_stock[1])
        assert stock_of(engine, other.sku) == (on_hand - 1, reserved)  # the replacement left
        deliver_outbox(engine)
        assert told(engine, body["id"]) == ["approved", "exchange_shipped", "received"]
        assert emails_and_bells(engine, body["id"]) == (
            ["approved", "exchange_shipped", "received"],
            ["approved", "exchange_shipped", "received"],
        )
        with Session(engine) as s:
            sent = s.get(Shipment, s.get(Return, body["id"]).exchange_shipment_id)
            assert (sent.direction, sent.order_id) == ("outbound", order.id)
            assert s.get(Order, order.id).status == "delivered"
        replaced = _label_audit(engine, "return.exchange_label_buy", body["id"])
        assert replaced.actor_role == "seller" and replaced.order_id == order.id
        assert replaced.before["status"] == "inspected"
        assert replaced.before["exchange_shipment_id"] is None
        assert replaced.after["status"] == "exchange_shipped"
        assert replaced.after["exchange_shipment_id"] == sent.id
        assert replaced.after["tracking_number"] == sent.tracking_number
        mine = api.get(f"/api/v1/orders/{order.id}/returns", headers=headers).json()
        assert [r["id"] for r in mine] == [body["id"]]
    subjects = [m["Subject"] for m in smtp.messages]
    for start in (
        "Your return for order",
        "The seller has checked your return",
        "Your replacement for order",
    ):
        assert sum(s.startswith(start) for s in subjects) == 2, (start, subjects)


def test_a_refund_return_waits_for_the_seller_then_is_refunded_twice(
    api: TestClient, session, engine, shop
):
    seller, product, _, seller_headers = shop
    for _ in range(2):
        order, headers = delivered_order(
            api, session, engine, seller, product, seller_headers, "fedex", quantity=2
        )
        asked = api.post(
            f"/api/v1/orders/{order.id}/returns",
            json={
                "lines": [{"sku": product.sku, "quantity": 2}],
                "reason": "changed_mind",
                "resolution": "refund",
            },
            headers=headers,
        )
        assert asked.status_code == 201, asked.text
        body = asked.json()
        assert (body["status"], body["rule"], body["label"]) == (
            "requested",
            "seller-decides",
            None,
        )
        queue = api.get("/api/v1/returns?status=requested", headers=seller_headers).json()
        assert body["id"] in [r["id"] for r in queue]
        approved = api.post(f"/api/v1/returns/{body['id']}/approve", headers=seller_headers)
        assert approved.status_code == 200, approved.text
        label = approved.json()["label"]
        assert approved.json()["status"] == "label_created" and label["carrier"] == "fedex"
        # Bought when the seller approved it: audited as the seller's purchase.
        bought = _label_audit(engine, "return.label_buy", body["id"])
        assert (bought.actor_role, bought.order_id) == ("seller", order.id)
        assert bought.actor_id is not None
        assert bought.before == {"status": "approved", "shipment_id": None}
        assert bought.after["status"] == "label_created" and bought.after["shipment_id"]
        assert (bought.after["carrier"], bought.after["tracking_number"]) == (
            "fedex",
            label["tracking_number"],
        )
        again = api.post(f"/api/v1/returns/{body['id']}/approve", headers=seller_headers)
        assert_problem(again, 409, "invalid-transition")
        # Carriers skip scans: "delivered" may be the first one heard.
        scan(api, engine, "fedex", label["tracking_number"], "delivered")
        on_hand, reserved = stock_of(engine, product.sku)
        received = api.post(
            f"/api/v1/returns/{body['id']}/receive",
            json={"condition": "sellable"},
            headers=seller_headers,
        )
        assert received.json()["status"] == "refunded", received.text
        assert stock_of(engine, product.sku) == (on_hand + 2, reserved)
        # The returned lines' refund waits for the seller (a return after delivery).
        refund_id = received.json()["refund_id"]
        refunds = api.get(f"/api/v1/orders/{order.id}/refunds", headers=headers).json()["items"]
        assert [(r["id"], r["status"], r["amount"], r["rule"]) for r in refunds] == [
            (refund_id, "pending_review", f"{2 * product.price_minor / 100:.2f}",
             "return-after-delivery"),
        ]  # fmt: skip
        decided = api.post(f"/api/v1/refunds/{refund_id}/approve", json={}, headers=seller_headers)
        assert decided.status_code == 200, decided.text
        with Session(engine) as s:
            assert s.get(Order, order.id).status == "delivered"
        deliver_outbox(engine)
        assert told(engine, body["id"]) == ["approved", "received"]
        refunds = api.get(f"/api/v1/orders/{order.id}/refunds", headers=headers).json()["items"]
        assert [r["status"] for r in refunds] == ["paid"]
        more = api.post(
            f"/api/v1/orders/{order.id}/returns",
            json={"lines": [{"sku": product.sku, "quantity": 1}], "reason": "other",
                  "resolution": "refund"},
            headers=headers,
        )  # fmt: skip
        assert_problem(more, 422, "validation-error")
        assert error_fields(more) == ["lines[0].quantity"]


@pytest.mark.parametrize(
    "reason,status,rule",
    [("changed_mind", "inspected", "damage-not-reported"),
     ("damaged", "refunded", "damage-as-reported")],
)  # fmt: skip
def test_a_damaged_item_is_not_restocked(
    api: TestClient, session, engine, shop, reason, status, rule
):
    seller, product, _, seller_headers = shop
    order, headers = delivered_order(api, session, engine, seller, product, seller_headers, "ups")
    asked = api.post(
        f"/api/v1/orders/{order.id}/returns",
        json={"lines": [{"sku": product.sku, "quantity": 1}], "reason": reason,
              "resolution": "refund"},
        headers=headers,
    ).json()  # fmt: skip
    if asked["status"] == "requested":
        api.post(f"/api/v1/returns/{asked['id']}/approve", headers=seller_headers)
    before = stock_of(engine, product.sku)
    received = api.post(
        f"/api/v1/returns/{asked['id']}/receive",
        json={"condition": "damaged"},
        headers=seller_headers,
    )
    assert (received.json()["status"], received.json()["rule"]) == (status, rule)
    assert stock_of(engine, product.sku) == before


def delivered_at(session, order: Order, days_ago: int) -> Order:
    order.status, order.delivered_at = "delivered", utcnow() - timedelta(days=days_ago)
    session.add(order)
    session.commit()
    return order


def ask(world, order: Order, who: str, **overrides):
    body = {
        "lines": [{"sku": world.product_a.sku, "quantity": 1}],
        "reason": "changed_mind",
        "resolution": "refund",
    }
    return world.api.post(
        f"/api/v1/orders/{order.id}/returns", json={**body, **overrides}, headers=world.headers(who)
    )


def test_outside_the_window_or_before_delivery_nothing_is_returnable(world, session):
    order = delivered_at(session, world.orders["alice_a"], days_ago=31)
    late = assert_problem(ask(world, order, "alice"), 409, "not-returnable")
    assert late["reason"] == "return-window-passed" and "30-day" in late["detail"]
    seller = session.get(Seller, world.shop_a.id)
    seller.return_window_days = 45  # the seller's own window replaces the policy's
    session.add(seller)
    session.commit()
    assert ask(world, order, "alice").status_code == 201
    early = assert_problem(ask(world, world.orders["bob_a"], "bob"), 409, "not-returnable")
    assert early["reason"] == "not-delivered"


def test_what_is_not_on_the_order_or_not_known_is_a_422(world, session):
    order = delivered_at(session, world.orders["alice_a"], days_ago=2)
    wrong = ask(world, order, "alice", lines=[{"sku": "NOPE", "quantity": 1}])
    assert_problem(wrong, 422, "validation-error")
    assert error_fields(wrong) == ["lines[0].sku"]
    too_many = ask(world, order, "alice", lines=[{"sku": world.product_a.sku, "quantity": 2}])
    assert error_fields(too_many) == ["lines[0].quantity"]
    assert error_fields(ask(world, order, "alice", reason="meh")) == ["reason"]
    foreign = ask(world, order, "alice", resolution="exchange", exchange_sku=world.product_b.sku)
    assert error_fields(foreign) == ["exchange_sku"]


def test_roles_and_sellers(world, session):
    order = delivered_at(session, world.orders["alice_a"], days_ago=2)
    for who in ("seller_a", "support", "admin"):
        assert_problem(ask(world, order, who), 403, "forbidden")
    assert_problem(ask(world, order, "bob"), 404, "not-found")
    created = ask(world, order, "alice").json()
    path = f"/api/v1/returns/{created['id']}"
    api = world.api
    for who in ("alice", "seller_a", "support", "admin"):
        assert api.get(path, headers=world.headers(who)).status_code == 200, who
    for who in ("bob", "seller_b"):
        assert_problem(api.get(path, headers=world.headers(who)), 404, "not-found")
    for who in ("alice", "support"):
        answer = api.post(f"{path}/approve", headers=world.headers(who))
        assert_problem(answer, 403, "forbidden")
        answer = api.post(f"{path}/receive", json={"condition": "sellable"},
                          headers=world.headers(who))  # fmt: skip
        assert_problem(answer, 403, "forbidden")
    assert_problem(api.post(f"{path}/approve", headers=world.headers("seller_b")), 404, "not-found")
    assert_problem(api.get("/api/v1/returns", headers=world.headers("alice")), 403, "forbidden")
    listed = api.get("/api/v1/returns", headers=world.headers("seller_b")).json()
    assert listed == []
    assert [r["id"] for r in api.get("/api/v1/returns", headers=world.headers("support")).json()]
    assert_problem(
        api.get(f"/api/v1/orders/{order.id}/returns", headers=world.headers("bob")),
        404,
        "not-found",
    )
    # Rejecting needs a reason; then the customer hears why, and nothing more can happen.
    unsaid = api.post(f"{path}/reject", json={"reason": " "}, headers=world.headers("seller_a"))
    assert error_fields(unsaid) == ["reason"]
    rejected = api.post(
        f"{path}/reject", json={"reason": "Worn"}, headers=world.headers("seller_a")
    )
    assert (rejected.json()["status"], rejected.json()["decision_note"]) == ("rejected", "Worn")
    assert_problem(api.post(f"{path}/approve", headers=world.headers("admin")), 409,
                   "invalid-transition")  # fmt: skip


def test_an_exchange_closed_unsent_gives_the_replacement_back(world, session, engine):
    order = delivered_at(session, world.orders["alice_a"], days_ago=2)
    sku = world.product_a.sku
    created = ask(world, order, "alice", resolution="exchange").json()
    before = stock_of(engine, sku)
    path = f"/api/v1/returns/{created['id']}"
    approved = world.api.post(f"{path}/approve", headers=world.headers("admin"))
    # No outbound shipment to take the carrier from: approved, the label still due.
    problem = assert_problem(approved, 409, "no-original-carrier")
    (audited,) = audit_rows(engine, "return.approve")  # an admin acting for the seller
    assert (audited.entity_id, audited.after["status"]) == (created["id"], "approved")
    assert problem["detail"].startswith("The return is approved, but its label")
    assert world.api.get(path, headers=world.headers("alice")).json()["status"] == "approved"
    assert stock_of(engine, sku) == (before[0], before[1] + 1)
    closed = world.api.post(f"{path}/close", json={}, headers=world.headers("alice"))
    assert closed.json()["status"] == "closed", closed.text
    assert stock_of(engine, sku) == before
    again = ask(world, order, "alice")  # a withdrawn return takes nothing back
    assert again.status_code == 201, again.text


def png(size: int = 0) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    image = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0\0"))
    return image + chunk(b"tEXt", b"x" * size) + chunk(b"IEND", b"")


def test_photos(world, session):
    order = delivered_at(session, world.orders["alice_a"], days_ago=2)
    created = ask(world, order, "alice").json()
    path = f"/api/v1/returns/{created['id']}/photos"
    api, alice = world.api, world.headers("alice")
    big = api.post(path, files={"photo": ("big.png", png(5 * 1024 * 1024), "image/png")},
                   headers=alice)  # fmt: skip
    assert_problem(big, 422, "validation-error")
    assert error_fields(big) == ["photo"] and "5 MB" in big.json()["detail"]
    text = api.post(path, files={"photo": ("a.txt", b"hello", "text/plain")}, headers=alice)
    assert error_fields(text) == ["photo"]
    fake = api.post(path, files={"photo": ("a.png", b"hello", "image/png")}, headers=alice)
    assert error_fields(fake) == ["photo"]
    seller = world.headers("seller_a")
    assert_problem(api.post(path, files={"photo": ("a.png", png(), "image/png")},
                            headers=seller), 403, "forbidden")  # fmt: skip
    ids = []
    for _ in range(5):
        added = api.post(path, files={"photo": ("a.png", png(), "image/png")}, headers=alice)
        assert added.status_code == 201, added.text
        ids.append(added.json()["id"])
    sixth = api.post(path, files={"photo": ("a.png", png(), "image/png")}, headers=alice)
    assert error_fields(sixth) == ["photo"]
    shown = api.get(f"{path}/{ids[0]}", headers=seller)
    assert shown.headers["content-type"] == "image/png" and shown.content == png()
    assert api.get(f"{path}/{ids[0]}", headers=world.headers("seller_b")).status_code == 404
    assert api.get(f"/api/v1/returns/{created['id']}", headers=alice).json()["photos"] == ids


def test_a_missing_item_comes_back_as_nothing_refund_due_or_replacement_sent(
    api: TestClient, session, engine, shop
):
    seller, product, _, seller_headers = shop
    order, headers = delivered_order(
        api, session, engine, seller, product, seller_headers, "fedex", quantity=2
    )
    ids = {}
    for resolution in ("refund", "exchange"):
        asked = api.post(
            f"/api/v1/orders/{order.id}/returns",
            json={"lines": [{"sku": product.sku, "quantity": 1}], "reason": "missing_item",
                  "resolution": resolution},
            headers=headers,
        )  # fmt: skip
        assert asked.json()["status"] == "requested", asked.text
        ids[resolution] = asked.json()["id"]
    approved = api.post(f"/api/v1/returns/{ids['refund']}/approve", headers=seller_headers)
    assert (approved.json()["status"], approved.json()["label"]) == ("refunded", None)
    assert approved.json()["refund_id"] is not None
    before = stock_of(engine, product.sku)
    path = f"/api/v1/returns/{ids['exchange']}"
    assert api.post(f"{path}/approve", headers=seller_headers).json()["status"] == "approved"
    assert stock_of(engine, product.sku) == (before[0], before[1] + 1)
    assert_problem(
        api.post(f"{path}/receive", json={"condition": "sellable"}, headers=seller_headers),
        409,
        "invalid-transition",
    )  # nothing comes back to inspect
    sent = api.post(f"{path}/ship-exchange", headers=seller_headers)
    assert sent.json()["status"] == "exchange_shipped", sent.text
    assert stock_of(engine, product.sku) == (before[0] - 1, before[1])
    deliver_outbox(engine)
    assert told(engine, ids["exchange"]) == ["approved", "exchange_shipped"]
    assert told(engine, ids["refund"]) == ["approved"]
