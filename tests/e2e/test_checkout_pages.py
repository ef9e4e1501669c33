"""The pages around checkout and payment: retry, the seller's live queue, review, outbox."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.models import EmailMessage, Inventory, Order, Product
from tests.e2e.helpers import (
    assert_accessible,
    at,
    count_orders,
    db,
    rows,
    sign_in_and_land,
    user,
)
from tests.fakes import fail_payment, pay

pytestmark = pytest.mark.e2e

ADDRESS = {
    "name": "Demo Customer",
    "line1": "350 5th Ave",
    "city": "New York",
    "region": "NY",
    "postal_code": "10118",
    "country": "US",
}


def _token(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/api/v1/auth/token",
        json={"email": DEMO_LOGINS["customer"], "password": DEMO_PASSWORD},
    )
    return response.json()["access_token"]


def _demo_sellers_product(database_url: str, *, skip: int = 0, other: bool = False) -> str:
    """A USD product of the demo seller (``other``: of another seller) with plenty of stock."""
    with db(database_url) as session:
        seller_id = user(session, "seller").seller_id
        return session.exec(
            select(Product.sku)
            .join(Inventory, Inventory.sku == Product.sku)
            .where(
                Product.seller_id != seller_id if other else Product.seller_id == seller_id,
                Product.currency == "USD",
                Product.digital.is_(False),
                Product.restricted.is_(False),
                Inventory.on_hand - Inventory.reserved > 20,
            )
            .order_by(Product.sku)
            .offset(skip)
        ).first()


def _checkout(
    base_url: str,
    sku: str,
    quantity: int = 1,
    key: str | None = None,
    also: tuple[tuple[str, int], ...] = (),
) -> dict:
    lines = [{"sku": s, "quantity": q} for s, q in ((sku, quantity), *also)]
    response = httpx.post(
        f"{base_url}/api/v1/checkouts",
        json={"lines": lines, "shipping_address": ADDRESS},
        headers={
            "Authorization": f"Bearer {_token(base_url)}",
            "Idempotency-Key": key or uuid.uuid4().hex,
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return response.json()


def test_customer_retries_a_failed_payment(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    # One basket, two sellers: the checkout splits into one order per seller.
    placed = _checkout(
        base_url,
        _demo_sellers_product(database_url),
        quantity=2,
        also=((_demo_sellers_product(database_url, other=True), 1),),
    )
    first, sibling = placed["orders"]
    fail_payment(get_engine(database_url), placed)
    sign_in_and_land(page, "customer")
    page.goto(f"/orders/{first['id']}")
    expect(page.get_by_test_id("payment-status")).to_have_text("Payment failed")
    expect(page.get_by_test_id("payment-failed-notice")).to_contain_text("retry the payment")
    expect(page.get_by_test_id("checkout-summary")).to_contain_text(
        "Part of one checkout with 2 orders from 2 sellers"
    )
    expect(page.get_by_test_id("checkout-siblings")).to_contain_text(sibling["number"])
    page.screenshot(path=str(screenshots / "order-payment-failed.png"), full_page=True)
    assert_accessible(page)

    page.get_by_role("button", name="Retry payment").click()

    expect(page.get_by_text("Stock held again: complete the payment")).to_be_visible()
    expect(page.get_by_test_id("payment-status")).to_have_text("Awaiting payment")
    header_badge = page.get_by_role("heading", level=1).locator("xpath=..").locator("[data-status]")
    expect(header_badge).to_have_text("Pending payment")
    expect(page.get_by_role("button", name="Retry payment")).to_have_count(0)
    expect(page.get_by_test_id("payment-failed-notice")).to_have_count(0)
    with db(database_url) as session:
        statuses = session.exec(
            select(Order.status).where(Order.checkout_id == placed["checkout_id"])
        ).all()
    assert statuses == ["pending_payment", "pending_payment"]


def test_sellers_queue_shows_a_new_paid_order_without_reload(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    low_sku = _demo_sellers_product(database_url, skip=1)
    with session_scope(get_engine(database_url)) as session:
        session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == low_sku)
            .values(on_hand=Inventory.reserved + 1)
        )
    sign_in_and_land(page, "seller")
    expect(page.get_by_test_id("low-stock")).to_contain_text(low_sku)
    placed = _checkout(base_url, _demo_sellers_product(database_url))
    pay(get_engine(database_url), placed)
    number = placed["orders"][0]["number"]
    # No reload: the page refreshes itself every few seconds.
    expect(rows(page).filter(has_text=number)).to_have_count(1, timeout=15_000)
    expect(rows(page).filter(has_text=number)).to_contain_text("Processing")
    page.screenshot(path=str(screenshots / "seller-queue-live.png"), full_page=True)
    assert_accessible(page)


def test_admin_reviews_duplicates_release_and_cancel(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    sku = _demo_sellers_product(database_url, skip=2)
    _checkout(base_url, sku, quantity=3)
    first_dup = _checkout(base_url, sku, quantity=3)["orders"][0]
    second_dup = _checkout(base_url, sku, quantity=3)["orders"][0]
    assert first_dup["review_reason"] == second_dup["review_reason"] == "duplicate"

    with db(database_url) as session:
        held = count_orders(session, Order.review_reason.is_not(None))

    sign_in_and_land(page, "admin")
    # The sidebar tells the admin there is something to decide, on every page.
    expect(page.get_by_test_id("held-count")).to_have_text(str(held))
    page.get_by_role("link", name="Review queue").click()
    expect(page.get_by_role("heading", name="Review queue")).to_be_visible()
    first = rows(page).filter(has_text=first_dup["number"])
    second = rows(page).filter(has_text=second_dup["number"])
    expect(first).to_contain_text("Same lines as another checkout")
    expect(first).to_contain_text("customer@oms.demo")
    page.screenshot(path=str(screenshots / "admin-review.png"), full_page=True)
    assert_accessible(page)

    first.get_by_role("button", name="Cancel").click()
    confirm = page.get_by_role("button", name="Cancel order", exact=True)
    confirm.click()
    expect(page.get_by_test_id("cancel-error")).to_have_text("Say why the order is cancelled")
    expect(page.get_by_label("Reason")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)  # the confirmation dialog, with its error
    page.screenshot(path=str(screenshots / "admin-review-cancel-dialog.png"))
    expect(first).to_have_count(1)  # an empty reason changes nothing
    page.get_by_label("Reason").fill("placed twice by mistake")
    confirm.click()
    expect(page.get_by_text(f"Order {first_dup['number']} cancelled")).to_be_visible()
    expect(first).to_have_count(0)
    expect(page.get_by_test_id("held-count")).to_have_text(str(held - 1))

    second.get_by_role("button", name="Release").click()
    expect(page.get_by_text(f"Order {second_dup['number']} released")).to_be_visible()
    expect(second).to_have_count(0)
    # Nothing left to decide: no badge at all rather than a "0".
    badge = page.get_by_test_id("held-count")
    if held > 2:
        expect(badge).to_have_text(str(held - 2))
    else:
        expect(badge).to_have_count(0)
    with db(database_url) as session:
        cancelled = session.get(Order, first_dup["id"])
        released = session.get(Order, second_dup["id"])
    assert (cancelled.status, cancelled.review_reason) == ("cancelled", None)
    assert (released.status, released.review_reason) == ("pending_payment", None)


def test_admin_reads_the_emails_in_the_outbox(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    from oms_dashboard.notifications import handlers

    placed = _checkout(base_url, _demo_sellers_product(database_url, skip=3))
    pay(get_engine(database_url), placed)
    # What the worker does with the outbox message the payment wrote, on the app's database.
    handlers.order_confirmation(
        {"checkout_id": placed["checkout_id"]}, engine=get_engine(database_url)
    )
    with db(database_url) as session:
        email = session.exec(
            select(EmailMessage)
            .where(EmailMessage.kind == "order_confirmation")
            .order_by(EmailMessage.id.desc())
        ).first()
        assert email is not None
    sign_in_and_land(page, "admin")
    page.goto("/admin/outbox")
    row = rows(page).filter(has_text=email.subject).first
    expect(row).to_contain_text("Local mailbox")
    page.screenshot(path=str(screenshots / "admin-outbox.png"), full_page=True)
    assert_accessible(page)
    row.get_by_role("button", name=email.subject).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(email.to_address)
    expect(dialog.locator("iframe")).to_be_visible()
    page.screenshot(path=str(screenshots / "admin-outbox-email.png"))
    assert_accessible(page)


@pytest.mark.parametrize("role", ["customer", "seller"])
@pytest.mark.parametrize("path", ["/admin/review", "/admin/outbox"])
def test_customers_and_sellers_are_refused_the_admin_pages(
    page: Page, path: str, role: str
) -> None:
    sign_in_and_land(page, role)
    page.goto(path)
    expect(page).to_have_url(at(path))
    expect(page.get_by_test_id("forbidden")).to_contain_text("You don't have access to this page")
    expect(rows(page)).to_have_count(0)


def test_seller_sees_a_new_order_notification_in_the_bell(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    from oms_dashboard.notifications import handlers

    placed = _checkout(base_url, _demo_sellers_product(database_url, skip=4))
    pay(get_engine(database_url), placed)
    order = placed["orders"][0]
    handlers.new_order({"order_id": order["id"]}, engine=get_engine(database_url))
    sign_in_and_land(page, "seller")
    expect(page.get_by_test_id("unread-count")).to_be_visible()
    page.get_by_role("button", name="Notifications").click()
    expect(page.get_by_role("dialog")).to_contain_text(f"New order {order['number']}")
    page.screenshot(path=str(screenshots / "seller-notifications.png"))
    assert_accessible(page)  # the bell's popover, open
    page.get_by_role("button", name="Mark all read").click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)

    # Still on the queue, no reload: the next new order rings the bell by itself.
    again = _checkout(base_url, _demo_sellers_product(database_url, skip=4), quantity=2)
    pay(get_engine(database_url), again)
    handlers.new_order({"order_id": again["orders"][0]["id"]}, engine=get_engine(database_url))
    expect(page.get_by_test_id("unread-count")).to_be_visible(timeout=15_000)


def test_customer_is_told_why_an_order_is_held(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    sku = _demo_sellers_product(database_url, skip=5)
    _checkout(base_url, sku, quantity=2)
    copy = _checkout(base_url, sku, quantity=2)["orders"][0]
    assert copy["review_reason"] == "duplicate"

    sign_in_and_land(page, "customer")
    page.goto(f"/orders/{copy['id']}")

    notice = page.get_by_test_id("review-notice")
    expect(notice).to_contain_text("Held for review")
    expect(notice).to_contain_text("the same items as an order you placed minutes earlier")
    page.screenshot(path=str(screenshots / "order-held-customer.png"), full_page=True)
    assert_accessible(page)
