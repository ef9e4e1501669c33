"""The customer-service actions each role will be offered once their pages land;
none of them is listed by ``allowed_actions`` before then. Cancelling and the invoice
have landed: ``allowed_actions`` offers them (the last tests here)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from oms_dashboard.domain.actions import OrderAction, allowed_actions, service_actions
from oms_dashboard.domain.cancellation import CancellationFacts, decide
from oms_dashboard.domain.payment import PaymentStatus
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.statuses import OrderStatus

PLACED = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
ROLES = ("customer", "seller", "support", "admin")
SERVICE = {
    OrderAction.REQUEST_REFUND,
    OrderAction.OPEN_TICKET,
}


def offered(role, status, minutes=10, **extra):
    facts = {"paid": status not in ("pending_payment", "payment_failed"), **extra}
    return service_actions(role=role, status=status, **facts)


CASES = [
    ("customer-in-window", ("customer", "processing"), {"refundable_left_minor": 5_000},
     ["open_ticket"]),
    ("customer-after-window", ("customer", "processing", 120), {"refundable_left_minor": 5_000},
     ["open_ticket"]),
    ("customer-unpaid", ("customer", "pending_payment"), {},
     ["open_ticket"]),
    ("customer-in-transit", ("customer", "in_transit"), {"refundable_left_minor": 5_000},
     ["request_refund", "open_ticket"]),
    ("customer-delivered", ("customer", "delivered"),
     {"refundable_left_minor": 5_000},
     ["request_refund", "open_ticket"]),
    ("customer-delivered-done", ("customer", "delivered"),
     {"refundable_left_minor": 0},
     ["open_ticket"]),
    ("customer-cancelled", ("customer", "cancelled"), {},
     ["open_ticket"]),
    ("seller-request-pending", ("seller", "processing", 120),
     {"refundable_left_minor": 5_000},
     ["request_refund", "open_ticket"]),
    ("seller-no-request", ("seller", "processing", 120), {},
     ["open_ticket"]),
    ("support-after-window", ("support", "processing", 120), {"refundable_left_minor": 1},
     ["request_refund", "open_ticket"]),
    ("admin-in-transit", ("admin", "in_transit"),
     {"refundable_left_minor": 5_000},
     ["request_refund", "open_ticket"]),
    ("admin-delivered", ("admin", "delivered"), {},
     ["open_ticket"]),
]  # fmt: skip


@pytest.mark.parametrize(
    "who,extra,expected", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_the_service_actions_each_role_is_offered(who, extra, expected):
    assert offered(*who, **extra) == expected


def cancelling(role, status, minutes=10, **extra):
    cancellation = decide(
        CancellationFacts(status, PLACED, PLACED + timedelta(minutes=minutes)), requester=role
    )
    return allowed_actions(
        role=role,
        status=status,
        payment_status="authorized",
        review_reason=None,
        cancellation=cancellation,
        **extra,
    )


CANCELLING = [
    ("customer-in-window", ("customer", "processing"), {"paid": True},
     ["cancel", "download_invoice", "message_seller"]),
    ("customer-after-window", ("customer", "processing", 120), {},
     ["request_cancellation", "message_seller"]),
    ("customer-unpaid", ("customer", "pending_payment", 500), {},
     ["cancel", "message_seller"]),
    ("customer-shipped", ("customer", "shipped"), {"paid": True},
     ["download_invoice", "message_seller"]),
    ("seller-request-pending", ("seller", "processing", 120),
     {"cancellation_request_pending": True},
     ["approve_cancellation", "reject_cancellation", "message_customer"]),
    ("seller-no-request", ("seller", "processing", 120), {}, ["message_customer"]),
    ("support-after-window", ("support", "processing", 120), {}, ["request_cancellation"]),
    ("admin-in-transit", ("admin", "in_transit"), {"cancellation_request_pending": True},
     ["cancel", "approve_cancellation", "reject_cancellation"]),
    ("admin-delivered", ("admin", "delivered"), {"paid": True, "returnable": True},
     ["download_invoice"]),
    ("customer-delivered", ("customer", "delivered"),
     {"paid": True, "returnable": True, "delivery_settled": True},
     ["download_invoice", "request_return", "message_seller"]),
    ("customer-to-review", ("customer", "delivered"),
     {"reviewable": True, "delivery_settled": True}, ["review_products", "message_seller"]),
    ("customer-not-delivered-yet", ("customer", "in_transit"), {"reviewable": True},
     ["message_seller"]),
    ("customer-nothing-to-return", ("customer", "delivered"),
     {"returnable": False, "delivery_settled": True},
     ["message_seller"]),
    ("customer-address", ("customer", "processing", 120),
     {"paid": True, "address_changeable": True},
     ["request_cancellation", "change_address", "download_invoice", "message_seller"]),
    ("support-address", ("support", "processing", 120), {"address_changeable": True},
     ["request_cancellation", "change_address"]),
    ("admin-address", ("admin", "processing", 120), {"address_changeable": True},
     ["cancel", "change_address"]),
    ("seller-address", ("seller", "processing", 120), {"address_changeable": True},
     ["message_customer"]),
]  # fmt: skip


@pytest.mark.parametrize(
    "who,extra,expected", [c[1:] for c in CANCELLING], ids=[c[0] for c in CANCELLING]
)
def test_cancelling_and_the_invoice_are_offered_by_allowed_actions(who, extra, expected):
    assert cancelling(*who, **extra) == expected


def test_without_a_cancellation_decision_no_cancel_is_offered():
    actions = allowed_actions(
        role="customer", status="processing", payment_status="authorized", review_reason=None
    )
    assert "cancel" not in actions and "request_cancellation" not in actions


@pytest.mark.parametrize(
    "role,status,payment,reason",
    list(itertools.product(ROLES, OrderStatus, PaymentStatus, [None, *ReviewReason])),
)
def test_no_service_action_is_listed_before_its_endpoint(role, status, payment, reason):
    listed = allowed_actions(role=role, status=status, payment_status=payment, review_reason=reason)
    assert not set(listed) & {a.value for a in SERVICE}
