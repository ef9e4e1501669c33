"""The app as `reflex run` serves it takes a payment through its own sandbox: no
setting says where the app is, yet the provider is asked and the order moves."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from oms_dashboard.payments.signing import signed_event
from oms_dashboard.services.outbox import MessageKind
from tests.e2e.helpers import assert_accessible, sign_in_and_land
from tests.e2e.test_checkout_pages import _checkout, _demo_sellers_product, _token

pytestmark = pytest.mark.e2e


def _webhook_secret(app_env: dict[str, str]) -> str:
    import subprocess
    import sys

    from oms_dashboard.settings import ROOT

    done = subprocess.run(
        [sys.executable, "-m", "oms_dashboard", "webhook-secret"],
        cwd=ROOT,
        env=app_env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_the_served_app_is_wired_and_verifies_a_payment_with_its_own_sandbox(
    page: Page, base_url: str, database_url: str, app_env: dict[str, str], screenshots: Path
) -> None:
    health = httpx.get(f"{base_url}/api/v1/health").json()
    assert health["wiring"]["entry"] == "reflex"
    assert health["wiring"]["outbox_kinds"] == sorted(kind.value for kind in MessageKind)
    assert health["wiring"]["payment_provider"] == "sandbox in this process"

    placed = _checkout(base_url, _demo_sellers_product(database_url, skip=5))
    httpx.post(
        f"{base_url}/sandbox/payments/authorizations",
        json={
            "checkout_id": placed["checkout_id"],
            "amount": placed["total"],
            "currency": placed["currency"],
            "outcome": "authorized",
        },
    ).raise_for_status()
    body, headers = signed_event(
        checkout_id=placed["checkout_id"],
        type="payment.authorized",
        amount=placed["total"],
        currency=placed["currency"],
        secret=_webhook_secret(app_env),
    )
    answer = httpx.post(f"{base_url}/api/v1/payments/events", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
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
