"""Cancelling from the order page: inside the window the customer cancels at once and
is refunded; after it the customer asks, the seller approves on the same page, and the
customer sees the order cancelled."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from oms_dashboard.models import Order, Refund
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land
from tests.e2e.service_orders import open_order, paid_order

pytestmark = pytest.mark.e2e


def _cancel(page: Page, button: str, screenshots: Path, shot: str) -> None:
    page.get_by_test_id("cancel-order").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("I changed my mind").check()
    dialog.get_by_role("textbox").fill("Ordered the wrong colour.")
    page.screenshot(path=screenshots / shot)
    dialog.get_by_role("button", name=button).click()
    expect(dialog).to_be_hidden()


def test_customer_cancels_inside_the_window_and_is_refunded(
    page: Page, database_url: str, screenshots: Path
) -> None:
    order_id, total = paid_order(database_url, placed_ago=timedelta(minutes=5))
    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    expect(page.get_by_test_id("cancel-order")).to_have_text("Cancel order")
    expect(page.get_by_test_id("download-invoice")).to_be_visible()
    page.get_by_test_id("cancel-order").click()
    expect(page.get_by_test_id("cancel-explains")).to_contain_text(f"The {total} you paid")
    page.keyboard.press("Escape")
    _cancel(page, "Cancel order", screenshots, "cancel-dialog-in-window.png")

    outcome = page.get_by_test_id("action-outcome")
    expect(outcome).to_have_attribute("data-tone", "done")
    expect(outcome).to_contain_text("Cancelled within")
    expect(outcome).to_contain_text(f"Refund: {total}")
    expect(page.locator("[data-status=cancelled]").first).to_be_visible()
    expect(page.get_by_test_id("cancel-order")).to_have_count(0)
    refund = page.get_by_test_id("refund-row")
    expect(refund).to_have_count(1)
    expect(refund).to_contain_text(total)
    expect(page.get_by_test_id("timeline")).to_contain_text("I changed my mind")
    page.screenshot(path=screenshots / "cancel-in-window-done.png", full_page=True)
    assert_accessible(page)

    with db(database_url) as session:
        assert session.get(Order, order_id).status == "cancelled"
        refunds = session.exec(select(Refund).where(Refund.order_id == order_id)).all()
        assert [r.rule for r in refunds] == ["cancelled-within-window"]


def test_after_the_window_the_seller_approves_the_customers_request(
    browser: Browser, page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, total = paid_order(database_url, placed_ago=timedelta(hours=3))
    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    expect(page.get_by_test_id("cancel-order")).to_have_text("Ask to cancel")
    _cancel(page, "Ask to cancel", screenshots, "cancel-dialog-request.png")
    outcome = page.get_by_test_id("action-outcome")
    expect(outcome).to_have_attribute("data-tone", "waiting")
    expect(outcome).to_contain_text("the seller decides")
    request = page.get_by_test_id("cancellation-request")
    expect(request).to_contain_text("Waiting for the seller")
    expect(request.get_by_test_id("approve-cancellation")).to_have_count(0)
    expect(page.get_by_test_id("cancel-order")).to_have_count(0)  # one request at a time
    page.screenshot(path=screenshots / "cancel-request-sent.png", full_page=True)

    seller_context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    seller = seller_context.new_page()
    try:
        sign_in_and_land(seller, "seller")
        open_order(seller, order_id)
        card = seller.get_by_test_id("cancellation-request")
        expect(card.get_by_test_id("request-reason")).to_contain_text("Ordered the wrong colour.")
        expect(card).to_contain_text("Answer due")
        seller.screenshot(path=screenshots / "cancel-request-seller.png", full_page=True)
        assert_accessible(seller)
        # A reject without a reason is refused next to the field and changes nothing.
        card.get_by_test_id("reject-cancellation").click()
        seller.get_by_test_id("send-reject").click()
        expect(seller.get_by_role("dialog")).to_contain_text("Say why")
        seller.get_by_role("button", name="Back").click()
        card.get_by_test_id("approve-cancellation").click()
        seller.get_by_test_id("confirm-approve-cancellation").click()
        outcome = seller.get_by_test_id("action-outcome")
        expect(outcome).to_contain_text("Cancellation request approved")
        expect(outcome).to_contain_text(f"A refund of {total}")
        expect(seller.get_by_test_id("cancellation-request")).to_have_count(0)
        seller.screenshot(path=screenshots / "cancel-request-approved.png", full_page=True)
    finally:
        seller_context.close()

    open_order(page, order_id)
    expect(page.locator("[data-status=cancelled]").first).to_be_visible()
    expect(page.get_by_test_id("refund-row")).to_contain_text(total)
    expect(page.get_by_test_id("timeline")).to_contain_text("Cancellation request approved")
    page.screenshot(path=screenshots / "cancel-request-customer-sees.png", full_page=True)
    assert_accessible(page)
