"""Honest actions: for every role and every order state, each action the API
advertises in ``allowed_actions`` is called through its endpoint, and works."""

from __future__ import annotations

import itertools

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import RESERVED, StockStatus
from oms_dashboard.models import Checkout, Inventory, Order
from tests.factories import make_order, make_product, make_seller, make_user
from tests.integration.api_helpers import api_fixture, login  # noqa: F401

S = OrderStatus
HOLD = {
    S.PENDING_PAYMENT: StockStatus.HELD,
    S.PROCESSING: StockStatus.CONFIRMED,
    S.PAYMENT_FAILED: StockStatus.RELEASED,
    S.CANCELLED: StockStatus.RELEASED,
}
PAYMENT = {S.PENDING_PAYMENT: "pending", S.PAYMENT_FAILED: "failed"}
CALLS = {
    "retry_payment": lambda order_id: (f"/api/v1/orders/{order_id}/payment/retry", None),
    "release_review": lambda order_id: (f"/api/v1/orders/{order_id}/review/release", {}),
    "confirm_receipt": lambda order_id: (f"/api/v1/orders/{order_id}/receipt", None),
    "report_delivery_problem": lambda order_id: (
        f"/api/v1/orders/{order_id}/delivery-problem",
        {"problem": "damaged", "note": "checked by the honest-actions test"},
    ),
    "cancel_review": lambda order_id: (
        f"/api/v1/orders/{order_id}/review/cancel",
        {"reason": "checked by the honest-actions test"},
    ),
}


def consistent_order(session, *, customer, seller, product, status, held_for) -> Order:
    """An order as the services would leave it in ``status``: stock, payment, review."""
    order = make_order(session, customer=customer, seller=seller, products=[product], status=status)
    order.stock_status = HOLD.get(status, StockStatus.FULFILLED)
    order.review_reason = held_for
    checkout = session.get(Checkout, order.checkout_id)
    checkout.payment_status = PAYMENT.get(status, "authorized")
    checkout.status = {"failed": "payment_failed", "pending": "pending_payment"}.get(
        checkout.payment_status, "paid"
    )
    if order.stock_status in RESERVED:
        session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == product.sku)
            .values(reserved=Inventory.reserved + 1)
        )
    session.add_all([order, checkout])
    session.commit()
    return order


@pytest.mark.parametrize("role", ["customer", "seller", "support", "admin"])
def test_every_advertised_action_works_for_every_state(api, session, engine, role):
    seller = make_seller(session)
    product = make_product(session, seller, on_hand=500)
    customer_user = make_user(session, "customer")
    from oms_dashboard.services.auth import actor_for_user

    customer = actor_for_user(session, customer_user)
    caller = {
        "customer": customer_user,
        "seller": make_user(session, "seller", seller=seller),
        "support": make_user(session, "support"),
        "admin": make_user(session, "admin"),
    }[role]
    headers = login(api, caller)
    advertised = 0
    for status, held_for in itertools.product(S, [None, ReviewReason.DUPLICATE]):
        order = consistent_order(
            session,
            customer=customer,
            seller=seller,
            product=product,
            status=status,
            held_for=held_for,
        )
        detail = api.get(f"/api/v1/orders/{order.id}", headers=headers)
        assert detail.status_code == 200, detail.text
        for action in detail.json()["allowed_actions"]:
            path, body = CALLS[action](order.id)
            response = api.post(path, json=body, headers=headers)
            assert response.status_code == 200, (role, status, held_for, action, response.text)
            advertised += 1
            break  # one action changes the order; the next state gets its own order
    if role in ("customer", "admin"):
        assert advertised > 0  # the test proves something for those who have actions
    with Session(engine) as s:
        stock = s.get(Inventory, product.sku)
        assert 0 <= stock.reserved <= stock.on_hand
