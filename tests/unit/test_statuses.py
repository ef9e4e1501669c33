"""Every move between order statuses: the allowed ones pass, every other is refused."""

from __future__ import annotations

import itertools

import pytest

from oms_dashboard.domain.errors import InvalidTransition, NotCancellable
from oms_dashboard.domain.statuses import OrderStatus, check_transition

S = OrderStatus

ALLOWED = {
    (S.PENDING_PAYMENT, S.PROCESSING),
    (S.PENDING_PAYMENT, S.PAYMENT_FAILED),
    (S.PAYMENT_FAILED, S.PENDING_PAYMENT),
    (S.PROCESSING, S.SHIPPED),
    (S.SHIPPED, S.IN_TRANSIT),
    (S.SHIPPED, S.DELIVERY_EXCEPTION),
    (S.IN_TRANSIT, S.OUT_FOR_DELIVERY),
    (S.IN_TRANSIT, S.DELIVERY_EXCEPTION),
    (S.OUT_FOR_DELIVERY, S.DELIVERED),
    (S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION),
    (S.DELIVERY_EXCEPTION, S.IN_TRANSIT),
    (S.DELIVERY_EXCEPTION, S.OUT_FOR_DELIVERY),
    (S.DELIVERY_EXCEPTION, S.DELIVERED),
}
NON_CANCEL_PAIRS = [(a, b) for a, b in itertools.product(S, S) if b is not S.CANCELLED]


@pytest.mark.parametrize("current,target", sorted(ALLOWED))
def test_allowed_moves_pass(current, target):
    check_transition(current, target)


@pytest.mark.parametrize(
    "current,target", [pair for pair in NON_CANCEL_PAIRS if pair not in ALLOWED]
)
def test_every_other_move_is_refused_naming_from_and_to(current, target):
    with pytest.raises(InvalidTransition) as err:
        check_transition(current, target)
    assert err.value.from_status == current.value
    assert err.value.to_status == target.value
    assert f"from {current.value} to {target.value}" in str(err.value)


NOT_SHIPPED = [S.PENDING_PAYMENT, S.PAYMENT_FAILED, S.PROCESSING]
SHIPPING = [S.SHIPPED, S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERY_EXCEPTION]


@pytest.mark.parametrize("current", NOT_SHIPPED)
def test_cancel_before_shipping_within_window_or_with_seller_approval(current):
    check_transition(current, S.CANCELLED, within_window=True)
    check_transition(current, S.CANCELLED, seller_approved=True)
    with pytest.raises(NotCancellable, match="seller must approve"):
        check_transition(current, S.CANCELLED)


@pytest.mark.parametrize("current", SHIPPING)
def test_shipped_orders_cannot_be_cancelled_but_admin_may_override(current):
    with pytest.raises(NotCancellable, match="already shipped"):
        check_transition(current, S.CANCELLED, within_window=True, seller_approved=True)
    check_transition(current, S.CANCELLED, admin_override=True)


@pytest.mark.parametrize("current", [S.DELIVERED, S.CANCELLED])
def test_final_orders_cannot_be_cancelled_even_by_admin(current):
    with pytest.raises(NotCancellable, match=f"already {current.value}"):
        check_transition(current, S.CANCELLED, admin_override=True)


def test_unknown_status_is_refused_with_a_clear_message():
    with pytest.raises(InvalidTransition, match="unknown status 'lost'"):
        check_transition("lost", S.PROCESSING)
