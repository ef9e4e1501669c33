"""A return with exchange from the order page: the customer sends back a damaged item
and asks for the same again, prints the return label; the seller records what came
back and the replacement ships; the customer sees it."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import select

from oms_dashboard.carriers import sandbox
from oms_dashboard.carriers.base import ScanLocation
from oms_dashboard.domain.stock import StockStatus
from oms_dashboard.ids import new_id
from oms_dashboard.models import Inventory, Product, Return, Seller, Shipment
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land, user
from tests.e2e.test_cancellation import open_order
from tests.factories import make_order

pytestmark = pytest.mark.e2e


def _delivered_order(database_url: str) -> tuple[str, str]:
    """A delivered order of the demo customer from the demo seller, sent with FedEx's
    sandbox: (order id, the product's title)."""
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
        seller = session.get(Seller, user(session, "seller").seller_id)
        product = session.exec(
            select(Product)
            .join(Inventory, Inventory.sku == Product.sku)
            .where(
                Product.seller_id == seller.id,
                Product.digital.is_(False),
                Inventory.on_hand - Inventory.reserved > 3,
            )
            .order_by(Product.sku)
        ).first()
        order = make_order(
            session, customer=customer, seller=seller, products=[product], status="delivered"
        )
        order.stock_status = StockStatus.FULFILLED
        order.delivered_at = utcnow()
        place = ScanLocation(
            city=seller.city, region=seller.region, postal_code=seller.postal_code, country="US"
        )
        package = sandbox.register_package(
            session, carrier="fedex", service="FEDEX_GROUND", origin=place, destination=place
        )
        session.add(
            Shipment(
                id=new_id("shp"),
                order_id=order.id,
                seller_id=seller.id,
                carrier="fedex",
                service="FEDEX_GROUND",
                tracking_number=package.tracking_number,
                status="delivered",
                next_sync_at=None,
            )
        )
        session.add(order)
        session.commit()
        return order.id, product.title


def test_a_damaged_item_is_returned_for_an_exchange(
    browser: Browser, page: Page, base_url: str, database_url: str, screenshots: Path
) -> None:
    order_id, title = _delivered_order(database_url)
    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    page.get_by_test_id("return-items").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label(title).fill("1")
    dialog.get_by_label("Damaged", exact=True).check()
    dialog.get_by_label("Send the same item again").check()
    page.screenshot(path=screenshots / "return-dialog.png")
    dialog.get_by_test_id("send-return").click()

    outcome = page.get_by_test_id("action-outcome")
    expect(outcome).to_contain_text("taken back at once")
    ret = page.get_by_test_id("return-row")
    expect(ret).to_have_attribute("data-status", "label_created")
    expect(ret).to_contain_text("Exchange")
    expect(ret).to_contain_text(f"1 × {title}")
    with page.expect_download() as download:
        ret.get_by_test_id("return-label").click()
    assert download.value.suggested_filename.startswith("label-fedex-")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")
    expect(page.get_by_test_id("return-items")).to_have_count(0)  # all of it is going back
    page.screenshot(path=screenshots / "return-requested.png", full_page=True)
    assert_accessible(page)

    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    seller = context.new_page()
    try:
        sign_in_and_land(seller, "seller")
        open_order(seller, order_id)
        row = seller.get_by_test_id("return-row")
        row.get_by_test_id("inspect-return").click()
        dialog = seller.get_by_role("dialog")
        dialog.get_by_label("damaged", exact=True).check()
        seller.screenshot(path=screenshots / "return-inspect-dialog.png")
        dialog.get_by_test_id("send-inspection").click()
        expect(seller.get_by_test_id("action-outcome")).to_contain_text("replacement is on its way")
        expect(row).to_have_attribute("data-status", "exchange_shipped")
        expect(row).to_contain_text("Replacement: FEDEX")
        seller.screenshot(path=screenshots / "return-exchange-shipped-seller.png", full_page=True)
        assert_accessible(seller)
    finally:
        context.close()

    open_order(page, order_id)
    expect(page.get_by_test_id("return-row")).to_contain_text("Replacement shipped")
    with db(database_url) as session:
        done = session.exec(select(Return).where(Return.order_id == order_id)).one()
        assert (done.status, done.condition) == ("exchange_shipped", "damaged")
        assert done.exchange_shipment_id
    page.screenshot(path=screenshots / "return-exchange-customer.png", full_page=True)
