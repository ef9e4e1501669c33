"""Where a scan's place is, for the tracking map, when the carrier names only a city."""

from __future__ import annotations

import pytest

from oms_dashboard.gazetteer import locate


def near(found, lat, lon, within=0.5) -> bool:
    return found is not None and abs(found[0] - lat) < within and abs(found[1] - lon) < within


def test_a_us_zip_code_is_exact():
    assert locate(None, None, "US", "78701") == (30.2713, -97.7426)


@pytest.mark.parametrize(
    "city,region,lat,lon",
    [
        ("Memphis", "TN", 35.15, -90.05),
        ("MEMPHIS", "tn", 35.15, -90.05),  # carriers shout
        ("St. Louis", "MO", 38.63, -90.24),
        ("Saint Louis", "MO", 38.63, -90.24),
        ("Cincinnati", "KY", 39.05, -84.67),  # DHL's hub, across the river
    ],
)
def test_a_us_city_is_the_middle_of_its_zip_codes(city, region, lat, lon):
    assert near(locate(city, region, "US"), lat, lon)


@pytest.mark.parametrize(
    "city,country,lat,lon",
    [
        ("Düsseldorf", "DE", 51.23, 6.77),
        ("DUSSELDORF", "DE", 51.23, 6.77),
        ("Munich", "DE", 48.14, 11.58),
        ("Montréal", "CA", 45.50, -73.57),
        ("East Midlands", "GB", 52.83, -1.33),
    ],
)
def test_places_outside_the_us_are_found_by_name_accents_or_not(city, country, lat, lon):
    assert near(locate(city, None, country), lat, lon)


def test_an_unknown_place_is_none_so_it_stays_off_the_map():
    assert locate("Atlantis", None, "GR") is None
    assert locate("Nowhere Town", "TX", "US") is None
    assert locate(None, None, "FR") is None
