"""The customer's "Get delivery updates on this device" offer, in Chromium.

A headless Chromium has the Push API but no push service to reach (Google's is
on the internet), so ``pushManager.subscribe`` is the one thing replaced: it
hands back a subscription with keys made here, as a browser would. Everything
else is real: the service worker registers from ``/sw.js``, the public key comes
from the API, the subscription is saved through the page's event handler, and a
push delivered to the service worker (Chrome DevTools Protocol) shows the
notification and its link.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from playwright.sync_api import Page, expect
from sqlmodel import select

from oms_dashboard.models import PushSubscription
from tests.e2e.helpers import assert_accessible, db, rows, sign_in_and_land, user
from tests.integration.push_service import b64url

pytestmark = pytest.mark.e2e

ENDPOINT = "https://push.example.net/send/e2e-device"
FAKE_PUSH_MANAGER = """
(() => {
  const made = %s;
  const SAVED = "oms-e2e-push-key";  // survives reloads, as a real subscription does
  const toB64 = (bytes) => btoa(String.fromCharCode(...bytes))
    .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  const fromB64 = (text) => Uint8Array.from(
    atob(text.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
  const subscription = () => ({
    endpoint: made.endpoint,
    options: {applicationServerKey: fromB64(localStorage.getItem(SAVED)).buffer},
    toJSON: () => made,
    unsubscribe: async () => { localStorage.removeItem(SAVED); return true; },
  });
  PushManager.prototype.subscribe = async function (options) {
    const key = toB64(new Uint8Array(options.applicationServerKey));
    window.__omsSubscribedWith = {userVisibleOnly: options.userVisibleOnly, key};
    localStorage.setItem(SAVED, key);
    return subscription();
  };
  PushManager.prototype.getSubscription = async function () {
    return localStorage.getItem(SAVED) ? subscription() : null;
  };
})();
"""


def browser_subscription() -> dict:
    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    return {
        "endpoint": ENDPOINT,
        "expirationTime": None,
        "keys": {"p256dh": b64url(point), "auth": b64url(b"sixteen byte key")},
    }


def open_an_order(page: Page) -> str:
    link = rows(page).first.get_by_test_id("order-link")
    link.click()
    expect(page).to_have_url(re.compile(r"/orders/ord_"))
    return page.url.rstrip("/").rsplit("/", 1)[-1]


def test_a_customer_turns_on_delivery_updates_and_a_push_shows(
    browser, base_url: str, database_url: str, screenshots: Path
) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(20_000)
    context.grant_permissions(["notifications"], origin=base_url)
    context.add_init_script(FAKE_PUSH_MANAGER % json.dumps(browser_subscription()))
    page = context.new_page()
    try:
        sign_in_and_land(page, "customer")
        order_id = open_an_order(page)
        offer = page.get_by_test_id("push-offer")
        expect(offer).to_be_visible()
        expect(offer).to_contain_text("Get delivery updates on this device")
        page.screenshot(path=screenshots / "order-detail-push-offer.png")
        assert_accessible(page)

        offer.get_by_role("button", name="Turn on").click()

        expect(page.get_by_text("Delivery updates are on for this device.")).to_be_visible()
        expect(offer).to_be_hidden()
        public_key = httpx.get(f"{base_url}/api/v1/push/public-key").json()["public_key"]
        assert page.evaluate("window.__omsSubscribedWith") == {
            "userVisibleOnly": True,
            "key": public_key,
        }
        with db(database_url) as session:
            (saved,) = session.exec(
                select(PushSubscription).where(PushSubscription.endpoint == ENDPOINT)
            ).all()
            assert saved.user_id == user(session, "customer").id

        # The service worker shows what a push carries, and clicking opens its page.
        cdp = context.new_cdp_session(page)
        registrations: list[dict] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(event["registrations"]),
        )
        cdp.send("ServiceWorker.enable")
        deadline = time.monotonic() + 10
        while not registrations and time.monotonic() < deadline:
            page.wait_for_timeout(100)  # lets Playwright take the protocol's events
        registration = next(r for r in registrations if r["scopeURL"].rstrip("/") == base_url)
        push = {
            "title": "Order OMS-TEST-0001 has shipped",
            "body": "UPS 1Z999 is on its way to you.",
            "url": f"/orders/{order_id}",
            "tag": "shipment:shp_e2e",
        }
        cdp.send(
            "ServiceWorker.deliverPushMessage",
            {
                "origin": base_url,
                "registrationId": registration["registrationId"],
                "data": json.dumps(push),
            },
        )
        shown: list[dict] = []
        deadline = time.monotonic() + 10
        while not shown and time.monotonic() < deadline:
            page.wait_for_timeout(200)
            shown = page.evaluate(
                """async () => {
                  const registration = await navigator.serviceWorker.ready;
                  return (await registration.getNotifications()).map((n) => (
                    {title: n.title, body: n.body, tag: n.tag, url: n.data.url}));
                }"""
            )
        assert shown == [
            {"title": push["title"], "body": push["body"], "tag": push["tag"], "url": push["url"]}
        ]

        page.reload()
        expect(offer).to_have_attribute("data-push-state", "subscribed")
        expect(offer).to_be_hidden()
    finally:
        context.close()
        with db(database_url) as session:
            for row in session.exec(select(PushSubscription)).all():
                session.delete(row)
            session.commit()


def test_no_offer_where_the_browser_has_no_push(browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(20_000)
    context.add_init_script("delete window.PushManager;")
    page = context.new_page()
    try:
        sign_in_and_land(page, "customer")
        open_an_order(page)
        offer = page.get_by_test_id("push-offer")
        expect(offer).to_have_attribute("data-push-state", "unsupported")
        expect(offer).to_be_hidden()
    finally:
        context.close()


def test_sellers_are_not_offered_customer_delivery_updates(page: Page) -> None:
    sign_in_and_land(page, "seller")
    open_an_order(page)
    offer = page.get_by_test_id("push-offer")
    expect(offer).to_have_attribute("data-push-state", "available")  # the browser could
    expect(offer).to_be_hidden()
