"""The reads behind the tracking pages: what tells an open order page that carrier
news arrived, and support's flagged shipments with their last scan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from oms_dashboard.carriers.base import Scan, ScanLocation, ShipmentStatus, TrackingUpdate
from oms_dashboard.ids import new_id
from oms_dashboard.models import Shipment
from oms_dashboard.services import tracking
from oms_dashboard.services.errors import Forbidden, NotFound
from oms_dashboard.services.tracking_views import flagged_with_last_scan, tracking_mark
from tests.factories import make_actor, make_order, make_product, make_seller

MEMPHIS = ScanLocation(city="Memphis", region="TN", country="US")
AUSTIN = ScanLocation(city="Austin", region="TX", country="US")
T0 = datetime(2026, 11, 30, 9, tzinfo=UTC)


def shipped(engine, *, flagged_at: datetime | None = None, flag: str | None = None):
    """A customer's shipped order with its FedEx shipment; returns (customer, order, shipment)."""
    with Session(engine, expire_on_commit=False) as s:
        seller = make_seller(s)
        customer = make_actor(s, "customer")
        order = make_order(
            s,
            customer=customer,
            seller=seller,
            products=[make_product(s, seller)],
            status="shipped",
        )
        shipment = Shipment(
            id=new_id("shp"),
            order_id=order.id,
            seller_id=seller.id,
            carrier="fedex",
            service="FEDEX_GROUND",
            tracking_number=new_id("trk")[-20:],
            status="shipped",
            flag=flag,
            flagged_reason=f"{flag} for a test" if flag else None,
            flagged_at=flagged_at,
        )
        s.add(shipment)
        s.commit()
        return customer, order, shipment


def news(number: str, status: ShipmentStatus, *scans: Scan) -> TrackingUpdate:
    return TrackingUpdate(number, status, sorted(scans, key=lambda x: x.at, reverse=True))


def test_the_mark_moves_with_carrier_news_and_only_then(engine, session):
    customer, order, shipment = shipped(engine)
    first = tracking_mark(session, actor=customer, order_id=order.id)
    assert first == tracking_mark(session, actor=customer, order_id=order.id)
    assert first.status == "shipped" and first.shipments[0].scans == 0

    picked = Scan(T0, "PU", "Picked up", MEMPHIS)
    tracking.apply_updates(
        engine, "fedex", [news(shipment.tracking_number, ShipmentStatus.IN_TRANSIT, picked)], now=T0
    )
    session.rollback()  # a fresh read, after the writes of another transaction
    moved = tracking_mark(session, actor=customer, order_id=order.id)
    assert moved != first
    assert moved.status == "in_transit" and moved.shipments[0].scans == 1
    assert moved.events > first.events  # the order's timeline grew too

    # The same news again at the same moment: nothing a page shows has changed.
    tracking.apply_updates(
        engine, "fedex", [news(shipment.tracking_number, ShipmentStatus.IN_TRANSIT, picked)], now=T0
    )
    session.rollback()  # a fresh read, after the writes of another transaction
    assert tracking_mark(session, actor=customer, order_id=order.id) == moved

    # A later answer with nothing new still moves "last update from the carrier".
    later = T0 + timedelta(minutes=5)
    tracking.apply_updates(
        engine,
        "fedex",
        [news(shipment.tracking_number, ShipmentStatus.IN_TRANSIT, picked)],
        now=later,
    )
    session.rollback()  # a fresh read, after the writes of another transaction
    synced = tracking_mark(session, actor=customer, order_id=order.id)
    assert synced != moved and synced.shipments[0].last_synced_at == later


def test_the_mark_is_scoped_like_the_order(engine, session):
    _customer, order, _shipment = shipped(engine)
    stranger = make_actor(session, "customer")
    with pytest.raises(NotFound):
        tracking_mark(session, actor=stranger, order_id=order.id)
    assert tracking_mark(session, actor=make_actor(session, "support"), order_id=order.id)


def test_flagged_shipments_come_oldest_first_with_their_newest_scan(engine, session):
    _c, newer_order, newer = shipped(engine, flag="exception", flagged_at=T0)
    _c, older_order, older = shipped(engine, flag="stuck", flagged_at=T0 - timedelta(days=2))
    shipped(engine)  # not flagged: not listed
    scans = [
        Scan(T0 - timedelta(hours=30), "PU", "Picked up", MEMPHIS),
        Scan(T0 - timedelta(hours=3), "DE", "Delivery exception", AUSTIN),
    ]
    # The carrier's own words arrive out of order; the newest is still the one shown.
    for scan in scans[::-1]:
        tracking.apply_updates(engine, "fedex", [news(newer.tracking_number, None, scan)], now=T0)
    rows = flagged_with_last_scan(session, actor=make_actor(session, "support"))
    assert [r.flagged.order.id for r in rows] == [older_order.id, newer_order.id]
    assert rows[0].last_scan is None
    assert rows[1].last_scan.description == "Delivery exception"
    assert rows[1].last_scan.city == "Austin"


def test_customers_do_not_see_support_s_list(engine, session):
    customer, _order, _shipment = shipped(engine, flag="stuck", flagged_at=T0)
    with pytest.raises(Forbidden):
        flagged_with_last_scan(session, actor=customer)
