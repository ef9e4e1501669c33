"""The service desk in the browser: a ticket from the customer's question to support's
resolution, and a dispute an admin decides with a partial refund."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import Product, Seller
from oms_dashboard.services.auth import actor_for_user
from tests.e2e.helpers import assert_accessible, at, db, rows, sign_in_and_land, user
from tests.factories import make_order

pytestmark = pytest.mark.e2e


def _delivered_order(database_url: str) -> tuple[str, str, str]:
    """A paid, delivered order of the demo customer from the demo seller:
    (id, number, currency)."""
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
        seller = session.get(Seller, user(session, "seller").seller_id)
        product = session.exec(
            select(Product)
            .where(Product.seller_id == seller.id, Product.digital.is_(False))
            .order_by(Product.sku)
        ).first()
        order = make_order(
            session, customer=customer, seller=seller, products=[product], status="delivered"
        )
        session.commit()
        return order.id, order.number, order.currency


def _api(base_url: str, role: str) -> httpx.Client:
    token = httpx.post(
        f"{base_url}/api/v1/auth/token",
        json={"email": DEMO_LOGINS[role], "password": DEMO_PASSWORD},
    ).json()["access_token"]
    return httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"})


def _open_ticket(base_url: str, order_id: str, subject: str) -> dict:
    with _api(base_url, "customer") as api:
        answer = api.post(
            "/api/v1/tickets",
            json={
                "order_id": order_id,
                "subject": subject,
                "body": "The parcel arrived but the mug inside is cracked. What now?",
            },
        )
    assert answer.status_code == 201, answer.text
    return answer.json()


def _reply_as(page: Page, text: str, status: str) -> None:
    page.get_by_label("Reply", exact=True).fill(text)
    page.get_by_role("combobox", name="And set status").click()
    page.get_by_role("option", name=status).click()
    page.get_by_role("button", name="Send reply").click()


def test_a_ticket_from_the_customers_question_to_its_resolution(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, number, _ = _delivered_order(database_url)
    ticket = _open_ticket(base_url, order_id, "Cracked mug in my parcel")

    sign_in_and_land(page, "support")
    page.get_by_role("link", name="Tickets").first.click()
    expect(page).to_have_url(at("/support/tickets"))
    row = rows(page).filter(has_text="Cracked mug in my parcel")
    expect(row).to_have_count(1)
    expect(row.locator(f"[data-priority={ticket['priority']}]")).to_be_visible()
    expect(row.get_by_test_id("sla")).to_contain_text("Due in")
    expect(row.get_by_test_id("order-link")).to_have_text(number)
    page.screenshot(path=screenshots / "desk-queue.png", full_page=True)
    assert_accessible(page)

    row.get_by_test_id("ticket-link").click()
    expect(page).to_have_url(at(f"/support/tickets/{ticket['id']}"))
    expect(page.get_by_role("heading", name="Cracked mug in my parcel")).to_be_visible()
    expect(page.get_by_test_id("order-link")).to_have_text(number)
    expect(page.get_by_test_id("priority-reason")).to_have_text(ticket["priority_reason"])
    page.get_by_role("button", name="Assign to me").click()
    expect(page.get_by_test_id("assignee")).to_have_text(
        page.get_by_test_id("user-name").inner_text()
    )

    _reply_as(page, "Sorry about that! Could you send a photo of the mug?", "Waiting on customer")
    facts = page.get_by_test_id("ticket-facts")
    expect(facts.locator("[data-ticket-status=waiting_on_customer]")).to_be_visible()
    expect(facts.get_by_test_id("sla")).to_contain_text("paused")
    expect(page.get_by_test_id("thread")).to_contain_text("Could you send a photo")
    page.screenshot(path=screenshots / "desk-ticket-waiting.png", full_page=True)

    with _api(base_url, "customer") as api:
        answer = api.post(
            f"/api/v1/tickets/{ticket['id']}/messages",
            json={"body": "Photo sent by email: the handle came off."},
        )
    assert answer.status_code == 201, answer.text

    page.reload()
    expect(facts.locator("[data-ticket-status=open]")).to_be_visible()
    expect(page.get_by_test_id("thread")).to_contain_text("the handle came off")
    _reply_as(page, "Thanks: a replacement is on its way.", "Resolved")
    expect(facts.locator("[data-ticket-status=resolved]")).to_be_visible()
    expect(facts.get_by_test_id("sla")).to_contain_text("Resolved just now")
    page.screenshot(path=screenshots / "desk-ticket-resolved.png", full_page=True)
    assert_accessible(page)

    # Resolved, it leaves the queue's default view ("needs someone").
    page.get_by_role("link", name="Back").click()
    expect(rows(page).filter(has_text="Cracked mug in my parcel")).to_have_count(0)


def test_a_dispute_decided_with_a_partial_refund(
    page: Page, browser, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, number, currency = _delivered_order(database_url)
    ticket = _open_ticket(base_url, order_id, "Refund for the broken lamp")
    with _api(base_url, "customer") as api:
        answer = api.post(f"/api/v1/tickets/{ticket['id']}/escalate")
    assert answer.status_code == 201, answer.text

    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="Disputes").first.click()
    expect(page).to_have_url(at("/admin/disputes"))
    row = (
        page.get_by_test_id("open-disputes")
        .get_by_test_id("table-row")
        .filter(has_text=ticket["number"])
    )
    expect(row).to_contain_text(number)
    assert_accessible(page)
    row.get_by_role("button", name="Decide").click()

    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("cannot be undone")
    dialog.get_by_role("textbox", name="Amount").fill("5.00")
    dialog.get_by_role("button", name="Decide, for good").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Write the decision both parties")
    dialog.get_by_label("Note to both parties").fill(
        "The lamp was damaged in transit: half of its price goes back to the customer."
    )
    expect(dialog.get_by_role("alert")).to_have_count(0)  # typing the note clears its error
    page.screenshot(path=screenshots / "desk-dispute-dialog.png", full_page=True)
    dialog.get_by_role("button", name="Decide, for good").click()
    expect(dialog).to_have_count(0)

    amount = format_money(500, currency)
    decided = (
        page.get_by_test_id("decided-disputes")
        .get_by_test_id("table-row")
        .filter(has_text=ticket["number"])
    )
    expect(decided.locator("[data-decision=partial_refund]")).to_be_visible()
    expect(decided).to_contain_text(amount)
    page.screenshot(path=screenshots / "desk-disputes-decided.png", full_page=True)

    # The customer reads the decision on the ticket.
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    customer = context.new_page()
    try:
        sign_in_and_land(customer, "customer")
        # Where the ticket emails point.
        customer.goto(f"/tickets/{ticket['id']}")
        dispute = customer.get_by_test_id("dispute")
        expect(dispute).to_contain_text("Dispute decided")
        expect(dispute.locator("[data-decision=partial_refund]")).to_be_visible()
        expect(dispute).to_contain_text(amount)
        expect(dispute).to_contain_text("damaged in transit")
        expect(customer.locator("[data-ticket-status=resolved]")).to_be_visible()
        customer.screenshot(path=screenshots / "desk-ticket-decided.png", full_page=True)
        assert_accessible(customer)
    finally:
        context.close()


def test_the_admin_approves_a_refund_waiting_for_review(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, number, currency = _delivered_order(database_url)
    with _api(base_url, "customer") as api:
        answer = api.post(
            f"/api/v1/orders/{order_id}/refunds",
            json={"amount": "3.00", "reason": "The box was dented"},
        )
    assert answer.status_code == 201, answer.text
    assert answer.json()["status"] == "pending_review"

    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="Refunds").first.click()
    expect(page).to_have_url(at("/admin/refunds"))
    row = rows(page).filter(has_text=number)
    expect(row.locator("[data-refund-status=pending_review]")).to_be_visible()
    expect(row).to_contain_text(format_money(300, currency))
    page.screenshot(path=screenshots / "desk-refunds.png", full_page=True)
    assert_accessible(page)

    # Rejecting asks for the reason the customer reads: none given, nothing changes.
    row.get_by_role("button", name="Reject").click()
    dialog = page.get_by_role("alertdialog")
    dialog.get_by_role("button", name="Reject refund").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Say why the refund is rejected")
    expect(dialog.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=screenshots / "desk-refund-reject-dialog.png")
    dialog.get_by_role("button", name="Not yet").click()
    expect(dialog).to_have_count(0)
    expect(row.locator("[data-refund-status=pending_review]")).to_be_visible()

    row.get_by_role("button", name="Approve").click()
    expect(dialog).to_contain_text("cannot be undone")
    expect(dialog.get_by_role("alert")).to_have_count(0)  # a new decision starts clean
    page.screenshot(path=screenshots / "desk-refund-approve-dialog.png")
    dialog.get_by_role("button", name="Approve refund").click()
    expect(page.get_by_text("approved: it is paid through the provider")).to_be_visible()
    expect(rows(page).filter(has_text=number)).to_have_count(0)


def test_the_customer_escalates_a_ticket_from_its_page(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, _, _ = _delivered_order(database_url)
    ticket = _open_ticket(base_url, order_id, "Nobody answers about my refund")

    sign_in_and_land(page, "customer")
    page.goto(f"/tickets/{ticket['id']}")
    expect(page.get_by_role("button", name="Assign to me")).to_have_count(0)
    expect(page.get_by_role("combobox", name="And set status")).to_have_count(0)
    page.get_by_role("button", name="Escalate to a dispute").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("cannot be undone")
    page.screenshot(path=screenshots / "desk-escalate-dialog.png", full_page=True)
    dialog.get_by_role("button", name="Escalate", exact=True).click()

    expect(page.get_by_test_id("dispute")).to_contain_text("Dispute open")
    expect(page.locator("[data-ticket-status=escalated]")).to_be_visible()
    expect(page.get_by_role("button", name="Escalate to a dispute")).to_have_count(0)
    assert_accessible(page)
