"""Carrier news applied: scans once, the order along the table, estimates and notices
once, flags for support; the periodic sync over the sandbox, and a carrier that is down
loses nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import httpx
import pytest
from sqlmodel import Session, select

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import Scan, ScanLocation, ShipmentStatus, TrackingUpdate
from oms_dashboard.ids import new_id
from oms_dashboard.inprocess import InProcessTransport
from oms_dashboard.models import (
    CarrierAccount,
    Notification,
    Order,
    OrderEvent,
    OutboxMessage,
    Return,
    Shipment,
    ShipmentScan,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import tracking, tracking_sync
from oms_dashboard.services.carrier_registry import open_adapter
from tests.factories import make_actor, make_order, make_product, make_seller

MEMPHIS = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
AUSTIN = ScanLocation(city="Austin", region="TX", postal_code="78701", country="US")


def shipped_order(engine, *, carrier="fedex", number=None, promised=None):
    with Session(engine) as s:
        seller = make_seller(s)
        customer = make_actor(s, "customer")
        order = make_order(
            s,
            customer=customer,
            seller=seller,
            products=[make_product(s, seller)],
            status="shipped",
        )
        order.estimated_delivery = promised
        shipment = Shipment(
            id=new_id("shp"),
            order_id=order.id,
            seller_id=seller.id,
            carrier=carrier,
            service="FEDEX_GROUND",
            tracking_number=number or new_id("trk")[-20:],
            status="shipped",
            next_sync_at=utcnow() - timedelta(seconds=1),
        )
        s.add(order)
        s.add(shipment)
        s.commit()
        return order.id, shipment.id, shipment.tracking_number


def at(hours: float) -> datetime:
    return datetime(2026, 11, 30, 9, tzinfo=UTC) + timedelta(hours=hours)


def news(number, status, *scans, estimate=None, signature=False) -> TrackingUpdate:
    return TrackingUpdate(
        tracking_number=number,
        status=status,
        scans=sorted(scans, key=lambda s: s.at, reverse=True),
        estimated_delivery=estimate,
        signature_required=signature,
    )


def state(engine, order_id, shipment_id):
    with Session(engine) as s:
        order = s.get(Order, order_id)
        shipment = s.get(Shipment, shipment_id)
        events = s.exec(
            select(OrderEvent.type).where(OrderEvent.order_id == order_id).order_by(OrderEvent.at)
        ).all()
        scans = s.exec(select(ShipmentScan).where(ShipmentScan.shipment_id == shipment_id)).all()
        notices = s.exec(
            select(OutboxMessage.dedupe_key).where(
                OutboxMessage.dedupe_key.like(f"shipment:{shipment_id}:%")
            )
        ).all()
        return order, shipment, list(events), scans, sorted(notices)


PICKED = Scan(at(0), "PU", "Picked up", MEMPHIS)
HUB = Scan(at(20), "AR", "Arrived at FedEx location", MEMPHIS)
VAN = Scan(at(30), "OD", "On FedEx vehicle for delivery", AUSTIN)
DOOR = Scan(at(33), "DL", "Delivered", AUSTIN)


def test_a_whole_journey_twice_each_step_once(engine):
    for _ in range(2):  # two shipments: no key or counter reused between them
        order_id, shipment_id, number = shipped_order(engine)
        steps = [
            news(number, ShipmentStatus.IN_TRANSIT, PICKED, HUB),
            news(number, ShipmentStatus.OUT_FOR_DELIVERY, PICKED, HUB, VAN),
            news(number, ShipmentStatus.DELIVERED, PICKED, HUB, VAN, DOOR),
        ]
        for update in steps:
            for _repeat in range(2):  # the carrier says everything twice
                tracking.apply_updates(engine, "fedex", [update])
        order, shipment, events, scans, notices = state(engine, order_id, shipment_id)
        assert order.status == "delivered" and shipment.status == "delivered"
        assert order.delivered_at == DOOR.at == shipment.delivered_at
        assert shipment.next_sync_at is None  # nothing more to ask
        assert len(scans) == 4 and {s.code for s in scans} == {"PU", "AR", "OD", "DL"}
        assert events.count("order.in_transit") == 1
        assert events.count("order.delivered") == 1
        assert notices == [
            f"shipment:{shipment_id}:delivered",
            f"shipment:{shipment_id}:out_for_delivery",
        ]


def test_skipped_statuses_are_walked_and_old_news_changes_nothing(engine):
    order_id, shipment_id, number = shipped_order(engine)
    tracking.apply_updates(engine, "fedex", [news(number, ShipmentStatus.DELIVERED, DOOR)])
    order, _, events, _, _ = state(engine, order_id, shipment_id)
    assert order.status == "delivered"
    assert events[-3:] == ["order.in_transit", "order.out_for_delivery", "order.delivered"]
    tracking.apply_updates(engine, "fedex", [news(number, ShipmentStatus.IN_TRANSIT, HUB)])
    order, shipment, after, scans, _ = state(engine, order_id, shipment_id)
    assert (order.status, shipment.status) == ("delivered", "delivered")
    assert after == events  # no move backwards; the late scan is kept for the timeline
    assert len(scans) == 2


def test_a_slipping_estimate_tells_the_customer_once_per_new_date(engine):
    order_id, shipment_id, number = shipped_order(engine, promised=date(2026, 12, 3))
    for estimate in (date(2026, 12, 3), date(2026, 12, 5), date(2026, 12, 5), date(2026, 12, 4)):
        tracking.apply_updates(
            engine, "fedex", [news(number, ShipmentStatus.IN_TRANSIT, HUB, estimate=estimate)]
        )
    _, shipment, events, _, notices = state(engine, order_id, shipment_id)
    assert shipment.estimated_delivery == date(2026, 12, 4)
    assert events.count("shipment.delayed") == 1
    assert notices == [f"shipment:{shipment_id}:delayed:2026-12-05"]


def test_signature_is_announced_once_before_delivery(engine):
    order_id, shipment_id, number = shipped_order(engine)
    for _ in range(3):
        tracking.apply_updates(
            engine, "fedex", [news(number, ShipmentStatus.IN_TRANSIT, HUB, signature=True)]
        )
    _, shipment, _, _, notices = state(engine, order_id, shipment_id)
    assert shipment.signature_required
    assert notices == [f"shipment:{shipment_id}:signature_required"]


def test_an_exception_flags_support_and_clears_when_the_package_moves_again(engine):
    order_id, shipment_id, number = shipped_order(engine)
    trouble = Scan(at(25), "DE", "Customer not available or business closed", AUSTIN)
    tracking.apply_updates(
        engine, "fedex", [news(number, ShipmentStatus.DELIVERY_EXCEPTION, PICKED, trouble)]
    )
    order, shipment, _, _, notices = state(engine, order_id, shipment_id)
    with Session(engine) as s:
        task = s.exec(select(Notification).where(Notification.order_id == order_id)).one()
        assert task.seller_id == order.seller_id and "Arrange a redelivery" in task.body
    assert order.status == "delivery_exception"
    assert shipment.flag == "exception"
    assert "Customer not available" in shipment.flagged_reason
    assert notices == [f"shipment:{shipment_id}:delivery_exception:{trouble.at.isoformat()}"]
    retry = Scan(at(48), "OD", "On FedEx vehicle for delivery", AUSTIN)
    tracking.apply_updates(
        engine, "fedex", [news(number, ShipmentStatus.OUT_FOR_DELIVERY, PICKED, trouble, retry)]
    )
    order, shipment, _, _, _ = state(engine, order_id, shipment_id)
    assert (order.status, shipment.flag) == ("out_for_delivery", None)


def test_an_unknown_number_is_reported_not_applied(engine):
    applied = tracking.apply_updates(
        engine, "fedex", [news("000000000000", ShipmentStatus.DELIVERED, DOOR)]
    )
    assert applied.unknown == ["000000000000"] and applied.shipments == 0


def test_a_package_silent_for_48_business_hours_is_flagged_once(engine):
    order_id, shipment_id, number = shipped_order(engine)
    friday_noon = datetime(2026, 12, 4, 12, tzinfo=UTC)
    with Session(engine) as s:
        shipment = s.get(Shipment, shipment_id)
        shipment.last_scan_at = friday_noon
        s.add(shipment)
        s.commit()
    # Friday noon -> Tuesday 11:00 is 12 + 24 + 11 = 47 business hours: not yet.
    tracking.flag_stuck(engine, now=datetime(2026, 12, 8, 11, tzinfo=UTC))
    assert state(engine, order_id, shipment_id)[1].flag is None
    tracking.flag_stuck(engine, now=datetime(2026, 12, 8, 13, tzinfo=UTC))
    tracking.flag_stuck(engine, now=datetime(2026, 12, 8, 14, tzinfo=UTC))
    shipment = state(engine, order_id, shipment_id)[1]
    assert shipment.flag == "stuck" and "49 business hours" in shipment.flagged_reason
    # a scan at last: the package moves, the flag goes
    tracking.apply_updates(
        engine,
        "fedex",
        [
            news(
                number,
                ShipmentStatus.IN_TRANSIT,
                Scan(datetime(2026, 12, 8, 15, tzinfo=UTC), "AR", "Arrived", MEMPHIS),
            )
        ],
    )
    assert state(engine, order_id, shipment_id)[1].flag is None


# -- the periodic sync, over the sandbox ---------------------------------------------------


def sandbox_shipment(engine):
    with Session(engine) as s:
        number = sandbox.register_package(
            s, carrier="fedex", service="FEDEX_GROUND", origin=MEMPHIS, destination=AUSTIN
        ).tracking_number
        s.commit()
    return shipped_order(engine, number=number)


def scan(engine, number, status):
    with Session(engine) as s:
        sandbox.record_scan(s, carrier="fedex", tracking_number=number, status=status)
        s.commit()


def test_the_sync_asks_the_sandbox_carrier_and_moves_the_order_twice(engine):
    served = InProcessTransport(create_sandbox_app(engine))
    adapter_for = lambda c: open_adapter(engine, c, sandbox_transport=served)  # noqa: E731
    for _ in range(2):
        order_id, shipment_id, number = sandbox_shipment(engine)
        scan(engine, number, ShipmentStatus.IN_TRANSIT)
        report = tracking_sync.sync_due(engine, adapter_for=adapter_for)
        assert report.applied.get("fedex", 0) >= 1 and not report.waiting
        order, shipment, _, scans, _ = state(engine, order_id, shipment_id)
        assert order.status == "in_transit" and len(scans) == 2
        assert shipment.last_synced_at is not None
        assert shipment.next_sync_at > utcnow() + timedelta(minutes=5)
        # not due again: a second run right away leaves it alone
        tracking_sync.sync_due(engine, adapter_for=adapter_for)
        assert state(engine, order_id, shipment_id)[1].last_synced_at == shipment.last_synced_at


class Down(httpx.BaseTransport):
    def handle_request(self, request):
        raise httpx.ConnectError("connection refused", request=request)


def test_a_carrier_that_is_down_loses_nothing_and_drains_when_back(engine):
    served = InProcessTransport(create_sandbox_app(engine))
    order_id, shipment_id, number = sandbox_shipment(engine)
    scan(engine, number, ShipmentStatus.IN_TRANSIT)
    down = lambda c: open_adapter(engine, c, sandbox_transport=Down())  # noqa: E731
    report = tracking_sync.sync_due(engine, adapter_for=down)
    assert "fedex" in report.waiting
    assert state(engine, order_id, shipment_id)[0].status == "shipped"
    with Session(engine) as s:
        assert s.get(CarrierAccount, "fedex").consecutive_failures >= 1
    later = utcnow() + tracking_sync.SYNC_LEASE + timedelta(seconds=1)
    back = lambda c: open_adapter(engine, c, sandbox_transport=served)  # noqa: E731
    report = tracking_sync.sync_due(engine, adapter_for=back, now=later)
    assert report.applied.get("fedex", 0) >= 1
    assert state(engine, order_id, shipment_id)[0].status == "in_transit"
    with Session(engine) as s:
        row = s.get(CarrierAccount, "fedex")
        assert (row.consecutive_failures, row.circuit_open_until) == (0, None)


@pytest.fixture(autouse=True)
def _healthy_carriers(engine):
    yield
    with Session(engine) as s:
        for row in s.exec(select(CarrierAccount)).all():
            row.consecutive_failures, row.circuit_open_until = 0, None
            s.add(row)
        s.commit()


def test_the_cron_syncs_each_carrier_in_a_job_of_its_own(engine, redis_conn, monkeypatch):
    from rq import Queue, SimpleWorker

    from oms_dashboard.bootstrap import bootstrap
    from oms_dashboard.jobs import tasks

    monkeypatch.setattr("oms_dashboard.jobs.connection.get_redis", lambda url=None: redis_conn)
    bootstrap("test", engine=engine)
    order_id, shipment_id, number = sandbox_shipment(engine)
    scan(engine, number, ShipmentStatus.IN_TRANSIT)
    queue = Queue("carriers", connection=redis_conn)
    tasks.sync_tracking()
    tasks.sync_tracking()  # the cron again before a worker took them: no second jobs
    assert sorted(queue.job_ids) == [f"tracking-sync-{c}" for c in ("dhl", "fedex", "ups", "usps")]
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    assert state(engine, order_id, shipment_id)[0].status == "in_transit"


def test_a_sync_killed_midway_loses_nothing(engine, tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    made = []
    for _ in range(40):  # UPS: one request per number, so the kill lands in the middle
        with Session(engine) as s:
            number = sandbox.register_package(
                s, carrier="ups", service="03", origin=MEMPHIS, destination=AUSTIN
            ).tracking_number
            s.commit()
        made.append(shipped_order(engine, carrier="ups", number=number))
        scan_ups(engine, number)
    victim = subprocess.Popen(
        [sys.executable, "-m", "tests.integration.sync_victim", engine.url.render_as_string(False)],
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    assert victim.stdout.readline().strip() == "syncing"
    deadline = time.monotonic() + 60
    while moved(engine, made) < 5 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(victim.pid, signal.SIGKILL)
    victim.wait()
    partly = moved(engine, made)
    assert 0 < partly < len(made), "the kill must land in the middle of the sync"
    served = InProcessTransport(create_sandbox_app(engine))
    after_lease = utcnow() + tracking_sync.SYNC_LEASE + timedelta(seconds=1)
    tracking_sync.sync_due(
        engine,
        adapter_for=lambda c: open_adapter(engine, c, sandbox_transport=served),
        now=after_lease,
    )
    assert moved(engine, made) == len(made)


def scan_ups(engine, number):
    with Session(engine) as s:
        sandbox.record_scan(
            s, carrier="ups", tracking_number=number, status=ShipmentStatus.IN_TRANSIT
        )
        s.commit()


def moved(engine, made) -> int:
    with Session(engine) as s:
        ids = [order_id for order_id, _, _ in made]
        return len(
            s.exec(select(Order.id).where(Order.id.in_(ids), Order.status == "in_transit")).all()
        )


def returned_parcel(engine) -> tuple[str, str, str, str]:
    """A delivered order whose return label was just bought (nothing scanned yet)."""
    order_id, outbound_id, _ = shipped_order(engine)
    with Session(engine) as s:
        order = s.get(Order, order_id)
        order.status, order.delivered_at = "delivered", at(-48)
        back = Shipment(
            id=new_id("shp"),
            order_id=order_id,
            seller_id=order.seller_id,
            direction="return",
            carrier="fedex",
            service="FEDEX_GROUND",
            tracking_number=new_id("trk")[-20:],
            status="shipped",
            created_at=at(-40),
        )
        s.add_all([order, back])
        s.flush()
        ret = Return(
            id=new_id("ret"),
            order_id=order_id,
            seller_id=order.seller_id,
            customer_id=order.customer_id,
            status="label_created",
            reason="damaged",
            resolution="refund",
            rule="damaged-approved",
            rule_reason="Approved",
            shipment_id=back.id,
        )
        s.add(ret)
        s.commit()
        return order_id, back.id, back.tracking_number, ret.id


def test_a_return_shipment_moves_its_return_never_the_order(engine):
    order_id, shipment_id, number, return_id = returned_parcel(engine)
    tracking.flag_stuck(engine, now=at(200))  # waiting for the customer is not stuck
    assert state(engine, order_id, shipment_id)[1].flag is None
    for status, scan, expected in (
        (ShipmentStatus.IN_TRANSIT, Scan(at(1), "PU", "Picked up", AUSTIN), "in_transit"),
        (ShipmentStatus.DELIVERED, Scan(at(30), "DL", "Delivered", MEMPHIS), "received"),
        (ShipmentStatus.DELIVERED, Scan(at(30), "DL", "Delivered", MEMPHIS), "received"),
    ):
        tracking.apply_updates(engine, "fedex", [news(number, status, scan)], now=at(31))
        order, shipment, events, _, _ = state(engine, order_id, shipment_id)
        assert order.status == "delivered" and shipment.status == status.value
        with Session(engine) as s:
            assert s.get(Return, return_id).status == expected
    assert events.count("return.received") == 1 and "order.in_transit" not in events
    with Session(engine) as s:
        assert s.get(Return, return_id).received_at is not None
