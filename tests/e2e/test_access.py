"""Pages check the role and ownership on the server: the wrong person gets nothing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.models import Order
from tests.e2e.helpers import assert_accessible, db, rows, sign_in_and_land, user

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize(
    "path",
    [
        "/admin",
        "/admin/orders",
        "/admin/disputes",
        "/admin/refunds",
        "/admin/sellers",
        "/seller/orders",
        "/seller/standing",
        "/support/orders",
        "/support/tickets",
    ],
)
def test_a_customer_is_refused_staff_and_seller_pages(page: Page, path: str) -> None:
    sign_in_and_land(page, "customer")
    page.goto(path)

    expect(page.get_by_test_id("forbidden")).to_contain_text("You don't have access to this page")
    expect(rows(page)).to_have_count(0)
    expect(page.get_by_test_id("stat-card")).to_have_count(0)
    assert_accessible(page)


def test_a_seller_opening_another_sellers_order_sees_not_found(
    page: Page, database_url: str
) -> None:
    with db(database_url) as session:
        own_seller = user(session, "seller").seller_id
        other = session.exec(select(Order).where(Order.seller_id != own_seller).limit(1)).one()
    sign_in_and_land(page, "seller")

    page.goto(f"/orders/{other.id}")

    expect(page.get_by_test_id("not-found")).to_contain_text("Order not found")
    expect(page.get_by_text(other.number)).to_have_count(0)
    expect(rows(page)).to_have_count(0)
    assert_accessible(page)


def test_a_customer_opening_someone_elses_order_sees_not_found(
    page: Page, database_url: str
) -> None:
    with db(database_url) as session:
        email = user(session, "customer").email
        other = session.exec(select(Order).where(Order.customer_email != email).limit(1)).first()
    if other is None:
        pytest.skip("the demo data has one customer only")
    sign_in_and_land(page, "customer")

    page.goto(f"/orders/{other.id}")

    expect(page.get_by_test_id("not-found")).to_be_visible()
    expect(page.get_by_text(other.number)).to_have_count(0)
