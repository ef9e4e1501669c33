"""UPS Track Alert pushes: UPS's own examples read value for value, by Track's rules."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from oms_dashboard.carriers.base import CarrierError, ScanLocation, ShipmentStatus
from oms_dashboard.carriers.ups import parse_webhook

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers" / "ups"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


# -- Track Alert -------------------------------------------------------------------------


def test_track_alert_manifest_event_is_a_shipped_scan_in_gmt():
    [update] = parse_webhook(load("webhook_track_alert_manifest"))

    # UPS's example has a leading space in the number.
    assert update.tracking_number == "1ZABCXYZ0112346789"
    assert update.status is ShipmentStatus.SHIPPED
    assert update.estimated_delivery is None
    [scan] = update.scans
    assert scan.at == datetime(2024, 4, 22, 4, 12, 30, tzinfo=UTC)
    assert (scan.code, scan.description) == ("M", "Shipment Ready for UPS")
    assert scan.location == ScanLocation(country="US")


def test_track_alert_on_the_way_carries_the_scheduled_day():
    [update] = parse_webhook(load("webhook_track_alert_on_the_way"))

    assert update.status is ShipmentStatus.IN_TRANSIT
    assert update.estimated_delivery == date(2024, 4, 23)
    [scan] = update.scans
    assert scan.at == datetime(2024, 4, 23, 1, 29, 1, tzinfo=UTC)
    assert scan.location == ScanLocation(city="Hickory", region="NC", country="US")


def test_track_alert_out_for_delivery_typed_in_progress_is_out_for_delivery():
    [update] = parse_webhook(load("webhook_track_alert_out_for_delivery"))

    assert update.tracking_number == "1Z204W4R0308071865"
    assert update.status is ShipmentStatus.OUT_FOR_DELIVERY
    assert update.scans[0].code == "O"
    assert update.scans[0].description == "Out for Delivery"


def test_track_alert_delivery_has_no_estimate_left():
    [update] = parse_webhook(load("webhook_track_alert_delivered"))

    assert update.status is ShipmentStatus.DELIVERED
    assert update.estimated_delivery is None
    [scan] = update.scans
    assert scan.at == datetime(2024, 4, 23, 13, 50, 4, tzinfo=UTC)
    assert scan.location == ScanLocation(
        city="CHARLOTTE", region="NC", postal_code="28209", country="US"
    )


def test_a_track_alert_delivery_type_before_the_delivery_is_out_for_delivery():
    event = load("webhook_track_alert_delivered") | {
        "actualDeliveryDate": "",
        "actualDeliveryTime": "",
    }

    [update] = parse_webhook(event)

    assert update.status is ShipmentStatus.OUT_FOR_DELIVERY


def test_without_gmt_a_track_alert_time_is_read_in_the_place_zone():
    event = load("webhook_track_alert_on_the_way") | {"gmtActivityDate": "", "gmtActivityTime": ""}

    [update] = parse_webhook(event)

    # 21:29:01 in Hickory, NC (Eastern Daylight Time in April).
    assert update.scans[0].at == datetime(2024, 4, 23, 1, 29, 1, tzinfo=UTC)


def test_a_track_alert_event_without_number_or_time_is_refused():
    with pytest.raises(CarrierError, match="no trackingNumber"):
        parse_webhook({"activityStatus": {"type": "I"}})
    with pytest.raises(CarrierError, match="no readable time"):
        parse_webhook({"trackingNumber": "1ZWA82900123277535"})
    with pytest.raises(CarrierError, match="JSON object"):
        parse_webhook([load("webhook_track_alert_delivered")])
