"""A return with exchange from the order page: the customer sends back a damaged item
and asks for the same again, prints the return label; the seller records what came
back and the replacement ships; the customer sees it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from oms_dashboard.models import Return
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land
from tests.e2e.service_orders import delivered_order, open_order

pytestmark = pytest.mark.e2e


def test_a_damaged_item_is_returned_for_an_exchange(
    browser: Browser, page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, title = delivered_order(database_url)
    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    page.get_by_test_id("return-items").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(title).fill("1")
    dialog.get_by_label("Damaged", exact=True).check()
    dialog.get_by_label("Send the same item again").check()
    page.screenshot(path=screenshots / "return-dialog.png")
    dialog.get_by_test_id("send-return").click()

    outcome = page.get_by_test_id("action-outcome")
    expect(outcome).to_contain_text("taken back at once")
    ret = page.get_by_test_id("return-row")
    expect(ret).to_have_attribute("data-status", "label_created")
    expect(ret).to_contain_text("Exchange")
    expect(ret).to_contain_text(f"1 × {title}")
    with page.expect_download() as download:
        ret.get_by_test_id("return-label").click()
    assert download.value.suggested_filename.startswith("label-fedex-")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    expect(page.get_by_test_id("return-items")).to_have_count(0)  # all of it is going back
    page.screenshot(path=screenshots / "return-requested.png", full_page=True)
    assert_accessible(page)

    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    seller = context.new_page()
    try:
        sign_in_and_land(seller, "seller")
        open_order(seller, order_id)
        row = seller.get_by_test_id("return-row")
        row.get_by_test_id("inspect-return").click()
        dialog = seller.get_by_role("dialog")
        dialog.get_by_label("damaged", exact=True).check()
        seller.screenshot(path=screenshots / "return-inspect-dialog.png")
        dialog.get_by_test_id("send-inspection").click()
        expect(seller.get_by_test_id("action-outcome")).to_contain_text("replacement is on its way")
        expect(row).to_have_attribute("data-status", "exchange_shipped")
        expect(row).to_contain_text("Replacement: FEDEX")
        seller.screenshot(path=screenshots / "return-exchange-shipped-seller.png", full_page=True)
        assert_accessible(seller)
    finally:
        context.close()

    open_order(page, order_id)
    expect(page.get_by_test_id("return-row")).to_contain_text("Replacement shipped")
    with db(database_url) as session:
        done = session.exec(select(Return).where(Return.order_id == order_id)).one()
        assert (done.status, done.condition) == ("exchange_shipped", "damaged")
        assert done.exchange_shipment_id
    page.screenshot(path=screenshots / "return-exchange-customer.png", full_page=True)
