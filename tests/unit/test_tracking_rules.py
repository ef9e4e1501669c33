"""How carrier news moves an order, business hours for stuck packages, carrier limits."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from oms_dashboard.domain.statuses import OrderStatus as S
from oms_dashboard.domain.statuses import check_transition
from oms_dashboard.domain.tracking import (
    business_hours_between,
    is_stuck,
    order_path,
    parcel_refusals,
)


@pytest.mark.parametrize(
    "current,news,path",
    [
        (S.SHIPPED, S.IN_TRANSIT, [S.IN_TRANSIT]),
        (S.SHIPPED, S.DELIVERED, [S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED]),
        (S.IN_TRANSIT, S.DELIVERED, [S.OUT_FOR_DELIVERY, S.DELIVERED]),
        (S.SHIPPED, S.DELIVERY_EXCEPTION, [S.DELIVERY_EXCEPTION]),
        (S.DELIVERY_EXCEPTION, S.IN_TRANSIT, [S.IN_TRANSIT]),
        (S.DELIVERY_EXCEPTION, S.DELIVERED, [S.DELIVERED]),
        (S.OUT_FOR_DELIVERY, S.IN_TRANSIT, []),  # older news: the order knows better
        (S.DELIVERED, S.IN_TRANSIT, []),
        (S.IN_TRANSIT, S.IN_TRANSIT, []),
        (S.PROCESSING, S.IN_TRANSIT, []),  # not shipped by us: a carrier cannot ship it
        (S.CANCELLED, S.DELIVERED, []),
    ],
)
def test_carrier_news_moves_an_order_step_by_step_and_never_back(current, news, path):
    steps = order_path(current, news)
    assert steps == path
    for before, after in zip([current, *steps], steps, strict=False):
        check_transition(before, after)  # every step is one the table allows


def test_weekends_and_holidays_do_not_count_towards_stuck():
    friday_noon = datetime(2026, 12, 4, 12, tzinfo=UTC)
    monday_noon = datetime(2026, 12, 7, 12, tzinfo=UTC)
    assert business_hours_between(friday_noon, monday_noon) == 24
    # Fri 12 h + Mon 24 h + Tue 12 h: stuck only at Tuesday noon, not an hour before.
    assert not is_stuck(friday_noon, datetime(2026, 12, 8, 11, tzinfo=UTC), hours=48)
    assert is_stuck(friday_noon, datetime(2026, 12, 8, 12, tzinfo=UTC), hours=48)
    christmas = {date(2026, 12, 25)}
    thursday = datetime(2026, 12, 24, 0, tzinfo=UTC)
    after = datetime(2026, 12, 28, 0, tzinfo=UTC)  # Thu, Fri (holiday), Sat, Sun
    assert business_hours_between(thursday, after, christmas.__contains__) == 24
    assert business_hours_between(after, thursday) == 0


def test_each_carrier_refuses_what_it_cannot_carry_naming_the_field():
    fine = dict(weight_grams=2_000, length_mm=400, width_mm=300, height_mm=200)
    for carrier in ("fedex", "ups", "dhl", "usps"):
        assert parcel_refusals(carrier, **fine) == []
    heavy = parcel_refusals("usps", weight_grams=40_000, length_mm=400, width_mm=300, height_mm=200)
    assert [e["field"] for e in heavy] == ["weight_grams"] and "31.751 kg" in heavy[0]["message"]
    long = parcel_refusals("dhl", weight_grams=1_000, length_mm=1_500, width_mm=100, height_mm=100)
    assert {e["field"] for e in long} == {"length_mm", "dimensions"}
    bulky = parcel_refusals("ups", weight_grams=1_000, length_mm=1_500, width_mm=900, height_mm=800)
    assert [e["field"] for e in bulky] == ["dimensions"]


def test_sandbox_delivery_dates_skip_weekends():
    from oms_dashboard.carriers.sandbox import delivery_date

    friday = date(2026, 12, 4)
    assert delivery_date(1, start=friday) == date(2026, 12, 7)
    assert delivery_date(5, start=friday) == date(2026, 12, 11)
    assert delivery_date(0, start=friday) == friday
