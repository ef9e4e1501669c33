"""Fixtures for the cancellation and refund tests: paid orders the sandbox knows.

Import the fixture by name: ``from tests.integration.desk_helpers import desk_fixture``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.bootstrap import Wiring, bootstrap
from oms_dashboard.models import (
    EmailMessage,
    Inventory,
    Notification,
    Order,
    OrderEvent,
    Product,
    Refund,
    SandboxPayment,
    SandboxRefund,
    Seller,
    User,
)
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import outbox
from oms_dashboard.services.auth import actor_for_user
from tests.factories import make_order, make_product, make_seller, make_user, pay
from tests.integration.api_helpers import login


@dataclass
class Desk:
    api: object
    engine: sa.Engine
    wiring: Wiring
    shops: dict[str, Seller]
    products: dict[str, Product]
    users: dict[str, User]
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def h(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        if who not in self._headers:
            self._headers[who] = login(self.api, self.users[who])
        return self._headers[who]

    def order(
        self,
        *,
        customer: str = "alice",
        shop: str = "a",
        status: str = "processing",
        placed_ago: timedelta = timedelta(minutes=10),
        paid: bool = True,
        quantity: int = 2,
    ) -> Order:
        """An order of ``quantity`` units at 25.00 (+5.99 shipping), its stock held,
        paid (and authorized at the sandbox) unless ``paid`` is False."""
        with Session(self.engine, expire_on_commit=False) as session:
            actor = actor_for_user(session, self.users[customer])
            product = self.products[shop]
            order = make_order(
                session,
                customer=actor,
                seller=self.shops[shop],
                products=[product],
                status=status,
                placed_at=utcnow() - placed_ago,
                quantity=quantity,
            )
            stock = session.get(Inventory, product.sku)
            stock.reserved += quantity
            session.add(stock)
            if paid:
                pay(order, self.shops[shop], order.placed_at + timedelta(minutes=1))
                order.stock_status = "confirmed"
                session.add(order)
                session.add(
                    SandboxPayment(
                        checkout_id=order.checkout_id,
                        amount_minor=order.total_minor,
                        currency=order.currency,
                        status="authorized",
                    )
                )
            session.commit()
            return order

    def drain(self, handlers=None) -> dict[str, int]:
        """Deliver outbox messages until none is left to send (as the worker would)."""
        total = {"sent": 0, "retry": 0, "failed": 0}
        for _ in range(6):
            done = outbox.dispatch_pending(
                handlers=handlers or self.wiring.handlers, engine=self.engine
            )
            for key, value in done.items():
                total[key] += value
            if not any(done.values()):
                break
        return total

    def read(self, query):
        with Session(self.engine) as session:
            return list(session.exec(query).all())

    def refunds(self, order_id: str) -> list[Refund]:
        return self.read(select(Refund).where(Refund.order_id == order_id).order_by(Refund.id))

    def refund(self, refund_id: str) -> Refund:
        return self.read(select(Refund).where(Refund.id == refund_id))[0]

    def sandbox_refunds(self, order: Order) -> list[SandboxRefund]:
        return self.read(
            select(SandboxRefund).where(SandboxRefund.checkout_id == order.checkout_id)
        )

    def status(self, order_id: str) -> str:
        return self.read(select(Order.status).where(Order.id == order_id))[0]

    def events(self, order_id: str) -> list[str]:
        return self.read(
            select(OrderEvent.type).where(OrderEvent.order_id == order_id).order_by(OrderEvent.at)
        )

    def emails(self, to: str) -> list[str]:
        return self.read(
            select(EmailMessage.subject)
            .where(EmailMessage.to_address == to)
            .order_by(EmailMessage.created_at)
        )

    def bell(self, who: str) -> list[str]:
        """In-app notification titles for a user (a seller's: their shop's)."""
        user = self.users[who]
        where = (
            Notification.seller_id == user.seller_id
            if user.seller_id
            else Notification.user_id == user.id
        )
        return self.read(select(Notification.title).where(where))

    def reserved(self, shop: str = "a") -> int:
        return self.read(
            select(Inventory.reserved).where(Inventory.sku == self.products[shop].sku)
        )[0]


@pytest.fixture(name="desk")
def desk_fixture(api, session, engine, mailbox) -> Desk:
    shops = {"a": make_seller(session, name="Shop A"), "b": make_seller(session, name="Shop B")}
    products = {
        key: make_product(session, shop, price_minor=2500, on_hand=50)
        for key, shop in shops.items()
    }
    users = {
        "admin": make_user(session, "admin"),
        "support": make_user(session, "support"),
        "seller_a": make_user(session, "seller", seller=shops["a"]),
        "seller_b": make_user(session, "seller", seller=shops["b"]),
        "alice": make_user(session, "customer"),
        "bob": make_user(session, "customer"),
    }
    # The jobs (``jobs.tasks``) use this process's wiring: the sandbox provider in process.
    wiring = bootstrap("test", engine=engine)
    return Desk(api, engine, wiring, shops, products, users)
