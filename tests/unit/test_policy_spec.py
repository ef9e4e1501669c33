"""The policy list: one entry per policy, read by validation, the API and the page."""

from __future__ import annotations

import pytest

from oms_dashboard.api.schemas import PolicyOut, PolicyUpdate
from oms_dashboard.domain.policies import GROUPS, POLICY_SPECS, SPECS_BY_NAME, policy_errors
from oms_dashboard.models import OrderPolicy


def test_every_policy_is_a_column_with_a_default_inside_its_bounds():
    defaults = OrderPolicy()
    for spec in POLICY_SPECS:
        assert spec.minimum <= getattr(defaults, spec.name) <= spec.maximum, spec.name
        assert spec.group in GROUPS and spec.label and spec.unit and spec.help


def test_the_api_schemas_have_one_field_per_policy():
    names = [spec.name for spec in POLICY_SPECS]
    assert list(PolicyUpdate.model_fields) == names
    assert [n for n in PolicyOut.model_fields if n not in ("updated_at", "updated_by")] == names
    described = PolicyUpdate.model_json_schema()["properties"]["return_window_days"]
    assert "Return window, in days (0 to 365)" in described["description"]


@pytest.mark.parametrize(
    "name, value, message",
    [
        ("return_window_days", -1, "must be from 0 to 365 days"),
        ("return_window_days", 366, "must be from 0 to 365 days"),
        ("payment_hold_minutes", 4, "must be from 5 to 10080 minutes"),
        ("order_retention_years", 6, "must be from 7 to 30 years"),
        ("archive_after_days", 29, "must be from 30 to 3650 days"),
        ("low_stock_threshold", 1.5, "must be a whole number of units"),
        ("high_value_refund_minor", "100", "must be a whole number of cents"),
        ("ship_by_hours", True, "must be a whole number of hours"),
        ("ship_by_hours", None, "must be a whole number of hours"),
        ("free_shipping", 1, "is not a policy"),
    ],
)
def test_bad_values_are_named_with_their_bounds(name, value, message):
    assert policy_errors({name: value}) == [{"field": name, "message": message}]


@pytest.mark.parametrize(
    "name, value",
    [("return_window_days", 0), ("return_window_days", 365), ("order_retention_years", 7)],
)
def test_values_at_the_bounds_are_accepted(name, value):
    assert policy_errors({name: value}) == []


def test_every_bad_field_is_reported_at_once():
    errors = policy_errors(
        {"return_window_days": -1, "ship_by_hours": 0, "stuck_shipment_hours": 48}
    )
    assert [e["field"] for e in errors] == ["return_window_days", "ship_by_hours"]
    assert SPECS_BY_NAME["ship_by_hours"].label == "Default handling time"
