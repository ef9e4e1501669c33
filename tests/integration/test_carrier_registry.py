"""The adapter a carrier account says: on its sandbox, the real adapter reaches the
sandbox inside this process (as the worker and the app will); refused when unusable."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from oms_dashboard.bootstrap import bootstrap
from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus
from oms_dashboard.services import carrier_accounts
from oms_dashboard.services.carrier_registry import CarrierUnavailable, carrier_for
from tests.factories import make_actor

MEMPHIS = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
NYC = ScanLocation(city="New York", region="NY", postal_code="10118", country="US")
SERVED = ["dhl", "fedex", "ups", "usps"]


@pytest.mark.parametrize("carrier", SERVED)
def test_a_sandboxed_carrier_tracks_through_the_wired_sandbox_twice(engine, session, carrier):
    wiring = bootstrap("test", engine=engine)
    for _ in range(2):  # the lifecycle twice
        with Session(engine) as s:
            number = sandbox.register_package(
                s,
                carrier=carrier,
                service=sandbox.SERVICES[carrier][0].code,
                origin=MEMPHIS,
                destination=NYC,
            ).tracking_number
            s.commit()
        for status in (ShipmentStatus.IN_TRANSIT, ShipmentStatus.DELIVERED):
            with Session(engine) as s:
                sandbox.record_scan(s, carrier=carrier, tracking_number=number, status=status)
                s.commit()
            with Session(engine) as s:
                adapter = carrier_for(s, carrier, sandbox_transport=wiring.sandbox_transport)
            (update,) = adapter.track([number])
            assert (update.tracking_number, update.status) == (number, status)


def test_a_disabled_carrier_is_refused_with_the_reason(engine, session):
    wiring = bootstrap("test", engine=engine)
    admin = make_actor(session, "admin")
    carrier_accounts.configure_carrier(engine, actor=admin, carrier="usps", enabled=False)
    with Session(engine) as s, pytest.raises(CarrierUnavailable, match="disabled by an admin"):
        carrier_for(s, "usps", sandbox_transport=wiring.sandbox_transport)
