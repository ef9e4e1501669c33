"""Fixtures and helpers for the HTTP API tests: the real app on the test database.

A test module takes the fixtures by importing them:
``from tests.integration.api_helpers import api_fixture, world_fixture  # noqa: F401``
(they are named ``api`` and ``world`` for the tests).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, SQLModel, select

from oms_dashboard.models import AuditEntry, Order, Product, Seller, User
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import actor_for_user
from tests.factories import PASSWORD, make_order, make_product, make_seller, make_user


@pytest.fixture(name="api")
def api_fixture(wired_app, session):
    """A client for the real app on the test database.

    Depends on ``session`` so that every table is emptied after the test.
    """
    return TestClient(wired_app)


def login(api: TestClient, user: User) -> dict[str, str]:
    response = api.post("/api/v1/auth/token", json={"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def count(engine: sa.Engine, model: type[SQLModel]) -> int:
    """Rows in a table, read on a connection of its own (never a stale session)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(model.__table__)).scalar_one()


def fetch(engine: sa.Engine, query):
    with Session(engine) as fresh:
        return list(fresh.exec(query).all())


def audit_rows(engine: sa.Engine, action: str) -> list[AuditEntry]:
    return fetch(engine, select(AuditEntry).where(AuditEntry.action == action))


def error_fields(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def assert_problem(response, status: int, name: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"https://oms.example/problems/{name}"
    assert body["status"] == status
    assert body["title"] and body["detail"]
    return body


@dataclass
class World:
    """Two shops, a person of each role and a few orders:

    alice (customer) bought from shop A; bob bought from shop A and from shop B.
    """

    api: TestClient
    shop_a: Seller
    shop_b: Seller
    product_a: Product
    product_b: Product
    users: dict[str, User]
    orders: dict[str, Order]
    _headers: dict[str, dict[str, str]] = field(default_factory=dict)

    def headers(self, who: str | None) -> dict[str, str]:
        """Bearer headers for ``who`` (a key of ``users``); none for ``None``."""
        if who is None:
            return {}
        if who not in self._headers:
            self._headers[who] = login(self.api, self.users[who])
        return self._headers[who]


@pytest.fixture(name="world")
def world_fixture(api, session) -> World:
    shop_a, shop_b = make_seller(session, name="Shop A"), make_seller(session, name="Shop B")
    product_a, product_b = make_product(session, shop_a), make_product(session, shop_b)
    users = {
        "admin": make_user(session, "admin"),
        "support": make_user(session, "support"),
        "seller_a": make_user(session, "seller", seller=shop_a),
        "seller_b": make_user(session, "seller", seller=shop_b),
        "alice": make_user(session, "customer"),
        "bob": make_user(session, "customer"),
    }
    alice, bob = (actor_for_user(session, users[name]) for name in ("alice", "bob"))
    now = utcnow()
    orders = {
        "alice_a": make_order(
            session,
            customer=alice,
            seller=shop_a,
            products=[product_a],
            placed_at=now - timedelta(days=3),
        ),
        "bob_a": make_order(
            session,
            customer=bob,
            seller=shop_a,
            products=[product_a],
            placed_at=now - timedelta(days=2),
            status="shipped",
        ),
        "bob_b": make_order(
            session,
            customer=bob,
            seller=shop_b,
            products=[product_b],
            placed_at=now - timedelta(days=1),
            status="delivered",
        ),
    }
    return World(api, shop_a, shop_b, product_a, product_b, users, orders)


_skus = itertools.count(1)


def product_body(seller: Seller, **overrides) -> dict:
    body = {
        "sku": f"NEW-{next(_skus):05d}",
        "seller_id": seller.id,
        "title": "Enamel mug",
        "price": "12.50",
        "currency": "USD",
        "weight_grams": 350,
        "length_mm": 120,
        "width_mm": 90,
        "height_mm": 100,
        "hs_code": "691200",
    }
    return {**body, **overrides}
