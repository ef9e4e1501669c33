"""Placing checkouts: split per seller, priced, stock held, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from oms_dashboard.models import (
    Checkout,
    Inventory,
    Order,
    OrderEvent,
    OrderLine,
    OutboxMessage,
)
from oms_dashboard.services.checkout import CheckoutLine, CheckoutRequest, place_checkout
from oms_dashboard.services.errors import Conflict, ValidationFailed
from tests.factories import make_actor, make_product, make_seller

ADDRESS = {
    "name": "Ada Lovelace",
    "line1": "1600 Amphitheatre Pkwy",
    "city": "Mountain View",
    "region": "CA",
    "postal_code": "94043",
    "country": "US",
}


def request(*lines, address=ADDRESS, service_level="standard"):
    return CheckoutRequest(
        lines=[CheckoutLine(sku, qty) for sku, qty in lines],
        shipping_address=dict(address),
        service_level=service_level,
    )


def place(engine, actor, req, key="key-1"):
    return place_checkout(engine, actor=actor, idempotency_key=key, request=req)


def reserved(session, sku):
    session.rollback()  # end the test's read transaction to see what others committed
    session.expire_all()
    return session.get(Inventory, sku).reserved


def count(session, model):
    session.rollback()
    session.expire_all()
    return session.exec(select(sa.func.count()).select_from(model)).one()


@pytest.fixture
def shop(session):
    austin = make_seller(session, name="Austin Outfitters")
    boston = make_seller(
        session, name="Boston Books", city="Boston", region="MA", postal_code="02108"
    )
    return {
        "austin": austin,
        "boston": boston,
        "lamp": make_product(
            session, austin, title="Brass desk lamp", price_minor=4999, on_hand=10
        ),
        "bulb": make_product(session, austin, title="LED bulb", price_minor=399, on_hand=50),
        "book": make_product(
            session, boston, title="Field guide to birds", price_minor=2450, on_hand=3
        ),
        "customer": make_actor(session, "customer"),
    }


def test_one_order_per_seller_totals_add_up_and_stock_is_held(engine, session, shop):
    result = place(
        engine,
        shop["customer"],
        request((shop["lamp"].sku, 1), (shop["bulb"].sku, 4), (shop["book"].sku, 2)),
    )
    body = result.body
    assert body["status"] == "pending_payment" and len(body["orders"]) == 2
    by_seller = {o["seller_id"]: o for o in body["orders"]}
    austin = by_seller[shop["austin"].id]
    assert austin["subtotal"] == "65.95"  # 49.99 + 4 x 3.99
    assert {(line["sku"], line["quantity"], line["line_total"]) for line in austin["lines"]} == {
        (shop["lamp"].sku, 1, "49.99"),
        (shop["bulb"].sku, 4, "15.96"),
    }
    from decimal import Decimal

    assert Decimal(body["total"]) == sum(Decimal(o["total"]) for o in body["orders"])
    for order in body["orders"]:
        assert Decimal(order["total"]) == Decimal(order["subtotal"]) + Decimal(
            order["shipping_cost"]
        )
        assert order["estimated_delivery"] is not None and order["status"] == "pending_payment"
    assert reserved(session, shop["lamp"].sku) == 1
    assert reserved(session, shop["bulb"].sku) == 4
    assert reserved(session, shop["book"].sku) == 2
    events = session.exec(select(OrderEvent).where(OrderEvent.type == "order.placed")).all()
    assert len(events) == 2
    # Each line carries its order's placing time (a search's newest-first walk of lines).
    placed = {o.id: o.placed_at for o in session.exec(select(Order)).all()}
    lines = session.exec(select(OrderLine)).all()
    assert len(lines) == 3 and all(line.placed_at == placed[line.order_id] for line in lines)


def test_same_key_same_body_replays_the_first_answer(engine, session, shop):
    req = request((shop["book"].sku, 1))
    first = place(engine, shop["customer"], req)
    again = place(engine, shop["customer"], req)
    assert again.replayed and again.body == first.body
    assert count(session, Checkout) == 1 and reserved(session, shop["book"].sku) == 1


def test_same_key_other_body_is_a_conflict(engine, session, shop):
    place(engine, shop["customer"], request((shop["book"].sku, 1)))
    with pytest.raises(Conflict) as err:
        place(engine, shop["customer"], request((shop["book"].sku, 2)))
    assert err.value.type == "idempotency-key-reused"
    assert reserved(session, shop["book"].sku) == 1


def test_not_enough_stock_writes_nothing_and_offers_alternatives(engine, session, shop):
    make_product(session, shop["boston"], title="Pocket guide to birds", on_hand=9)
    with pytest.raises(Conflict) as err:
        place(engine, shop["customer"], request((shop["lamp"].sku, 1), (shop["book"].sku, 4)))
    problem = err.value
    assert problem.type == "insufficient-inventory"
    assert (problem.extra["sku"], problem.extra["requested"], problem.extra["available"]) == (
        shop["book"].sku,
        4,
        3,
    )
    assert "Pocket guide to birds" in [a["title"] for a in problem.extra["alternatives"]]
    assert count(session, Checkout) == 0 and count(session, Order) == 0
    assert reserved(session, shop["lamp"].sku) == 0


@pytest.mark.parametrize(
    "lines,address,field",
    [
        ((("NOPE", 1),), ADDRESS, "lines[0].sku"),
        ((("LAMP", 0),), ADDRESS, "lines[0].quantity"),
        ((("LAMP", 1),), {**ADDRESS, "postal_code": "9404"}, "shipping_address.postal_code"),
        ((("LAMP", 1),), {**ADDRESS, "postal_code": "10001"}, "shipping_address.postal_code"),
        ((("LAMP", 1),), {**ADDRESS, "city": ""}, "shipping_address.city"),
        ((), ADDRESS, "lines"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(engine, session, shop, lines, address, field):
    lines = [(shop["lamp"].sku if sku == "LAMP" else sku, qty) for sku, qty in lines]
    with pytest.raises(ValidationFailed) as err:
        place(engine, shop["customer"], request(*lines, address=address))
    assert field in [e["field"] for e in err.value.errors]
    assert count(session, Checkout) == 0 and reserved(session, shop["lamp"].sku) == 0


def test_lines_in_two_currencies_are_refused(engine, session, shop):
    toronto = make_seller(
        session, country="CA", city="Toronto", region="ON", postal_code="M5V 2T6", currency="CAD"
    )
    maple = make_product(session, toronto, currency="CAD", hs_code="210690")
    with pytest.raises(ValidationFailed) as err:
        place(engine, shop["customer"], request((shop["lamp"].sku, 1), (maple.sku, 1)))
    assert any(e["field"] == "lines" and "one currency" in e["message"] for e in err.value.errors)


def test_crossing_a_border_without_customs_data_is_refused(engine, session, shop):
    toronto = make_seller(
        session, country="CA", city="Toronto", region="ON", postal_code="M5V 2T6", currency="USD"
    )
    no_hs = make_product(session, toronto, hs_code=None)
    with pytest.raises(ValidationFailed) as err:
        place(engine, shop["customer"], request((no_hs.sku, 1)))
    assert err.value.errors[0]["field"] == "lines[0].sku"
    assert count(session, Checkout) == 0


def test_same_lines_again_within_minutes_is_flagged_for_review(engine, session, shop):
    place(engine, shop["customer"], request((shop["bulb"].sku, 2)), key="a")
    second = place(engine, shop["customer"], request((shop["bulb"].sku, 2)), key="b")
    assert second.body["orders"][0]["review_reason"] == "duplicate"
    session.rollback()
    flagged = session.exec(select(OrderEvent).where(OrderEvent.type == "order.flagged")).all()
    assert len(flagged) == 1


def test_same_lines_after_the_window_or_from_another_customer_are_not_flagged(
    engine, session, shop
):
    someone_else = make_actor(session, "customer")
    first = place(engine, shop["customer"], request((shop["bulb"].sku, 2)), key="a")
    with engine.begin() as conn:  # the policy's 10 minutes and one more have passed
        conn.execute(
            sa.update(Checkout)
            .where(Checkout.id == first.body["checkout_id"])
            .values(created_at=datetime.now(UTC) - timedelta(minutes=11))
        )
    later = place(engine, shop["customer"], request((shop["bulb"].sku, 2)), key="b")
    other = place(engine, someone_else, request((shop["bulb"].sku, 2)), key="c")
    again = place(engine, shop["customer"], request((shop["bulb"].sku, 2)), key="d")
    assert later.body["orders"][0]["review_reason"] is None
    assert other.body["orders"][0]["review_reason"] is None
    assert again.body["orders"][0]["review_reason"] == "duplicate"  # of "b", minutes ago


def test_low_stock_alert_once_per_crossing(engine, session, shop):
    # threshold 5 (seller default); 10 on hand
    place(engine, shop["customer"], request((shop["lamp"].sku, 6)), key="a")  # 4 left: alert
    place(engine, shop["customer"], request((shop["lamp"].sku, 1)), key="b")  # 3 left: no new alert
    session.rollback()
    alerts = session.exec(
        select(OutboxMessage).where(OutboxMessage.kind == "seller.low_stock")
    ).all()
    assert len(alerts) == 1
    assert alerts[0].payload["sku"] == shop["lamp"].sku and alerts[0].payload["available"] == 4
