"""Each role lands on its own home page, showing the orders that role may see."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.models import Order
from tests.e2e.helpers import assert_accessible, count_orders, db, rows, sign_in_and_land, user

pytestmark = pytest.mark.e2e

STATUS_LABELS = {s.label for s in OrderStatus}


def _summary_total(page: Page) -> int:
    text = page.get_by_test_id("pager-summary").inner_text()
    match = re.search(r"of ([\d,]+) orders", text)
    assert match, text
    return int(match.group(1).replace(",", ""))


@pytest.mark.parametrize("role", ["customer", "seller", "support", "admin"])
def test_each_role_lands_on_its_home_with_orders(page: Page, role: str, screenshots: Path) -> None:
    sign_in_and_land(page, role)

    expect(page.get_by_test_id("user-role")).to_have_text(role.capitalize())
    expect(rows(page).first).to_be_visible()
    first_badge = rows(page).first.locator("[data-status]")
    expect(first_badge).to_have_count(1)
    assert first_badge.inner_text().strip() in STATUS_LABELS
    page.screenshot(path=screenshots / f"home-{role}.png", full_page=True)
    assert_accessible(page)


def test_customer_sees_only_their_own_orders(page: Page, database_url: str) -> None:
    sign_in_and_land(page, "customer")
    with db(database_url) as session:
        email = user(session, "customer").email
        own = count_orders(session, Order.customer_email == email)
    expect(page.get_by_test_id("pager-summary")).to_contain_text(f"of {own:,} orders")
    expect(page.get_by_role("columnheader", name="Seller")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Customer")).to_have_count(0)


def test_seller_sees_only_their_sellers_orders(page: Page, database_url: str) -> None:
    sign_in_and_land(page, "seller")
    with db(database_url) as session:
        own = count_orders(session, Order.seller_id == user(session, "seller").seller_id)
    expect(page.get_by_test_id("pager-summary")).to_contain_text(f"of {own:,} orders")
    with db(database_url) as session:
        to_ship = count_orders(
            session,
            Order.seller_id == user(session, "seller").seller_id,
            Order.status == "processing",
        )
    assert to_ship, "the demo seller should have orders to ship"

    # "To ship" lists the processing orders, the ones waiting for the seller.
    tally = page.get_by_role("button", name=re.compile("To ship"))
    expect(tally.get_by_test_id("stat-value")).to_have_text(f"{to_ship:,}")
    tally.click()
    expect(page.get_by_role("combobox", name="Filter by status")).to_have_text("Processing")
    expect(page.get_by_test_id("pager-summary")).to_contain_text(f"of {to_ship:,} orders")
    assert _summary_total(page) == to_ship
    for badge in rows(page).locator("[data-status]").all():
        assert badge.get_attribute("data-status") == "processing"


def test_admin_overview_counts_every_order_by_status(page: Page, database_url: str) -> None:
    sign_in_and_land(page, "admin")
    with db(database_url) as session:
        total = count_orders(session)
        processing = count_orders(session, Order.status == "processing")

    expect(page.get_by_text(f"{total:,} orders in the mall")).to_be_visible()
    cards = page.get_by_test_id("stat-card")
    expect(cards).to_have_count(len(OrderStatus))
    card = cards.filter(has_text="Processing")
    expect(card.get_by_test_id("stat-value")).to_have_text(f"{processing:,}")

    card.click()
    expect(page).to_have_url(re.compile(r"/admin/orders/?\?status=processing$"))
    expect(page.get_by_test_id("pager-summary")).to_contain_text(f"of {processing:,} orders")
    assert_accessible(page)  # /admin/orders, filtered


def test_support_finds_an_order_by_its_number(page: Page, database_url: str) -> None:
    with db(database_url) as session:
        order = session.exec(select(Order).order_by(Order.placed_at).limit(1)).one()
    sign_in_and_land(page, "support")

    page.get_by_label("Search orders").fill(order.number.lower())
    page.get_by_role("button", name="Search", exact=True).click()

    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.get_by_test_id("order-link")).to_have_text(order.number)
    assert_accessible(page)

    page.get_by_label("Search orders").fill("no-such-order")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_text("No orders match these filters")).to_be_visible()
    assert_accessible(page)  # the empty state
    page.get_by_role("button", name="Clear filters").first.click()
    expect(rows(page).first).to_be_visible()
    expect(page.get_by_label("Search orders")).to_have_value("")


def test_pages_move_forward_and_back_in_sql(page: Page, database_url: str) -> None:
    sign_in_and_land(page, "admin")
    page.goto("/admin/orders")
    expect(rows(page)).to_have_count(20)
    first_number = rows(page).first.get_by_test_id("order-link").inner_text()

    page.get_by_role("button", name="Next").click()
    expect(page.get_by_test_id("pager-summary")).to_contain_text("Showing 21–")
    expect(rows(page).first.get_by_test_id("order-link")).not_to_have_text(first_number)

    page.get_by_role("button", name="Previous").click()
    expect(page.get_by_test_id("pager-summary")).to_contain_text("Showing 1–20")
    expect(rows(page).first.get_by_test_id("order-link")).to_have_text(first_number)
