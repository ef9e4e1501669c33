"""Customers and sellers with support in the browser: the customer asks for help from
an order page, finds the request under "My requests", reads support's reply there and
on the ticket; the seller finds the ticket about their order under "Support tickets";
an admin sends a failed refund to the provider again."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.models import OrderEvent, Product, Refund, Seller, Ticket
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.e2e.helpers import assert_accessible, at, db, rows, sign_in_and_land, user
from tests.factories import make_order

pytestmark = pytest.mark.e2e

SUBJECT = "The lamp arrived without its shade"


def _delivered_order(database_url: str) -> tuple[str, str]:
    """A delivered order of the demo customer from the demo seller: (id, number)."""
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
        seller = session.get(Seller, user(session, "seller").seller_id)
        product = session.exec(
            select(Product)
            .where(Product.seller_id == seller.id, Product.digital.is_(False))
            .order_by(Product.sku)
        ).first()
        # Placed long ago: the end of the customer's list, so the order tests that open
        # the newest delivered order still find one with a whole timeline.
        order = make_order(
            session,
            customer=customer,
            seller=seller,
            products=[product],
            status="delivered",
            placed_at=utcnow() - timedelta(days=3 * 365),
        )
        session.commit()
        return order.id, order.number


def _api(base_url: str, role: str) -> httpx.Client:
    token = httpx.post(
        f"{base_url}/api/v1/auth/token",
        json={"email": DEMO_LOGINS[role], "password": DEMO_PASSWORD},
    ).json()["access_token"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"})


def test_a_customer_asks_from_the_order_and_reads_supports_reply(
    page: Page, browser, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, number = _delivered_order(database_url)
    sign_in_and_land(page, "customer")
    page.goto(f"/orders/{order_id}")
    section = page.get_by_test_id("order-tickets")
    expect(section).to_contain_text("No ticket about this order")
    section.get_by_role("button", name="Ask for help").click()

    dialog = page.get_by_role("dialog")
    dialog.get_by_role("button", name="Send to support").click()
    expect(dialog.get_by_role("alert").first).to_contain_text("Say in a few words")
    dialog.get_by_label("Subject").fill(SUBJECT)
    dialog.get_by_label("What happened, and what you need").fill(
        "The box had the lamp and the cable, but no shade. Can you send one?"
    )
    dialog.get_by_role("button", name="Send to support").click()
    expect(dialog).to_have_count(0)
    row = section.get_by_test_id("table-row").filter(has_text=SUBJECT)
    expect(row).to_have_count(1)
    expect(row.locator("[data-ticket-status=open]")).to_be_visible()
    expect(row.locator("[data-priority]")).to_be_visible()
    section.scroll_into_view_if_needed()
    section.screenshot(path=screenshots / "order-tickets-section.png")
    page.screenshot(path=screenshots / "order-tickets-page.png", full_page=True)
    assert_accessible(page)

    with db(database_url) as session:
        ticket = session.exec(
            select(Ticket).where(Ticket.order_id == order_id, Ticket.subject == SUBJECT)
        ).one()

    page.get_by_role("link", name="My requests").first.click()
    expect(page).to_have_url(at("/tickets"))
    mine = rows(page).filter(has_text=SUBJECT)
    expect(mine).to_have_count(1)
    expect(mine.get_by_test_id("waiting-on")).to_contain_text("Support")
    expect(mine.get_by_test_id("order-link")).to_have_text(number)

    with _api(base_url, "support") as api:
        answer = api.post(
            f"/api/v1/tickets/{ticket.id}/messages",
            json={
                "body": "Sorry! A shade is on its way. Is the lamp itself fine?",
                "status": "waiting_on_customer",
            },
        )
    assert answer.status_code == 201, answer.text

    page.reload()
    mine = rows(page).filter(has_text=SUBJECT)
    expect(mine.get_by_test_id("last-message")).to_contain_text("A shade is on its way")
    expect(mine.get_by_test_id("waiting-on")).to_have_attribute("data-your-turn", "true")
    expect(page.get_by_test_id("your-turn-count")).to_be_visible()
    page.screenshot(path=screenshots / "my-tickets-customer.png", full_page=True)
    assert_accessible(page)

    mine.get_by_test_id("ticket-link").click()
    expect(page).to_have_url(at(f"/tickets/{ticket.id}"))
    expect(page.get_by_test_id("thread")).to_contain_text("A shade is on its way")
    page.get_by_label("Reply", exact=True).fill("Yes, the lamp works. Thank you!")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator("[data-ticket-status=open]").first).to_be_visible()
    page.get_by_role("link", name="Back").click()
    expect(page).to_have_url(at("/tickets"))

    # The seller sees the ticket about their order, in their own list.
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    seller = context.new_page()
    try:
        with _api(base_url, "support") as api:
            answer = api.post(
                f"/api/v1/tickets/{ticket.id}/messages",
                json={"body": "Can you ship a shade?", "status": "waiting_on_seller"},
            )
        assert answer.status_code == 201, answer.text
        sign_in_and_land(seller, "seller")
        seller.get_by_role("link", name="Support tickets").first.click()
        expect(seller).to_have_url(at("/tickets"))
        theirs = rows(seller).filter(has_text=SUBJECT)
        expect(theirs.get_by_test_id("waiting-on")).to_have_attribute("data-your-turn", "true")
        expect(rows(seller).first).to_contain_text(SUBJECT)  # waiting on them: first
        seller.screenshot(path=screenshots / "my-tickets-seller.png", full_page=True)
        assert_accessible(seller)
    finally:
        context.close()


def test_an_admin_retries_a_failed_refund(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, number = _delivered_order(database_url)
    with _api(base_url, "admin") as api:
        answer = api.post(
            f"/api/v1/orders/{order_id}/refunds",
            json={"amount": "2.00", "reason": "Charged twice", "cause": "system_error"},
        )
    assert answer.status_code == 201, answer.text
    refund_id = answer.json()["id"]
    with db(database_url) as session:  # as the provider's refusal leaves it
        session.execute(
            sa.update(Refund)
            .where(Refund.id == refund_id)
            .values(status="failed", last_error="card account closed", attempts=1)
        )
        session.commit()

    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="Refunds").first.click()
    row = rows(page).filter(has_text=number)
    expect(row.locator("[data-refund-status=failed]")).to_be_visible()
    expect(row).to_contain_text("card account closed")
    page.screenshot(path=screenshots / "admin-refunds-retry.png", full_page=True)
    row.get_by_test_id("retry-refund").click()
    expect(page.get_by_text("sent to the payment provider again")).to_be_visible()
    with db(database_url) as session:  # what the provider answers next is its own business
        assert session.get(Refund, refund_id).pay_round == 1
        retried = session.exec(
            select(OrderEvent).where(
                OrderEvent.order_id == order_id, OrderEvent.type == "refund.retried"
            )
        ).all()
        assert len(retried) == 1


def test_support_reassigns_and_the_customer_rates_the_resolved_ticket(
    page: Page, browser, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, _ = _delivered_order(database_url)
    with _api(base_url, "customer") as api:
        answer = api.post(
            "/api/v1/tickets",
            json={"order_id": order_id, "subject": "Wrong colour", "body": "I ordered blue."},
        )
    assert answer.status_code == 201, answer.text
    ticket = answer.json()

    sign_in_and_land(page, "support")
    page.goto(f"/support/tickets/{ticket['id']}")
    page.get_by_role("combobox", name="Reassign to").click()
    option = page.get_by_role("option").last
    name = option.inner_text().rsplit(" (", 1)[0]
    option.click()
    page.get_by_test_id("reassign").click()
    expect(page.get_by_test_id("assignee")).to_have_text(name)
    expect(page.get_by_test_id("thread")).to_contain_text(f"Assigned to {name}")
    page.screenshot(path=screenshots / "ticket-reassigned.png", full_page=True)
    assert_accessible(page)

    with _api(base_url, "support") as api:
        answer = api.post(
            f"/api/v1/tickets/{ticket['id']}/messages",
            json={"body": "A blue one is on its way.", "status": "resolved"},
        )
    assert answer.status_code == 201, answer.text

    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    customer = context.new_page()
    try:
        sign_in_and_land(customer, "customer")
        customer.goto(f"/tickets/{ticket['id']}")
        expect(customer.get_by_test_id("rate-ticket")).to_be_visible()
        customer.screenshot(path=screenshots / "ticket-rate.png", full_page=True)
        assert_accessible(customer)
        customer.get_by_role("button", name="Rate 5 of 5").click()
        expect(customer.get_by_test_id("rated")).to_contain_text("5 of 5")
        expect(customer.get_by_test_id("rate-ticket")).to_have_count(0)
    finally:
        context.close()
