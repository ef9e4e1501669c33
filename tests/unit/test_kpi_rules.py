"""The KPI arithmetic: ratios, verdicts against each target, trends, periods, words."""

from __future__ import annotations

from datetime import date

import pytest

from oms_dashboard.domain import kpis as rules
from oms_dashboard.domain.kpis import BY_KEY, KpiKey, Period, Unit

K = KpiKey


@pytest.mark.parametrize(
    ("key", "value", "met"),
    [
        (K.FULFILLMENT_RATE, 0.99, True),
        (K.FULFILLMENT_RATE, 0.98, False),  # "> 98 %": exactly 98 % misses
        (K.AVG_PROCESSING_HOURS, 1.9, True),
        (K.AVG_PROCESSING_HOURS, 2.0, False),
        (K.ON_TIME_DELIVERY_RATE, 0.951, True),
        (K.ON_TIME_DELIVERY_RATE, 0.95, False),
        (K.SATISFACTION, 4.6, True),
        (K.SATISFACTION, 4.5, False),
        (K.ACCURACY_RATE, 0.999, True),  # "99.9 %": reaching it is enough
        (K.ACCURACY_RATE, 0.9989, False),
        (K.AVG_REFUND_HOURS, 47.9, True),
        (K.AVG_REFUND_HOURS, 48.0, False),
        (K.SATISFACTION, None, None),
    ],
)
def test_each_target(key, value, met):
    assert rules.target_met(BY_KEY[key], value) is met


def test_nothing_to_count_is_none_not_zero():
    assert rules.ratio(0, 0) is None
    assert rules.ratio(3, 4) == 0.75
    value = rules.evaluate(BY_KEY[K.ACCURACY_RATE], {}, {})
    assert (value.value, value.met, value.counted, value.trend.change) == (None, None, 0, None)


@pytest.mark.parametrize(
    ("key", "now", "before", "improved"),
    [
        (K.FULFILLMENT_RATE, 0.99, 0.97, True),
        (K.FULFILLMENT_RATE, 0.97, 0.99, False),
        (K.AVG_PROCESSING_HOURS, 1.0, 3.0, True),  # lower is better
        (K.AVG_REFUND_HOURS, 50.0, 40.0, False),
        (K.SATISFACTION, 4.0, 4.0, None),
        (K.SATISFACTION, 4.0, None, None),
    ],
)
def test_trend_says_whether_it_went_the_target_way(key, now, before, improved):
    assert rules.trend(BY_KEY[key], now, before).improved is improved


def test_evaluate_divides_the_named_facts():
    d = BY_KEY[K.AVG_PROCESSING_HOURS]
    now, before = {"processing_hours": 30, "processed": 10}, {"processing_hours": 8, "processed": 2}
    value = rules.evaluate(d, now, before)
    assert (value.value, value.previous, value.counted) == (3.0, 4.0, 10)
    assert value.trend.change == -1.0 and value.trend.improved is True


def test_periods_and_the_one_before():
    june = Period(date(2026, 6, 1), date(2026, 6, 30))
    assert june.days == 30
    assert june.previous() == Period(date(2026, 5, 2), date(2026, 5, 31))
    assert rules.default_period(date(2026, 6, 30)) == june


@pytest.mark.parametrize(
    ("value", "unit", "shown"),
    [
        (0.9876, Unit.FRACTION, "98.8 %"),
        (0.9994, Unit.FRACTION, "99.94 %"),
        (1.0, Unit.FRACTION, "100.0 %"),
        (1.25, Unit.HOURS, "1.2 h"),
        (4.567, Unit.SCORE, "4.57 / 5"),
        (None, Unit.HOURS, "—"),
    ],
)
def test_values_read_in_their_unit(value, unit, shown):
    assert rules.format_value(value, unit) == shown


def test_every_definition_names_its_target_and_what_it_counts():
    assert [d.key for d in rules.DEFINITIONS] == list(KpiKey)
    labels = {d.key: d.target_label for d in rules.DEFINITIONS}
    assert labels[K.FULFILLMENT_RATE] == "> 98.0 %"
    assert labels[K.ACCURACY_RATE] == "≥ 99.90 %"
    assert labels[K.AVG_REFUND_HOURS] == "< 48.0 h"
    assert all(len(d.definition) > 60 for d in rules.DEFINITIONS)
