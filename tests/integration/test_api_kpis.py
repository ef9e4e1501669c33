"""GET /api/v1/kpis: the contract (API.md), its scoping and refusals, and the same
numbers as the KPI page's state for the same filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms_dashboard.domain.kpis import DEFINITIONS
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import kpis
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.ui.states.kpis import kpi_cards
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    world_fixture,
)

FIELDS = {
    "period", "fulfillment_rate", "avg_processing_hours", "on_time_delivery_rate",
    "satisfaction", "accuracy_rate", "avg_refund_hours", "orders", "revenue",
}  # fmt: skip


def get(world, who, **params):
    return world.api.get("/api/v1/kpis", params=params, headers=world.headers(who))


@pytest.fixture
def shipped(world, session):
    """bob_a shipped 5 hours after payment; bob_b delivered, 3 hours to ship; alice_a
    unshipped past its ship-by (set an hour ago: the world's 3 days may be a weekend)."""
    alice_a = world.orders["alice_a"]
    alice_a.ship_by = utcnow() - timedelta(hours=1)
    session.add(alice_a)
    for name, hours in (("bob_a", 5), ("bob_b", 3)):
        order = world.orders[name]
        order.shipped_at = order.paid_at + timedelta(hours=hours)
        if name == "bob_b":
            order.delivered_at = order.shipped_at + timedelta(hours=20)
        session.add(order)
    session.commit()
    return world


def test_the_admin_gets_every_kpi_for_the_last_30_days(shipped):
    response = get(shipped, "admin")
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) >= FIELDS
    today = utcnow().date()
    assert body["period"] == {
        "from": (today - timedelta(days=29)).isoformat(),
        "to": today.isoformat(),
        "days": 30,
    }
    assert body["orders"] == 3
    assert body["avg_processing_hours"] == pytest.approx(4)
    assert body["fulfillment_rate"] == pytest.approx(2 / 3)  # alice_a: unshipped, overdue
    assert body["accuracy_rate"] == pytest.approx(1.0)
    assert body["satisfaction"] is None and body["avg_refund_hours"] is None
    total = sum(o.total_minor for o in shipped.orders.values())
    assert body["revenue"] == {"USD": f"{total / 100:.2f}"}
    assert [k["key"] for k in body["kpis"]] == [d.key.value for d in DEFINITIONS]


def test_the_period_and_seller_filters_change_the_numbers(shipped):
    only_b = get(shipped, "admin", seller_id=shipped.shop_b.id).json()
    assert only_b["orders"] == 1 and only_b["avg_processing_hours"] == pytest.approx(3)
    long_ago = get(shipped, "admin", **{"from": "2025-01-01", "to": "2025-01-31"}).json()
    assert long_ago["orders"] == 0
    assert long_ago["fulfillment_rate"] is None and long_ago["revenue"] == {}


def test_a_seller_gets_their_own_numbers_and_403_for_another(shipped):
    own = get(shipped, "seller_a").json()
    assert own["seller_id"] == shipped.shop_a.id
    assert own["orders"] == 2 and own["avg_processing_hours"] == pytest.approx(5)
    assert get(shipped, "seller_a", seller_id=shipped.shop_a.id).status_code == 200
    assert_problem(get(shipped, "seller_a", seller_id=shipped.shop_b.id), 403, "forbidden")


@pytest.mark.parametrize("who", ["alice", "support"])
def test_customers_and_support_are_refused(world, who):
    assert_problem(get(world, who), 403, "forbidden")


def test_without_a_token_it_is_401(world):
    assert get(world, None).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"from": "2026-03-10", "to": "2026-03-01"}, "to"),
        ({"carrier": "pigeon"}, "carrier"),
        ({"country": "U1"}, "country"),
    ],
)
def test_bad_filters_are_422_naming_the_field(world, params, field):
    response = get(world, "admin", **params)
    assert_problem(response, 422, "validation-error")
    assert any(f.endswith(field) for f in error_fields(response)), response.json()


def test_the_page_and_the_api_give_the_same_numbers(shipped, session):
    """The page's cards come from ``kpi_cards`` over the same service report."""
    admin = actor_for_user(session, shipped.users["admin"])
    for params in ({}, {"seller_id": shipped.shop_a.id}):
        body = get(shipped, "admin", **params).json()
        filters = kpis.kpi_filters(actor=admin, seller_id=params.get("seller_id"))
        cards = kpi_cards(kpis.kpi_report(session, actor=admin, filters=filters))
        assert {c.key: c.raw for c in cards} == {k["key"]: k["value"] for k in body["kpis"]}
        assert {c.key: c.raw for c in cards} == {k: body[k] for k in (d.key for d in DEFINITIONS)}
