"""The carrier-neutral shapes: local times read in the scan's zone, status tables."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from oms_dashboard.carriers.base import (
    ScanLocation,
    ShipmentStatus,
    StatusCode,
    aware,
    local_zone,
    status_table,
)


@pytest.mark.parametrize(
    "country,region,postal_code,zone",
    [
        ("US", None, "38118", "America/Chicago"),  # Memphis, by ZIP
        ("US", "CA", None, "America/Los_Angeles"),  # by state when no ZIP
        ("US", None, None, "America/New_York"),
        ("CA", "BC", "V6B 1A1", "America/Vancouver"),
        ("DE", None, "53113", "Europe/Berlin"),
        ("gb", None, None, "Europe/London"),
        (None, None, None, "UTC"),
    ],
)
def test_a_scan_place_has_its_time_zone(country, region, postal_code, zone):
    assert str(local_zone(country, region, postal_code)) == zone


def test_local_times_take_the_place_offset_and_offsets_are_kept():
    memphis = ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US")
    local = aware(datetime(2026, 7, 1, 9, 30), memphis)
    assert local.utcoffset() == timedelta(hours=-5)  # CDT
    winter = aware(datetime(2026, 1, 15, 9, 30), memphis)
    assert winter.utcoffset() == timedelta(hours=-6)  # CST
    given = datetime.fromisoformat("2026-07-01T09:30:00+02:00")
    assert aware(given, memphis) is given
    assert memphis.label == "Memphis, TN, US"


def test_a_status_table_refuses_a_code_twice():
    row = StatusCode("DL", ShipmentStatus.DELIVERED, "Delivered")
    assert status_table(row)["DL"].status is ShipmentStatus.DELIVERED
    with pytest.raises(ValueError, match="twice"):
        status_table(row, StatusCode("DL", None, "again"))
