"""What the order page shows of a shipment: arrival dates, flags, the scans newest
first, and the map's points (oldest to newest, the latest highlighted)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from oms_dashboard.models import Order, Shipment, ShipmentScan
from oms_dashboard.services.actor import Role
from oms_dashboard.ui.states.shipment_views import RECENT_SCANS, shipment_panel

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def order(promised: date | None = date(2026, 12, 4)) -> Order:
    return Order(id="ord_1", number="OMS-TEST-0001", estimated_delivery=promised)


def shipment(**overrides) -> Shipment:
    values = dict(
        id="shp_1",
        order_id="ord_1",
        seller_id="sel_1",
        carrier="fedex",
        service="Ground",
        tracking_number="123456789012",
        status="in_transit",
        last_synced_at=NOW - timedelta(minutes=3),
    )
    return Shipment(**(values | overrides))


def scan(hours_ago: float, description: str, city=None, region=None, country="US", **kw):
    return ShipmentScan(
        id=f"scn_{hours_ago}",
        shipment_id="shp_1",
        at=NOW - timedelta(hours=hours_ago),
        code="X",
        description=description,
        city=city,
        region=region,
        country=country,
        **kw,
    )


# Newest first, as get_order_detail gives them.
SCANS = [
    scan(1, "Arrived at FedEx location", "Memphis", "TN"),  # no coordinates: gazetteer
    scan(5, "In transit"),  # no place at all
    scan(20, "Picked up", "Austin", "TX", lat=30.27, lon=-97.74),
]


def test_scans_newest_first_and_the_map_joins_the_placed_ones_oldest_first():
    panel = shipment_panel(shipment(), SCANS, order(), Role.CUSTOMER, NOW)
    assert [s.description for s in panel.recent_scans] == [
        "Arrived at FedEx location",
        "In transit",
        "Picked up",
    ]
    assert [s.latest for s in panel.recent_scans] == [True, False, False]
    assert panel.recent_scans[0].place == "Memphis, TN, US"
    assert panel.points == 2  # "In transit" has no place: listed, not mapped
    route, earlier, latest = panel.figure["data"]
    assert route["mode"] == "lines" and route["lat"][0] == 30.27  # Austin first
    assert len(earlier["lat"]) == 1 and len(latest["lat"]) == 1
    assert abs(latest["lat"][0] - 35.1) < 0.5  # Memphis, placed by the gazetteer
    assert latest["marker"]["size"] > earlier["marker"]["size"]
    assert panel.figure["layout"]["geo"]["scope"] == "usa"
    assert "1 scan without a place" in panel.map_caption
    assert panel.synced == "Last update from FedEx 3 minutes ago"


def test_a_route_across_borders_gets_a_world_map_around_it():
    scans = [
        scan(2, "Arrived", "Leipzig", None, "DE"),
        scan(30, "Picked up", "Manchester", None, "GB"),
    ]
    geo = shipment_panel(shipment(carrier="dhl"), scans, order(), Role.SUPPORT, NOW).figure[
        "layout"
    ]["geo"]
    assert geo["scope"] == "world"
    low, high = geo["lonaxis"]["range"]
    assert low < -2.2 and high > 12.4  # both ends in view, with room around them


def test_no_placed_scan_means_no_map():
    panel = shipment_panel(shipment(), [scan(1, "In transit")], order(), Role.SELLER, NOW)
    assert panel.points == 0 and panel.figure == {} and panel.map_caption == ""


def test_many_scans_fold_the_older_ones_away():
    scans = [scan(h, f"Scan {h}", "Memphis", "TN") for h in range(1, RECENT_SCANS + 4)]
    panel = shipment_panel(shipment(), scans, order(), Role.CUSTOMER, NOW)
    assert len(panel.recent_scans) == RECENT_SCANS and len(panel.older_scans) == 3
    assert panel.older_label == "Show 3 earlier scans"
    assert panel.points == len(scans)


def test_a_revised_estimate_shows_the_promise_it_replaced():
    later = shipment(estimated_delivery=date(2026, 12, 8))
    panel = shipment_panel(later, [], order(), Role.CUSTOMER, NOW)
    assert (panel.arrival_label, panel.arrival) == ("Estimated delivery", "Tue 08 Dec 2026")
    assert (panel.was_label, panel.was) == ("was", "Fri 04 Dec 2026")
    same = shipment_panel(
        shipment(estimated_delivery=date(2026, 12, 4)), [], order(), Role.CUSTOMER, NOW
    )
    assert same.was == ""
    unknown = shipment_panel(shipment(), [], order(promised=None), Role.CUSTOMER, NOW)
    assert unknown.arrival == "Not estimated yet"


def test_a_delivered_parcel_says_when_and_what_was_promised():
    done = shipment(status="delivered", delivered_at=datetime(2026, 12, 3, 16, tzinfo=UTC))
    panel = shipment_panel(done, [], order(), Role.CUSTOMER, NOW)
    assert (panel.arrival_label, panel.arrival) == ("Delivered", "Thu 03 Dec 2026")
    assert (panel.was_label, panel.was) == ("promised", "Fri 04 Dec 2026")


def test_flags_name_the_trouble_and_reassure_the_customer():
    stuck = shipment(
        flag="stuck",
        flagged_reason="No carrier scan for 49 business hours (since 27 Nov 09:00 UTC)",
        flagged_at=NOW - timedelta(hours=2),
    )
    customer = shipment_panel(stuck, [], order(), Role.CUSTOMER, NOW)
    assert customer.flag == "stuck" and customer.flag_title == "No news from the carrier"
    assert "49 business hours" in customer.flag_text and "Flagged 2 hours ago" in customer.flag_text
    assert "support team" in customer.flag_text
    support = shipment_panel(stuck, [], order(), Role.SUPPORT, NOW)
    assert "support team" not in support.flag_text
    calm = shipment_panel(shipment(), [], order(), Role.CUSTOMER, NOW)
    assert (calm.flag, calm.flag_text) == ("", "")


def test_a_carrier_that_never_answered_says_so():
    quiet = shipment_panel(shipment(last_synced_at=None), [], order(), Role.CUSTOMER, NOW)
    assert quiet.synced == "FedEx has not sent an update yet"


@pytest.mark.parametrize(
    "carrier,service,title",
    [
        ("ups", "03", "UPS Ground"),
        ("fedex", "FEDEX_2_DAY", "FedEx 2Day"),
        ("dhl", "P", "DHL Express Worldwide"),
        ("dhl", "Express Worldwide", "DHL Express Worldwide"),  # the demo keeps names
        ("usps", "USPS_GROUND_ADVANTAGE", "USPS Ground Advantage"),
        ("fedex", "FEDEX_SMART_POST", "FedEx Smart Post"),  # unknown codes read as words
    ],
)
def test_a_shipment_is_headed_by_brand_and_service_in_words(carrier, service, title):
    panel = shipment_panel(
        shipment(carrier=carrier, service=service), [], order(), Role.CUSTOMER, NOW
    )
    assert panel.heading == title


def test_a_problem_the_customer_reported_reads_as_theirs():
    reported = shipment(
        status="delivered",
        delivered_at=NOW - timedelta(days=1),
        flag="reported",
        flagged_reason="The parcel did not arrive",
        flagged_at=NOW - timedelta(minutes=30),
    )
    panel = shipment_panel(reported, [], order(), Role.SUPPORT, NOW)
    assert panel.flag_title == "Problem reported by the customer"
    assert panel.flag_text == "The parcel did not arrive. Flagged 30 minutes ago."
