"""Demo life: a storefront, a payment system and the sellers acting on the running app.

Places checkouts as the demo customers through the real API at a gentle pace,
then pays for them through the sandbox provider and a signed payment event:
most payments go through, some are declined, some need extra verification,
now and then the amount is wrong. A few "hot" products are bought more often,
so they sell out. The sellers ship their paid orders a little later, buying
labels through the API from the sandbox carriers, which then carry the parcels
on their own (``carriers.sandbox.journey``) until they are delivered. Run it
beside `make run` (it starts it unless OMS_SIMULATE=0).
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass

import httpx
from sqlmodel import Session, select

from oms_dashboard.db import get_engine
from oms_dashboard.demo import DEMO_PASSWORD
from oms_dashboard.models import Address, Customer, Inventory, Order, Product, Seller, User
from oms_dashboard.models.base import utcnow
from oms_dashboard.payments.signing import signed_event
from oms_dashboard.settings import get_settings

log = logging.getLogger("oms_dashboard.simulate")

# outcome -> weight
PAYMENT_OUTCOMES = {"authorized": 85, "declined": 7, "requires_action": 4, "wrong_amount": 4}


@dataclass(frozen=True)
class Shopper:
    email: str
    address: dict


@dataclass(frozen=True)
class Item:
    sku: str
    seller_id: str
    currency: str


class Simulator:
    def __init__(self, base_url: str, *, seed: int | None = None, engine=None) -> None:
        self.engine = engine or get_engine()
        self.http = httpx.Client(base_url=base_url.rstrip("/"), timeout=30)
        self.rng = random.Random(seed)
        self.tokens: dict[str, str] = {}
        self.secret = get_settings().payment_webhook_secret
        self.shoppers: list[Shopper] = []
        self.items: list[Item] = []
        self.hot: list[Item] = []
        self.staff: list[str] = []
        """One staff email per seller: who ships its orders."""

    def load_world(self) -> None:
        """The storefront's view: who shops, and what is for sale."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(User.email, Address)
                .join(Customer, Customer.user_id == User.id)
                .join(Address, Address.customer_id == Customer.id)
                .where(User.role == "customer", Address.is_default.is_(True))
            ).all()
            self.shoppers = [Shopper(email, _address_json(address)) for email, address in rows]
            items = session.exec(
                select(Product.sku, Product.seller_id, Seller.currency)
                .join(Seller, Seller.id == Product.seller_id)
                .join(Inventory, Inventory.sku == Product.sku)
                .where(Product.active.is_(True), Product.digital.is_(False))
            ).all()
            staff = session.exec(
                select(User.seller_id, User.email)
                .where(User.role == "seller", User.is_active.is_(True))
                .order_by(User.created_at)
            ).all()
        self.staff = list({seller_id: email for seller_id, email in reversed(staff)}.values())
        self.items = [Item(*row) for row in items]
        self.hot = self.rng.sample(self.items, k=min(4, len(self.items)))

    def run(self, *, interval: float = 6.0, count: int | None = None) -> None:
        self.load_world()
        placed = 0
        while count is None or placed < count:
            try:
                self.one_checkout()
                self.ship_some()
            except httpx.HTTPError as exc:
                log.warning("the app did not answer: %s", exc)
            placed += 1
            time.sleep(self.rng.uniform(0.5, 1.5) * interval)

    def one_checkout(self) -> None:
        shopper = self.rng.choice(self.shoppers)
        lines = self._basket()
        body = {
            "lines": [{"sku": item.sku, "quantity": qty} for item, qty in lines],
            "shipping_address": shopper.address,
            "service_level": "express" if self.rng.random() < 0.15 else "standard",
        }
        headers = {**self._auth(shopper.email), "Idempotency-Key": uuid.uuid4().hex}
        response = self.http.post("/api/v1/checkouts", json=body, headers=headers)
        if response.status_code != 201:
            log.info(
                "checkout refused (%s): %s", response.status_code, response.json().get("detail")
            )
            return
        checkout = response.json()
        outcome = self.rng.choices(list(PAYMENT_OUTCOMES), weights=PAYMENT_OUTCOMES.values())[0]
        self.pay(checkout, outcome)
        log.info(
            "checkout %s (%s %s): %s",
            checkout["checkout_id"],
            checkout["total"],
            checkout["currency"],
            outcome,
        )

    def pay(self, checkout: dict, outcome: str) -> None:
        """What the customer and the payment system do after the checkout."""
        amount = checkout["total"]
        status, event_type = {
            "authorized": ("authorized", "payment.authorized"),
            "declined": ("declined", "payment.failed"),
            "requires_action": ("requires_action", "payment.requires_action"),
            "wrong_amount": ("authorized", "payment.authorized"),
        }[outcome]
        if outcome == "wrong_amount":
            amount = f"{float(amount) + 1:.2f}"
        self.http.post(
            "/sandbox/payments/authorizations",
            json={
                "checkout_id": checkout["checkout_id"],
                "amount": amount,
                "currency": checkout["currency"],
                "outcome": status,
            },
        ).raise_for_status()
        raw, headers = signed_event(
            checkout_id=checkout["checkout_id"],
            type=event_type,
            amount=amount,
            currency=checkout["currency"],
            secret=self.secret,
        )
        self.http.post("/api/v1/payments/events", content=raw, headers=headers)

    def ship_some(self, *, older_than_seconds: float = 20.0) -> int:
        """Each seller ships, now and then, the most urgent of its paid orders that has
        waited a little (a seller packs before buying the label); returns how many."""
        shipped = 0
        for email in self.staff:
            if self.rng.random() < 0.5:
                continue
            headers = self._auth(email)
            queue = self.http.get("/api/v1/fulfillment/queue", headers=headers)
            if queue.status_code != 200 or not queue.json():
                continue
            order = queue.json()[0]
            if not self._waited(order["order_id"], older_than_seconds):
                continue
            carrier = self.rng.choice(["fedex", "ups", "usps", "dhl"])
            answer = self.http.post(
                f"/api/v1/orders/{order['order_id']}/ship",
                json={"carrier": carrier},
                headers=headers,
            )
            if answer.status_code == 200:
                shipped += 1
                log.info("shipped %s with %s", order["number"], carrier)
            else:
                log.info(
                    "could not ship %s (%s): %s",
                    order["number"],
                    answer.status_code,
                    answer.json().get("detail"),
                )
        return shipped

    def _waited(self, order_id: str, seconds: float) -> bool:
        with Session(self.engine) as session:
            paid_at = session.exec(select(Order.paid_at).where(Order.id == order_id)).first()
        return paid_at is not None and (utcnow() - paid_at).total_seconds() >= seconds

    def _basket(self) -> list[tuple[Item, int]]:
        first = (
            self.rng.choice(self.hot) if self.rng.random() < 0.3 else self.rng.choice(self.items)
        )
        same_currency = [i for i in self.items if i.currency == first.currency and i != first]
        extra = self.rng.sample(
            same_currency, k=min(len(same_currency), self.rng.choice([0, 0, 1, 2]))
        )
        return [(item, self.rng.choice([1, 1, 1, 2, 3])) for item in [first, *extra]]

    def _auth(self, email: str) -> dict[str, str]:
        if email not in self.tokens:
            response = self.http.post(
                "/api/v1/auth/token", json={"email": email, "password": DEMO_PASSWORD}
            )
            response.raise_for_status()
            self.tokens[email] = response.json()["access_token"]
        return {"Authorization": f"Bearer {self.tokens[email]}"}


def _address_json(address: Address) -> dict:
    return {
        "name": address.name,
        "line1": address.line1,
        "line2": address.line2,
        "city": address.city,
        "region": address.region,
        "postal_code": address.postal_code,
        "country": address.country,
    }


def wait_for_app(base_url: str, timeout: float = 600) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"no app answering at {base_url}")
