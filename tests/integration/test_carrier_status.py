"""The admin's view of each carrier: settings, breaker and the tracking updates
waiting for it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from oms_dashboard.carriers.base import CarrierError
from oms_dashboard.domain.tracking import BREAKER_THRESHOLD
from oms_dashboard.ids import new_id
from oms_dashboard.models import Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import carrier_health
from oms_dashboard.services.carrier_status import carrier_statuses, queued_updates
from oms_dashboard.services.errors import Forbidden
from tests.factories import make_actor, make_order, make_product, make_seller


def shipment(engine, carrier: str, next_sync_at: datetime | None) -> None:
    with Session(engine) as s:
        seller = make_seller(s)
        order = make_order(
            s,
            customer=make_actor(s, "customer"),
            seller=seller,
            products=[make_product(s, seller)],
            status="shipped",
        )
        s.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=seller.id,
                carrier=carrier,
                service="X",
                tracking_number=new_id("trk")[-20:],
                status="in_transit",
                next_sync_at=next_sync_at,
            )
        )
        s.commit()


def by_carrier(statuses):
    return {s.view.carrier: s for s in statuses}


def test_queued_updates_count_only_syncs_already_due(engine, session):
    now = utcnow()
    shipment(engine, "ups", now - timedelta(minutes=3))
    shipment(engine, "ups", now - timedelta(seconds=1))
    shipment(engine, "ups", now + timedelta(minutes=5))  # not due yet
    shipment(engine, "dhl", None)  # delivered: nothing more to ask
    shipment(engine, "fedex", now - timedelta(hours=1))
    assert queued_updates(session, now=now) == {"ups": 2, "fedex": 1}
    statuses = by_carrier(carrier_statuses(session, actor=make_actor(session, "admin"), now=now))
    assert {c: s.queued_updates for c, s in statuses.items()} == {
        "dhl": 0,
        "fedex": 1,
        "ups": 2,
        "usps": 0,
    }


def test_an_open_breaker_shows_until_when_and_a_closed_one_does_not(engine, session):
    failure = CarrierError("usps", "503 Service Unavailable", transient=True)
    for _ in range(BREAKER_THRESHOLD):
        carrier_health.record_failure(engine, "usps", failure)
    admin = make_actor(session, "admin")
    usps = by_carrier(carrier_statuses(session, actor=admin))["usps"]
    assert usps.view.consecutive_failures == BREAKER_THRESHOLD
    assert usps.view.last_error == "503 Service Unavailable"
    assert usps.circuit_open_until is not None and usps.circuit_open_until > utcnow()
    # Once the pause is over the breaker reads as closed, though its row still says when.
    later = usps.circuit_open_until + timedelta(seconds=1)
    assert (
        by_carrier(carrier_statuses(session, actor=admin, now=later))["usps"].circuit_open_until
        is None
    )
    assert by_carrier(carrier_statuses(session, actor=admin))["fedex"].circuit_open_until is None


def test_each_carrier_lists_the_credentials_it_takes(session):
    statuses = by_carrier(carrier_statuses(session, actor=make_actor(session, "admin")))
    assert statuses["fedex"].required_fields == ("client_id", "client_secret", "account_number")
    assert statuses["dhl"].credential_fields == (
        "client_id",
        "client_secret",
        "account_number",
        "tracking_api_key",
    )
    assert statuses["ups"].required_fields == ("client_id", "client_secret")


def test_only_admins_see_the_carriers(session):
    with pytest.raises(Forbidden):
        carrier_statuses(session, actor=make_actor(session, "support"))


def test_a_fixed_clock_is_honoured(engine, session):
    """``now`` decides what is due (the page passes the real clock)."""
    at = datetime(2026, 11, 30, 12, tzinfo=UTC)
    shipment(engine, "fedex", at - timedelta(minutes=1))
    assert queued_updates(session, now=at - timedelta(minutes=2)) == {}
    assert queued_updates(session, now=at) == {"fedex": 1}
