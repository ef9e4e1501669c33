"""One ship-by deadline, stored at payment, read the same way by the fulfillment queue,
the seller's standing and the KPIs.

The case the wall-clock rule got wrong: paid on Friday at 18:00 in New York (after
the 14:00 cut-off) with 24 h handling. Handling starts on Monday and takes one business
day, so the parcel is due by the end of Tuesday, as checkout's promise counts it; on
Saturday night it is not late, and shipped on Monday it is on time everywhere.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from oms_dashboard.domain.kpis import KpiKey
from oms_dashboard.models import Order
from oms_dashboard.services import kpis
from oms_dashboard.services.fulfillment import fulfillment_queue
from oms_dashboard.services.seller_standing import seller_standing
from tests.factories import make_actor, make_order, make_product, make_seller

NEW_YORK = ZoneInfo("America/New_York")
FRIDAY_1800 = datetime(2026, 6, 5, 18, 0, tzinfo=NEW_YORK)
TUESDAY_END = datetime(2026, 6, 9, 23, 59, 59, tzinfo=NEW_YORK)


def ny(day: int, hour: int) -> datetime:
    """A moment in June 2026, New York time, as UTC."""
    return datetime(2026, 6, day, hour, 0, tzinfo=NEW_YORK).astimezone(UTC)


class Shop:
    def __init__(self, session: Session):
        self.session = session
        self.seller = make_seller(
            session, name="Evening Shop", handling_hours=24, timezone="America/New_York"
        )
        self.product = make_product(session, self.seller)
        self.customer = make_actor(session, "customer")
        self.staff = make_actor(session, "seller", seller=self.seller)
        self.admin = make_actor(session, "admin")

    def paid_friday_evening(self, *, shipped_at: datetime | None = None) -> Order:
        """Placed a minute before 18:00 on Friday; make_order pays it at 18:00 and
        stores the deadline as payment does."""
        order = make_order(
            self.session,
            customer=self.customer,
            seller=self.seller,
            products=[self.product],
            status="shipped" if shipped_at else "processing",
            placed_at=FRIDAY_1800 - timedelta(minutes=1),
        )
        order.shipped_at = shipped_at
        self.session.add(order)
        self.session.commit()
        return order

    def queue(self, now: datetime):
        return fulfillment_queue(self.session, actor=self.staff, now=now)

    def standing(self, now: datetime):
        return seller_standing(self.session, actor=self.admin, seller_id=self.seller.id, now=now)

    def kpis(self, now: datetime):
        today = now.date()
        filters = kpis.kpi_filters(actor=self.admin, today=today, start=date(2026, 6, 1), end=today)
        return kpis.kpi_report(self.session, actor=self.admin, filters=filters, now=now)


@pytest.fixture
def shop(session):
    return Shop(session)


def test_the_stored_deadline_is_the_end_of_tuesday(shop):
    order = shop.paid_friday_evening()
    assert order.paid_at == FRIDAY_1800.astimezone(UTC)
    assert order.ship_by == TUESDAY_END.astimezone(UTC)


def test_saturday_night_it_is_not_late_in_the_queue(shop):
    order = shop.paid_friday_evening()
    (row,) = shop.queue(ny(6, 23))
    assert (row.order.id, row.ship_by) == (order.id, TUESDAY_END.astimezone(UTC))
    assert row.urgency.value == "on_time"
    (row,) = shop.queue(ny(9, 22))  # Tuesday 22:00: under two hours left
    assert row.urgency.value == "due_soon"
    (row,) = shop.queue(ny(10, 9))  # Wednesday morning: late
    assert row.urgency.value == "late"


def test_shipped_on_monday_is_on_time_in_the_standing_and_the_kpis(shop):
    shop.paid_friday_evening(shipped_at=ny(8, 15))  # Monday 15:00
    now = ny(12, 12)
    metrics = shop.standing(now).metrics
    assert (metrics.due_orders, metrics.late_shipments) == (1, 0)
    report = shop.kpis(now)
    assert report.sellers.loc[0, "late_shipped"] == 0
    assert report.value(KpiKey.FULFILLMENT_RATE) == pytest.approx(1.0)


def test_shipped_on_wednesday_is_late_in_both(shop):
    shop.paid_friday_evening(shipped_at=ny(10, 10))
    now = ny(12, 12)
    assert shop.standing(now).metrics.late_shipments == 1
    assert shop.kpis(now).sellers.loc[0, "late_shipped"] == 1


def test_unshipped_counts_only_once_tuesday_is_over(shop):
    shop.paid_friday_evening()
    monday = ny(8, 12)
    metrics = shop.standing(monday).metrics
    assert (metrics.due_orders, metrics.late_shipments) == (0, 0)
    # Not yet due: the fulfillment rate has nothing to count.
    assert shop.kpis(monday).value(KpiKey.FULFILLMENT_RATE) is None
    wednesday = ny(10, 9)
    metrics = shop.standing(wednesday).metrics
    assert (metrics.due_orders, metrics.late_shipments) == (1, 1)
    assert shop.kpis(wednesday).value(KpiKey.FULFILLMENT_RATE) == pytest.approx(0.0)


def test_a_holiday_moves_the_deadline(session):
    """Paid Friday 3 July 2026 in Austin (Independence Day observed): handling starts
    Monday 6 July and ends Tuesday 7 July."""
    seller = make_seller(session, handling_hours=24, timezone="America/Chicago")
    order = make_order(
        session,
        customer=make_actor(session, "customer"),
        seller=seller,
        products=[make_product(session, seller)],
        placed_at=datetime(2026, 7, 3, 9, 59, tzinfo=ZoneInfo("America/Chicago")),
    )
    local = order.ship_by.astimezone(ZoneInfo("America/Chicago"))
    assert local.date() == date(2026, 7, 7)
