"""The sandbox carriers move packages on their own, over accelerated time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import Session

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus
from oms_dashboard.carriers.sandbox import journey

ORIGIN = ScanLocation(city="Austin", region="TX", postal_code="78701", country="US")
HOME = ScanLocation(city="Brooklyn", region="NY", postal_code="11201", country="US")


@pytest.mark.parametrize("carrier", ["fedex", "ups", "dhl", "usps"])
def test_packages_travel_to_the_door_on_their_own_twice(engine, carrier):
    for _ in range(2):
        with Session(engine) as s:
            package = sandbox.register_package(
                s,
                carrier=carrier,
                service=sandbox.SERVICES[carrier][0].code,
                origin=ORIGIN,
                destination=HOME,
                estimated_delivery=sandbox.delivery_date(5),
            )
            s.commit()
        number, start = package.tracking_number, package.created_at
        steps = journey.plan(package)
        assert steps == journey.plan(package)  # the same number, the same journey
        with Session(engine) as s:  # one sandbox hour in: nothing yet
            assert journey.advance(s, now=start + timedelta(seconds=10), speed=360) == 0
            s.commit()
        with Session(engine) as s:
            journey.advance(s, now=start + timedelta(days=30) / 360, speed=360)
            s.commit()
        with Session(engine) as s:
            seen = sandbox.packages(s, carrier, [number])[number]
            assert seen.status is ShipmentStatus.DELIVERED
            assert len(seen.events) == len(steps) + 1
            assert seen.events[0].location.lat is not None  # the door is on the map
            assert journey.advance(s, now=start + timedelta(days=60), speed=360) == 0


def test_the_clock_can_be_stopped(engine):
    with Session(engine) as s:
        assert journey.advance(s, speed=0) == 0
