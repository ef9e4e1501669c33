"""Standing rules: measures and thresholds in, a standing with its rule and numbers out."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from oms_dashboard.domain.errors import Refused
from oms_dashboard.domain.standing import (
    Metric,
    SellerMetrics,
    Standing,
    Thresholds,
    check_can_reinstate,
    check_can_suspend,
    decide_standing,
    suspension_errors,
)

POLICY = SimpleNamespace(
    standing_window_days=30,
    standing_min_orders=10,
    standing_min_orders_suspend=50,
    late_shipment_warning_bps=400,
    late_shipment_suspend_bps=1000,
    seller_cancel_warning_bps=250,
    seller_cancel_suspend_bps=500,
    ticket_rate_warning_bps=500,
    ticket_rate_suspend_bps=1500,
    ship_time_warning_hours=24,
    ship_time_suspend_hours=72,
    response_time_warning_hours=24,
    response_time_suspend_hours=72,
)
T = Thresholds.from_policy(POLICY)


def metrics(**kw) -> SellerMetrics:
    base = dict(window_days=30, orders=100, due_orders=100, shipped=100, avg_hours_to_ship=10.0)
    return SellerMetrics(**{**base, **kw})


@pytest.mark.parametrize(
    ("measures", "standing", "rule"),
    [
        ({}, Standing.GOOD, "within-thresholds"),
        # a rate equal to its threshold does not breach it; one more order does
        ({"late_shipments": 4}, Standing.GOOD, "within-thresholds"),
        ({"late_shipments": 5}, Standing.WARNING, "late-shipment-rate-above-warning-threshold"),
        ({"late_shipments": 10}, Standing.WARNING, "late-shipment-rate-above-warning-threshold"),
        ({"late_shipments": 11}, Standing.SUSPEND, "late-shipment-rate-above-suspension-threshold"),
        (
            {"seller_cancellations": 3},
            Standing.WARNING,
            "seller-cancellation-rate-above-warning-threshold",
        ),
        (
            {"seller_cancellations": 6},
            Standing.SUSPEND,
            "seller-cancellation-rate-above-suspension-threshold",
        ),
        ({"tickets": 5}, Standing.GOOD, "within-thresholds"),
        ({"tickets": 6}, Standing.WARNING, "ticket-rate-above-warning-threshold"),
        ({"tickets": 16}, Standing.SUSPEND, "ticket-rate-above-suspension-threshold"),
        ({"avg_hours_to_ship": 24.0}, Standing.GOOD, "within-thresholds"),
        ({"avg_hours_to_ship": 24.1}, Standing.WARNING, "time-to-ship-above-warning-threshold"),
        ({"avg_hours_to_ship": 80.0}, Standing.SUSPEND, "time-to-ship-above-suspension-threshold"),
        (
            {"customer_messages": 3, "avg_response_hours": 30.0},
            Standing.WARNING,
            "response-time-above-warning-threshold",
        ),
        (
            {"customer_messages": 3, "avg_response_hours": 73.0},
            Standing.SUSPEND,
            "response-time-above-suspension-threshold",
        ),
        # the worst decides; of equals, the first measure in order
        (
            {"late_shipments": 5, "tickets": 16},
            Standing.SUSPEND,
            "ticket-rate-above-suspension-threshold",
        ),
        (
            {"late_shipments": 5, "tickets": 6},
            Standing.WARNING,
            "late-shipment-rate-above-warning-threshold",
        ),
        # too few orders: rates not judged, averages still are
        (
            {"orders": 9, "due_orders": 9, "late_shipments": 9},
            Standing.GOOD,
            "within-thresholds",
        ),
        (
            {"orders": 9, "due_orders": 9, "late_shipments": 9, "avg_hours_to_ship": 30.0},
            Standing.WARNING,
            "time-to-ship-above-warning-threshold",
        ),
        # nothing at all
        (
            {"orders": 0, "due_orders": 0, "shipped": 0, "avg_hours_to_ship": None},
            Standing.GOOD,
            "within-thresholds",
        ),
    ],
)
def test_the_worst_measure_decides_the_standing(measures, standing, rule) -> None:
    decision = decide_standing(metrics(**measures), T)
    assert (decision.standing, decision.rule) == (standing, rule)
    assert len(decision.verdicts) == len(Metric)


def test_the_reason_gives_the_numbers_and_the_threshold() -> None:
    decision = decide_standing(metrics(due_orders=50, late_shipments=6), T)
    assert decision.reason == (
        "Late shipments 12.0 % (6 of 50 orders due to ship) is above the suspension "
        "threshold of 10.0 %."
    )
    late = decision.verdicts[0]
    assert (late.shown, late.warning, late.suspend, late.judged) == (
        "12.0 %",
        "4.0 %",
        "10.0 %",
        True,
    )
    assert late.value == pytest.approx(0.12)


def test_a_rate_below_the_minimum_orders_says_it_was_not_judged() -> None:
    verdict = decide_standing(metrics(orders=3, due_orders=3, late_shipments=3), T).verdicts[0]
    assert verdict.rule == "too-few-orders" and not verdict.judged
    assert "fewer than the 10" in verdict.reason


@pytest.mark.parametrize(
    ("orders", "late", "standing", "rule"),
    [
        # the demo's small sellers: above the suspension threshold on a small sample
        (
            21,
            3,
            Standing.WARNING,
            "late-shipment-rate-above-suspension-threshold-too-few-orders-to-suspend",
        ),
        (
            13,
            2,
            Standing.WARNING,
            "late-shipment-rate-above-suspension-threshold-too-few-orders-to-suspend",
        ),
        (
            49,
            6,
            Standing.WARNING,
            "late-shipment-rate-above-suspension-threshold-too-few-orders-to-suspend",
        ),
        # from the policy's number on, the same rate may advise suspension
        (50, 6, Standing.SUSPEND, "late-shipment-rate-above-suspension-threshold"),
        # a plain warning on a small sample is still a warning
        (21, 1, Standing.WARNING, "late-shipment-rate-above-warning-threshold"),
        (21, 0, Standing.GOOD, "within-thresholds"),
    ],
)
def test_a_suspension_needs_a_larger_sample_than_a_warning(orders, late, standing, rule) -> None:
    decision = decide_standing(metrics(orders=orders, due_orders=orders, late_shipments=late), T)
    assert (decision.standing, decision.rule) == (standing, rule)


def test_a_rate_capped_at_warning_says_why_with_the_numbers() -> None:
    decision = decide_standing(metrics(orders=21, due_orders=21, late_shipments=3), T)
    assert decision.reason == (
        "Late shipments 14.3 % (3 of 21 orders due to ship) is above the suspension "
        "threshold of 10.0 %, but 21 paid orders in the last 30 days are fewer than the 50 "
        "a suspension recommendation needs: a warning."
    )
    late = decision.verdicts[0]
    assert (late.standing, late.judged, late.shown) == (Standing.WARNING, True, "14.3 %")


def test_every_measure_is_capped_at_warning_on_a_small_sample() -> None:
    few = metrics(
        orders=20,
        due_orders=20,
        shipped=19,
        late_shipments=5,
        seller_cancellations=5,
        tickets=10,
        avg_hours_to_ship=78.6,
        customer_messages=4,
        avg_response_hours=80.0,
    )
    decision = decide_standing(few, T)
    assert decision.standing is Standing.WARNING
    for verdict in decision.verdicts:
        assert verdict.standing is Standing.WARNING, verdict.metric
        assert verdict.rule.endswith("-above-suspension-threshold-too-few-orders-to-suspend")
        assert "fewer than the 50 a suspension recommendation needs" in verdict.reason
    ship = decision.verdicts[3]
    assert ship.reason == (
        "Average time to ship 78.6 h (over 19 orders shipped) is above the suspension "
        "threshold of 72 h, but 20 paid orders in the last 30 days are fewer than the 50 a "
        "suspension recommendation needs: a warning."
    )
    enough = decide_standing(metrics(orders=50, due_orders=50, avg_hours_to_ship=78.6), T)
    assert (enough.standing, enough.rule) == (
        Standing.SUSPEND,
        "time-to-ship-above-suspension-threshold",
    )


def test_the_good_reason_names_the_window() -> None:
    assert "last 30 days" in decide_standing(metrics(), T).reason


@pytest.mark.parametrize(
    ("reason", "confirm", "fields"),
    [
        ("late again", True, []),
        ("", True, ["reason"]),
        ("   ", True, ["reason"]),
        ("x" * 1001, True, ["reason"]),
        ("late again", False, ["confirm"]),
        ("late again", "true", ["confirm"]),
        ("late again", None, ["confirm"]),
        (None, None, ["reason", "confirm"]),
    ],
)
def test_a_suspension_needs_a_reason_and_an_explicit_confirmation(reason, confirm, fields) -> None:
    assert [e["field"] for e in suspension_errors(reason=reason, confirm=confirm)] == fields


def test_suspending_twice_or_reinstating_an_active_seller_is_refused() -> None:
    check_can_suspend(False)
    check_can_reinstate(True)
    with pytest.raises(Refused) as once:
        check_can_suspend(True)
    assert once.value.rule == "already-suspended"
    with pytest.raises(Refused) as never:
        check_can_reinstate(False)
    assert never.value.rule == "not-suspended"
