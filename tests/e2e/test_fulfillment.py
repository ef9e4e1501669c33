"""The seller ships from the fulfillment page: a paid order waits in the queue with its
countdown, Buy label shows every carrier's offer, the label is bought from the carrier
sandbox, printed (a PDF whose barcode scans back as the tracking number) and the order
is shipped. Twice, with two carriers, then the two labels and slips printed together."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import sqlalchemy as sa
import zxingcpp
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from sqlmodel import select

from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.domain.fulfillment import time_left
from oms_dashboard.models import CarrierAccount, Order, Seller, Shipment
from oms_dashboard.models.base import utcnow
from tests.e2e.helpers import (
    assert_accessible,
    at,
    db,
    pay_like_the_storefront,
    sign_in_and_land,
    user,
)
from tests.e2e.test_checkout_pages import _checkout, _demo_sellers_product

pytestmark = pytest.mark.e2e

FULFILLMENT = "/seller/fulfillment"


def _paid_order(base_url: str, database_url: str, app_env: dict[str, str], skip: int) -> Order:
    """An order of the demo seller, placed and paid the way the storefront does it."""
    placed = _checkout(base_url, _demo_sellers_product(database_url, skip=skip))
    pay_like_the_storefront(base_url, placed, app_env)
    with db(database_url) as session:
        order = session.get(Order, placed["orders"][0]["id"])
    assert order.status == "processing"
    return order


def _barcodes(pdf: bytes) -> list[str]:
    """What a scanner reads off every page of ``pdf``."""
    document = pdfium.PdfDocument(pdf)
    found = []
    for page in document:
        image = page.render(scale=3).to_pil()
        found += [result.text for result in zxingcpp.read_barcodes(image)]
    return found


def _download(page: Page, button) -> tuple[str, bytes]:
    with page.expect_download() as download:
        button.click()
    data = Path(download.value.path()).read_bytes()
    return download.value.suggested_filename, data


def _countdown(database_url: str, order: Order) -> re.Pattern[str]:
    """What the row's countdown says now, or a minute from now (the page may tick)."""
    with db(database_url) as session:
        deadline = session.get(Order, order.id).ship_by  # stored at payment
    now = utcnow()
    said = {time_left(deadline, now), time_left(deadline, now + timedelta(minutes=1))}
    return re.compile("^(" + "|".join(re.escape(text) for text in said) + ")$")


def _shipments(database_url: str, order: Order) -> int:
    with db(database_url) as session:
        found = session.exec(select(Shipment.id).where(Shipment.order_id == order.id)).all()
    return len(found)


def _shipment(database_url: str, order: Order) -> Shipment:
    with db(database_url) as session:
        return session.exec(select(Shipment).where(Shipment.order_id == order.id)).one()


def _queue_row(page: Page, number: str):
    return page.get_by_test_id("queue").get_by_test_id("table-row").filter(has_text=number)


def _ship(
    page: Page, order: Order, screenshots: Path, *, countdown, offer: str | None, shot: str
) -> str:
    """Through the dialog from the queue row to a printed label; the tracking number."""
    row = _queue_row(page, order.number)
    expect(row.get_by_test_id("time-left")).to_have_text(countdown)
    expect(row.locator("[data-urgency='on_time']")).to_have_text("On time")

    row.get_by_role("button", name=f"Buy label for order {order.number}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_role("heading")).to_have_text(f"Buy a label for order {order.number}")
    offers = dialog.get_by_test_id("offers")
    expect(offers).to_be_visible()
    # The parcel proposed from the items; every carrier asked, FedEx among them.
    expect(dialog.get_by_label("Weight (g)")).not_to_have_value("")
    expect(offers.get_by_text("FedEx Ground", exact=True)).to_be_visible()
    expect(offers.get_by_text("Meets promised date").first).to_be_visible()
    summary = dialog.get_by_test_id("choice-summary")
    if offer is None:
        # The cheapest arriving by the promised date is chosen for the seller.
        expect(summary).to_contain_text("FedEx")
        expect(summary).to_contain_text("arrives")
    else:
        offers.get_by_text(offer, exact=True).click()
        expect(summary).to_contain_text(offer)
    assert_accessible(page)
    page.screenshot(path=screenshots / f"fulfillment-dialog-{shot}.png", animations="disabled")

    dialog.get_by_role("button", name="Buy label").click()
    bought = dialog.get_by_test_id("label-bought")
    expect(bought).to_be_visible(timeout=30_000)
    tracking = dialog.get_by_test_id("bought-tracking").inner_text()
    assert tracking and tracking in bought.inner_text()
    page.screenshot(path=screenshots / f"fulfillment-bought-{shot}.png", animations="disabled")
    assert_accessible(page)

    name, pdf = _download(page, dialog.get_by_role("button", name="Print label"))
    assert pdf.startswith(b"%PDF") and tracking in name
    assert _barcodes(pdf) == [tracking]
    name, slip = _download(page, dialog.get_by_role("button", name="Packing slip"))
    assert slip.startswith(b"%PDF") and name == f"packing-slip-{order.number}.pdf"

    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(_queue_row(page, order.number)).to_have_count(0)
    waiting = (
        page.get_by_test_id("waiting").get_by_test_id("table-row").filter(has_text=order.number)
    )
    expect(waiting.get_by_test_id("waiting-tracking")).to_have_text(tracking)
    return tracking


def test_a_seller_buys_prints_and_ships_two_orders_from_the_queue(
    page: Page, base_url: str, database_url: str, app_env: dict[str, str], screenshots: Path
) -> None:
    orders = [_paid_order(base_url, database_url, app_env, skip=n) for n in (7, 8)]
    sign_in_and_land(page, "seller")
    page.get_by_role("link", name="Fulfillment").first.click()
    expect(page).to_have_url(at(FULFILLMENT))
    for order in orders:
        expect(_queue_row(page, order.number)).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=screenshots / "fulfillment-queue.png", full_page=True)

    trackings = [
        _ship(
            page,
            orders[0],
            screenshots,
            countdown=_countdown(database_url, orders[0]),
            offer=None,
            shot="recommended",
        ),
        _ship(
            page,
            orders[1],
            screenshots,
            countdown=_countdown(database_url, orders[1]),
            offer="USPS Ground Advantage",
            shot="usps",
        ),
    ]
    page.screenshot(path=screenshots / "fulfillment-after.png", full_page=True)
    for order, tracking, carrier in zip(orders, trackings, ("fedex", "usps"), strict=True):
        shipment = _shipment(database_url, order)
        assert (shipment.tracking_number, shipment.carrier) == (tracking, carrier)
        with db(database_url) as session:
            assert session.get(Order, order.id).status == "shipped"

    # Orders still to ship have no label to print: said so, and nothing downloads.
    bulk = page.get_by_test_id("bulk-bar")
    page.get_by_test_id("select-all-queue").click()
    expect(page.get_by_test_id("selection-summary")).to_contain_text("selected")
    bulk.get_by_role("button", name="Print labels").click()
    expect(page.get_by_test_id("bulk-message")).to_contain_text(
        "selected orders has a label yet. Buy their labels first"
    )
    bulk.get_by_role("button", name="Clear").click()

    # The two labels in one file, and their packing slips.
    for order in orders:
        page.get_by_role("checkbox", name=f"Select order {order.number}").click()
    expect(page.get_by_test_id("selection-summary")).to_have_text("2 selected")
    name, pdf = _download(page, bulk.get_by_role("button", name="Print labels"))
    assert name.startswith("labels-") and pdf.startswith(b"%PDF")
    assert sorted(_barcodes(pdf)) == sorted(trackings)
    _, slips = _download(page, bulk.get_by_role("button", name="Packing slips"))
    assert len(PdfReader(io.BytesIO(slips)).pages) == 2
    expect(page.get_by_test_id("bulk-message")).to_have_count(0)

    # The order's own page says it shipped, with the tracking number.
    page.goto(f"/orders/{orders[0].id}")
    header_badge = page.get_by_role("heading", level=1).locator("xpath=..").locator("[data-status]")
    expect(header_badge).to_have_text("Shipped")
    expect(page.get_by_test_id("tracking-number")).to_have_text(trackings[0])
    expect(page.get_by_test_id("order-buy-label")).to_have_count(0)


def _update(database_url: str, statement) -> None:
    with session_scope(get_engine(database_url)) as session:
        session.execute(statement)


def test_a_seller_buys_a_label_from_the_order_page(
    page: Page, base_url: str, database_url: str, app_env: dict[str, str], screenshots: Path
) -> None:
    order = _paid_order(base_url, database_url, app_env, skip=9)
    sign_in_and_land(page, "seller")
    page.goto(f"/orders/{order.id}")
    page.get_by_test_id("order-buy-label").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_test_id("offers")).to_be_visible()
    dialog.get_by_test_id("offers").get_by_text("FedEx Ground", exact=True).click()
    page.screenshot(path=screenshots / "order-page-buy-label.png", animations="disabled")

    # An admin switches FedEx off while the dialog is open: refused, in the dialog.
    fedex = CarrierAccount.carrier == "fedex"
    _update(database_url, sa.update(CarrierAccount).where(fedex).values(enabled=False))
    try:
        dialog.get_by_role("button", name="Buy label").click()
        expect(dialog.get_by_test_id("label-error")).to_have_text(
            "FedEx cannot be used now: disabled by an admin."
        )
        page.screenshot(path=screenshots / "order-page-buy-label-refused.png")
        assert _shipments(database_url, order) == 0
    finally:
        _update(database_url, sa.update(CarrierAccount).where(fedex).values(enabled=True))
    dialog.get_by_role("button", name="Buy label").click()
    expect(dialog.get_by_test_id("label-bought")).to_be_visible(timeout=30_000)
    expect(dialog.get_by_test_id("label-error")).to_have_count(0)
    tracking = dialog.get_by_test_id("bought-tracking").inner_text()
    dialog.get_by_role("button", name="Done").click()

    header_badge = page.get_by_role("heading", level=1).locator("xpath=..").locator("[data-status]")
    expect(header_badge).to_have_text("Shipped")
    expect(page.get_by_test_id("tracking-number")).to_have_text(tracking)
    expect(page.get_by_test_id("order-buy-label")).to_have_count(0)


def test_shipping_settings_refuse_bad_values_next_to_their_fields(
    page: Page, database_url: str, screenshots: Path
) -> None:
    with db(database_url) as session:
        before = session.get(Seller, user(session, "seller").seller_id)
    sign_in_and_land(page, "seller")
    page.goto(FULFILLMENT)
    expect(page.get_by_test_id("handling-summary")).to_have_text(
        f"You ship within {before.handling_hours} h of payment"
    )
    page.get_by_role("button", name="Change shipping settings").click()
    form = page.get_by_test_id("settings-form")
    form.get_by_label("Handling time (hours)").fill("0")
    form.get_by_label("Pick-up street").fill(" ")
    form.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("settings-handling_hours-hint")).to_have_text(
        "Handling time must be a whole number of hours from 1 to 240."
    )
    expect(page.get_by_test_id("settings-address_line1-hint")).to_have_text(
        "Pick-up street is required: carriers pick parcels up there."
    )
    expect(form.get_by_label("Handling time (hours)")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.screenshot(path=screenshots / "fulfillment-settings-errors.png", animations="disabled")
    with db(database_url) as session:
        after = session.get(Seller, before.id)
    assert (after.handling_hours, after.address_line1) == (
        before.handling_hours,
        before.address_line1,
    )

    form.get_by_label("Handling time (hours)").fill(str(before.handling_hours + 24))
    form.get_by_label("Pick-up street").fill(before.address_line1)
    form.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("handling-summary")).to_contain_text(
        f"{before.handling_hours + 24} h"
    )
    with db(database_url) as session:
        assert session.get(Seller, before.id).handling_hours == before.handling_hours + 24
    # Put it back for the other tests' ship-by times.
    page.get_by_role("button", name="Change shipping settings").click()
    form.get_by_label("Handling time (hours)").fill(str(before.handling_hours))
    form.get_by_role("button", name="Save settings").click()
    expect(page.get_by_test_id("handling-summary")).to_contain_text(
        f"{before.handling_hours} h of payment"
    )


def test_the_queue_fits_a_narrow_window_marks_held_orders_and_keeps_itself_fresh(
    page: Page, base_url: str, database_url: str, app_env: dict[str, str], screenshots: Path
) -> None:
    held = _paid_order(base_url, database_url, app_env, skip=10)
    this_order = Order.id == held.id
    _update(database_url, sa.update(Order).where(this_order).values(review_reason="duplicate"))
    try:
        page.set_viewport_size({"width": 1024, "height": 800})
        sign_in_and_land(page, "seller")
        page.goto(FULFILLMENT)
        queue = page.get_by_test_id("queue")
        expect(queue.get_by_test_id("table-row").first).to_be_visible()

        # Held for review: listed, but nothing to buy until an admin releases it.
        row = _queue_row(page, held.number)
        expect(row.get_by_text("Held for review")).to_be_visible()
        expect(row.get_by_test_id("buy-label")).to_have_count(0)
        # Beside the sidebar every column fits: the table does not scroll sideways, and
        # the last column's button ends inside the card.
        overflow = queue.evaluate(
            "e => [...e.querySelectorAll('.rt-ScrollAreaViewport')]"
            ".map(v => v.scrollWidth - v.clientWidth)"
        )
        assert overflow and max(overflow) <= 0, overflow
        card = queue.bounding_box()
        button = queue.get_by_test_id("buy-label").first.bounding_box()
        assert card and button and button["x"] + button["width"] <= card["x"] + card["width"]
        page.screenshot(path=screenshots / "fulfillment-queue-1024.png", full_page=True)
    finally:
        _update(database_url, sa.update(Order).where(this_order).values(review_reason=None))

    # Released meanwhile: the page reads the queue again by itself (every 30 s), and
    # the countdowns with it, without a reload.
    expect(row.get_by_test_id("buy-label")).to_be_visible(timeout=45_000)
    expect(row.get_by_text("Held for review")).to_have_count(0)
