"""GET /api/v1/audit: admins read the chained log, filtered, newest first, paged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from oms_dashboard.models.base import utcnow
from tests.integration.api_helpers import api_fixture, assert_problem, error_fields  # noqa: F401
from tests.integration.desk_helpers import desk_fixture  # noqa: F401

LATE = timedelta(days=3)


def audit(desk, who="admin", **params):
    return desk.api.get("/api/v1/audit", params=params, headers=desk.h(who))


def change_policy(desk, minutes: int):
    response = desk.api.put(
        "/api/v1/policies",
        json={"cancellation_window_minutes": minutes},
        headers=desk.h("admin"),
    )
    assert response.status_code == 200, response.text


def override_cancel(desk, order_id: str):
    response = desk.api.post(
        f"/api/v1/orders/{order_id}/cancel",
        json={"reason": "carrier lost it before pickup"},
        headers=desk.h("admin"),
    )
    assert response.status_code == 200, response.text


def test_rows_newest_first_with_before_and_after_of_the_changed_fields(desk):
    change_policy(desk, 30)
    change_policy(desk, 45)
    body = audit(desk).json()
    newest, older = body["items"]
    assert body["next_cursor"] is None
    assert newest["seq"] > older["seq"] and newest["prev_hash"] == older["hash"]
    assert newest["action"] == "policy.update"
    assert newest["before"] == {"cancellation_window_minutes": 30}
    assert newest["after"] == {"cancellation_window_minutes": 45}
    admin = desk.users["admin"]
    assert newest["actor"] == {"id": admin.id, "role": "admin", "name": admin.name}
    assert newest["target"]["type"] == "policy" and newest["target"]["order_id"] is None
    assert len(newest["hash"]) == 64


def test_filters_by_order_actor_action_and_date(desk):
    order = desk.order(status="shipped", placed_ago=LATE)
    other = desk.order(status="shipped", placed_ago=LATE)
    override_cancel(desk, order.id)
    override_cancel(desk, other.id)
    change_policy(desk, 30)

    (row,) = audit(desk, order_id=order.id).json()["items"]
    assert row["target"] == {
        "type": "order",
        "id": order.id,
        "order_id": order.id,
        "order_number": order.number,
    }
    assert row["before"]["status"] == "shipped" and row["after"]["status"] == "cancelled"
    assert row["after"]["reason"] == "carrier lost it before pickup"

    by_action = audit(desk, action="order.cancel").json()["items"]
    assert {r["target"]["id"] for r in by_action} == {order.id, other.id}
    by_actor = audit(desk, actor_id=desk.users["admin"].id).json()["items"]
    assert len(by_actor) >= 3
    assert audit(desk, actor_id="usr_nobody").json()["items"] == []
    now = utcnow()
    assert len(audit(desk, **{"from": (now - timedelta(hours=1)).isoformat()}).json()["items"]) >= 3
    assert audit(desk, to=(now - timedelta(hours=1)).isoformat()).json()["items"] == []


def test_pages_walk_the_whole_log_without_gaps_or_repeats(desk):
    for minutes in range(20, 27):
        change_policy(desk, minutes)
    seen, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        body = audit(desk, **params).json()
        seen += [r["seq"] for r in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen)) == 7


@pytest.mark.parametrize("who", ["support", "seller_a", "alice"])
def test_only_admins_read_the_log(desk, who):
    assert_problem(audit(desk, who=who), 403, "forbidden")


def test_anonymous_is_401(desk):
    assert audit(desk, who=None).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-12-02T00:00:00Z", "to": "2026-12-01T00:00:00Z"}, "to"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"action": "x" * 61}, "action"),
        ({"order_id": "o" * 41}, "order_id"),
    ],
)
def test_bad_filters_are_422_naming_the_field(desk, params, field):
    response = audit(desk, **params)
    assert_problem(response, 422, "validation-error")
    assert error_fields(response) == [field]
