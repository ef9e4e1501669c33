"""Returns: who may ask, who approves, and what the inspection means for stock
and the refund."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oms_dashboard.domain.errors import NotReturnable
from oms_dashboard.domain.returns import (
    RETURN,
    Inspection,
    ReturnFacts,
    ReturnLine,
    ReturnOutcome,
    ReturnStatus,
    after_inspection,
    answer_errors,
    decide_return,
    holds_replacement,
    inspect,
    needs_label,
)

DELIVERED = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)
MUG = ReturnLine("MUG", 1, bought=2)
Out = ReturnOutcome


def facts(reason="changed_mind", days=3, status="delivered", lines=(MUG,), **extra) -> ReturnFacts:
    return ReturnFacts(
        order_status=status,
        delivered_at=DELIVERED if status == "delivered" else None,
        now=DELIVERED + timedelta(days=days),
        lines=lines,
        reason=reason,
        **extra,
    )


CASES = [
    # (id, facts, outcome, rule, needs_label, words)
    ("changed-mind", facts(), Out.SELLER_DECIDES, "seller-decides", True, "seller reviews"),
    ("damaged", facts("damaged"), Out.APPROVED, "damaged-approved", True, "label is ready"),
    ("wrong-item", facts("wrong_item"), Out.APPROVED, "wrong-item-approved", True,
     "a wrong item is taken back"),
    ("missing-item", facts("missing_item"), Out.SELLER_DECIDES, "seller-decides", False,
     "seller reviews"),
    ("not-as-described", facts("not_as_described"), Out.SELLER_DECIDES, "seller-decides", True,
     "seller"),
    ("other", facts("other"), Out.SELLER_DECIDES, "seller-decides", True, "seller"),
    ("last-day-of-window", facts(days=30), Out.SELLER_DECIDES, "seller-decides", True, "seller"),
    ("seller-window-longer", facts(days=45, seller_window_days=60), Out.SELLER_DECIDES,
     "seller-decides", True, "seller"),
    ("window-passed", facts(days=31), Out.REFUSED, "return-window-passed", False,
     "30-day return window closed on 31 Mar 2025"),
    ("seller-window-shorter", facts(days=10, seller_window_days=7), Out.REFUSED,
     "return-window-passed", False, "7-day"),
    ("damaged-but-window-passed", facts("damaged", days=40), Out.REFUSED,
     "return-window-passed", False, "closed"),
    ("in-transit", facts(status="in_transit"), Out.REFUSED, "not-delivered", False,
     "once the order is delivered"),
    ("delivery-exception", facts(status="delivery_exception"), Out.REFUSED, "not-delivered",
     False, "delivered"),
    ("digital", facts("wrong_item", lines=(ReturnLine("EBOOK", 1, 1, digital=True),)),
     Out.REFUSED, "digital-not-returnable", False, "ask for a refund"),
    ("more-than-bought", facts(lines=(ReturnLine("MUG", 3, bought=2),)), Out.REFUSED,
     "return-exceeds-bought", False, "MUG: 3 asked, 2 of 2 left"),
    ("already-returned", facts(lines=(ReturnLine("MUG", 1, 2, already_returned=2),)),
     Out.REFUSED, "return-exceeds-bought", False, "0 of 2 left"),
    ("changed-mind-used", facts(condition="damaged"), Out.REFUSED, "changed-mind-needs-unused",
     False, "unused"),
    ("damaged-item-damaged", facts("damaged", condition="damaged"), Out.APPROVED,
     "damaged-approved", True, "Approved"),
]  # fmt: skip


@pytest.mark.parametrize(
    "order,outcome,rule,needs_label,words",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_return_rule(order, outcome, rule, needs_label, words):
    decision = decide_return(order)
    assert (decision.outcome, decision.rule, decision.needs_label) == (outcome, rule, needs_label)
    assert words in decision.reason
    assert decision.allowed is (outcome is not Out.REFUSED)


def test_a_refusal_raises_not_returnable_naming_the_rule():
    with pytest.raises(NotReturnable, match="return window closed") as refused:
        decide_return(facts(days=31)).check()
    assert (refused.value.code, refused.value.rule) == ("not-returnable", "return-window-passed")
    assert decide_return(facts("damaged")).check().allowed


@pytest.mark.parametrize(
    "resolution,reserve", [("refund", False), ("exchange", True)], ids=["refund", "exchange"]
)
def test_an_exchange_reserves_its_replacement_at_approval(resolution, reserve):
    assert decide_return(facts("damaged", resolution=resolution)).reserve_replacement is reserve


def test_the_window_end_is_told():
    assert decide_return(facts()).window_ends_at == DELIVERED + timedelta(days=30)


@pytest.mark.parametrize(
    "reason,condition,restock,settles,rule",
    [
        ("changed_mind", "sellable", True, True, "inspected-sellable"),
        ("wrong_item", "sellable", True, True, "inspected-sellable"),
        ("damaged", "damaged", False, True, "damage-as-reported"),
        ("not_as_described", "damaged", False, True, "damage-as-reported"),
        ("wrong_item", "damaged", False, True, "damage-as-reported"),
        ("changed_mind", "damaged", False, False, "damage-not-reported"),
        ("other", "damaged", False, False, "damage-not-reported"),
    ],
    ids=["sellable-change-of-mind", "sellable-wrong-item", "damage-reported",
         "not-as-described-damaged", "wrong-item-damaged", "customer-damaged-it",
         "other-damaged"],
)  # fmt: skip
def test_what_the_inspection_means(reason, condition, restock, settles, rule):
    result = inspect(reason, condition)
    assert (result.restock, result.settles, result.rule) == (restock, settles, rule)


@pytest.mark.parametrize(
    "resolution,settles,status",
    [("refund", True, ReturnStatus.REFUND_DUE), ("exchange", True, ReturnStatus.EXCHANGE_SHIPPED),
     ("refund", False, ReturnStatus.INSPECTED), ("exchange", False, ReturnStatus.INSPECTED)],
    ids=["refund", "exchange", "refund-for-a-person", "exchange-for-a-person"],
)  # fmt: skip
def test_where_an_inspected_return_goes(resolution, settles, status):
    inspection = Inspection(True, settles, inspect("other", "sellable").rule, "")
    target = after_inspection(resolution, inspection)
    assert target is status
    assert target is ReturnStatus.INSPECTED or RETURN.allows(ReturnStatus.INSPECTED, target)


@pytest.mark.parametrize(
    "approve,reason,refused",
    [(True, None, False), (False, "Worn", False), (False, "", True)],
    ids=["approve", "reject-with-reason", "reject-without"],
)
def test_a_return_rejection_must_say_why(approve, reason, refused):
    assert bool(answer_errors(approve=approve, reason=reason)) is refused


@pytest.mark.parametrize(
    "reason,label",
    [("damaged", True), ("wrong_item", True), ("missing_item", False),
     ("not_as_described", True), ("changed_mind", True), ("other", True)],
)  # fmt: skip
def test_what_needs_a_return_label(reason, label):
    assert needs_label(reason) is label


@pytest.mark.parametrize("status", list(ReturnStatus))
@pytest.mark.parametrize("resolution", ["refund", "exchange"])
def test_when_the_replacement_is_held(resolution, status):
    held = {"approved", "label_created", "in_transit", "received", "inspected"}
    assert holds_replacement(resolution, status) is (resolution == "exchange" and status in held)
