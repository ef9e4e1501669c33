"""A digital line and a subscription on the customer's order page: the e-book is
downloaded from its line (a licence file; the line then says when), and the cancel
button of a subscription's order cancels its future renewals only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from oms_dashboard.domain.stock import StockStatus
from oms_dashboard.models import Order, Seller
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.e2e.helpers import assert_accessible, db, sign_in_and_land, user
from tests.e2e.service_orders import _paid, open_order
from tests.factories import make_order, make_product

pytestmark = pytest.mark.e2e


def _ebook_and_club_order(database_url: str) -> str:
    with db(database_url) as session:
        customer = actor_for_user(session, user(session, "customer"))
        seller = session.get(Seller, user(session, "seller").seller_id)
        ebook = make_product(
            session,
            seller,
            kind="digital",
            title="Charging Guide (E-Book)",
            price_minor=999,
            weight_grams=0,
            length_mm=0,
            width_mm=0,
            height_mm=0,
            on_hand=9999,
        )
        club = make_product(
            session, seller, kind="subscription", title="Cable of the Month Club", price_minor=1499
        )
        order = make_order(
            session,
            customer=customer,
            seller=seller,
            products=[ebook, club],
            status="processing",
            placed_at=utcnow() - timedelta(hours=3),
        )
        order.stock_status = StockStatus.CONFIRMED
        _paid(session, order)
        session.commit()
        return order.id


def test_the_customer_downloads_the_ebook_and_cancels_the_clubs_renewals(
    page: Page, database_url: str, screenshots: Path
) -> None:
    order_id = _ebook_and_club_order(database_url)
    sign_in_and_land(page, "customer")
    open_order(page, order_id)
    expect(page.get_by_text("Subscription: renews")).to_be_visible()
    expect(page.get_by_text("Digital download", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "digital-lines.png")
    assert_accessible(page)

    with page.expect_download() as got:
        page.get_by_test_id("download-line").click()
    licence = Path(got.value.path()).read_text()
    assert "Charging Guide (E-Book)" in licence and "Licence key: " in licence
    expect(page.get_by_text("Digital download, downloaded just now")).to_be_visible()

    cancel = page.get_by_test_id("cancel-order")
    expect(cancel).to_have_text("Cancel renewals")
    cancel.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("This order itself goes ahead as placed")
    dialog.get_by_role("button", name="Cancel renewals").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_test_id("action-outcome")).to_contain_text("future renewals are cancelled")
    expect(page.get_by_text("Subscription: renewals cancelled")).to_be_visible()
    expect(page.get_by_test_id("cancel-order")).to_have_count(0)
    page.screenshot(path=screenshots / "subscription-renewals-cancelled.png", full_page=True)
    with db(database_url) as session:
        order = session.get(Order, order_id)
        assert order.status == "processing" and order.renewal_cancelled_at is not None
