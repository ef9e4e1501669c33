"""The demo data shows customer service and oversight working: the KPI page has every
number, support's queue has cases in every state, and the admins' refunds and
disputes pages have something to decide."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from oms_dashboard.domain.kpis import DEFINITIONS
from tests.e2e.helpers import assert_accessible, at, sign_in_and_land

pytestmark = pytest.mark.e2e


def test_the_kpi_page_has_every_number_on_the_demo(page: Page, screenshots: Path) -> None:
    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="KPIs").first.click()
    expect(page.get_by_test_id("kpi-cards").get_by_test_id("kpi-value")).to_have_count(6)
    expect(page.get_by_test_id("kpi-sellers").get_by_test_id("table-row").first).to_be_visible()
    for d in DEFINITIONS:
        value = page.get_by_test_id(f"kpi-{d.key.value}").get_by_test_id("kpi-value")
        expect(value).not_to_have_text("—")
    page.screenshot(path=screenshots / "demo-kpis.png", full_page=True)


def test_support_has_cases_in_its_queue(page: Page, screenshots: Path) -> None:
    sign_in_and_land(page, "support")
    page.get_by_role("link", name="Tickets").first.click()
    expect(page).to_have_url(at("/support/tickets"))
    # The queue's own rows (the home page's rows may still be on screen just after
    # the click), at least five of them, waited for.
    expect(page.get_by_test_id("ticket-list").get_by_test_id("table-row").nth(4)).to_be_visible()
    page.screenshot(path=screenshots / "demo-support-queue.png", full_page=True)
    assert_accessible(page)


def test_admins_have_refunds_and_disputes_to_decide(page: Page, screenshots: Path) -> None:
    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="Refunds").first.click()
    expect(page).to_have_url(at("/admin/refunds"))
    expect(page.locator("[data-refund-status=pending_review]").first).to_be_visible()
    expect(page.locator("[data-refund-status=failed]").first).to_be_visible()
    page.screenshot(path=screenshots / "demo-admin-refunds.png", full_page=True)
    assert_accessible(page)

    page.get_by_role("link", name="Disputes").first.click()
    expect(page).to_have_url(at("/admin/disputes"))
    expect(page.get_by_test_id("open-disputes").get_by_test_id("table-row")).to_have_count(1)
    page.screenshot(path=screenshots / "demo-admin-disputes.png", full_page=True)
