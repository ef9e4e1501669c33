"""The UPS adapter against UPS's recorded and schema-built answers (tests/fixtures/carriers/ups)."""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from oms_dashboard.carriers.base import CarrierError, ScanLocation, ShipmentStatus
from oms_dashboard.carriers.ups_parse import (
    STATUSES,
    parse_error,
    parse_rates,
    parse_tracking,
    status_of,
)

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "carriers" / "ups"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def tz(hours: int) -> timezone:
    return timezone(timedelta(hours=hours))


def offsets(update) -> list[float]:
    return [s.at.utcoffset().total_seconds() / 3600 for s in update.scans]


# -- tracking ----------------------------------------------------------------------------


def test_a_delivered_package_reads_every_scan_newest_first_in_its_own_offset():
    [update] = parse_tracking(load("track_delivered"))

    assert update.tracking_number == "1Z5338FF0107231059"
    assert update.status is ShipmentStatus.DELIVERED
    assert update.signature_required is True
    # Only a DEL date: a delivered package has no estimate left.
    assert update.estimated_delivery is None
    assert [s.code for s in update.scans] == ["D", "O", "I", "I", "I", "I", "P", "M"]
    assert offsets(update) == [-4, -4, -4, -5, -5, -7, -7, -4]

    delivered = update.scans[0]
    assert delivered.at == datetime(2025, 7, 3, 14, 32, 12, tzinfo=tz(-4))
    assert delivered.description == "DELIVERED"  # UPS's trailing space dropped
    assert delivered.location == ScanLocation(
        city="ATLANTA", region="GA", postal_code="30318", country="US"
    )
    assert update.scans[5].at == datetime(2025, 6, 30, 23, 15, tzinfo=tz(-7))
    assert update.scans[5].location.label == "SEATTLE, WA, US"
    # The label scan has no offset and only a country: read in the US fallback zone (EDT).
    label = update.scans[-1]
    assert label.description == "Shipper created a label, UPS has not received the package yet."
    assert label.at == datetime(2025, 6, 30, 9, 30, 12, tzinfo=tz(-4))
    assert label.location == ScanLocation(country="US")


def test_a_two_package_shipment_in_transit_gives_one_update_per_package():
    first, second = parse_tracking(load("track_in_transit"))

    assert (first.tracking_number, second.tracking_number) == (
        "1Z7X41E40390215812",
        "1Z7X41E40390215821",
    )
    assert first.status is second.status is ShipmentStatus.IN_TRANSIT
    assert first.estimated_delivery == second.estimated_delivery == date(2025, 11, 6)
    assert first.signature_required is second.signature_required is False
    # No gmtOffset and no GMT stamp on the newest scan: local time in ZIP 80022's zone (MST).
    assert first.scans[0].at == datetime(2025, 11, 4, 6, 15, tzinfo=tz(-7))
    assert first.scans[0].at.astimezone(UTC) == datetime(2025, 11, 4, 13, 15, tzinfo=UTC)
    assert first.scans[1].at == datetime(2025, 11, 3, 22, 10, tzinfo=tz(-5))
    assert [s.description for s in second.scans] == [
        "Origin Scan",
        "Shipper created a label, UPS has not received the package yet.",
    ]


def test_a_failed_attempt_is_a_delivery_exception_with_the_rescheduled_date():
    [update] = parse_tracking(load("track_exception"))

    assert update.status is ShipmentStatus.DELIVERY_EXCEPTION
    assert update.estimated_delivery == date(2026, 1, 15)  # RDD wins over SDD 2026-01-14
    assert update.signature_required is True  # ADULT_SIGNATURE_REQUIRED
    attempt = update.scans[0]
    assert attempt.code == "X"
    assert attempt.description.startswith("The receiver was not available for delivery.")
    assert attempt.at == datetime(2026, 1, 14, 16, 30, tzinfo=tz(-6))
    assert attempt.location.label == "CHICAGO, IL, US"
    assert offsets(update) == [-6, -6, -6, -5, -5]


def test_the_track_apis_openapi_example_reads_as_a_customs_exception():
    [update] = parse_tracking(load("track_openapi_example"))

    assert update.tracking_number == "1Z023E2X0214323462"
    assert update.status is ShipmentStatus.DELIVERY_EXCEPTION  # type X, whatever the text says
    assert update.signature_required is True
    assert update.estimated_delivery is None
    [scan] = update.scans
    assert scan.at == datetime(2021, 2, 10, 7, 13, 56, tzinfo=tz(-5))
    assert scan.description == "Your package was released by the customs agency."
    assert scan.location == ScanLocation(
        city="Wayne", region="NJ", postal_code="07470", country="US"
    )


def test_a_gmt_stamp_without_an_offset_is_read_as_gmt_even_without_its_leading_zero():
    payload = load("track_openapi_example")
    activity = payload["trackResponse"]["shipment"][0]["package"][0]["activity"][0]
    del activity["gmtOffset"]  # leaves gmtDate 20210210, gmtTime "74700" (07:47:00)

    [update] = parse_tracking(payload)

    assert update.scans[0].at == datetime(2021, 2, 10, 7, 47, tzinfo=UTC)


def test_without_a_current_status_the_newest_scan_decides():
    payload = load("track_exception")
    del payload["trackResponse"]["shipment"][0]["package"][0]["currentStatus"]

    [update] = parse_tracking(payload)

    assert update.status is ShipmentStatus.DELIVERY_EXCEPTION


def test_an_unknown_status_type_maps_to_none_and_the_scans_still_read():
    payload = load("track_delivered")
    package = payload["trackResponse"]["shipment"][0]["package"][0]
    package["currentStatus"]["type"] = "ZZ"
    package["activity"][0]["status"]["type"] = "ZZ"

    [update] = parse_tracking(payload)

    assert update.status is None
    assert update.scans[0].code == "ZZ"
    assert len(update.scans) == 8


def test_a_lone_package_object_where_the_schema_says_array_is_read():
    payload = load("track_exception")
    shipment = payload["trackResponse"]["shipment"][0]
    shipment["package"] = shipment["package"][0]

    [update] = parse_tracking(payload)

    assert update.tracking_number == "1Z0F1R440344079624"


def test_scans_out_of_order_come_back_newest_first():
    payload = load("track_delivered")
    package = payload["trackResponse"]["shipment"][0]["package"][0]
    package["activity"].reverse()

    [update] = parse_tracking(payload)

    assert [s.code for s in update.scans] == ["D", "O", "I", "I", "I", "I", "P", "M"]


def test_a_scan_with_no_readable_date_at_all_is_left_out(caplog):
    payload = load("track_exception")
    package = payload["trackResponse"]["shipment"][0]["package"][0]
    package["activity"][2]["date"] = "2026-01-14"
    package["activity"][2]["gmtDate"] = ""

    with caplog.at_level(logging.WARNING):
        [update] = parse_tracking(payload)

    assert len(update.scans) == 4
    assert "no readable date" in caplog.text


def test_an_unknown_number_inside_a_good_answer_is_skipped_with_upss_message(caplog):
    with caplog.at_level(logging.WARNING):
        assert parse_tracking(load("track_not_found_warning")) == []
    assert "1ZW999A10300000000" in caplog.text
    assert "Tracking Information Not Found (TW0001)" in caplog.text


def test_a_track_error_body_raises_upss_message():
    with pytest.raises(CarrierError) as raised:
        parse_tracking(load("track_error_invalid_number"))
    assert (raised.value.carrier, raised.value.message, raised.value.code) == (
        "ups",
        "Invalid inquiry number",
        "TV1002",
    )


def test_an_answer_that_is_no_track_response_raises():
    with pytest.raises(CarrierError, match="no trackResponse"):
        parse_tracking({"RateResponse": {}})


# -- rates -------------------------------------------------------------------------------


def quotes_by_service(payload) -> dict[str, tuple[Decimal, str, int | None]]:
    return {q.service: (q.amount, q.currency, q.transit_days) for q in parse_rates(payload)}


def test_a_shop_answer_quotes_every_service_to_the_cent():
    assert quotes_by_service(load("rate_shop")) == {
        "12": (Decimal("20.25"), "USD", 3),
        "14": (Decimal("117.15"), "USD", 1),
        "59": (Decimal("31.43"), "USD", 2),
        "03": (Decimal("12.49"), "USD", None),  # Ground: no guaranteed days
        "13": (Decimal("70.26"), "USD", 1),
        "01": (Decimal("81.07"), "USD", 1),
        "02": (Decimal("27.74"), "USD", 2),
    }
    assert [q.service for q in parse_rates(load("rate_shop"))][:3] == ["12", "14", "59"]


def test_time_in_transit_gives_ground_its_days():
    quotes = quotes_by_service(load("rate_shop_time_in_transit"))
    assert quotes["03"] == (Decimal("12.49"), "USD", 2)
    assert quotes["12"] == (Decimal("20.25"), "USD", 3)
    assert len(quotes) == 7


def test_the_negotiated_total_is_the_price_when_ups_gives_one():
    [quote] = parse_rates(load("rate_tpfc_negotiated"))
    assert (quote.service, quote.amount, quote.currency, quote.transit_days) == (
        "01",
        Decimal("146.95"),  # the published TotalCharges read 0.00
        "USD",
        1,
    )


def test_a_rate_error_body_raises_upss_message():
    with pytest.raises(CarrierError) as raised:
        parse_rates(load("rate_error"))
    assert raised.value.message == "BillShipper payment method is not valid for this shipment."
    assert raised.value.code == "111600"
    assert str(raised.value).startswith("ups: BillShipper payment method")


def test_a_rate_without_a_readable_amount_names_the_service():
    payload = load("rate_shop")
    payload["RateResponse"]["RatedShipment"][3]["TotalCharges"]["MonetaryValue"] = ""
    with pytest.raises(CarrierError, match="service 03 has no readable amount"):
        parse_rates(payload)


# -- errors ------------------------------------------------------------------------------


def test_parse_error_reads_upss_error_shapes_and_nothing_else():
    assert parse_error(load("rate_shop")) is None
    assert parse_error(load("track_delivered")) is None
    assert parse_error(["not", "a", "body"]) is None

    both = parse_error(
        {
            "response": {
                "errors": [
                    {"code": "111210", "message": "The requested service is unavailable."},
                    {"code": "111100", "message": "The requested service is invalid."},
                ]
            }
        }
    )
    assert both.message == (
        "The requested service is unavailable.; The requested service is invalid."
    )
    assert both.code == "111210"
    # The older Track answers put the list at the top level.
    top = parse_error({"errors": [{"code": "TV1002", "message": "Invalid inquiry number"}]})
    assert (top.message, top.code) == ("Invalid inquiry number", "TV1002")


# -- the status table --------------------------------------------------------------------

EXPECTED_STATUSES = [
    ("M", ShipmentStatus.SHIPPED, "Billing Information Received"),
    ("MV", None, "Billing Information Voided"),
    ("P", ShipmentStatus.SHIPPED, "Pickup"),
    ("I", ShipmentStatus.IN_TRANSIT, "In Transit"),
    ("DO", ShipmentStatus.IN_TRANSIT, "Delivered Origin CFS (Freight Only)"),
    ("DD", ShipmentStatus.IN_TRANSIT, "Delivered Destination CFS (Freight Only)"),
    ("W", ShipmentStatus.IN_TRANSIT, "Warehousing (Freight Only)"),
    ("O", ShipmentStatus.OUT_FOR_DELIVERY, "Out for Delivery"),
    ("D", ShipmentStatus.DELIVERED, "Delivered"),
    ("X", ShipmentStatus.DELIVERY_EXCEPTION, "Exception"),
    ("RS", ShipmentStatus.DELIVERY_EXCEPTION, "Returned to Shipper"),
    ("NA", None, "Not Available"),
]


def test_the_table_holds_every_published_status_type_and_no_other():
    assert sorted(STATUSES) == sorted(code for code, _, _ in EXPECTED_STATUSES)


@pytest.mark.parametrize("code,status,meaning", EXPECTED_STATUSES)
def test_each_status_type_maps_to_our_status(code, status, meaning):
    row = STATUSES[code]
    assert (row.code, row.status, row.meaning) == (code, status, meaning)
    assert status_of(code) is status
    assert status_of(code.lower()) is status


@pytest.mark.parametrize("code", ["ZZ", "", None, "DELIVERED", "011"])
def test_an_unknown_status_maps_to_none(code):
    assert status_of(code) is None


@pytest.mark.parametrize("code,status,_meaning", EXPECTED_STATUSES)
def test_a_package_takes_the_status_of_its_current_type(code, status, _meaning):
    payload = copy.deepcopy(load("track_in_transit"))
    payload["trackResponse"]["shipment"][0]["package"][0]["currentStatus"]["type"] = code
    assert parse_tracking(payload)[0].status is status
