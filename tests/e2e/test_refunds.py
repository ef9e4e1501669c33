"""Refunds on the order page: the customer follows a refund waiting for review; the
seller approves one and rejects another, saying why, on the same page."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from oms_dashboard.db import get_engine
from oms_dashboard.services import refunds
from oms_dashboard.services.auth import actor_for_user
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land, user
from tests.e2e.service_orders import delivered_order, open_order

pytestmark = pytest.mark.e2e


def _asked(database_url: str, order_id: str, amount: str, reason: str) -> None:
    """The customer asks for part of the money back (the API's POST .../refunds)."""
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
    refunds.request_refund(
        get_engine(database_url), actor=customer, order_id=order_id, reason=reason, amount=amount
    )


def test_the_seller_approves_one_refund_and_rejects_another_with_a_reason(
    browser: Browser, page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, _ = delivered_order(database_url)
    _asked(database_url, order_id, "5.00", "The case scratched in a week")
    _asked(database_url, order_id, "2.00", "Shipping took too long")

    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    rows = page.get_by_test_id("refund-row")
    expect(rows).to_have_count(2)
    expect(rows.first).to_have_attribute("data-status", "pending_review")
    expect(rows.first).to_contain_text("Waiting for review")
    expect(page.get_by_test_id("approve-refund")).to_have_count(0)  # the seller decides

    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    seller = context.new_page()
    try:
        sign_in_and_land(seller, "seller")
        open_order(seller, order_id)
        first, second = (seller.get_by_test_id("refund-row").nth(i) for i in (0, 1))
        seller.screenshot(path=screenshots / "refunds-seller-to-decide.png", full_page=True)
        first.get_by_test_id("approve-refund").click()
        seller.get_by_test_id("confirm-approve-refund").click()
        expect(seller.get_by_test_id("action-outcome")).to_contain_text("approved")
        expect(first).not_to_have_attribute("data-status", "pending_review")

        second.get_by_test_id("reject-refund").click()
        dialog = seller.get_by_role("dialog")
        dialog.get_by_label("Reason").fill("Delivered within the promised time.")
        dialog.get_by_test_id("send-reject").click()
        expect(dialog).to_be_hidden()
        expect(seller.get_by_test_id("action-outcome")).to_contain_text("rejected")
        expect(second).to_have_attribute("data-status", "rejected")
        expect(second).to_contain_text("Delivered within the promised time.")
        seller.screenshot(path=screenshots / "refunds-seller-decided.png", full_page=True)
        assert_accessible(seller)
    finally:
        context.close()

    open_order(page, order_id)
    expect(page.get_by_test_id("refund-row").nth(1)).to_contain_text("Rejected")
