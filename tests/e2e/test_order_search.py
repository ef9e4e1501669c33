"""An admin searches the all-orders page, narrows it with filters and exports it."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.models import Order, OrderLine
from tests.e2e.helpers import assert_accessible, at, db, rows, sign_in_and_land

pytestmark = pytest.mark.e2e


def _summary_total(page: Page) -> int:
    text = page.get_by_test_id("pager-summary").inner_text()
    match = re.search(r"of ([\d,]+)\+? orders", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


def test_admin_searches_filters_and_exports(page: Page, database_url: str, screenshots: Path):
    with db(database_url) as session:
        title = session.exec(select(OrderLine.title).order_by(OrderLine.id)).first()
        word = max(title.split(), key=len)
        matching = set(
            session.exec(
                select(Order.id).where(
                    Order.id.in_(
                        select(OrderLine.order_id).where(OrderLine.title.ilike(f"%{word}%"))
                    )
                )
            ).all()
        )
    sign_in_and_land(page, "admin")
    page.goto("/admin/orders")
    expect(page).to_have_url(at("/admin/orders"))
    expect(rows(page).first).to_be_visible()

    page.get_by_role("combobox", name="Search in").click()
    page.get_by_role("option", name="Product title").click()
    page.get_by_label("Search orders").fill(word)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_test_id("pager-summary")).to_contain_text(f"of {len(matching):,} orders")
    assert _summary_total(page) == len(matching)

    with page.expect_download() as download:
        page.get_by_test_id("export-menu").click()
        page.get_by_role("menuitem", name="CSV (.csv)").click()
    expect(page.get_by_test_id("export-progress")).to_contain_text(
        f"{len(matching):,} of {len(matching):,} rows written"
    )
    assert download.value.suggested_filename.endswith(".csv")
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert {row["id"] for row in exported} == matching
    page.screenshot(path=screenshots / "admin-orders-search-export.png", full_page=True)
    assert_accessible(page)

    # A filter on top of the search: the list narrows, a short word is refused politely.
    page.get_by_label("Delivery country (two letters)").fill("ZZ")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("No orders match these filters")).to_be_visible()
    page.get_by_role("button", name="Clear filters").first.click()
    expect(rows(page).first).to_be_visible()


def test_admin_filters_fit_at_1280_px(page: Page, screenshots: Path):
    """The Export menu stays on the search row at a laptop's width; no row holds it alone."""
    page.set_viewport_size({"width": 1280, "height": 800})
    sign_in_and_land(page, "admin")
    page.goto("/admin/orders")
    expect(rows(page).first).to_be_visible()
    search = page.get_by_role("button", name="Search", exact=True).bounding_box()
    export = page.get_by_test_id("export-menu").bounding_box()
    apply = page.get_by_role("button", name="Apply").bounding_box()
    assert search and export and apply
    assert abs(export["y"] - search["y"]) < 4, (search, export)
    assert export["x"] + export["width"] <= 1280
    assert apply["y"] > search["y"] + search["height"]  # the staff filters' own row
    page.screenshot(path=screenshots / "admin-orders-1280.png", full_page=False)
    assert_accessible(page)
