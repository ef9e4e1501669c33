"""Refunds: what is left to refund, what a request comes to, approved by rule or
by a person, and when the money must be back. Never more than was paid."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from oms_dashboard.domain import refunds as refund_rules
from oms_dashboard.domain.errors import RefundExceedsPaid, Refused
from oms_dashboard.domain.refunds import (
    LineRequest,
    PaidLine,
    RefundStatus,
    can_decide,
    decide_refund,
    refund_amount,
    refund_due_at,
    refund_overdue,
    refundable_left,
    request_errors,
)

NOW = datetime(2025, 3, 5, 12, 0, tzinfo=UTC)  # a Wednesday
LINES = [PaidLine("MUG", 2, 1_250), PaidLine("TEA", 3, 800, refunded_quantity=1)]
SHIPPING = 500
PAID = 2 * 1_250 + 3 * 800 + SHIPPING  # 5,400


@pytest.mark.parametrize(
    "paid,refunded,pending,left",
    [(5_400, 0, 0, 5_400), (5_400, 800, 0, 4_600), (5_400, 800, 1_000, 3_600),
     (5_400, 5_400, 0, 0), (5_400, 3_000, 3_000, 0)],
    ids=["nothing-refunded", "one-paid-out", "one-pending", "all-refunded", "never-negative"],
)  # fmt: skip
def test_what_is_left_to_refund(paid, refunded, pending, left):
    assert refundable_left(paid, refunded, pending) == left


def test_negative_amounts_are_a_programming_error():
    with pytest.raises(ValueError, match="negative"):
        refundable_left(100, -1, 0)


def amount(left=PAID - 800, **request):
    return refund_amount(LINES, left_minor=left, shipping_left_minor=SHIPPING, **request)


@pytest.mark.parametrize(
    "request_,total,lines_minor,shipping",
    [
        ({"lines": [LineRequest("MUG", 1)]}, 1_250, 1_250, 0),
        ({"lines": [LineRequest("MUG", 2), LineRequest("TEA", 2)]}, 4_100, 4_100, 0),
        ({"lines": [LineRequest("TEA", 1)], "include_shipping": True}, 1_300, 800, 500),
        ({"amount_minor": 999}, 999, 999, 0),
        ({"amount_minor": 1_000, "include_shipping": True}, 1_500, 1_000, 500),
        ({}, 4_600, 4_100, 500),
    ],
    ids=["one-unit", "two-lines", "line-and-shipping", "amount", "amount-and-shipping", "full"],
)
def test_what_a_refund_request_comes_to(request_, total, lines_minor, shipping):
    refund = amount(**request_)
    assert (refund.amount_minor, refund.lines_minor, refund.shipping_minor) == (
        total,
        lines_minor,
        shipping,
    )


def test_a_full_refund_takes_what_is_left_after_refunds_by_amount():
    refund = amount(left=3_000)
    assert refund.amount_minor == 3_000 and refund.shipping_minor + refund.lines_minor == 3_000


@pytest.mark.parametrize(
    "request_,left,words",
    [
        ({"lines": [LineRequest("TEA", 3)]}, 4_600, "TEA: 3 asked, 2 of 3 left"),
        ({"lines": [LineRequest("MUG", 3)]}, 4_600, "MUG: 3 asked, 2 of 2 left"),
        ({"amount_minor": 4_601}, 4_600, "4601 asked but only 4600 is left"),
        ({"lines": [LineRequest("MUG", 2)]}, 2_000, "2500 asked but only 2000"),
        ({"amount_minor": 100, "include_shipping": True}, 550, "600 asked"),
        ({}, 0, "nothing is left"),
    ],
    ids=["units-already-refunded", "more-than-bought", "amount", "lines-over-money-left",
         "shipping-tips-it-over", "full-when-nothing-left"],
)  # fmt: skip
def test_more_than_paid_is_refused_with_the_rule(request_, left, words):
    with pytest.raises(RefundExceedsPaid, match=words) as refused:
        amount(left=left, **request_)
    assert refused.value.rule == "refund-exceeds-paid"
    assert refused.value.code == "refund-exceeds-paid"


@pytest.mark.parametrize(
    "request_,field,message",
    [
        ({"lines": [LineRequest("MUG", 1)], "amount_minor": 5}, "amount", "not both"),
        ({"amount_minor": 0}, "amount", "more than zero"),
        ({"lines": []}, "lines", "at least one line"),
        ({"lines": [LineRequest("HAT", 1)]}, "lines[0].sku", "HAT is not in the order"),
        ({"lines": [LineRequest("MUG", 1), LineRequest("MUG", 1)]}, "lines[1].sku", "twice"),
        ({"lines": [LineRequest("MUG", 0)]}, "lines[0].quantity", "at least 1"),
    ],
    ids=["lines-and-amount", "zero-amount", "empty-lines", "unknown-sku", "duplicate-sku",
         "zero-quantity"],
)  # fmt: skip
def test_a_badly_shaped_request_names_the_field(request_, field, message):
    errors = request_errors(LINES, **request_)
    assert [e["field"] for e in errors] == [field]
    assert message in errors[0]["message"]
    with pytest.raises(ValueError, match="request_errors"):
        amount(**request_)


LATE = {"ship_by": NOW - timedelta(hours=1), "shipped": False, "now": NOW}
APPROVED, REVIEW = RefundStatus.APPROVED, RefundStatus.PENDING_REVIEW


@pytest.mark.parametrize(
    "cause,amount_minor,facts,status,rule",
    [
        ("cancelled_in_window", 1_000, {}, APPROVED, "cancelled-within-window"),
        ("cancelled_in_window", 900_000, {}, APPROVED, "cancelled-within-window"),
        ("cancellation_approved", 1_000, {}, APPROVED, "cancellation-approved"),
        ("admin_cancellation", 900_000, {}, APPROVED, "admin-cancellation"),
        ("not_shipped_in_time", 1_000, LATE, APPROVED, "not-shipped-in-time"),
        ("not_shipped_in_time", 1_000, {**LATE, "shipped": True}, REVIEW, "not-late-yet"),
        ("not_shipped_in_time", 1_000, {**LATE, "ship_by": NOW}, REVIEW, "not-late-yet"),
        ("not_shipped_in_time", 1_000, {}, REVIEW, "not-late-yet"),
        ("not_shipped_in_time", 60_000, LATE, REVIEW, "high-value"),
        ("system_error", 1_000, {}, APPROVED, "system-error"),
        ("system_error", 50_001, {}, REVIEW, "high-value"),
        ("duplicate_charge", 50_000, {}, APPROVED, "duplicate-charge"),
        ("duplicate_charge", 50_001, {}, REVIEW, "high-value"),
        ("dispute_decision", 900_000, {}, APPROVED, "dispute-decision"),
        ("return", 1_000, {}, REVIEW, "return-after-delivery"),
        ("return", 900_000, {}, REVIEW, "return-after-delivery"),
        ("partial_cancellation", 1_000, {}, REVIEW, "partial-cancellation"),
        ("discretionary", 1_000, {}, REVIEW, "discretionary"),
        ("address_change", 400, {}, APPROVED, "address-change-difference"),
        ("address_change", 60_000, {}, APPROVED, "address-change-difference"),
    ],
    ids=["in-window", "in-window-high-value", "request-approved", "admin-cancelled",
         "late-shipment", "late-claim-but-shipped", "not-yet-late", "late-claim-no-facts",
         "late-high-value", "system-error", "system-error-high-value", "duplicate-at-threshold",
         "duplicate-over-threshold", "dispute", "return", "return-high-value",
         "partial-cancellation", "discretionary", "address-change",
         "address-change-high-value"],
)  # fmt: skip
def test_approved_by_rule_or_left_for_review(cause, amount_minor, facts, status, rule):
    decision = decide_refund(cause, amount_minor=amount_minor, high_value_minor=50_000, **facts)
    assert (decision.status, decision.rule) == (status, rule)
    assert decision.automatic is (status is APPROVED)
    assert decision.high_value is (amount_minor > 50_000)
    assert decision.reason.startswith(
        "Refund approved automatically" if decision.automatic else "A person reviews"
    )


@pytest.mark.parametrize(
    "role,amount_minor,may",
    [("seller", 10**7, True), ("admin", 10**7, True), ("support", 2_000, True),
     ("support", 2_001, False), ("customer", 1, False)],
    ids=["seller", "admin", "support-within-limit", "support-over-limit", "customer"],
)  # fmt: skip
def test_who_decides_a_refund_waiting_for_review(role, amount_minor, may):
    assert can_decide(role, amount_minor, support_limit_minor=2_000) is may


FRIDAY = datetime(2025, 3, 7, 15, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "cause,approved_at,holidays,due",
    [
        ("cancelled_in_window", None, (), FRIDAY + timedelta(hours=24)),
        ("cancellation_approved", FRIDAY, (), FRIDAY + timedelta(hours=24)),
        ("return", FRIDAY, (), datetime(2025, 3, 12, 15, 30, tzinfo=UTC)),
        ("return", FRIDAY, (date(2025, 3, 10),), datetime(2025, 3, 13, 15, 30, tzinfo=UTC)),
        ("discretionary", NOW, (), datetime(2025, 3, 10, 12, 0, tzinfo=UTC)),
        ("return", None, (), None),
    ],
    ids=["cancellation-24h", "approved-cancellation-24h", "three-business-days-over-weekend",
         "a-holiday-adds-a-day", "wednesday-to-monday", "waiting-for-review"],
)  # fmt: skip
def test_when_a_refund_is_due(cause, approved_at, holidays, due):
    assert (
        refund_due_at(
            cause, created_at=FRIDAY, approved_at=approved_at, is_holiday=lambda d: d in holidays
        )
        == due
    )


@pytest.mark.parametrize(
    "status,due_at,overdue",
    [("approved", NOW - timedelta(seconds=1), True), ("failed", NOW - timedelta(days=1), True),
     ("pending_review", NOW - timedelta(days=1), True), ("approved", NOW, False),
     ("paid", NOW - timedelta(days=9), False), ("rejected", NOW - timedelta(days=9), False),
     ("pending_review", None, False)],
    ids=["approved-late", "failed-late", "cancellation-still-in-review", "due-now",
         "paid", "rejected", "no-due-time"],
)  # fmt: skip
def test_an_unpaid_refund_past_its_due_time_is_overdue(status, due_at, overdue):
    assert refund_overdue(status, due_at, NOW) is overdue


# -- never more than was paid ------------------------------------------------------

paid_lines = st.lists(
    st.builds(
        PaidLine,
        sku=st.sampled_from(["A", "B", "C", "D"]),
        quantity=st.integers(1, 5),
        unit_price_minor=st.integers(0, 10_000),
    ),
    min_size=1,
    max_size=4,
    unique_by=lambda line: line.sku,
)
requests = st.lists(
    st.one_of(
        st.builds(dict, amount_minor=st.integers(1, 30_000), include_shipping=st.booleans()),
        st.builds(
            dict,
            lines=st.lists(
                st.builds(LineRequest, sku=st.sampled_from("ABCD"), quantity=st.integers(1, 5)),
                min_size=1,
                max_size=3,
                unique_by=lambda line: line.sku,
            ),
            include_shipping=st.booleans(),
        ),
        st.just({}),
    ),
    max_size=8,
)


@given(lines=paid_lines, shipping=st.integers(0, 2_000), asked=requests, data=st.data())
def test_refunds_in_any_order_never_exceed_what_was_paid(lines, shipping, asked, data):
    paid = sum(line.quantity * line.unit_price_minor for line in lines) + shipping
    refunded = pending = shipping_refunded = 0
    units = {line.sku: 0 for line in lines}
    for request in asked:
        current = [
            PaidLine(line.sku, line.quantity, line.unit_price_minor, units[line.sku])
            for line in lines
        ]
        if request_errors(
            current, lines=request.get("lines"), amount_minor=request.get("amount_minor")
        ):
            continue
        left = refundable_left(paid, refunded, pending)
        try:
            refund = refund_amount(
                current,
                left_minor=left,
                shipping_left_minor=shipping - shipping_refunded,
                **request,
            )
        except RefundExceedsPaid:
            continue
        assert 0 < refund.amount_minor <= left
        for line in refund.lines:
            units[line.sku] += line.quantity
        shipping_refunded += refund.shipping_minor
        # Some refunds are still on their way, some paid out: both count.
        if data.draw(st.booleans(), label="paid out"):
            refunded += refund.amount_minor
        else:
            pending += refund.amount_minor
    assert refunded + pending <= paid
    assert shipping_refunded <= shipping
    assert all(units[line.sku] <= line.quantity for line in lines)


@given(paid=st.integers(0, 10**9), refunded=st.integers(0, 10**9), pending=st.integers(0, 10**9))
def test_what_is_left_plus_what_is_taken_never_passes_paid(paid, refunded, pending):
    left = refundable_left(paid, refunded, pending)
    assert 0 <= left <= paid
    if refunded + pending <= paid:
        assert left + refunded + pending == paid


@pytest.mark.parametrize(
    ("status", "retryable"),
    [
        ("failed", True),
        ("approved", False),
        ("pending_review", False),
        ("paid", False),
        ("rejected", False),
    ],
)
def test_only_a_failed_refund_is_sent_again(status, retryable):
    if retryable:
        assert refund_rules.check_retry(status) == "approved"
    else:
        with pytest.raises(Refused) as refused:
            refund_rules.check_retry(status)
        assert refused.value.rule == "refund-not-failed"


@pytest.mark.parametrize(
    ("pay_round", "key"), [(0, "rfd_1"), (1, "rfd_1:retry-1"), (2, "rfd_1:retry-2")]
)
def test_each_round_has_its_own_provider_key(pay_round, key):
    assert refund_rules.provider_key("rfd_1", pay_round) == key
