"""The admin review queue and the customer's retry after a failed payment."""

from __future__ import annotations

import pytest
from sqlmodel import select

from oms_dashboard.db import session_scope
from oms_dashboard.domain.review import NotHeld
from oms_dashboard.models import AuditEntry, Checkout, Inventory, Order, OutboxMessage
from oms_dashboard.services import payments, review
from oms_dashboard.services.errors import Conflict, Forbidden, ValidationFailed
from tests.factories import make_actor, make_product, make_seller
from tests.fakes import fail_payment, pay
from tests.integration.test_checkout import place, request


@pytest.fixture
def shop(session):
    seller = make_seller(session)
    return {
        "lamp": make_product(session, seller, price_minor=4999, on_hand=20),
        "customer": make_actor(session, "customer"),
        "admin": make_actor(session, "admin"),
    }


def fresh(session, model, key):
    session.rollback()
    session.expire_all()
    return session.get(model, key)


def test_duplicate_is_listed_then_released_to_processing_when_paid(engine, session, shop):
    place(engine, shop["customer"], request((shop["lamp"].sku, 1)), key="a")
    duplicate = place(engine, shop["customer"], request((shop["lamp"].sku, 1)), key="b")
    order_id = duplicate.body["orders"][0]["id"]
    with session_scope(engine) as s:
        held = review.list_held(s, actor=shop["admin"])
        assert [item.order.id for item in held] == [order_id]
        assert held[0].explanation.startswith("Same lines")
    pay(engine, duplicate.body)
    assert fresh(session, Order, order_id).status == "pending_payment"  # paid, still held
    review.release_order(engine, actor=shop["admin"], order_id=order_id)
    order = fresh(session, Order, order_id)
    assert (order.status, order.review_reason) == ("processing", None)
    kinds = [m.kind for m in session.exec(select(OutboxMessage)).all()]
    assert "seller.new_order" in kinds
    assert session.exec(select(AuditEntry).where(AuditEntry.action == "order.release")).one()


def test_cancelling_a_held_order_needs_a_reason_and_releases_stock(engine, session, shop):
    place(engine, shop["customer"], request((shop["lamp"].sku, 2)), key="a")
    duplicate = place(engine, shop["customer"], request((shop["lamp"].sku, 2)), key="b")
    order_id = duplicate.body["orders"][0]["id"]
    with pytest.raises(ValidationFailed) as err:
        review.cancel_held_order(engine, actor=shop["admin"], order_id=order_id, reason=" ")
    assert err.value.errors[0]["field"] == "reason"
    review.cancel_held_order(
        engine, actor=shop["admin"], order_id=order_id, reason="customer double-clicked"
    )
    assert fresh(session, Order, order_id).status == "cancelled"
    assert (
        fresh(session, Inventory, shop["lamp"].sku).reserved == 2
    )  # only the first checkout's hold


def test_only_admins_decide_and_only_held_orders(engine, session, shop):
    first = place(engine, shop["customer"], request((shop["lamp"].sku, 1)), key="a")
    with pytest.raises(Forbidden):
        review.release_order(engine, actor=shop["customer"], order_id=first.body["orders"][0]["id"])
    with pytest.raises(NotHeld) as err:
        review.release_order(engine, actor=shop["admin"], order_id=first.body["orders"][0]["id"])
    assert err.value.code == "not-held"


def test_retry_after_payment_failed_holds_the_stock_again(engine, session, shop):
    placed = place(engine, shop["customer"], request((shop["lamp"].sku, 3)))
    order_id = placed.body["orders"][0]["id"]
    assert fail_payment(engine, placed.body)[-1] == "failed"
    assert fresh(session, Inventory, shop["lamp"].sku).reserved == 0
    payments.retry_payment(engine, actor=shop["customer"], order_id=order_id)
    order = fresh(session, Order, order_id)
    assert (order.status, order.stock_status) == ("pending_payment", "held")
    assert fresh(session, Inventory, shop["lamp"].sku).reserved == 3
    assert fresh(session, Checkout, placed.body["checkout_id"]).payment_status == "pending"


def test_retry_is_refused_when_the_stock_is_gone(engine, session, shop):
    placed = place(engine, shop["customer"], request((shop["lamp"].sku, 15)))
    fail_payment(engine, placed.body)
    other = make_actor(session, "customer")
    place(engine, other, request((shop["lamp"].sku, 10)), key="other")
    with pytest.raises(Conflict) as err:
        payments.retry_payment(
            engine, actor=shop["customer"], order_id=placed.body["orders"][0]["id"]
        )
    assert err.value.type == "insufficient-inventory"
    assert fresh(session, Order, placed.body["orders"][0]["id"]).status == "payment_failed"


def test_retry_needs_a_failed_payment_and_the_owner(engine, session, shop):
    placed = place(engine, shop["customer"], request((shop["lamp"].sku, 1)))
    order_id = placed.body["orders"][0]["id"]
    with pytest.raises(Conflict):
        payments.retry_payment(engine, actor=shop["customer"], order_id=order_id)
    from oms_dashboard.services.errors import NotFound

    with pytest.raises(NotFound):
        payments.retry_payment(engine, actor=make_actor(session, "customer"), order_id=order_id)


def test_stock_lost_after_reservation_flags_the_newest_orders_and_tells_customers(
    engine, session, shop
):
    from oms_dashboard.services.stock_loss import record_stock_loss

    seller_staff = make_actor(session, "seller", seller=_seller(session, shop))
    older = place(engine, shop["customer"], request((shop["lamp"].sku, 6)), key="old")
    newer = place(
        engine, make_actor(session, "customer"), request((shop["lamp"].sku, 6)), key="new"
    )
    loss = record_stock_loss(
        engine, actor=seller_staff, sku=shop["lamp"].sku, quantity=10, reason="water damage"
    )
    assert loss.affected_orders == [newer.body["orders"][0]["id"]]
    stock = fresh(session, Inventory, shop["lamp"].sku)
    assert (stock.on_hand, stock.reserved) == (10, 6)
    flagged = fresh(session, Order, newer.body["orders"][0]["id"])
    assert (flagged.review_reason, flagged.stock_status) == ("stock_lost", "released")
    assert fresh(session, Order, older.body["orders"][0]["id"]).review_reason is None
    lost = [m for m in session.exec(select(OutboxMessage)).all() if m.kind == "customer.stock_lost"]
    assert len(lost) == 1 and lost[0].payload["sku"] == shop["lamp"].sku
    # Released by an admin only once stock is back.
    with pytest.raises(Conflict):
        review.release_order(engine, actor=shop["admin"], order_id=flagged.id)
    with session_scope(engine) as s:
        s.get(Inventory, shop["lamp"].sku).on_hand = 20
    review.release_order(engine, actor=shop["admin"], order_id=flagged.id)
    assert fresh(session, Inventory, shop["lamp"].sku).reserved == 12


def test_stock_loss_input_is_checked(engine, session, shop):
    from oms_dashboard.services.stock_loss import record_stock_loss

    staff = make_actor(session, "seller", seller=_seller(session, shop))
    with pytest.raises(ValidationFailed) as err:
        record_stock_loss(engine, actor=staff, sku=shop["lamp"].sku, quantity=99, reason="")
    assert {e["field"] for e in err.value.errors} == {"quantity", "reason"}
    with pytest.raises(Forbidden):
        record_stock_loss(
            engine,
            actor=make_actor(session, "seller", seller=make_seller(session)),
            sku=shop["lamp"].sku,
            quantity=1,
            reason="x",
        )


def _seller(session, shop):
    from oms_dashboard.models import Seller

    return session.get(Seller, shop["lamp"].seller_id)
