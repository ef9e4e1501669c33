"""A seller reads their standing and a month's statement (and downloads it as CSV);
an admin suspends the seller with a reason from the Sellers page, then reinstates it."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.domain.money import format_minor
from oms_dashboard.formatting.money import format_money
from oms_dashboard.models import AuditEntry, Order, Seller
from oms_dashboard.services.auth import actor_for_user
from oms_dashboard.services.seller_standing import seller_standing
from oms_dashboard.services.settlement import month_of, seller_statement
from tests.e2e.helpers import assert_accessible, at, db, sign_in_and_land, user

pytestmark = pytest.mark.e2e


def _demo_month(database_url: str):
    """The month of the demo seller's latest delivery, and what its statement says."""
    with db(database_url) as session:
        staff = user(session, "seller")
        actor = actor_for_user(session, staff)
        latest = session.exec(
            select(Order.delivered_at)
            .where(Order.seller_id == staff.seller_id, Order.delivered_at.is_not(None))
            .order_by(Order.delivered_at.desc())
        ).first() or pytest.fail("the demo seller should have delivered orders")
        period = month_of(latest.date())
        found = seller_statement(session, actor=actor, seller_id=staff.seller_id, period=period)
        standing = seller_standing(session, actor=actor, seller_id=staff.seller_id)
        return period, found, standing


def test_a_seller_sees_their_standing_and_statement(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    period, found, standing = _demo_month(database_url)
    sign_in_and_land(page, "seller")
    page.get_by_role("link", name="Standing and statement").first.click()
    expect(page).to_have_url(at("/seller/standing"))
    card = page.get_by_test_id("standing")
    expect(card.get_by_test_id("standing-reason")).to_have_text(standing.decision.reason)
    expect(card.get_by_test_id("standing-badge").first).to_have_text(
        standing.decision.standing.label
    )
    expect(card).to_contain_text(standing.decision.rule)
    expect(card.get_by_test_id("table-row")).to_have_count(5)
    expect(card.get_by_test_id("table-row").first).to_contain_text("Late shipments")

    statement = page.get_by_test_id("statement")
    page.get_by_label("Statement month").click()
    page.get_by_role("option", name=period.start.strftime("%Y-%m")).click()
    (usd,) = found.statement.totals
    expect(statement.get_by_test_id("amount-due")).to_have_text(
        format_money(usd.due_minor, usd.currency)
    )
    lines = len(found.statement.sales) + len(found.statement.refunds)
    expect(statement.get_by_test_id("table-row")).to_have_count(1 + lines)
    page.screenshot(path=screenshots / "seller-standing.png", full_page=True)
    assert_accessible(page)

    with page.expect_download() as download:
        statement.get_by_role("button", name="Download CSV").click()
    assert download.value.suggested_filename.endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text())))
    assert len(rows) == lines + 1
    assert rows[-1]["line"] == "amount_due"
    assert rows[-1]["net"] == format_minor(usd.due_minor, usd.currency)


def test_an_admin_suspends_a_seller_with_a_reason_and_reinstates_it(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    with db(database_url) as session:
        seller = session.get(Seller, user(session, "seller").seller_id)
    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="Sellers").first.click()
    expect(page).to_have_url(at("/admin/sellers"))
    row = page.get_by_test_id("table-row").filter(has_text=seller.name)
    expect(row.get_by_test_id("standing-badge")).to_be_visible()
    page.screenshot(path=screenshots / "admin-sellers.png", full_page=True)
    assert_accessible(page)

    row.get_by_role("button", name=f"Suspend {seller.name}").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Customers will not be able to check out")
    dialog.get_by_role("button", name="Suspend from new orders").click()
    expect(dialog.get_by_role("alert")).to_contain_text("Say why")  # no reason, no change
    dialog.get_by_label("Reason (the seller reads it)").fill("Too many late shipments in November")
    expect(dialog.get_by_role("alert")).to_be_hidden()  # typing a reason clears the error
    page.screenshot(path=screenshots / "admin-sellers-suspend-dialog.png")
    dialog.get_by_role("button", name="Suspend from new orders").click()
    expect(dialog).to_be_hidden()
    try:
        expect(row).to_contain_text("Suspended")
        expect(row).to_contain_text("Too many late shipments in November")
        page.screenshot(path=screenshots / "admin-sellers-suspended.png", full_page=True)
        with db(database_url) as session:
            assert session.get(Seller, seller.id).suspended_at is not None
            audit = session.exec(
                select(AuditEntry).where(
                    AuditEntry.action == "seller.suspend", AuditEntry.entity_id == seller.id
                )
            ).all()
            assert audit and audit[-1].after["reason"] == "Too many late shipments in November"
    finally:
        # Other browser tests check out the demo seller's products: put it back.
        row.get_by_role("button", name=f"Reinstate {seller.name}").click()
        dialog.get_by_label("Reason (the seller reads it)").fill("Checked: back on time")
        dialog.get_by_role("button", name="Reinstate seller").click()
        expect(dialog).to_be_hidden()
        expect(row).to_contain_text("Taking orders")
    with db(database_url) as session:
        assert session.get(Seller, seller.id).suspended_at is None
