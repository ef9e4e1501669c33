"""After delivery the customer rates and reviews a product from the order page, once;
the seller reads it on the same page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import assert_accessible, sign_in_and_land
from tests.e2e.service_orders import delivered_order, open_order

pytestmark = pytest.mark.e2e


def test_customer_reviews_a_delivered_product_once_and_the_seller_reads_it(
    browser: Browser, page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, title = delivered_order(database_url)
    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    row = page.get_by_test_id("reviews").get_by_test_id("review-row")
    expect(row).to_contain_text(title)
    row.get_by_test_id("write-review").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("cannot be changed")
    dialog.get_by_label("4", exact=True).check()
    dialog.get_by_role("textbox").fill("Fits well, a little slippery.")
    page.screenshot(path=screenshots / "review-dialog.png")
    dialog.get_by_test_id("send-review").click()

    expect(page.get_by_test_id("action-outcome")).to_contain_text(f"4-star review of {title}")
    expect(row).to_contain_text("★★★★☆")
    expect(row).to_contain_text("Fits well, a little slippery.")
    expect(row.get_by_test_id("write-review")).to_have_count(0)  # once a product
    page.screenshot(path=screenshots / "review-posted.png", full_page=True)
    assert_accessible(page)

    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    seller = context.new_page()
    try:
        sign_in_and_land(seller, "seller")
        open_order(seller, order_id)
        review = seller.get_by_test_id("reviews").get_by_test_id("review-row")
        expect(review).to_contain_text("Fits well, a little slippery.")
        expect(review.get_by_test_id("write-review")).to_have_count(0)
    finally:
        context.close()
