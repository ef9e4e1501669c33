"""One order page for every role: lines, totals, shipments and the timeline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Order, OrderLine, Shipment
from tests.e2e.helpers import assert_accessible, db, rows, sign_in_and_land

pytestmark = pytest.mark.e2e


def _open_first_order(page: Page, status: str | None = None) -> str:
    if status:
        page.get_by_role("combobox", name="Filter by status").click()
        page.get_by_role("option", name=status, exact=True).click()
        expect(rows(page).first.locator("[data-status]")).to_have_text(status)
    link = rows(page).first.get_by_test_id("order-link")
    number = link.inner_text()
    link.click()
    expect(page).to_have_url(re.compile(r"/orders/ord_"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(number)
    return number


def test_customer_opens_an_order_and_sees_lines_totals_and_timeline(
    page: Page, database_url: str, screenshots: Path
) -> None:
    sign_in_and_land(page, "customer")
    number = _open_first_order(page, status="Delivered")

    with db(database_url) as session:
        order = session.exec(select(Order).where(Order.number == number)).one()
        lines = session.exec(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    items = page.get_by_role("table", name="Order lines")
    expect(items.get_by_test_id("table-row")).to_have_count(len(lines))
    expect(items).to_contain_text(lines[0].title)
    expect(items).to_contain_text(format_money(lines[0].line_total_minor, order.currency))
    expect(page.get_by_test_id("order-totals")).to_contain_text(
        format_money(order.total_minor, order.currency)
    )
    expect(page.get_by_test_id("timeline-event").first).to_be_visible()
    expect(page.get_by_test_id("timeline")).to_contain_text("Delivered")
    # The demo customer lives in the US: the address reads the way USPS prints it.
    ship_to = page.get_by_test_id("ship-to")
    expect(ship_to).to_contain_text(f"{order.ship_city.upper()}, {order.ship_region}")
    expect(ship_to).to_contain_text("UNITED STATES")
    # A customer is not shown "Customer: <themselves>"; staff and sellers are.
    summary = page.get_by_test_id("order-summary")
    expect(summary).to_contain_text("Seller")
    expect(summary.get_by_text("Customer", exact=True)).to_have_count(0)
    page.screenshot(path=screenshots / "order-detail-customer.png", full_page=True)
    assert_accessible(page)


def test_seller_sees_who_ordered(page: Page, screenshots: Path) -> None:
    sign_in_and_land(page, "seller")
    _open_first_order(page)
    expect(page.get_by_test_id("order-summary").get_by_text("Customer", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "order-detail-seller.png", full_page=True)
    assert_accessible(page)


def test_shipped_order_shows_its_tracking_number(page: Page, database_url: str) -> None:
    with db(database_url) as session:
        shipment = session.exec(select(Shipment).limit(1)).first()
    assert shipment is not None, "the demo data should have shipments"
    sign_in_and_land(page, "admin")
    page.goto(f"/orders/{shipment.order_id}")
    expect(page.get_by_test_id("tracking-number").first).to_have_text(shipment.tracking_number)
    # The demo's shipments carry their scans: the newest first, and a map of them.
    expect(page.get_by_test_id("scan-row").first).to_have_attribute("data-latest", "true")
    expect(page.get_by_test_id("tracking-map")).to_be_visible()
    assert_accessible(page)
