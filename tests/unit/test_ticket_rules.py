"""Support tickets and disputes: priority and its reason, SLA timers, what a
message does to a ticket, who is told, and an admin's dispute decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from oms_dashboard.domain.disputes import resolution_errors, resolve
from oms_dashboard.domain.errors import RefundExceedsPaid
from oms_dashboard.domain.tickets import (
    SLA,
    Priority,
    TicketFacts,
    TicketStatus,
    can_reopen,
    notify_on,
    priority,
    queue_key,
    sla_breached,
    sla_due_at,
    status_after_message,
)

P = Priority
OPENED = datetime(2025, 3, 7, 17, 0, tzinfo=UTC)

CASES = [
    # (id, facts, priority, rule, words in the reason)
    ("no-order", TicketFacts(), P.LOW, "no-order", "Low: a general question"),
    ("processing", TicketFacts(order_status="processing"), P.NORMAL, "order-status",
     "an order that is processing"),
    ("out-for-delivery", TicketFacts(order_status="out_for_delivery"), P.URGENT,
     "out-for-delivery", "hours matter"),
    ("exception-status", TicketFacts(order_status="delivery_exception"), P.HIGH,
     "delivery-exception", "carrier reported"),
    ("auto-exception", TicketFacts(kind="delivery_exception", opened_by="system",
                                   order_status="delivery_exception"), P.HIGH,
     "delivery-exception", "carrier reported"),
    ("auto-stuck", TicketFacts(kind="stuck_package", opened_by="system",
                               order_status="in_transit"), P.HIGH, "stuck-package",
     "no carrier scan"),
    ("reported-delivery", TicketFacts(kind="reported_delivery", order_status="delivered"),
     P.HIGH, "delivery-reported", "delivery went wrong"),
    ("refund-overdue", TicketFacts(kind="refund_overdue", opened_by="system"), P.HIGH,
     "refund-overdue", "past the time we promised"),
    ("cancellation-unanswered", TicketFacts(kind="cancellation_unanswered", opened_by="system",
                                            order_status="processing"), P.HIGH,
     "cancellation-unanswered", "still ship"),
    ("customer-asks-high", TicketFacts(order_status="delivered", severity="high"), P.HIGH,
     "requested-severity", "raised to high: high was asked for"),
    ("customer-asks-urgent", TicketFacts(order_status="delivered", severity="urgent"), P.HIGH,
     "requested-severity", "urgent is kept for cases where hours matter"),
    ("seller-asks-urgent", TicketFacts(order_status="processing", severity="urgent",
                                       opened_by="seller"), P.HIGH, "requested-severity",
     "urgent was asked"),
    ("support-sets-urgent", TicketFacts(order_status="processing", severity="urgent",
                                        opened_by="support"), P.URGENT, "requested-severity",
     "Urgent: a question"),
    ("asks-low-on-urgent", TicketFacts(order_status="out_for_delivery", severity="low"),
     P.URGENT, "out-for-delivery", "Urgent: the parcel"),
    ("repeat-contact", TicketFacts(order_status="in_transit", prior_tickets_on_order=1),
     P.HIGH, "repeat-contact", "contacted us before about this order"),
    ("regular-customer", TicketFacts(customer_orders=12), P.NORMAL, "regular-customer",
     "a regular customer (12 orders)"),
    ("nine-orders-is-not-regular", TicketFacts(customer_orders=9), P.LOW, "no-order", "Low"),
    ("history-stops-at-high", TicketFacts(kind="stuck_package", prior_tickets_on_order=3),
     P.HIGH, "stuck-package", "no carrier scan"),
    ("history-after-severity", TicketFacts(severity="normal", customer_orders=20), P.HIGH,
     "regular-customer", "raised to normal: normal was asked for; raised to high"),
]  # fmt: skip


@pytest.mark.parametrize(
    "facts,level,rule,words", [case[1:] for case in CASES], ids=[case[0] for case in CASES]
)
def test_each_priority_rule_with_its_reason(facts, level, rule, words):
    decision = priority(facts)
    assert (decision.priority, decision.rule) == (level, rule)
    assert words in decision.reason
    assert decision.reason.startswith(f"{level.label}: ") and decision.reason.endswith(".")


@pytest.mark.parametrize(
    "level,first,resolve_",
    [(P.URGENT, 1, 8), (P.HIGH, 4, 24), (P.NORMAL, 24, 72), (P.LOW, 48, 120)],
    ids=["urgent", "high", "normal", "low"],
)
def test_sla_by_priority(level, first, resolve_):
    assert sla_due_at(level, OPENED) == OPENED + timedelta(hours=first)
    assert sla_due_at(level, OPENED, responded=True) == OPENED + timedelta(hours=resolve_)
    assert sla_due_at(level, OPENED, paused=timedelta(hours=5)) == OPENED + timedelta(
        hours=first + 5
    )


def test_every_priority_has_an_sla_shorter_to_answer_than_to_resolve():
    assert set(SLA) == set(Priority)
    assert all(sla.first_response < sla.resolution for sla in SLA.values())
    with pytest.raises(ValueError, match="paused"):
        sla_due_at(P.LOW, OPENED, paused=timedelta(hours=-1))


@pytest.mark.parametrize(
    "now,done_at,breached",
    [(OPENED, None, False), (OPENED + timedelta(hours=1), None, False),
     (OPENED + timedelta(hours=1, seconds=1), None, True),
     (OPENED + timedelta(days=3), OPENED + timedelta(minutes=30), False),
     (OPENED + timedelta(days=3), OPENED + timedelta(hours=2), True)],
    ids=["just-opened", "at-the-deadline", "past-the-deadline", "answered-in-time",
         "answered-late"],
)  # fmt: skip
def test_an_sla_is_breached_past_its_due_time(now, done_at, breached):
    assert sla_breached(sla_due_at(P.URGENT, OPENED), now, done_at) is breached


def test_the_queue_sorts_by_priority_then_the_nearest_deadline():
    tickets = [
        ("low-soon", P.LOW, OPENED),
        ("urgent-later", P.URGENT, OPENED + timedelta(hours=2)),
        ("urgent-sooner", P.URGENT, OPENED + timedelta(hours=1)),
        ("normal", P.NORMAL, OPENED),
    ]
    ordered = sorted(tickets, key=lambda t: queue_key(t[1], t[2]))
    assert [t[0] for t in ordered] == ["urgent-sooner", "urgent-later", "normal", "low-soon"]


T = TicketStatus


@pytest.mark.parametrize(
    "current,author,after",
    [(T.WAITING_ON_CUSTOMER, "customer", T.OPEN), (T.WAITING_ON_SELLER, "seller", T.OPEN),
     (T.WAITING_ON_SELLER, "customer", T.WAITING_ON_SELLER),
     (T.WAITING_ON_CUSTOMER, "seller", T.WAITING_ON_CUSTOMER),
     (T.RESOLVED, "customer", T.OPEN), (T.RESOLVED, "seller", T.RESOLVED),
     (T.OPEN, "support", T.OPEN), (T.WAITING_ON_CUSTOMER, "support", T.WAITING_ON_CUSTOMER),
     (T.ESCALATED, "customer", T.ESCALATED)],
    ids=["customer-answers", "seller-answers", "customer-while-waiting-on-seller",
         "seller-while-waiting-on-customer", "customer-reopens", "seller-on-resolved",
         "support-writes", "support-chases", "escalated-stays"],
)  # fmt: skip
def test_what_a_message_does_to_a_ticket(current, author, after):
    assert status_after_message(current, author) is after


@pytest.mark.parametrize(
    "target,told",
    [(T.WAITING_ON_SELLER, {"seller"}), (T.WAITING_ON_CUSTOMER, {"customer"}),
     (T.ESCALATED, {"customer", "seller"}), (T.RESOLVED, {"customer"}), (T.OPEN, set())],
    ids=["seller-input-needed", "customer-input-needed", "escalated", "resolved", "open"],
)  # fmt: skip
def test_who_is_told_when_a_ticket_moves(target, told):
    assert notify_on(target) == told


@pytest.mark.parametrize(
    "days,may", [(0, True), (14, True), (15, False)], ids=["same-day", "day-14", "day-15"]
)
def test_a_resolved_ticket_reopens_within_two_weeks(days, may):
    assert can_reopen(OPENED, OPENED + timedelta(days=days)) is may


# -- disputes ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "decision,amount,note,fields",
    [("refund", None, "Parcel never arrived", []), ("partial_refund", 500, "Half", []),
     ("reject", None, "Delivered, signed for", []), ("reject", None, "  ", ["note"]),
     ("partial_refund", None, "Half", ["amount"]), ("partial_refund", 0, "Half", ["amount"]),
     ("refund", 500, "All", ["amount"]), ("reject", 1, "No", ["amount"]),
     ("split", None, None, ["note", "decision"])],
    ids=["refund", "partial", "reject", "blank-note", "partial-without-amount",
         "partial-zero", "refund-with-amount", "reject-with-amount", "unknown-decision"],
)  # fmt: skip
def test_a_dispute_decision_needs_a_note_and_the_right_amount(decision, amount, note, fields):
    errors = resolution_errors(decision=decision, amount_minor=amount, note=note)
    assert [e["field"] for e in errors] == fields


@pytest.mark.parametrize(
    "decision,amount,left,refund",
    [("refund", None, 4_600, 4_600), ("partial_refund", 1_000, 4_600, 1_000),
     ("partial_refund", 4_600, 4_600, 4_600), ("reject", None, 4_600, 0),
     ("reject", None, 0, 0)],
    ids=["full", "partial", "partial-all-of-it", "reject", "reject-nothing-left"],
)  # fmt: skip
def test_what_a_dispute_decision_refunds(decision, amount, left, refund):
    result = resolve(decision=decision, amount_minor=amount, note=" Decided. ", left_minor=left)
    assert (result.decision, result.refund_minor, result.note) == (decision, refund, "Decided.")


@pytest.mark.parametrize(
    "decision,amount,left,words",
    [("partial_refund", 4_601, 4_600, "only 4600 is left"), ("refund", None, 0, "nothing")],
    ids=["over-what-is-left", "nothing-left"],
)
def test_a_dispute_never_refunds_more_than_is_left(decision, amount, left, words):
    with pytest.raises(RefundExceedsPaid, match=words):
        resolve(decision=decision, amount_minor=amount, note="n", left_minor=left)
    with pytest.raises(ValueError, match="resolution_errors"):
        resolve(decision="reject", amount_minor=None, note="", left_minor=left)


# -- refusals on a ticket -------------------------------------------------------------


@pytest.mark.parametrize(
    ("current", "resolved_days_ago", "rule"),
    [
        ("open", None, None),
        ("waiting_on_customer", None, None),
        ("resolved", 3, None),
        ("resolved", 14, None),
        ("resolved", 15, "reopen-window-passed"),
    ],
)
def test_a_customer_writes_on_a_resolved_ticket_only_within_the_reopen_window(
    current, resolved_days_ago, rule
):
    from oms_dashboard.domain.errors import Refused
    from oms_dashboard.domain.tickets import check_customer_message

    resolved_at = OPENED - timedelta(days=resolved_days_ago) if resolved_days_ago else None
    if rule is None:
        check_customer_message(current, resolved_at, OPENED)
    else:
        with pytest.raises(Refused) as refused:
            check_customer_message(current, resolved_at, OPENED)
        assert refused.value.rule == rule


@pytest.mark.parametrize(
    ("current", "existing", "rule"),
    [
        ("resolved", None, None),
        ("resolved", 4, "already-rated"),
        ("open", None, "rate-after-resolution"),
        ("escalated", None, "rate-after-resolution"),
        ("waiting_on_customer", None, "rate-after-resolution"),
    ],
)
def test_a_ticket_is_rated_once_after_it_is_resolved(current, existing, rule):
    from oms_dashboard.domain.errors import Refused
    from oms_dashboard.domain.tickets import check_rating

    if rule is None:
        check_rating(current, existing)
    else:
        with pytest.raises(Refused) as refused:
            check_rating(current, existing)
        assert refused.value.rule == rule


@pytest.mark.parametrize(
    ("target", "rule"),
    [
        ("open", None),
        ("waiting_on_seller", None),
        ("waiting_on_customer", None),
        ("resolved", None),
        ("escalated", "escalate-by-dispute"),
    ],
)
def test_staff_set_any_status_but_escalated(target, rule):
    from oms_dashboard.domain.errors import Refused
    from oms_dashboard.domain.tickets import check_status_target

    if rule is None:
        assert check_status_target(target) == target
    else:
        with pytest.raises(Refused) as refused:
            check_status_target(target)
        assert refused.value.rule == rule


@pytest.mark.parametrize(("has_order", "rule"), [(True, None), (False, "dispute-needs-an-order")])
def test_only_a_ticket_about_an_order_becomes_a_dispute(has_order, rule):
    from oms_dashboard.domain.errors import Refused
    from oms_dashboard.domain.tickets import check_escalation

    if rule is None:
        check_escalation(has_order=has_order)
    else:
        with pytest.raises(Refused) as refused:
            check_escalation(has_order=has_order)
        assert refused.value.rule == rule


@pytest.mark.parametrize(
    ("flag", "kind"),
    [
        ("stuck", "stuck_package"),
        ("exception", "delivery_exception"),
        ("reported", "reported_delivery"),
    ],
)
def test_each_shipment_flag_opens_its_kind_of_case_at_high_priority(flag, kind):
    from oms_dashboard.domain.tickets import KIND_OF_FLAG
    from oms_dashboard.domain.tracking import ShipmentFlag

    assert KIND_OF_FLAG[ShipmentFlag(flag)] == kind
    decision = priority(TicketFacts(kind=kind, order_status="shipped", opened_by="system"))
    assert decision.priority is P.HIGH
