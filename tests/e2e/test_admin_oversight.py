"""One admin walk across oversight: on the all-orders page the admin filters to one
customer's orders, exports them as CSV (the file checked), opens an order from the
list, cancels it with the admin override, follows "Audit trail" and opens that row,
seeing before and after; then checks the whole chain."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import func, select

from oms_dashboard.models import AuditEntry, Order
from tests.e2e.helpers import assert_accessible, at, db, rows, sign_in_and_land
from tests.e2e.service_orders import paid_order

pytestmark = pytest.mark.e2e


def test_admin_filters_exports_and_opens_the_audit_row_of_an_order_they_changed(
    page: Page, database_url: str, screenshots: Path
) -> None:
    order_id, _ = paid_order(database_url, placed_ago=timedelta(hours=3))
    with db(database_url) as session:
        order = session.get(Order, order_id)
        number, email = order.number, order.customer_email
        theirs = set(session.exec(select(Order.id).where(Order.customer_email == email)).all())

    sign_in_and_land(page, "admin")
    page.goto("/admin/orders")
    expect(page).to_have_url(at("/admin/orders"))
    expect(rows(page).first).to_be_visible()

    # Filter: this customer's orders (search in the customer email).
    page.get_by_role("combobox", name="Search in").click()
    page.get_by_role("option", name="Customer email").click()
    page.get_by_label("Search orders").fill(email)
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_test_id("pager-summary")).to_contain_text(f"of {len(theirs):,} orders")

    # Export what the filter shows: the CSV has exactly those orders, ours among them.
    with page.expect_download() as download:
        page.get_by_test_id("export-menu").click()
        page.get_by_role("menuitem", name="CSV (.csv)").click()
    expect(page.get_by_test_id("export-progress")).to_contain_text(
        f"{len(theirs):,} of {len(theirs):,} rows written"
    )
    assert download.value.suggested_filename.endswith(".csv")
    exported = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert {row["id"] for row in exported} == theirs
    assert {row["customer_email"] for row in exported} == {email}
    [ours] = [row for row in exported if row["id"] == order_id]
    assert ours["number"] == number and ours["status"] == "processing"
    page.screenshot(path=screenshots / "admin-oversight-orders.png", full_page=True)

    # Open the order from the list and cancel it: past the window, so the admin override.
    page.get_by_test_id("order-link").filter(has_text=number).click()
    expect(page).to_have_url(at(f"/orders/{order_id}"))
    expect(page.get_by_test_id("order-summary")).to_be_visible()
    page.get_by_test_id("cancel-order").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").fill("Fraud check failed: cancelling for the customer.")
    dialog.get_by_test_id("confirm-cancel").click()
    expect(page.locator("[data-status=cancelled]").first).to_be_visible()
    page.screenshot(path=screenshots / "admin-oversight-order.png", full_page=True)

    # Its audit trail: the one row, before and after.
    page.get_by_test_id("audit-trail-link").click()
    expect(page).to_have_url(at("/admin/audit"))
    expect(page.get_by_label("Order id or number")).to_have_value(order_id)
    status = page.get_by_test_id("chain-status")
    expect(status).to_contain_text("Chain intact")
    expect(status).to_contain_text(re.compile(r"since the checkpoint|rows? checked"))
    expect(rows(page)).to_have_count(1)
    row = rows(page).first
    expect(row).to_contain_text("order.cancel")
    expect(row).to_contain_text(number)
    row.get_by_test_id("audit-row-toggle").click()
    changes = row.get_by_test_id("audit-changes")
    expect(changes).to_be_visible()
    for seen in ("status", "processing", "cancelled", "admin-override", "Fraud check failed"):
        expect(changes).to_contain_text(seen)
    page.screenshot(path=screenshots / "admin-oversight-audit-row.png", full_page=True)
    assert_accessible(page)

    # The explicit full walk: every row from the first.
    with db(database_url) as session:
        total = session.exec(select(func.count()).select_from(AuditEntry)).one()
    page.get_by_role("button", name="Check the whole chain").click()
    expect(status).to_contain_text("1 row checked" if total == 1 else f"All {total:,} rows checked")
    expect(page.get_by_text("Whole chain last checked")).to_be_visible()
    page.screenshot(path=screenshots / "admin-oversight-whole-chain.png", full_page=True)
