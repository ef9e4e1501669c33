"""An admin runs the platform from the browser: changes a policy (a bad value is
refused next to its field), opens the system health page, announces maintenance,
and a customer sees the banner."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.db import get_engine
from oms_dashboard.models import AuditEntry, MaintenanceWindow, OrderPolicy
from oms_dashboard.models.base import utcnow
from tests.e2e.helpers import assert_accessible, at, db, sign_in, sign_in_and_land

pytestmark = pytest.mark.e2e


def _policy(database_url: str) -> OrderPolicy:
    with db(database_url) as session:
        return session.get(OrderPolicy, 1) or OrderPolicy()


@pytest.fixture
def restore(database_url: str):
    """Leave the demo's policies and maintenance as they were for the other tests."""
    before = _policy(database_url).return_window_days
    yield
    with get_engine(database_url).begin() as conn:
        conn.execute(sa.update(OrderPolicy).values(return_window_days=before))
        conn.execute(
            sa.update(MaintenanceWindow)
            .where(MaintenanceWindow.cancelled_at.is_(None))
            .values(cancelled_at=utcnow())
        )


def test_admin_changes_a_policy_checks_health_and_announces_maintenance(
    page: Page, browser, base_url: str, database_url: str, screenshots: Path, restore
) -> None:
    sign_in_and_land(page, "admin")
    page.get_by_role("link", name="Policies").first.click()
    expect(page).to_have_url(at("/admin/policies"))
    field = page.get_by_label("Return window")
    hint = page.get_by_test_id("policy-return_window_days-hint")
    expect(hint).to_contain_text("Now 30 days · 0 to 365")
    # The orders a suspension recommendation needs, beside the ones a warning needs.
    expect(page.get_by_label("Orders before suspension may be advised")).to_have_value("50")
    expect(page.get_by_test_id("policy-standing_min_orders_suspend-hint")).to_contain_text(
        "Now 50 orders"
    )

    field.fill("999")
    page.get_by_role("button", name="Save policies").click()
    expect(hint).to_have_text("Must be from 0 to 365 days.")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("Nothing was saved: correct the fields marked in red.")).to_be_visible()
    assert _policy(database_url).return_window_days == 30

    field.fill("45")
    page.get_by_role("button", name="Save policies").click()
    expect(
        page.get_by_text("Saved and in force now: Return window 30 days → 45 days.")
    ).to_be_visible()
    expect(hint).to_contain_text("Now 45 days")
    assert _policy(database_url).return_window_days == 45
    with db(database_url) as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "policy.update")).all()[
            -1
        ]
    assert (entry.before["return_window_days"], entry.after["return_window_days"]) == (30, 45)
    assert_accessible(page)
    page.screenshot(path=screenshots / "admin-policies.png", full_page=True, animations="disabled")

    page.get_by_role("link", name="System health").first.click()
    expect(page).to_have_url(at("/admin/health"))
    expect(page.get_by_role("heading", name="Queues and workers")).to_be_visible()
    expect(page.get_by_role("heading", name="Database")).to_be_visible()
    expect(page.get_by_test_id("store-detail").first).to_contain_text("Answered in")
    expect(page.get_by_role("table", name="Periodic jobs")).to_contain_text("sweep outbox")

    starts = (utcnow() + timedelta(days=2)).replace(hour=2, minute=0, second=0, microsecond=0)
    soon = utcnow() + timedelta(hours=2)
    page.get_by_label("Starts (UTC)").fill(f"{soon:%Y-%m-%dT%H:%M}")
    page.get_by_label("Ends (UTC)").fill(f"{soon + timedelta(hours=1):%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Announce maintenance").click()
    expect(page.get_by_test_id("window-error")).to_contain_text("at least 24 hours ahead")

    page.get_by_label("Starts (UTC)").fill(f"{starts:%Y-%m-%dT%H:%M}")
    page.get_by_label("Ends (UTC)").fill(f"{starts + timedelta(hours=2):%Y-%m-%dT%H:%M}")
    page.get_by_label("Message (optional)").fill("Checkout and tracking may pause.")
    page.get_by_role("button", name="Announce maintenance").click()
    windows = page.get_by_role("table", name="Maintenance windows")
    expect(windows).to_contain_text("announced")
    expected = (
        f"Scheduled maintenance on {starts:%a %d %b %Y} from 02:00 to 04:00 (UTC). "
        "Checkout and tracking may pause."
    )
    expect(page.get_by_test_id("maintenance-banner")).to_have_text(expected)
    assert_accessible(page)
    page.screenshot(path=screenshots / "admin-health.png", full_page=True, animations="disabled")

    customer = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    try:
        other = customer.new_page()
        sign_in(other, "customer")
        expect(other).to_have_url(at("/orders"))
        expect(other.get_by_test_id("maintenance-banner")).to_have_text(expected)
        expect(other.get_by_test_id("degraded-banner")).to_have_count(0)  # staff only
        other.screenshot(
            path=screenshots / "customer-maintenance-banner.png", animations="disabled"
        )
    finally:
        customer.close()

    windows.get_by_test_id("cancel-window").first.click()
    expect(windows).to_contain_text("cancelled")
    expect(page.get_by_test_id("maintenance-banner")).to_have_count(0)
