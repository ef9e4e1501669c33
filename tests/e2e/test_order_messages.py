"""The order's thread in the browser: the customer asks, the seller answers on the same
page, support reads it without a box to write in."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.helpers import assert_accessible, sign_in_and_land
from tests.e2e.service_orders import open_order, paid_order

pytestmark = pytest.mark.e2e


def _as(browser: Browser, base_url: str, role: str, order_id: str):
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    page = context.new_page()
    sign_in_and_land(page, role)
    open_order(page, order_id)
    return context, page


def _write(page: Page, text: str) -> None:
    thread = page.get_by_test_id("messages")
    thread.get_by_label("Write a message").fill(text)
    thread.get_by_role("button", name="Send").click()
    expect(thread.get_by_test_id("message").last).to_contain_text(text)
    expect(page.get_by_test_id("action-outcome")).to_contain_text("Message sent")
    expect(thread.get_by_label("Write a message")).to_have_value("")


def test_customer_and_seller_write_on_the_order_and_support_reads(
    browser: Browser, page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, _ = paid_order(database_url, placed_ago=timedelta(hours=5))
    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    expect(page.get_by_test_id("messages")).to_contain_text("No messages yet")
    _write(page, "Could you gift-wrap it, please?")

    context, seller = _as(browser, base_url, "seller", order_id)
    try:
        thread = seller.get_by_test_id("messages")
        expect(thread.get_by_test_id("message")).to_have_count(1)
        expect(thread).to_contain_text("(Customer)")
        _write(seller, "Of course, at no charge.")
        seller.screenshot(path=screenshots / "order-messages-seller.png", full_page=True)
        assert_accessible(seller)
    finally:
        context.close()

    open_order(page, order_id)
    messages = page.get_by_test_id("messages").get_by_test_id("message")
    expect(messages).to_have_count(2)
    expect(messages.last).to_contain_text("Of course, at no charge.")
    expect(messages.last).to_contain_text("(Seller)")

    context, support = _as(browser, base_url, "support", order_id)
    try:
        thread = support.get_by_test_id("messages")
        expect(thread.get_by_test_id("message")).to_have_count(2)
        expect(thread).to_contain_text("Read-only")
        expect(thread.get_by_label("Write a message")).to_have_count(0)
    finally:
        context.close()
