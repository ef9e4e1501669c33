"""The customer changes the delivery address of a processing order from its page: a bad
ZIP is said next to the field, the preview says the new shipping cost, the date and
what is charged, and the change goes through the payment sandbox and shows at once."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.models import Order, OrderCharge, SandboxPayment
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land
from tests.e2e.service_orders import open_order, paid_order

pytestmark = pytest.mark.e2e


def _authorized_at_the_sandbox(database_url: str, order_id: str) -> None:
    with db(database_url) as session:
        order = session.get(Order, order_id)
        session.add(
            SandboxPayment(
                checkout_id=order.checkout_id,
                amount_minor=order.total_minor,
                currency=order.currency,
                status="authorized",
            )
        )
        session.commit()


def test_customer_changes_the_address_of_a_processing_order(
    page: Page, database_url: str, screenshots: Path
) -> None:
    order_id, _ = paid_order(database_url, placed_ago=timedelta(hours=2))
    _authorized_at_the_sandbox(database_url, order_id)
    sign_in_and_land(page, "customer")
    open_order(page, order_id)

    page.get_by_test_id("change-address").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog.get_by_label("Street address")).to_have_value("1 Main St")
    dialog.get_by_label("Street address").fill("5 Broadway")
    dialog.get_by_label("City").fill("New York")
    dialog.get_by_label("State / region").fill("NY")
    dialog.get_by_label("ZIP / postal code").fill("1000")
    dialog.get_by_test_id("address-preview").click()
    expect(page.get_by_test_id("address-postal_code-error")).to_be_visible()
    page.screenshot(path=screenshots / "address-change-bad-zip.png")

    dialog.get_by_label("ZIP / postal code").fill("10001")
    dialog.get_by_test_id("address-preview").click()
    settlement = page.get_by_test_id("address-settlement")
    expect(settlement).to_be_visible()
    expect(page.get_by_test_id("address-new")).to_contain_text("5 Broadway")
    expect(page.get_by_test_id("address-delivery")).not_to_be_empty()
    kind = settlement.get_attribute("data-settlement")
    page.screenshot(path=screenshots / "address-change-preview.png")
    assert_accessible(page)

    page.get_by_test_id("address-confirm").click()
    expect(dialog).to_be_hidden()
    outcome = page.get_by_test_id("action-outcome")
    expect(outcome).to_have_attribute("data-tone", "done")
    expect(outcome).to_contain_text("the order now goes to NEW YORK")
    expect(page.get_by_test_id("ship-to")).to_contain_text("5 Broadway")
    expect(page.get_by_test_id("timeline")).to_contain_text("Address changed")
    page.screenshot(path=screenshots / "address-change-done.png", full_page=True)

    with db(database_url) as session:
        order = session.get(Order, order_id)
        assert (order.ship_line1, order.ship_city) == ("5 Broadway", "NEW YORK")
        charged = session.exec(select(OrderCharge).where(OrderCharge.order_id == order_id)).all()
        assert len(charged) == (1 if kind == "charge" else 0)
        assert order.total_minor == order.subtotal_minor + order.shipping_minor
