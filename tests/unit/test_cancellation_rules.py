"""Who may cancel an order and when: each rule with the words the asker reads."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oms_dashboard.domain.cancellation import (
    CancellationFacts,
    CancellationOutcome,
    answer_errors,
    decide,
    request_due_at,
    request_overdue,
)
from oms_dashboard.domain.errors import CancellationRefused, NotCancellable
from oms_dashboard.domain.statuses import OrderStatus, can_transition

PLACED = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)
Out = CancellationOutcome


def facts(status="processing", minutes=10, **extra) -> CancellationFacts:
    return CancellationFacts(
        status=status, placed_at=PLACED, now=PLACED + timedelta(minutes=minutes), **extra
    )


CASES = [
    # (id, requester, facts, outcome, rule, refund, words in the reason)
    ("customer-in-window", "customer", facts(), Out.CANCEL_NOW, "cancelled-within-window",
     True, "within 1 hour"),
    ("customer-at-the-window-edge", "customer", facts(minutes=60), Out.CANCEL_NOW,
     "cancelled-within-window", True, "refund has started"),
    ("customer-after-window", "customer", facts(minutes=61), Out.REQUEST,
     "cancellation-window-passed", False, "seller decides"),
    ("custom-window-90-minutes", "customer", facts(minutes=80, window_minutes=90),
     Out.CANCEL_NOW, "cancelled-within-window", True, "within 90 minutes"),
    ("request-already-pending", "customer", facts(minutes=200, request_pending=True),
     Out.REFUSED, "cancellation-request-pending", False, "already waiting"),
    ("unpaid-after-window", "customer", facts("pending_payment", minutes=500), Out.CANCEL_NOW,
     "unpaid-order", False, "nothing was paid"),
    ("payment-failed", "customer", facts("payment_failed", minutes=500), Out.CANCEL_NOW,
     "unpaid-order", False, "nothing to refund"),
    ("customer-shipped", "customer", facts("shipped"), Out.REFUSED, "already-shipped", False,
     "you can return it"),
    ("customer-out-for-delivery", "customer", facts("out_for_delivery"), Out.REFUSED,
     "already-shipped", False, "has shipped"),
    ("customer-delivered", "customer", facts("delivered"), Out.REFUSED, "already-delivered",
     False, "you can return it"),
    ("already-cancelled", "admin", facts("cancelled"), Out.REFUSED, "already-cancelled", False,
     "already cancelled"),
    ("digital-downloaded", "customer", facts(digital_delivered=True), Out.REFUSED,
     "digital-already-delivered", False, "downloaded"),
    ("digital-downloaded-admin", "admin", facts(digital_delivered=True), Out.REFUSED,
     "digital-already-delivered", False, "cannot be cancelled"),
    ("subscription", "customer", facts(subscription=True), Out.STOP_RENEWALS,
     "subscription-renewals-only", False, "future renewals"),
    ("subscription-delivered", "customer", facts("delivered", subscription=True),
     Out.STOP_RENEWALS, "subscription-renewals-only", False, "goes ahead"),
    ("subscription-renewals-already-cancelled", "customer",
     facts(subscription=True, renewals_cancelled=True), Out.REFUSED,
     "renewals-already-cancelled", False, "already cancelled"),
    ("support-subscription", "support", facts(minutes=500, subscription=True),
     Out.STOP_RENEWALS, "subscription-renewals-only", False, "future renewals"),
    ("admin-override-in-transit", "admin", facts("in_transit", minutes=5000), Out.CANCEL_NOW,
     "admin-override", True, "override, audited"),
    ("admin-override-exception", "admin", facts("delivery_exception"), Out.CANCEL_NOW,
     "admin-override", True, "delivery exception"),
    ("admin-override-unpaid", "admin", facts("pending_payment"), Out.CANCEL_NOW,
     "admin-override", False, "pending payment"),
    ("admin-subscription", "admin", facts(subscription=True), Out.CANCEL_NOW, "admin-override",
     True, "override"),
    ("admin-delivered", "admin", facts("delivered"), Out.REFUSED, "already-delivered", False,
     "delivered"),
    ("support-for-customer-in-window", "support", facts(), Out.CANCEL_NOW,
     "cancelled-within-window", True, "refund"),
    ("support-for-customer-after-window", "support", facts(minutes=120), Out.REQUEST,
     "cancellation-window-passed", False, "seller"),
    ("seller", "seller", facts(), Out.REFUSED, "seller-answers-requests", False,
     "approve or reject"),
]  # fmt: skip


@pytest.mark.parametrize(
    "requester,order,outcome,rule,refund,words",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_cancellation_rule(requester, order, outcome, rule, refund, words):
    decision = decide(order, requester=requester)
    assert (decision.outcome, decision.rule, decision.refund) == (outcome, rule, refund)
    assert words in decision.reason
    assert decision.audited == (rule == "admin-override")


@pytest.mark.parametrize(
    "status,offer_return",
    [("shipped", True), ("delivered", True), ("cancelled", False)],
)
def test_a_refusal_points_to_a_return_when_one_can_follow(status, offer_return):
    assert decide(facts(status), requester="customer").offer_return is offer_return


def test_a_refusal_raises_not_cancellable_naming_the_rule():
    with pytest.raises(CancellationRefused) as refused:
        decide(facts("shipped"), requester="customer").check("shipped")
    assert isinstance(refused.value, NotCancellable)
    assert refused.value.code == "not-cancellable"
    assert refused.value.rule == "already-shipped"
    assert (refused.value.from_status, refused.value.to_status) == ("shipped", "cancelled")
    assert decide(facts(), requester="customer").check("processing").cancels_now


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_an_immediate_cancel_is_one_the_status_table_allows(case):
    _, requester, order, outcome, rule, *_ = case
    if outcome is not Out.CANCEL_NOW:
        return
    assert can_transition(
        OrderStatus(order.status),
        OrderStatus.CANCELLED,
        within_window=rule in ("cancelled-within-window", "unpaid-order"),
        admin_override=rule == "admin-override",
    )


@pytest.mark.parametrize(
    "hours_later,sla,overdue",
    [(0, 24, False), (23.9, 24, False), (24, 24, True), (30, 24, True), (5, 4, True)],
    ids=["just-asked", "almost", "at-the-sla", "past", "short-sla"],
)
def test_an_unanswered_request_escalates_after_the_sellers_sla(hours_later, sla, overdue):
    asked = PLACED + timedelta(hours=2)
    assert request_overdue(asked, asked + timedelta(hours=hours_later), sla) is overdue
    assert request_due_at(asked, sla) == asked + timedelta(hours=sla)


def test_a_negative_sla_is_refused():
    with pytest.raises(ValueError, match="negative"):
        request_due_at(PLACED, -1)


@pytest.mark.parametrize(
    "approve,reason,errors",
    [
        (True, None, []),
        (False, "Already packed", []),
        (False, "  ", [{"field": "reason", "message": "say why the cancellation is rejected"}]),
        (False, None, [{"field": "reason", "message": "say why the cancellation is rejected"}]),
    ],
    ids=["approve", "reject-with-reason", "reject-blank", "reject-without"],
)
def test_a_rejection_must_say_why(approve, reason, errors):
    assert answer_errors(approve=approve, reason=reason) == errors
