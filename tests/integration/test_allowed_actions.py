"""Honest actions: for every role and every order state, each action the API
advertises in ``allowed_actions`` is called through its endpoint, and works.

A state is the order's status, its review hold, when it was placed (inside or past the
cancellation window) and whether a cancellation request waits; each advertised action
is called on its own fresh order in that state, since one action changes the order."""

from __future__ import annotations

import functools
import itertools
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.domain.cancellation import RequestStatus
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.domain.stock import RESERVED, StockStatus
from oms_dashboard.domain.tracking import ShipmentStatus
from oms_dashboard.ids import new_id
from oms_dashboard.models import CancellationRequest, Checkout, Inventory, Order, Shipment
from oms_dashboard.models.base import utcnow
from tests.factories import make_order, make_product, make_seller, make_user
from tests.integration.api_helpers import api_fixture, login  # noqa: F401

S = OrderStatus
HOLD = {
    S.PENDING_PAYMENT: StockStatus.HELD,
    S.PROCESSING: StockStatus.CONFIRMED,
    S.PAYMENT_FAILED: StockStatus.RELEASED,
    S.CANCELLED: StockStatus.RELEASED,
}
SHIPPED = {s for s in S if s.value in set(ShipmentStatus)}
"""An order past processing has its shipment, in the shipment status of the same name."""
PAYMENT = {S.PENDING_PAYMENT: "pending", S.PAYMENT_FAILED: "failed"}
CALLS = {
    "retry_payment": lambda order_id, sku: (f"/api/v1/orders/{order_id}/payment/retry", None),
    "release_review": lambda order_id, sku: (f"/api/v1/orders/{order_id}/review/release", {}),
    "confirm_receipt": lambda order_id, sku: (f"/api/v1/orders/{order_id}/receipt", None),
    "report_delivery_problem": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/delivery-problem",
        {"problem": "damaged", "note": "checked by the honest-actions test"},
    ),
    "cancel_review": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/review/cancel",
        {"reason": "checked by the honest-actions test"},
    ),
    "cancel": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/cancel",
        {"reason": "changed mind"},
    ),
    "cancel_renewals": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/cancel",
        {"reason": "no more deliveries"},
    ),
    "request_cancellation": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/cancel",
        {"reason": "changed mind"},
    ),
    "approve_cancellation": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/cancellation-request/approve",
        {},
    ),
    "reject_cancellation": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/cancellation-request/reject",
        {"reason": "already packed"},
    ),
    "download_invoice": lambda order_id, sku: (f"/api/v1/orders/{order_id}/invoice.pdf", None),
    "message_seller": lambda order_id, sku: (f"/api/v1/orders/{order_id}/messages", {"body": "Hi"}),
    "message_customer": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/messages",
        {"body": "Hi"},
    ),
    "review_products": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/reviews",
        {"sku": sku, "rating": 5, "body": "Works well."},
    ),
    "request_return": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/returns",
        {"lines": [{"sku": sku, "quantity": 1}], "reason": "changed_mind", "resolution": "refund"},
    ),
    "change_address": lambda order_id, sku: (
        f"/api/v1/orders/{order_id}/address",
        {
            "shipping_address": {
                "name": "Moved Customer",
                "line1": "1 Congress Ave",
                "city": "Austin",
                "region": "TX",
                "postal_code": "78701",
                "country": "US",
            }
        },
    ),
}
READS = {"download_invoice"}
"""Actions that are a GET (the rest are POSTs)."""
ANSWER = {
    "request_cancellation": 202,
    "message_seller": 201,
    "message_customer": 201,
    "request_return": 201,
    "review_products": 201,
}
"""Actions that succeed with another status than 200."""
PLACED = {"in-window": timedelta(minutes=5), "past-window": timedelta(hours=2)}


def consistent_order(
    session, *, customer, seller, product, status, held_for, placed="past-window", request=False
) -> Order:
    """An order as the services would leave it in ``status``: stock, payment, review;
    placed ``placed`` (a ``PLACED`` key), with a cancellation request waiting if asked."""
    order = make_order(
        session,
        customer=customer,
        seller=seller,
        products=[product],
        status=status,
        placed_at=utcnow() - PLACED[placed],
    )
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
    if status is S.DELIVERED:
        order.delivered_at = utcnow()
    if status in SHIPPED:
        session.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=seller.id,
                carrier="fedex",
                service="FEDEX_GROUND",
                tracking_number=new_id("trk"),
                status=status.value,
                next_sync_at=None,
            )
        )
    if request:
        now = utcnow()
        session.add(
            CancellationRequest(
                id=new_id("cxr"),
                order_id=order.id,
                seller_id=seller.id,
                status=RequestStatus.PENDING,
                reason="ordered the wrong size",
                requested_by="test",
                requested_at=now,
                due_at=now + timedelta(hours=24),
            )
        )
    session.commit()
    return order


def states():
    """Every status and hold, placed inside and past the window; a waiting request
    where one can wait (before shipping, past the window)."""
    for status, held_for, placed in itertools.product(S, [None, ReviewReason.DUPLICATE], PLACED):
        yield {"status": status, "held_for": held_for, "placed": placed}
    for status in (S.PROCESSING, S.PENDING_PAYMENT):
        yield {"status": status, "held_for": None, "placed": "past-window", "request": True}


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
    advertised: set[str] = set()
    for state in states():
        make = functools.partial(
            consistent_order, session, customer=customer, seller=seller, product=product, **state
        )
        probe = api.get(f"/api/v1/orders/{make().id}", headers=headers)
        assert probe.status_code == 200, probe.text
        for action in probe.json()["allowed_actions"]:
            order = make()  # one action changes the order: each gets its own
            path, body = CALLS[action](order.id, product.sku)
            if action in READS:
                response = api.get(path, headers=headers)
            else:
                response = api.post(path, json=body, headers=headers)
            expected = ANSWER.get(action, 200)
            assert response.status_code == expected, (role, state, action, response.text)
            advertised.add(action)
    # The test proves something for each role: these at least were offered and worked.
    assert (
        advertised
        >= {
            "customer": {
                "cancel",
                "request_cancellation",
                "retry_payment",
                "download_invoice",
                "request_return",
                "review_products",
                "message_seller",
                "change_address",
            },
            "seller": {"approve_cancellation", "reject_cancellation", "message_customer"},
            "support": {"cancel", "request_cancellation", "download_invoice", "change_address"},
            "admin": {
                "cancel",
                "approve_cancellation",
                "release_review",
                "download_invoice",
                "change_address",
            },
        }[role]
    )
    with Session(engine) as s:
        stock = s.get(Inventory, product.sku)
        assert 0 <= stock.reserved <= stock.on_hand
