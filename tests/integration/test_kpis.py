"""The KPIs on small hand-built datasets whose answers are worked out by hand: each
KPI, null when nothing counts, the filters, the per-seller and daily breakdowns,
the trend against the previous period, and a seller's scope."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from oms_dashboard.domain.kpis import KpiKey
from oms_dashboard.ids import new_id
from oms_dashboard.models import OrderEvent, Refund, Return, Review, Shipment, ShipmentScan, Ticket
from oms_dashboard.services import kpis
from oms_dashboard.services.errors import Forbidden, ValidationFailed
from tests.factories import make_actor, make_order, make_product, make_seller, pay

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
TODAY = NOW.date()
K = KpiKey


def at(day: int, hour: int = 9) -> datetime:
    """A moment in June 2026."""
    return datetime(2026, 6, day, hour, 0, tzinfo=UTC)


class Mall:
    def __init__(self, session):
        self.session = session
        self.shop = make_seller(session, name="Shop A", handling_hours=24)
        self.other = make_seller(session, name="Shop B", currency="EUR", country="DE")
        self.product = make_product(session, self.shop, price_minor=1000)
        self.other_product = make_product(session, self.other, price_minor=2000, currency="EUR")
        self.customer = make_actor(session, "customer")
        self.admin = make_actor(session, "admin")
        self.seller = make_actor(session, "seller", seller=self.shop)

    def order(self, *, seller=None, placed=None, status="processing", paid_after=None,
              shipped_after=None, delivered_after=None, promised=None, country="US"):  # fmt: skip
        """An order placed at ``placed``; the other times are hours after payment."""
        seller = seller or self.shop
        product = self.product if seller is self.shop else self.other_product
        placed = placed or at(10)
        order = make_order(
            self.session, customer=self.customer, seller=seller, products=[product],
            status=status, placed_at=placed,
        )  # fmt: skip
        if paid_after is not None:
            pay(order, seller, placed + timedelta(hours=paid_after))
        if shipped_after is not None:
            order.shipped_at = order.paid_at + timedelta(hours=shipped_after)
        if delivered_after is not None:
            order.delivered_at = order.paid_at + timedelta(hours=delivered_after)
        order.estimated_delivery = promised
        order.ship_country = country
        self.session.add(order)
        self.session.commit()
        return order

    def add(self, *rows):
        self.session.add_all(rows)
        self.session.commit()

    def report(self, actor=None, **asked):
        asked.setdefault("start", date(2026, 6, 1))
        asked.setdefault("end", TODAY)
        actor = actor or self.admin
        filters = kpis.kpi_filters(actor=actor, today=TODAY, **asked)
        return kpis.kpi_report(self.session, actor=actor, filters=filters, now=NOW)


@pytest.fixture
def mall(session):
    return Mall(session)


def shipment(order, carrier="ups", *, status="delivered", delivered_at=None):
    return Shipment(
        id=new_id("shp"), order_id=order.id, seller_id=order.seller_id, carrier=carrier,
        service="ground", tracking_number=new_id("trk")[:30], status=status,
        created_at=order.shipped_at, delivered_at=delivered_at,
    )  # fmt: skip


def refund(order, *, asked, paid_after_hours=None, amount=500, status="paid", return_id=None):
    return Refund(
        id=new_id("rfd"), order_id=order.id, seller_id=order.seller_id, status=status,
        amount_minor=amount, currency=order.currency, reason="asked", rule="discretionary",
        rule_reason="x", requested_role="customer", created_at=asked, return_id=return_id,
        paid_at=asked + timedelta(hours=paid_after_hours) if paid_after_hours else None,
    )  # fmt: skip


def a_return(order, reason):
    return Return(
        id=new_id("ret"), order_id=order.id, seller_id=order.seller_id,
        customer_id=order.customer_id, status="requested", reason=reason,
        resolution="refund", rule="x", rule_reason="x",
    )  # fmt: skip


def ticket(order, *, rating=None, priority="normal", due=None, resolved=None):
    return Ticket(
        id=new_id("tkt"), number=new_id("T")[:20], order_id=order.id, seller_id=order.seller_id,
        customer_id=order.customer_id, source="customer", subject="?", severity=priority,
        priority=priority, priority_rank={"urgent": 0, "high": 1, "normal": 2}[priority],
        priority_reason="x", status="resolved" if resolved else "open",
        sla_due_at=due or NOW + timedelta(days=1), rating=rating, resolved_at=resolved,
    )  # fmt: skip


def test_nothing_to_count_gives_null_for_every_kpi(mall):
    report = mall.report()
    assert [k.value for k in report.kpis] == [None] * 6
    assert [k.met for k in report.kpis] == [None] * 6
    assert report.orders == 0 and report.revenue_minor == {}
    assert len(report.daily) == 30 and report.daily["placed"].sum() == 0


def test_fulfillment_counts_shipped_cancelled_and_overdue_orders_not_recent_ones(mall):
    # Paid Wed 10 June 05:00 in New York with 24 h handling: ship by Thu 11 June, 23:59
    # New York time (12 June 03:59 UTC).
    mall.order(status="delivered", paid_after=0, shipped_after=3, delivered_after=50)
    mall.order(status="shipped", paid_after=0, shipped_after=42)  # Fri 03:00 UTC: on time
    mall.order(status="shipped", paid_after=0, shipped_after=43)  # Fri 04:00 UTC: late
    mall.order(status="cancelled", paid_after=0)  # cancelled after payment: not fulfilled
    mall.order(placed=at(20), paid_after=0)  # still unshipped 10 days later: overdue
    mall.order(placed=NOW - timedelta(hours=3), paid_after=0)  # ship by tomorrow: not yet
    mall.order(status="pending_payment")  # never paid: not counted
    report = mall.report()
    assert report.value(K.FULFILLMENT_RATE) == pytest.approx(3 / 5)
    assert report.value(K.AVG_PROCESSING_HOURS) == pytest.approx((3 + 42 + 43) / 3)
    assert report.orders == 6  # paid orders placed in the period
    assert report.sellers.loc[0, "late_shipped"] == 1  # shipped after its ship-by


def test_on_time_delivery_against_the_promised_date(mall):
    promised = date(2026, 6, 14)
    mall.order(
        status="delivered", paid_after=0, shipped_after=1, delivered_after=24, promised=promised
    )  # fmt: skip  June 11: early
    mall.order(
        status="delivered",
        paid_after=0,
        shipped_after=1,
        delivered_after=24 * 4 + 14,
        promised=promised,
    )  # fmt: skip  June 14 at 23:00: on the day, on time
    mall.order(
        status="delivered", paid_after=0, shipped_after=1, delivered_after=24 * 6, promised=promised
    )  # fmt: skip  June 16: late
    mall.order(status="in_transit", paid_after=0, shipped_after=1, promised=promised)  # late
    mall.order(status="in_transit", paid_after=0, shipped_after=1, promised=TODAY)  # not yet
    mall.order(status="cancelled", paid_after=0, promised=promised)  # left out
    assert mall.report().value(K.ON_TIME_DELIVERY_RATE) == pytest.approx(2 / 4)


def test_satisfaction_averages_review_and_ticket_ratings(mall):
    first = mall.order(status="delivered", paid_after=0, shipped_after=1, delivered_after=30)
    second = mall.order(status="delivered", paid_after=0, shipped_after=1, delivered_after=30)
    mall.add(
        Review(id=new_id("rev"), order_id=first.id, seller_id=first.seller_id,
               customer_id=first.customer_id, sku=mall.product.sku, rating=5),
        ticket(second, rating=2),
        ticket(second),  # not rated: not counted
    )  # fmt: skip
    report = mall.report()
    assert report.value(K.SATISFACTION) == pytest.approx((5 + 2) / 2)
    assert report.kpis[3].met is False and report.kpis[3].counted == 2
    assert report.revenue_minor == {"USD": first.total_minor + second.total_minor}


def test_accuracy_counts_wrong_missing_or_damaged_returns_and_reports(mall):
    def delivered():
        return mall.order(status="delivered", paid_after=0, shipped_after=1, delivered_after=30)

    fine, wrong, missing, reported, changed_mind = (delivered() for _ in range(5))
    mall.order(status="shipped", paid_after=0, shipped_after=1)  # not delivered: not counted
    mall.add(
        a_return(wrong, "wrong_item"),
        a_return(missing, "missing_item"),
        a_return(changed_mind, "changed_mind"),
        OrderEvent(id=new_id("evt"), order_id=reported.id, seller_id=reported.seller_id,
                   type="order.delivery_problem", actor_type="user", actor_label="c",
                   data={"problem": "damaged"}),
        OrderEvent(id=new_id("evt"), order_id=fine.id, seller_id=fine.seller_id,
                   type="order.delivery_problem", actor_type="user", actor_label="c",
                   data={"problem": "not_arrived"}),
    )  # fmt: skip
    assert mall.report().value(K.ACCURACY_RATE) == pytest.approx(2 / 5)


def test_refund_time_and_revenue_net_of_paid_refunds(mall):
    order = mall.order(status="delivered", paid_after=0, shipped_after=1, delivered_after=30)
    mall.add(
        refund(order, asked=at(12), paid_after_hours=10, amount=300),
        refund(order, asked=at(13), paid_after_hours=50, amount=200),
        refund(order, asked=at(14), status="pending_review", amount=100),  # not paid yet
    )
    report = mall.report()
    assert report.value(K.AVG_REFUND_HOURS) == pytest.approx(30)
    assert report.revenue_minor == {"USD": order.total_minor - 500}
    reasons = report.refund_reasons.groupby("reason")["refunds"].sum().to_dict()
    assert reasons == {"discretionary": 3}


def test_each_currency_keeps_its_own_revenue_and_the_seller_table_splits(mall):
    usd = mall.order(paid_after=0, shipped_after=1, status="shipped")
    eur = mall.order(seller=mall.other, paid_after=0, shipped_after=5, status="shipped")
    report = mall.report()
    assert report.revenue_minor == {"USD": usd.total_minor, "EUR": eur.total_minor}
    by_seller = report.sellers.set_index("seller_id")
    assert by_seller.loc[mall.shop.id, "avg_processing_hours"] == pytest.approx(1)
    assert by_seller.loc[mall.other.id, "avg_processing_hours"] == pytest.approx(5)
    assert report.value(K.AVG_PROCESSING_HOURS) == pytest.approx(3)
    revenue = report.daily_revenue
    assert set(revenue["currency"]) == {"USD", "EUR"}
    assert revenue[revenue["currency"] == "EUR"]["net_minor"].sum() == eur.total_minor


def test_filters_seller_country_carrier_and_period_apply_to_everything(mall):
    us = mall.order(paid_after=0, shipped_after=2, status="shipped")
    ca = mall.order(paid_after=0, shipped_after=4, status="shipped", country="CA")
    de = mall.order(seller=mall.other, paid_after=0, shipped_after=6, status="shipped")
    mall.order(
        placed=datetime(2026, 5, 20, tzinfo=UTC), paid_after=0, shipped_after=8, status="shipped"
    )  # fmt: skip  the previous period
    mall.add(shipment(us, "ups"), shipment(ca, "fedex"), shipment(de, "ups"))
    mall.add(ticket(ca, priority="high", due=at(11)))  # breached: still open after its due

    def hours(**asked):
        return mall.report(**asked).value(K.AVG_PROCESSING_HOURS)

    assert hours() == pytest.approx(4)
    assert hours(seller_id=mall.other.id) == pytest.approx(6)
    assert hours(country="ca") == pytest.approx(4)
    assert hours(carrier="ups") == pytest.approx(4)
    assert hours(carrier="fedex") == pytest.approx(4)
    assert hours(start=date(2026, 5, 1), end=date(2026, 5, 31)) == pytest.approx(8)
    fedex = mall.report(carrier="fedex")
    assert fedex.orders == 1 and list(fedex.carriers["carrier"]) == ["fedex"]
    assert fedex.tickets.to_dict("records") == [
        {"priority": "high", "rank": 1, "tickets": 1, "breached": 1}
    ]
    assert mall.report(carrier="ups").tickets.empty


def test_trend_compares_with_the_previous_period_of_the_same_length(mall):
    mall.order(placed=at(25), paid_after=0, shipped_after=1, status="shipped")
    mall.order(placed=at(15), paid_after=0, shipped_after=3, status="shipped")
    report = mall.report(start=date(2026, 6, 21), end=date(2026, 6, 30))
    processing = report.kpis[1]
    assert (processing.value, processing.previous) == (pytest.approx(1), pytest.approx(3))
    assert processing.trend.change == pytest.approx(-2) and processing.trend.improved is True
    assert processing.met is True
    assert report.previous_orders == 1 and report.orders == 1
    assert len(report.daily) == 10
    assert report.daily.set_index("day").loc[date(2026, 6, 25), "processed"] == 1


def test_carrier_transit_and_exceptions(mall):
    quick = mall.order(status="delivered", paid_after=0, shipped_after=1, delivered_after=25)
    slow = mall.order(status="delivered", paid_after=0, shipped_after=1, delivered_after=49)
    lost = mall.order(status="delivery_exception", paid_after=0, shipped_after=1)
    shipments = [
        shipment(quick, delivered_at=quick.delivered_at),
        shipment(slow, delivered_at=slow.delivered_at),
        shipment(lost, status="in_transit"),
    ]
    mall.add(*shipments)
    scan = ShipmentScan(
        id=new_id("scn"), shipment_id=shipments[2].id, at=at(12), code="X",
        status="delivery_exception", description="damaged",
    )  # fmt: skip
    mall.add(scan)
    (ups,) = mall.report().carriers.to_dict("records")
    assert ups["shipments"] == 3 and ups["exceptions"] == 1
    assert ups["transit_hours"] / ups["delivered"] == pytest.approx((24 + 48) / 2)


def test_a_seller_sees_only_their_own_numbers(mall):
    mall.order(paid_after=0, shipped_after=2, status="shipped")
    mall.order(seller=mall.other, paid_after=0, shipped_after=6, status="shipped")
    own = mall.report(actor=mall.seller)
    assert own.filters.seller_id == mall.shop.id
    assert own.value(K.AVG_PROCESSING_HOURS) == pytest.approx(2)
    assert list(own.sellers["seller_id"]) == [mall.shop.id]
    with pytest.raises(Forbidden):
        mall.report(actor=mall.seller, seller_id=mall.other.id)
    with pytest.raises(Forbidden):
        mall.report(actor=make_actor(mall.session, "support"))


@pytest.mark.parametrize(
    ("asked", "field"),
    [
        ({"start": date(2026, 6, 10), "end": date(2026, 6, 1)}, "to"),
        ({"start": date(2020, 1, 1), "end": date(2026, 6, 1)}, "to"),
        ({"carrier": "pigeon"}, "carrier"),
        ({"country": "USA"}, "country"),
    ],
)
def test_bad_filters_name_the_field(mall, asked, field):
    with pytest.raises(ValidationFailed) as refused:
        mall.report(**asked)
    assert [e["field"] for e in refused.value.errors] == [field]


def test_the_default_period_is_the_last_30_days_today_included(mall):
    filters = kpis.kpi_filters(actor=mall.admin, today=TODAY)
    assert (filters.period.start, filters.period.end) == (date(2026, 6, 1), TODAY)
