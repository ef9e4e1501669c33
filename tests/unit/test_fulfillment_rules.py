"""Ship-by urgency, the countdown's words, one box for an order, the preselected offer."""

from datetime import UTC, date, datetime, timedelta

import pytest

from oms_dashboard.domain.fulfillment import (
    Offer,
    Urgency,
    one_box,
    preselect,
    time_left,
    urgency,
)
from oms_dashboard.domain.shipping import ShipItem
from oms_dashboard.domain.tracking import breaker_opens_until

NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        (30, Urgency.ON_TIME),
        (4.01, Urgency.ON_TIME),
        (4, Urgency.DUE_SOON),
        (0, Urgency.DUE_SOON),
        (-0.01, Urgency.LATE),
    ],
)
def test_urgency(hours, expected):
    assert urgency(NOW + timedelta(hours=hours), NOW) is expected


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(hours=5, minutes=20), "5 h 20 min left"),
        (timedelta(minutes=7), "7 min left"),
        (timedelta(days=2, hours=3), "2 d 3 h left"),
        (-timedelta(hours=2, minutes=5), "late by 2 h 5 min"),
    ],
)
def test_countdown_words(delta, words):
    assert time_left(NOW + delta, NOW) == words


def item(sku, qty, grams, l, w, h, digital=False):  # noqa: E741
    return ShipItem(0, sku, qty, grams, l, w, h, digital=digital)


def test_one_box_stacks_units_on_the_largest_footprint():
    box = one_box([item("A", 2, 500, 300, 200, 50), item("B", 1, 200, 100, 250, 80)])
    assert box.weight_grams == 2 * 500 + 200 + 150
    assert (box.length_mm, box.width_mm) == (320, 220)
    assert box.height_mm == 2 * 50 + 80 + 20


def test_nothing_to_box_for_digital_goods():
    assert one_box([item("E-BOOK", 1, 0, 0, 0, 0, digital=True)]) is None


def offer(carrier, cents, arrives):
    return Offer(carrier, "S", cents, "USD", None, arrives)


def test_the_cheapest_in_time_is_preselected_else_the_earliest():
    promised = date(2026, 12, 4)
    cheap_late = offer("usps", 700, date(2026, 12, 7))
    mid_on_time = offer("ups", 1100, date(2026, 12, 4))
    dear_early = offer("fedex", 3000, date(2026, 12, 2))
    assert preselect([cheap_late, mid_on_time, dear_early], promised) == mid_on_time
    assert preselect([cheap_late, dear_early], date(2026, 12, 1)) == dear_early
    assert preselect([cheap_late, mid_on_time], None) == cheap_late
    assert preselect([], promised) is None


def test_the_breaker_opens_at_five_failures_and_backs_off_to_fifteen_minutes():
    assert breaker_opens_until(4, NOW) is None
    assert breaker_opens_until(5, NOW) == NOW + timedelta(seconds=30)
    assert breaker_opens_until(6, NOW) == NOW + timedelta(seconds=60)
    assert breaker_opens_until(40, NOW) == NOW + timedelta(minutes=15)
