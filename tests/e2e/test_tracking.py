"""A customer watches a parcel travel on the order page, without reloading it: each
piece of carrier news shows within 10 s (scans, status, the map's points). Support's
flagged shipments and the admin's carriers, in the browser."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import Scan, ScanLocation, ShipmentStatus, TrackingUpdate
from oms_dashboard.db import get_engine
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, Product, Seller, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import tracking
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.carrier_accounts import configure_carrier
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land, user
from tests.factories import make_order

pytestmark = pytest.mark.e2e

NEWS_WITHIN_MS = 10_000


@dataclass(frozen=True)
class Journey:
    name: str
    carrier: str
    service: str
    seller_country: str
    hub: ScanLocation
    """Where the parcel is scanned in transit: by city only, placed by the gazetteer."""


JOURNEYS = [
    Journey(
        "domestic",
        "fedex",
        "FEDEX_GROUND",
        "US",
        ScanLocation(city="Memphis", region="TN", postal_code="38118", country="US"),
    ),
    Journey("international", "dhl", "P", "DE", ScanLocation(city="Leipzig", country="DE")),
]


def _place(party_city, region, postal_code, country, lat=None, lon=None) -> ScanLocation:
    return ScanLocation(
        city=party_city, region=region, postal_code=postal_code, country=country, lat=lat, lon=lon
    )


def _shipped_order(database_url: str, journey: Journey) -> tuple[str, str, ScanLocation]:
    """An order of the demo customer, shipped today with a sandbox package:
    (order id, tracking number, where it goes)."""
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
        seller = session.exec(
            select(Seller).where(Seller.country == journey.seller_country).order_by(Seller.id)
        ).first()
        product = session.exec(
            select(Product)
            .where(Product.seller_id == seller.id, Product.digital.is_(False))
            .order_by(Product.sku)
        ).first()
        order = make_order(
            session, customer=customer, seller=seller, products=[product], status="shipped"
        )
        origin = _place(seller.city, seller.region, seller.postal_code, seller.country)
        destination = _place(order.ship_city, order.ship_region, order.ship_postal_code, "US")
        package = sandbox.register_package(
            session,
            carrier=journey.carrier,
            service=journey.service,
            origin=origin,
            destination=destination,
        )
        session.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=seller.id,
                carrier=journey.carrier,
                service=journey.service,
                tracking_number=package.tracking_number,
                status=ShipmentStatus.SHIPPED.value,
                # The sync leaves it alone: this test is the carrier.
                next_sync_at=None,
            )
        )
        session.commit()
        return order.id, package.tracking_number, destination


MAP_POINTS_JS = """(expected) => {
  const plot = document.querySelector('[data-testid=tracking-map] .js-plotly-plot');
  if (!plot || !plot.data) return false;
  const markers = plot.data.filter(t => t.mode === 'markers');
  const points = markers.reduce((n, t) => n + t.lat.length, 0);
  // The figure drawn: every placed scan a marker, the latest alone in the last trace.
  return points === expected && markers[markers.length - 1].lat.length === 1;
}"""


def _expect_step(page: Page, *, status: str, scans: int, latest: str) -> None:
    panel = page.get_by_test_id("shipment-panel")
    expect(panel).to_have_attribute("data-status", status, timeout=NEWS_WITHIN_MS)
    expect(panel.get_by_test_id("scan-row")).to_have_count(scans, timeout=NEWS_WITHIN_MS)
    expect(panel.locator("[data-latest=true]")).to_contain_text(latest)
    figure = panel.get_by_test_id("tracking-map")
    expect(figure).to_have_attribute("data-points", str(scans), timeout=NEWS_WITHIN_MS)
    expect(figure.locator("g.layer.land path")).to_have_count(1)  # the outlines drew offline
    page.wait_for_function(MAP_POINTS_JS, arg=scans, timeout=NEWS_WITHIN_MS)
    expect(page.get_by_test_id("timeline")).to_contain_text(latest)


@pytest.mark.parametrize("journey", JOURNEYS, ids=[j.name for j in JOURNEYS])
def test_the_order_page_follows_the_parcel_without_a_reload(
    page: Page, database_url: str, screenshots: Path, journey: Journey
) -> None:
    order_id, number, destination = _shipped_order(database_url, journey)
    engine = get_engine(database_url)
    sign_in_and_land(page, "customer")
    page.goto(f"/orders/{order_id}")
    panel = page.get_by_test_id("shipment-panel")
    expect(panel.get_by_test_id("tracking-number")).to_have_text(number)
    expect(panel).to_have_attribute("data-status", "shipped")
    expect(panel.get_by_test_id("tracking-map-empty")).to_be_visible()
    page.evaluate("window.__same_document = true")  # gone if the page reloads
    shot = f"tracking-{journey.name}"
    page.screenshot(path=screenshots / f"{shot}-0-shipped.png", full_page=True)

    start = utcnow() - timedelta(hours=6)
    with db(database_url) as session:
        seller = session.get(Seller, session.get(Order, order_id).seller_id)
    origin = _place(seller.city, seller.region, seller.postal_code, seller.country)
    picked = Scan(start, "PU", "Picked up", origin)
    hub = Scan(start + timedelta(hours=3), "AR", f"Arrived at the hub in {journey.hub.city}",
               journey.hub)  # fmt: skip
    van = Scan(start + timedelta(hours=5), "OD", "On the van for delivery", destination)
    door = Scan(start + timedelta(hours=5, minutes=40), "DL", "Delivered: front door", destination)
    steps = [
        (ShipmentStatus.IN_TRANSIT, [hub, picked], "in_transit", "In transit"),
        (ShipmentStatus.OUT_FOR_DELIVERY, [van, hub, picked], "out_for_delivery", "Out for"),
        (ShipmentStatus.DELIVERED, [door, van, hub, picked], "delivered", "Delivered"),
    ]
    for n, (status, scans, shown, badge) in enumerate(steps, start=1):
        tracking.apply_updates(engine, journey.carrier, [TrackingUpdate(number, status, scans)])
        _expect_step(page, status=shown, scans=len(scans), latest=scans[0].description)
        expect(page.locator("h1 ~ [data-status]")).to_have_attribute("data-status", shown)
        expect(panel.locator("[data-status]").first).to_contain_text(badge)
        page.screenshot(path=screenshots / f"{shot}-{n}-{shown}.png", full_page=True)
    assert page.evaluate("window.__same_document === true"), "the page reloaded"
    expect(panel.get_by_test_id("shipment-arrival")).to_have_text(door.at.strftime("%a %d %b %Y"))
    assert_accessible(page)
    _answer_the_delivery(page, screenshots, confirm=journey.name == "domestic")


def _answer_the_delivery(page: Page, screenshots: Path, *, confirm: bool) -> None:
    """Delivered asks the customer: confirm receipt, or report what went wrong."""
    if confirm:
        page.get_by_test_id("confirm-receipt").click()
        expect(page.get_by_test_id("timeline")).to_contain_text("confirmed the parcel arrived")
    else:
        page.get_by_test_id("report-problem").click()
        dialog = page.get_by_role("dialog")
        dialog.get_by_role("radio", name="The parcel arrived damaged").click()
        dialog.get_by_placeholder("Anything that helps (optional)").fill("Box crushed")
        page.screenshot(path=screenshots / "delivery-problem-dialog.png")
        dialog.get_by_test_id("send-problem").click()
        expect(page.get_by_test_id("shipment-flag")).to_contain_text("arrived damaged")
        expect(page.get_by_test_id("timeline")).to_contain_text("Box crushed")
    expect(page.get_by_test_id("confirm-receipt")).to_have_count(0)
    expect(page.get_by_test_id("report-problem")).to_have_count(0)
    page.screenshot(path=screenshots / f"delivery-answered-{confirm}.png", full_page=True)


def test_support_sees_flagged_shipments_oldest_first_with_the_way_to_escalate(
    page: Page, database_url: str, screenshots: Path
) -> None:
    with db(database_url) as session:
        flagged = session.exec(
            select(Shipment, Order)
            .join(Order, Order.id == Shipment.order_id)
            .where(Shipment.flag.is_not(None))
            .order_by(Shipment.flagged_at, Shipment.id)
        ).all()
    assert flagged, "the demo data should have shipments in trouble"
    sign_in_and_land(page, "support")
    page.get_by_role("link", name="Flagged shipments").click()
    table = page.get_by_role("table", name="Flagged shipments")
    expect(table.get_by_test_id("table-row")).to_have_count(min(len(flagged), 200))
    oldest, order = flagged[0]
    first = table.get_by_test_id("table-row").first
    expect(first).to_contain_text(order.number)
    expect(first).to_contain_text(oldest.tracking_number)
    expect(first.locator("[data-flag]")).to_have_attribute("data-flag", oldest.flag)
    path = page.get_by_test_id("escalation-path")
    for step in ("Support", "Seller", "Reship or refund"):
        expect(path).to_contain_text(step)
    page.screenshot(path=screenshots / "support-flagged-shipments.png", full_page=True)
    assert_accessible(page)
    first.get_by_test_id("order-link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(order.number)
    expect(page.get_by_test_id("shipment-flag")).to_be_visible()


def test_admin_sees_each_carrier_and_going_live_asks_for_what_is_missing(
    page: Page, database_url: str, screenshots: Path
) -> None:
    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="Carriers").click()
    cards = page.get_by_test_id("carrier-card")
    expect(cards).to_have_count(4)
    fedex = page.locator("[data-testid=carrier-card][data-carrier=fedex]")
    expect(fedex).to_contain_text("Sandbox")
    expect(fedex.get_by_test_id("carrier-breaker")).to_contain_text("Closed")
    page.screenshot(path=screenshots / "admin-carriers.png", full_page=True)
    assert_accessible(page)

    fedex.get_by_test_id("configure-carrier").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("radio", name="Live").click()
    dialog.get_by_label("API base URL").fill("ftp://apis.fedex.com")
    dialog.get_by_label("Client ID").fill("l7xx-test")
    dialog.get_by_role("button", name="Save").click()
    # Every problem next to its field, nothing changed.
    expect(dialog.locator("#base-url-error")).to_contain_text("http")
    expect(dialog.locator("#cred-client_secret-error")).to_contain_text("required")
    page.screenshot(path=screenshots / "admin-carriers-live-errors.png")
    dialog.get_by_role("button", name="Cancel").click()
    expect(fedex.get_by_test_id("carrier-badges")).to_contain_text("Sandbox")

    try:
        # Everything it needs: live, the credentials stored and never shown back.
        fedex.get_by_test_id("configure-carrier").click()
        dialog.get_by_role("radio", name="Live").click()
        dialog.get_by_label("API base URL").fill("https://apis-sandbox.fedex.com")
        dialog.get_by_label("Client ID").fill("l7xx-test")
        dialog.get_by_label("Client secret").fill("s3cr3t-never-shown")
        dialog.get_by_label("Account number").fill("740561073")
        dialog.get_by_role("button", name="Save").click()
        expect(dialog).to_have_count(0)
        expect(fedex.get_by_test_id("carrier-badges")).to_contain_text("Live")
        expect(fedex).to_contain_text("Set (never shown)")
        expect(fedex).not_to_contain_text("s3cr3t")
        # Back to its sandbox: nothing else to fill in.
        fedex.get_by_test_id("configure-carrier").click()
        dialog.get_by_role("radio", name="Sandbox").click()
        dialog.get_by_role("button", name="Save").click()
        expect(fedex.get_by_test_id("carrier-badges")).to_contain_text("Sandbox")

        # Switching a carrier off asks first; keeping it on changes nothing.
        fedex.get_by_role("switch").click()
        confirm = page.get_by_role("alertdialog")
        expect(confirm).to_contain_text("Switch FedEx off?")
        confirm.get_by_role("button", name="Keep it on").click()
        expect(fedex.get_by_test_id("carrier-badges")).to_contain_text("Enabled")
        fedex.get_by_role("switch").click()
        confirm.get_by_role("button", name="Switch off").click()
        expect(fedex.get_by_test_id("carrier-badges")).to_contain_text("Disabled")
        expect(fedex).to_contain_text("disabled by an admin")
        fedex.get_by_role("switch").click()  # on again at once
        expect(fedex.get_by_test_id("carrier-badges")).to_contain_text("Enabled")
    finally:  # the other browser tests ship with FedEx's sandbox
        with db(database_url) as session:
            admin = actor_for_user(session, user(session, "admin"))
        configure_carrier(
            get_engine(database_url), actor=admin, carrier="fedex", enabled=True, mode="sandbox"
        )
