"""The carrier sandbox's state and its harness: packages, scans newest first, and the
harness call of API.md recording a scan the OMS will learn like a carrier's."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation, ShipmentStatus
from oms_dashboard.domain.tracking import CarrierName
from tests.integration.api_helpers import api_fixture  # noqa: F401

MEMPHIS = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
NYC = ScanLocation(city="New York", region="NY", postal_code="10118", country="US")


def a_package(engine, carrier="fedex") -> str:
    with Session(engine) as s:
        package = sandbox.register_package(
            s, carrier=carrier, service="FEDEX_GROUND", origin=MEMPHIS, destination=NYC
        )
        s.commit()
    assert package.status is ShipmentStatus.SHIPPED and len(package.events) == 1
    return package.tracking_number


def test_the_harness_records_scans_the_package_then_shows_newest_first(api, engine):
    number = a_package(engine)
    answer = api.post(
        f"/sandbox/carriers/fedex/shipments/{number}/scans",
        json={
            "status": "in_transit",
            "location": {"city": "Nashville", "region": "TN", "country": "US"},
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"tracking_number": number, "status": "in_transit", "scans": 2}
    exception = api.post(
        f"/sandbox/carriers/fedex/shipments/{number}/scans",
        json={"status": "exception", "reason": "Customer not available"},
    )
    assert exception.json()["status"] == "delivery_exception"
    with Session(engine) as s:
        package = sandbox.packages(s, "fedex", [number, "000000000000"])[number]
    assert [e.status for e in package.events] == [
        ShipmentStatus.DELIVERY_EXCEPTION,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.SHIPPED,
    ]
    assert package.events[0].location.city == "New York"  # no place given: the destination
    assert package.events[0].reason == "Customer not available"


def test_the_harness_refuses_what_it_does_not_know(api, engine):
    number = a_package(engine)
    assert (
        api.post(
            f"/sandbox/carriers/ups/shipments/{number}/scans", json={"status": "delivered"}
        ).status_code
        == 404
    )  # another carrier's package
    assert (
        api.post(
            "/sandbox/carriers/pigeon/shipments/1/scans", json={"status": "delivered"}
        ).status_code
        == 422
    )
    bad = api.post(f"/sandbox/carriers/fedex/shipments/{number}/scans", json={"status": "lost"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"


@pytest.mark.parametrize("carrier", list(CarrierName))
def test_sandbox_numbers_look_like_the_carriers_and_quotes_are_deterministic(carrier):
    number = sandbox.new_tracking_number(carrier)
    assert len(number) == {"fedex": 12, "ups": 18, "dhl": 10, "usps": 22}[carrier]
    services = sandbox.SERVICES[carrier]
    quotes = [sandbox.sandbox_quote(carrier, s, grams=2500, international=False) for s in services]
    assert quotes == sorted(quotes)  # faster costs more
    assert (
        sandbox.sandbox_quote(carrier, services[0], grams=2500, international=True)[0]
        > (quotes[0][0])
    )
