"""Seller statements to the cent on a hand-built month, as JSON and as CSV; the
seller's own commission; who may see what."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from oms_dashboard.ids import new_id
from oms_dashboard.models import AuditEntry, Refund
from tests.factories import make_actor, make_order, make_product
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    assert_problem,
    error_fields,
    fetch,
    world_fixture,
)

NOV_FROM, NOV_TO = "2026-11-01", "2026-11-30"


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def _delivered(session, customer, seller, price_minor, delivered_at):
    product = make_product(session, seller, price_minor=price_minor)
    order = make_order(
        session,
        customer=customer,
        seller=seller,
        products=[product],
        status="delivered",
        placed_at=delivered_at.replace(day=1, hour=0),
    )
    order.delivered_at = delivered_at
    session.add(order)
    session.commit()
    return order  # total = price + 5.99 shipping


def _refund(session, order, amount_minor, *, status="paid", paid_at=None):
    session.add(
        Refund(
            id=new_id("rfd"),
            order_id=order.id,
            seller_id=order.seller_id,
            status=status,
            amount_minor=amount_minor,
            currency=order.currency,
            reason="damaged",
            rule="return-after-delivery",
            rule_reason="returned",
            requested_role="customer",
            paid_at=paid_at,
        )
    )
    session.commit()


@pytest.fixture
def month(world, session):
    """Shop A, November 2026: three 10.05 orders and one 123.45, delivered in the month;
    an October order refunded 5.00 in November; refunds outside the month or unpaid."""
    shop, customer = world.shop_a, make_actor(session, "customer")
    orders = [_delivered(session, customer, shop, 406, at(11, d)) for d in (3, 4, 5)]
    big = _delivered(session, customer, shop, 11_746, at(11, 30, 23))
    october = _delivered(session, customer, shop, 9_401, at(10, 31, 23))
    december = _delivered(session, customer, shop, 9_401, at(12, 1, 0))
    _refund(session, october, 500, paid_at=at(11, 10))
    _refund(session, orders[0], 300, status="approved")  # not paid yet: not deducted
    _refund(session, big, 700, paid_at=at(12, 1, 0))  # paid next month
    return {"orders": orders, "big": big, "october": october, "december": december}


def _statement(api, world, who="seller_a", suffix="", **params):
    query = {"from": NOV_FROM, "to": NOV_TO} | params
    return api.get(
        f"/api/v1/sellers/{world.shop_a.id}/statement{suffix}",
        params=query,
        headers=world.headers(who),
    )


def test_the_statement_adds_up_to_the_cent(api, world, month):
    response = _statement(api, world)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["period_from"], body["period_to"]) == (NOV_FROM, NOV_TO)
    assert (body["commission_bps"], body["commission_source"]) == (1000, "policy")
    # 10 % per order, half-up: 100.5 -> 101 cents thrice, 1234.5 -> 1235 cents.
    assert body["totals"] == [
        {
            "currency": "USD",
            "orders": 4,
            "sales": "153.60",
            "commission": "15.38",
            "refunds": 1,
            "refunded": "5.00",
            "amount_due": "133.22",
        }
    ]
    assert [o["commission"] for o in body["orders"]] == ["1.01", "1.01", "1.01", "12.35"]
    assert [o["net"] for o in body["orders"]] == ["9.04", "9.04", "9.04", "111.10"]
    assert [r["order_id"] for r in body["refunds"]] == [month["october"].id]


def test_the_sellers_own_commission_overrides_the_policy_audited(api, world, month, engine):
    put = api.put(
        f"/api/v1/sellers/{world.shop_a.id}/commission",
        json={"commission_bps": 1250},
        headers=world.headers("admin"),
    )
    assert put.status_code == 200, put.text
    body = _statement(api, world).json()
    assert (body["commission_bps"], body["commission_source"]) == (1250, "seller")
    # 125.625 -> 126 cents thrice, 1543.125 -> 1543: 19.21; due 153.60 - 19.21 - 5.00.
    assert body["totals"][0]["commission"] == "19.21"
    assert body["totals"][0]["amount_due"] == "129.39"
    (entry,) = fetch(
        engine, AuditEntry.__table__.select().where(AuditEntry.action == "seller.commission")
    )
    assert entry.before == {"commission_bps": None} and entry.after == {"commission_bps": 1250}
    bad = api.put(
        f"/api/v1/sellers/{world.shop_a.id}/commission",
        json={"commission_bps": 9000},
        headers=world.headers("admin"),
    )
    assert error_fields(bad) == ["commission_bps"]
    by_seller = api.put(
        f"/api/v1/sellers/{world.shop_a.id}/commission",
        json={"commission_bps": 0},
        headers=world.headers("seller_a"),
    )
    assert_problem(by_seller, 403, "forbidden")


def test_the_csv_has_a_row_per_order_and_refund_then_the_amount_due(api, world, month):
    response = _statement(api, world, suffix=".csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["line"] for r in rows] == ["order"] * 4 + ["refund", "amount_due"]
    assert rows[4]["amount"] == "-5.00" and rows[4]["order_id"] == month["october"].id
    assert rows[-1] == {
        "line": "amount_due",
        "date": NOV_TO,
        "order_number": "",
        "order_id": "",
        "refund_id": "",
        "currency": "USD",
        "amount": "148.60",
        "commission": "15.38",
        "net": "133.22",
    }


def test_who_sees_a_statement_and_bad_periods(api, world, month):
    assert _statement(api, world, who="admin").status_code == 200
    for who in ("seller_b", "support", "alice"):
        assert_problem(_statement(api, world, who=who), 403, "forbidden")
        assert_problem(_statement(api, world, who=who, suffix=".csv"), 403, "forbidden")
    missing = api.get("/api/v1/sellers/sel_nope/statement", headers=world.headers("admin"))
    assert_problem(missing, 404, "not-found")
    assert error_fields(_statement(api, world, **{"from": "November"})) == ["from"]
    assert error_fields(_statement(api, world, **{"from": "2026-12-01"})) == ["to"]
    assert error_fields(_statement(api, world, **{"from": "2024-01-01"})) == ["to"]


def test_the_default_period_is_the_current_month(api, world):
    body = api.get(
        f"/api/v1/sellers/{world.shop_a.id}/statement", headers=world.headers("seller_a")
    ).json()
    assert body["period_from"].endswith("-01")
    assert body["totals"] == [] or body["totals"][0]["currency"] == "USD"
