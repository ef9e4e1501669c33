"""The daily rollups give the very numbers the live count gives: a hand-built mall over
two months (open and settled orders, several carriers, refunds, ratings, tickets),
rolled up days before the report is asked for; then past orders change (a late
delivery, a refund, a resolved ticket), the days are rolled again, and the two agree
again, for several filters, twice round."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pandas as pd
import pytest
import sqlalchemy as sa

from oms_dashboard.ids import new_id
from oms_dashboard.models import KpiDailyFacts, KpiRollupDay, OrderEvent, Review, ShipmentScan
from oms_dashboard.services import kpi_queries as q
from oms_dashboard.services import kpi_rollups as rollups
from oms_dashboard.services import kpis
from tests.integration.test_kpis import NOW, TODAY, Mall, a_return, refund, shipment, ticket

FILTERS = [
    {},
    {"seller": True},
    {"carrier": "ups"},
    {"carrier": "dhl"},
    {"country": "DE"},
    {"seller": True, "carrier": "fedex", "country": "US"},
]
ROLLED_AT = NOW - timedelta(days=4)
"""The rollup is written days before the report: open orders have moved since."""


def day_at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@pytest.fixture
def mall(session):
    return Mall(session)


def resolved_at(placed: datetime, i: int) -> datetime | None:
    """Every other ticket resolved, some after their SLA (2 days); the rest still open."""
    return placed + timedelta(days=1 + i % 3) if i % 2 else None


def build(mall: Mall, today: date = TODAY) -> list:
    """56 orders, one a day up to yesterday (May 5 .. June 29 by default)."""
    orders = []
    for i in range(56):
        day = today - timedelta(days=56 - i)
        placed = day_at(day, 8 + i % 10)
        seller = mall.shop if i % 3 else mall.other
        country = "DE" if seller is mall.other else ("US" if i % 4 else "CA")
        kind = i % 7
        if kind == 0:
            o = mall.order(
                seller=seller, placed=placed, status="cancelled", paid_after=1, country=country
            )
        elif kind == 1:  # paid, not shipped: overdue later on (open)
            o = mall.order(
                seller=seller,
                placed=placed,
                paid_after=2,
                country=country,
                promised=day + timedelta(days=5),
            )
        elif kind == 2:  # shipped, in transit, promised date passes (open)
            o = mall.order(
                seller=seller,
                placed=placed,
                status="shipped",
                paid_after=1,
                shipped_after=20,
                promised=day + timedelta(days=3),
                country=country,
            )
            mall.add(shipment(o, "dhl", status="in_transit"))
        else:  # delivered, some late, some with two carriers
            o = mall.order(
                seller=seller,
                placed=placed,
                status="delivered",
                paid_after=1,
                shipped_after=2 + i % 30,
                delivered_after=30 + 13 * (i % 6),
                promised=day + timedelta(days=2),
                country=country,
            )
            first = shipment(o, ["ups", "fedex", "usps"][i % 3], delivered_at=o.delivered_at)
            mall.add(first)
            if i % 5 == 0:
                mall.add(shipment(o, "dhl", delivered_at=o.delivered_at))
            if i % 4 == 0:
                mall.add(
                    ShipmentScan(
                        id=new_id("scn"),
                        shipment_id=first.id,
                        code="X",
                        at=o.shipped_at + timedelta(hours=5),
                        status="delivery_exception",
                        description="x",
                    )
                )
            if i in (4, 6):  # one review per product (and customer)
                product = mall.product if seller is mall.shop else mall.other_product
                mall.add(
                    Review(
                        id=new_id("rev"),
                        order_id=o.id,
                        seller_id=o.seller_id,
                        customer_id=o.customer_id,
                        sku=product.sku,
                        rating=2 + i % 4,
                    )
                )
            if i % 6 == 3:
                ret = a_return(o, "damaged" if i % 12 == 3 else "changed_mind")
                mall.add(ret)
                mall.add(
                    refund(
                        o,
                        asked=o.delivered_at + timedelta(hours=4),
                        paid_after_hours=30,
                        return_id=ret.id,
                    )
                )
            if i % 8 == 5:
                mall.add(
                    OrderEvent(
                        id=new_id("evt"),
                        order_id=o.id,
                        seller_id=o.seller_id,
                        type="order.delivery_problem",
                        actor_type="user",
                        actor_label="c",
                        data={"problem": "wrong_item"},
                    )
                )
        if i % 5 == 1:
            mall.add(
                ticket(
                    o,
                    rating=2 + i % 4,
                    priority=["urgent", "high", "normal"][i % 3],
                    due=placed + timedelta(days=2),
                    resolved=resolved_at(placed, i),
                )
            )
        orders.append(o)
    return orders


def roll(mall: Mall) -> None:
    first = TODAY - timedelta(days=60)
    rollups.roll_up(mall.session, first, TODAY - timedelta(days=2), ROLLED_AT)
    mall.session.commit()


def report(mall: Mall, asked: dict, *, rollups_used: bool) -> kpis.KpiReport:
    filters = kpis.kpi_filters(
        actor=mall.admin,
        today=TODAY,
        start=date(2026, 6, 1),
        end=TODAY,
        seller_id=mall.shop.id if asked.get("seller") else None,
        carrier=asked.get("carrier"),
        country=asked.get("country"),
    )
    return kpis.kpi_report(
        mall.session, actor=mall.admin, filters=filters, now=NOW, rollups_used=rollups_used
    )


def frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(
        a.reset_index(drop=True), b.reset_index(drop=True), check_dtype=False, rtol=1e-9
    )


def assert_same(rolled: kpis.KpiReport, live: kpis.KpiReport) -> None:
    for r, v in zip(rolled.kpis, live.kpis, strict=True):
        assert (r.value, r.counted, r.previous, r.met) == (
            pytest.approx(v.value),
            v.counted,
            pytest.approx(v.previous),
            v.met,
        ), r.definition.key
    assert (rolled.orders, rolled.previous_orders) == (live.orders, live.previous_orders)
    assert rolled.revenue_minor == live.revenue_minor
    for name in ("daily", "daily_revenue", "sellers", "carriers", "tickets", "refund_reasons"):
        frames_equal(getattr(rolled, name), getattr(live, name))


def test_rollups_and_the_live_count_agree_through_changes_to_past_orders(mall):
    orders = build(mall)
    live_counts = []
    for round_ in range(2):
        roll(mall)
        assert mall.session.exec(sa.select(sa.func.count()).select_from(KpiDailyFacts)).one()[0]
        for asked in FILTERS:
            rolled, live = (
                report(mall, asked, rollups_used=True),
                report(mall, asked, rollups_used=False),
            )
            assert_same(rolled, live)
        live_counts.append(report(mall, {}, rollups_used=False))
        # Past orders change: a late delivery of an open one, a refund, a ticket resolved.
        late = next(o for o in orders[round_ * 7 :] if o.status == "shipped")
        late.status, late.delivered_at = "delivered", NOW - timedelta(days=3 + round_)
        refunded = orders[10 + round_ * 14]
        mall.add(
            late, refund(refunded, asked=NOW - timedelta(days=6), paid_after_hours=20 + round_)
        )
    roll(mall)
    for asked in FILTERS:
        assert_same(report(mall, asked, rollups_used=True), report(mall, asked, rollups_used=False))
    # The changes did change the numbers (the test is not comparing two fixed reports).
    live_counts.append(report(mall, {}, rollups_used=False))
    seen = [(r.revenue_minor, [(k.value, k.previous) for k in r.kpis]) for r in live_counts]
    assert seen[0] != seen[1] != seen[2]


def test_a_stale_rollup_is_read_until_its_day_is_rolled_again(mall):
    """What the job's schedule means: a change to a rolled day shows once it is re-rolled."""
    orders = build(mall)
    roll(mall)
    before = report(mall, {}, rollups_used=True)
    mall.add(refund(orders[40], asked=NOW - timedelta(days=5), paid_after_hours=10, amount=700))
    stale = report(mall, {}, rollups_used=True)
    assert stale.revenue_minor == before.revenue_minor
    roll(mall)
    assert (
        report(mall, {}, rollups_used=True).revenue_minor
        == report(mall, {}, rollups_used=False).revenue_minor
        != before.revenue_minor
    )


def test_today_yesterday_and_unrolled_days_are_counted_live(mall):
    build(mall)
    session = mall.session
    first_order_day = TODAY - timedelta(days=56)  # the days before it count as rolled
    assert rollups.rolled_until(session, date(2026, 5, 1), TODAY, NOW) == first_order_day
    roll(mall)
    assert rollups.rolled_until(session, date(2026, 5, 1), TODAY, NOW) == TODAY - timedelta(days=1)
    session.exec(sa.delete(KpiRollupDay).where(KpiRollupDay.day == date(2026, 6, 10)))
    session.commit()
    assert rollups.rolled_until(session, date(2026, 5, 1), TODAY, NOW) == date(2026, 6, 10)
    assert_same(report(mall, {}, rollups_used=True), report(mall, {}, rollups_used=False))


def test_the_jobs_roll_every_day_with_orders_then_the_recent_ones(mall, engine):
    build(mall)
    assert rollups.roll_up_recent(engine, NOW) > 0  # first run: every day since the first order
    days = mall.session.exec(sa.select(sa.func.count()).select_from(KpiRollupDay)).one()[0]
    assert days == (TODAY - timedelta(days=2) - (TODAY - timedelta(days=56))).days + 1
    assert rollups.roll_up_recent(engine, NOW) > 0
    assert rollups.roll_up_all(engine, NOW) > 0
    mall.session.expire_all()
    assert_same(report(mall, {}, rollups_used=True), report(mall, {}, rollups_used=False))


def test_the_rollup_columns_are_the_reports_facts():
    assert rollups.SUMMED == kpis.SUMMED
    assert set(q.CARRIER_BITS) == {"fedex", "ups", "dhl", "usps"}
