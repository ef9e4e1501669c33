"""Every lifecycle besides order status: each allowed move passes, every other one
is refused with an error naming what refused and both ends."""

from __future__ import annotations

import itertools

import pytest

from oms_dashboard.domain.errors import InvalidTransition
from oms_dashboard.domain.payment import (
    CHECKOUT_STATUS,
    PAYMENT,
    VERIFICATION,
    CheckoutStatus,
    PaymentStatus,
    VerificationOutcome,
)
from oms_dashboard.domain.review import NotHeld, ReviewReason, check_release, should_flag
from oms_dashboard.domain.stock import STOCK_HOLD, StockStatus

P, H, V = PaymentStatus, StockStatus, VerificationOutcome

ALLOWED = {
    PAYMENT: {
        (P.PENDING, P.AUTHORIZED),
        (P.PENDING, P.NEEDS_ACTION),
        (P.PENDING, P.FAILED),
        (P.NEEDS_ACTION, P.AUTHORIZED),
        (P.NEEDS_ACTION, P.FAILED),
        (P.FAILED, P.PENDING),
    },
    STOCK_HOLD: {
        (H.HELD, H.CONFIRMED),
        (H.HELD, H.RELEASED),
        (H.CONFIRMED, H.RELEASED),
        (H.CONFIRMED, H.FULFILLED),
        (H.RELEASED, H.HELD),
        (H.RELEASED, H.CONFIRMED),
    },
    VERIFICATION: {(V.RECEIVED, outcome) for outcome in V if outcome is not V.RECEIVED},
}
PAIRS = [
    (lifecycle, current, target)
    for lifecycle in ALLOWED
    for current, target in itertools.product(lifecycle.states, lifecycle.states)
]


@pytest.mark.parametrize("lifecycle,current,target", PAIRS)
def test_each_move_is_allowed_or_refused_by_the_table(lifecycle, current, target):
    if (current, target) in ALLOWED[lifecycle]:
        assert lifecycle.check(current, target) is target
        return
    with pytest.raises(InvalidTransition) as refused:
        lifecycle.check(current, target)
    assert (refused.value.from_status, refused.value.to_status) == (current, target)
    assert str(refused.value).startswith(f"{lifecycle.subject} cannot move from {current}")


@pytest.mark.parametrize("lifecycle", list(ALLOWED))
def test_an_unknown_state_is_refused_by_name(lifecycle):
    with pytest.raises(InvalidTransition, match="unknown"):
        lifecycle.check("teleported", next(iter(lifecycle.states)))


def test_the_checkout_status_follows_the_payment():
    assert set(CHECKOUT_STATUS) == set(P)
    assert set(CHECKOUT_STATUS.values()) == set(CheckoutStatus)
    assert CHECKOUT_STATUS[P.AUTHORIZED] is CheckoutStatus.PAID


def test_a_review_keeps_its_first_reason_and_release_needs_one():
    assert should_flag(None) and not should_flag(ReviewReason.DUPLICATE)
    assert check_release("stock_lost") is ReviewReason.STOCK_LOST
    with pytest.raises(NotHeld, match="not held for review"):
        check_release(None)


def test_every_review_reason_has_words_for_staff_and_customers():
    for reason in ReviewReason:
        assert reason.label and reason.explain("admin") and reason.explain("customer")
        assert reason.explain("customer") != reason.explain("admin")
