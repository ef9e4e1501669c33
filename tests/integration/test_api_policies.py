"""The policies API: every policy of the spec read, changed (audited) and refused by
field; a change is in force for the very next use."""

from __future__ import annotations

import pytest

from oms_dashboard.domain.policies import PAIRED_THRESHOLDS, POLICY_SPECS
from oms_dashboard.models import AuditEntry, Seller
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    audit_rows,
    count,
    world_fixture,
)


def test_every_policy_is_read_with_its_default(world):
    policy = world.api.get("/api/v1/policies", headers=world.headers("admin")).json()
    assert {spec.name for spec in POLICY_SPECS} <= set(policy)
    assert policy["low_stock_threshold"] == 5
    assert policy["archive_after_days"] == 365 and policy["order_retention_years"] == 7


@pytest.mark.parametrize("spec", POLICY_SPECS, ids=lambda spec: spec.name)
def test_each_policy_refuses_a_value_out_of_its_bounds_by_name(world, engine, spec):
    too_big = spec.maximum + 1
    response = world.api.put(
        "/api/v1/policies",
        json={spec.name: too_big},
        headers=world.headers("admin"),
    )
    body = assert_problem(response, 422, "validation-error")
    assert body["errors"] == [
        {
            "field": spec.name,
            "message": f"must be from {spec.minimum} to {spec.maximum} {spec.unit}",
        }
    ]
    assert count(engine, AuditEntry) == 0


@pytest.mark.parametrize("spec", POLICY_SPECS, ids=lambda spec: spec.name)
def test_each_policy_saves_a_value_at_its_bound_audited(world, engine, spec):
    body = {spec.name: spec.maximum}
    # A warning threshold may not pass its suspension threshold: raise that one with it.
    body |= {
        suspend: spec.maximum for warning, suspend in PAIRED_THRESHOLDS if warning == spec.name
    }
    response = world.api.put("/api/v1/policies", json=body, headers=world.headers("admin"))
    assert response.status_code == 200, response.text
    assert response.json()[spec.name] == spec.maximum
    [entry] = audit_rows(engine, "policy.update")
    assert entry.after[spec.name] == spec.maximum and entry.before[spec.name] != spec.maximum
    again = world.api.get("/api/v1/policies", headers=world.headers("support")).json()
    assert again[spec.name] == spec.maximum


def test_new_sellers_start_with_the_policy_defaults_at_once(world, engine, session):
    world.api.put(
        "/api/v1/policies",
        json={"ship_by_hours": 48, "low_stock_threshold": 12},
        headers=world.headers("admin"),
    ).raise_for_status()
    created = world.api.post(
        "/api/v1/sellers",
        json={"name": "Shop C", "country": "US", "postal_code": "78701"},
        headers=world.headers("admin"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["handling_hours"] == 48
    seller = session.get(Seller, created.json()["id"])
    assert (seller.handling_hours, seller.low_stock_threshold) == (48, 12)
    own = world.api.post(
        "/api/v1/sellers",
        json={"name": "Shop D", "country": "US", "postal_code": "78701", "handling_hours": 6},
        headers=world.headers("admin"),
    )
    assert own.json()["handling_hours"] == 6


@pytest.mark.parametrize("who", ["support", "seller_a", "alice"])
def test_only_admins_change_policies(world, engine, who):
    response = world.api.put(
        "/api/v1/policies", json={"archive_after_days": 400}, headers=world.headers(who)
    )
    assert_problem(response, 403, "forbidden")
    assert count(engine, AuditEntry) == 0
