"""USPS tracking notifications (Subscriptions - Tracking v3r2): USPS's example
notifications read with the tracking rules, in every form the payload comes in."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from oms_dashboard.carriers.base import CarrierError, ShipmentStatus
from oms_dashboard.carriers.usps import UspsCarrier, parse_webhook

FIXTURES = Path(__file__).parents[2] / "fixtures" / "carriers" / "usps"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


DETROIT_DELIVERY = datetime(2025, 2, 7, 12, 55, 12, tzinfo=timezone(timedelta(hours=-5)))


@pytest.mark.parametrize("name", ["webhook_tracking_event", "webhook_detailed_scan_event"])
def test_uspss_example_notifications_say_delivered_in_detroit(name):
    [update] = parse_webhook(fixture(name))
    assert update.tracking_number == "12345678"
    # The newest scan's code (01) decides, not the example's statusCategory "Accepted".
    assert update.status is ShipmentStatus.DELIVERED
    [scan] = update.scans
    assert (scan.code, scan.description) == ("01", "Delivered, Front Door/Porch")
    assert scan.at == DETROIT_DELIVERY
    assert scan.location.label == "DETROIT, MI, US" and scan.location.postal_code == "12345"
    assert update.estimated_delivery == date(2025, 2, 7)
    assert update.signature_required is False


def test_a_payload_sent_as_usps_describes_it_or_as_an_object_reads_the_same():
    example = fixture("webhook_tracking_event")
    details = json.loads(json.loads(f'"{example["payload"].strip()}"'))
    expected = parse_webhook(example)
    assert parse_webhook(example | {"payload": json.dumps(details)}) == expected
    assert parse_webhook(example | {"payload": details}) == expected
    # The detailed scan schema names one ``trackingEvent``.
    single = details | {"trackingEvent": details["trackingEvents"][0]}
    del single["trackingEvents"]
    assert parse_webhook(example | {"payload": json.dumps(single)}) == expected


@pytest.mark.parametrize(
    "body,message",
    [
        ({"subscriptionId": "1", "timestamp": "2024-12-27T19:05:42Z"}, "has no payload"),
        ({"payload": "not json"}, "not a JSON object"),
        ({"payload": json.dumps({"trackingEvents": []})}, "names no trackingNumber"),
        (fixture("cancel_error_not_found"), "Order not found"),
    ],
)
def test_a_notification_that_is_not_one_is_a_carrier_error(body, message):
    with pytest.raises(CarrierError, match=message):
        parse_webhook(body)


def test_the_adapter_reads_notifications_with_parse_webhook():
    carrier = UspsCarrier(base_url="https://apis-tem.usps.example", client_id="i",
                          client_secret="s")  # fmt: skip
    [update] = carrier.parse_webhook(fixture("webhook_tracking_event"))
    assert (update.tracking_number, update.status) == ("12345678", ShipmentStatus.DELIVERED)


def test_every_recorded_notification_has_aware_times_newest_first_and_a_status():
    paths = sorted(FIXTURES.glob("webhook*.json"))
    assert len(paths) == 2
    for path in paths:
        for update in parse_webhook(json.loads(path.read_text())):
            times = [scan.at for scan in update.scans]
            assert times and all(t.tzinfo is not None for t in times), path.name
            assert times == sorted(times, reverse=True), path.name
            assert isinstance(update.status, ShipmentStatus), path.name
