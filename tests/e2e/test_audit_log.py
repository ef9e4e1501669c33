"""The audit log in the browser: an admin overrides a cancellation on an order, follows
the order's "Audit trail" link and reads that row's before and after."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.db import get_engine
from oms_dashboard.models import AuditEntry
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit
from oms_dashboard.ui.states.audit_log import PAGE_SIZE
from tests.e2e.helpers import assert_accessible, at, db, rows, sign_in_and_land, user
from tests.e2e.service_orders import open_order, paid_order
from tests.integration.audit_helpers import tamper

pytestmark = pytest.mark.e2e


def test_admin_opens_the_audit_row_of_the_order_they_just_cancelled(
    page: Page, database_url: str, screenshots: Path
) -> None:
    order_id, _ = paid_order(database_url, placed_ago=timedelta(hours=3))
    sign_in_and_land(page, "admin")
    open_order(page, order_id)
    page.get_by_test_id("cancel-order").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_role("textbox").fill("Customer called: the address is wrong.")
    dialog.get_by_test_id("confirm-cancel").click()
    expect(page.locator("[data-status=cancelled]").first).to_be_visible()

    page.get_by_test_id("audit-trail-link").click()
    expect(page).to_have_url(at("/admin/audit"))
    expect(page.get_by_test_id("chain-status")).to_contain_text("Chain intact")
    expect(page.get_by_label("Order id or number")).to_have_value(order_id)
    expect(rows(page)).to_have_count(1)
    row = rows(page).first
    expect(row).to_contain_text("order.cancel")
    row.get_by_test_id("audit-row-toggle").click()
    changes = row.get_by_test_id("audit-changes")
    expect(changes).to_be_visible()
    expect(changes).to_contain_text("status")
    expect(changes).to_contain_text("processing")
    expect(changes).to_contain_text("cancelled")
    expect(changes).to_contain_text("Customer called: the address is wrong.")
    page.screenshot(path=screenshots / "admin-audit-order.png", full_page=True)
    assert_accessible(page)

    # Someone edits that row in the database: the page names it after a new check.
    engine = get_engine(database_url)
    with db(database_url) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.order_id == order_id)).one()
    original = json.dumps(entry.after)
    edited = json.dumps({**entry.after, "reason": "nothing to see here"})
    tamper(engine, "UPDATE audit_log SET after = :a WHERE id = :id", a=edited, id=entry.id)
    try:
        page.get_by_role("button", name="Check again").click()
        status = page.get_by_test_id("chain-status")
        expect(status).to_contain_text("Chain broken")
        expect(status).to_contain_text(f"{entry.id} (seq {entry.seq}): content edited")
        expect(row).to_contain_text("Broken here")
        page.screenshot(path=screenshots / "admin-audit-broken.png", full_page=True)
    finally:
        tamper(engine, "UPDATE audit_log SET after = :a WHERE id = :id", a=original, id=entry.id)
    page.get_by_role("button", name="Check again").click()
    expect(page.get_by_test_id("chain-status")).to_contain_text("Chain intact")

    page.get_by_role("button", name="Clear filters").first.click()
    expect(page.get_by_label("Order id or number")).to_have_value("")
    expect(rows(page).first).to_be_visible()
    page.screenshot(path=screenshots / "admin-audit-all.png", full_page=True)

    # More than a page of entries: Older and Newer page by keyset, and back again.
    with db(database_url) as session:
        admin = user(session, "admin")
        actor = Actor(user_id=admin.id, role=Role.ADMIN, name="E2E paging")
        for n in range(PAGE_SIZE):
            record_audit(
                session,
                actor=actor,
                action="e2e.paging",
                entity_type="e2e",
                entity_id=f"page-{n}",
                before={"n": None},
                after={"n": n},
            )
        session.commit()
    page.get_by_role("button", name="Check again").click()
    expect(rows(page).first).to_contain_text("e2e.paging")
    expect(rows(page)).to_have_count(PAGE_SIZE)
    expect(page.get_by_test_id("chain-status")).to_contain_text("Chain intact")
    newest = rows(page).first.inner_text()
    expect(page.get_by_role("button", name="Newer")).to_be_disabled()
    page.get_by_role("button", name="Older").click()
    expect(page.get_by_text("Page 2", exact=True)).to_be_visible()
    # The page number and the rows arrive in one state update.
    assert rows(page).first.inner_text() != newest
    page.screenshot(path=screenshots / "admin-audit-page-2.png", full_page=True)
    page.get_by_role("button", name="Newer").click()
    expect(page.get_by_text("Page 1", exact=True)).to_be_visible()
    assert rows(page).first.inner_text() == newest
