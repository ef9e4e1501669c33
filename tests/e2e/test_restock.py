"""The seller restocks a low-stock product from the queue page, not through the API."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.models import AuditEntry, Inventory, Product
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land, user

pytestmark = pytest.mark.e2e


def _make_low(database_url: str) -> tuple[str, str, int]:
    """A product of the demo seller with units reserved for open orders, left with
    one unit available and its alert already sent: (sku, title, reserved)."""
    with db(database_url) as session:
        seller_id = user(session, "seller").seller_id
        sku, title, reserved = session.exec(
            select(Inventory.sku, Product.title, Inventory.reserved)
            .join(Product, Product.sku == Inventory.sku)
            .where(Inventory.seller_id == seller_id, Inventory.reserved > 1)
            .order_by(Inventory.sku)
        ).first() or pytest.fail("the demo seller should have stock reserved for open orders")
    with session_scope(get_engine(database_url)) as session:
        session.execute(
            sa.update(Inventory)
            .where(Inventory.sku == sku)
            .values(on_hand=Inventory.reserved + 1, low_stock_alerted=True)
        )
    return sku, title, reserved


def _stock(database_url: str, sku: str) -> Inventory:
    with db(database_url) as session:
        return session.get(Inventory, sku)


def test_seller_restocks_a_low_stock_product_and_a_bad_count_is_refused(
    page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    sku, title, reserved = _make_low(database_url)
    sign_in_and_land(page, "seller")
    row = page.get_by_test_id("low-stock").get_by_test_id("table-row").filter(has_text=sku)
    expect(row).to_contain_text(title)
    field = row.get_by_label(f"Units on hand of {title}")
    hint = row.get_by_test_id("restock-hint")
    expect(field).to_have_value(str(reserved + 1))
    expect(hint).to_have_text(f"{reserved} reserved for open orders")
    row.scroll_into_view_if_needed()
    # The viewport, not the full page: the card is at the bottom, below the queue.
    page.screenshot(path=screenshots / "seller-low-stock.png", animations="disabled")

    # Fewer than the open orders hold: refused, the reason next to the field.
    field.fill(str(reserved - 1))
    row.get_by_role("button", name="Save").click()
    expect(hint).to_have_text(
        f"On hand must be at least {reserved}, the units reserved for open orders."
    )
    expect(field).to_have_attribute("aria-invalid", "true")
    field.fill("2.5")
    row.get_by_role("button", name="Save").click()
    expect(hint).to_have_text("On hand must be a whole number, 0 or more.")
    page.screenshot(path=screenshots / "seller-restock-error.png", animations="disabled")
    assert_accessible(page)
    assert _stock(database_url, sku).on_hand == reserved + 1  # nothing written

    restocked = reserved + 50
    field.fill(str(restocked))
    row.get_by_role("button", name="Save").click()

    expect(page.get_by_text(f"{title} ({sku}): {restocked:,} on hand")).to_be_visible()
    expect(page.get_by_text("It is off the low-stock list.")).to_be_visible()
    expect(row).to_have_count(0)
    page.screenshot(path=screenshots / "seller-restocked.png", animations="disabled")
    assert_accessible(page)

    stock = _stock(database_url, sku)
    # Back above the threshold: the alert is re-armed for the next fall.
    assert (stock.on_hand, stock.reserved, stock.low_stock_alerted) == (
        restocked,
        reserved,
        False,
    )
    with db(database_url) as session:
        # One audit row: the refused counts wrote none.
        [entry] = session.exec(
            select(AuditEntry).where(
                AuditEntry.action == "inventory.set", AuditEntry.entity_id == sku
            )
        ).all()
        assert entry.actor_id == user(session, "seller").id
    assert (entry.before["on_hand"], entry.after["on_hand"]) == (reserved + 1, restocked)
    token = httpx.post(
        f"{base_url}/api/v1/auth/token",
        json={"email": DEMO_LOGINS["seller"], "password": DEMO_PASSWORD},
    ).json()["access_token"]
    api = httpx.get(
        f"{base_url}/api/v1/inventory/{sku}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.json()["on_hand"] == restocked
