"""Which order actions each role is offered: only those that work now, by role and state."""

from __future__ import annotations

import itertools

import pytest

from oms_dashboard.domain.actions import OrderAction, allowed_actions
from oms_dashboard.domain.payment import PaymentStatus
from oms_dashboard.domain.review import ReviewReason
from oms_dashboard.domain.statuses import OrderStatus

ROLES = ("customer", "seller", "support", "admin")


THREAD = {"message_seller", "message_customer"}
"""Offered to the two parties at every status: left out where a test is about the rest."""


def actions(role, status, payment="authorized", reason=None):
    offered = allowed_actions(
        role=role, status=status, payment_status=payment, review_reason=reason
    )
    return [action for action in offered if action not in THREAD]


def test_the_customer_and_the_seller_write_in_the_thread_and_staff_do_not():
    def thread(role):
        offered = allowed_actions(
            role=role, status="processing", payment_status="authorized", review_reason=None
        )
        return set(offered) & THREAD

    assert thread("customer") == {"message_seller"}
    assert thread("seller") == {"message_customer"}
    assert thread("support") == thread("admin") == set()


def test_a_customer_retries_only_a_failed_payment():
    assert actions("customer", "payment_failed", payment="failed") == ["retry_payment"]
    for payment in ("pending", "needs_action", "authorized"):
        assert actions("customer", "payment_failed", payment=payment) == []
    assert actions("customer", "pending_payment", payment="failed") == []


def test_an_admin_decides_held_orders_only():
    assert actions("admin", "processing", reason="duplicate") == [
        "release_review",
        "cancel_review",
    ]
    assert actions("admin", "processing") == []
    assert actions("support", "processing", reason="duplicate") == []


@pytest.mark.parametrize(
    "role,status,payment,reason",
    list(itertools.product(ROLES, OrderStatus, PaymentStatus, [None, *ReviewReason])),
)
def test_nothing_is_offered_that_has_no_endpoint_yet(role, status, payment, reason):
    offered = allowed_actions(
        role=role, status=status, payment_status=payment, review_reason=reason
    )
    assert set(offered) <= {a.value for a in OrderAction}
    assert len(offered) == len(set(offered))
