"""The app as `reflex run` serves it takes a payment through its own sandbox: no
setting says where the app is, yet the provider is asked and the order moves."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from oms_dashboard.services.outbox import MessageKind
from tests.e2e.helpers import assert_accessible, pay_like_the_storefront, sign_in_and_land
from tests.e2e.test_checkout_pages import _checkout, _demo_sellers_product, _token

pytestmark = pytest.mark.e2e


def test_the_served_app_is_wired_and_verifies_a_payment_with_its_own_sandbox(
    page: Page, base_url: str, database_url: str, app_env: dict[str, str], screenshots: Path
) -> None:
    health = httpx.get(f"{base_url}/api/v1/health").json()
    assert health["wiring"]["entry"] == "reflex"
    assert health["wiring"]["outbox_kinds"] == sorted(kind.value for kind in MessageKind)
    assert health["wiring"]["payment_provider"] == "sandbox in this process"

    placed = _checkout(base_url, _demo_sellers_product(database_url, skip=5))
    answer = pay_like_the_storefront(base_url, placed, app_env)
    assert answer.json()["outcome"] == "verified"
    order_id = placed["orders"][0]["id"]
    detail = httpx.get(
        f"{base_url}/api/v1/orders/{order_id}",
        headers={"Authorization": f"Bearer {_token(base_url)}"},
    ).json()
    assert detail["status"] == "processing"

    sign_in_and_land(page, "customer")
    page.goto(f"/orders/{order_id}")
    expect(page.get_by_test_id("payment-status")).to_have_text("Paid")
    header_badge = page.get_by_role("heading", level=1).locator("xpath=..").locator("[data-status]")
    expect(header_badge).to_have_text("Processing")
    assert_accessible(page)
    page.screenshot(path=str(screenshots / "order-paid-through-sandbox.png"), full_page=True)
