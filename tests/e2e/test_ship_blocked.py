"""No Buy label while the customer's cancellation request waits: the seller's queue
(an "Asked to cancel" badge, "Answer the request") and the order page ("Answer
the cancellation request first") lead to the request;
once the seller rejects it, Buy label is back on the order page."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from oms_dashboard.db import get_engine
from oms_dashboard.models import Order
from oms_dashboard.services import cancellation
from oms_dashboard.services.auth import actor_for_user
from tests.e2e.helpers import assert_accessible, at, db, sign_in_and_land, user
from tests.e2e.service_orders import open_order, paid_order

pytestmark = pytest.mark.e2e


def _asked_to_cancel(database_url: str) -> str:
    """A paid order past the cancellation window, its customer's request waiting."""
    order_id, _ = paid_order(database_url, placed_ago=timedelta(hours=3))
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
    asked = cancellation.cancel_order(
        get_engine(database_url), actor=customer, order_id=order_id, reason="Found it cheaper."
    )
    assert asked.request is not None
    return order_id


def test_the_seller_answers_the_cancellation_request_before_buying_a_label(
    page: Page, database_url: str, screenshots: Path
) -> None:
    order_id = _asked_to_cancel(database_url)
    sign_in_and_land(page, "seller")
    page.goto("/seller/fulfillment")
    row = page.get_by_test_id("answer-request-first").and_(
        page.locator(f'[href="/orders/{order_id}"]')
    )
    expect(row).to_have_text("Answer the request")
    expect(row).to_have_accessible_name(re.compile(r"^Answer the request to cancel order "))
    # The row says why at a glance, and offers no label to buy.
    with db(database_url) as session:
        number = session.get(Order, order_id).number
    queued = page.get_by_test_id("table-row").filter(has_text=number)
    expect(queued.get_by_test_id("cancellation-requested")).to_have_text("Asked to cancel")
    expect(queued.get_by_test_id("cancellation-requested")).to_have_attribute(
        "title", re.compile(r"^The customer asked to cancel .+; your answer is due .+ UTC\.$")
    )
    expect(queued.get_by_test_id("buy-label")).to_have_count(0)
    page.screenshot(path=screenshots / "ship-blocked-queue.png", full_page=True)
    assert_accessible(page)

    row.click()
    expect(page).to_have_url(at(f"/orders/{order_id}"))
    expect(page.get_by_test_id("order-buy-label")).to_have_count(0)
    blocked = page.get_by_test_id("order-answer-request-first")
    expect(blocked).to_have_text("Answer the cancellation request first")
    page.screenshot(path=screenshots / "ship-blocked-order-header.png")
    blocked.click()
    card = page.get_by_test_id("cancellation-request")
    expect(card.get_by_role("heading", name="Cancellation requested")).to_be_in_viewport()
    page.screenshot(path=screenshots / "ship-blocked-order.png")
    assert_accessible(page)

    card.get_by_test_id("reject-cancellation").click()
    page.get_by_test_id("reject-reason").fill("Already packed and ready to go.")
    page.get_by_test_id("send-reject").click()
    expect(page.get_by_test_id("cancellation-request")).to_have_count(0)
    expect(page.get_by_test_id("order-answer-request-first")).to_have_count(0)
    expect(page.get_by_test_id("order-buy-label")).to_be_visible()
    page.screenshot(path=screenshots / "ship-allowed-after-reject.png")
    open_order(page, order_id)
    expect(page.get_by_test_id("order-buy-label")).to_be_visible()
