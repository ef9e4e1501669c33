"""Fill an empty database with a living-looking mall.

``seed_demo`` builds every row in memory from one seeded random generator
(plus seeded Faker for names), then writes each table with a few bulk
INSERTs. The caller owns the transaction and commits it::

    with session_scope() as session:
        if database_is_empty(session):
            seed_demo(session)
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, SQLModel, select

from oms_dashboard.demo import DEMO_PASSWORD
from oms_dashboard.demo.context import DemoContext, DemoIds
from oms_dashboard.demo.orders import OrderBuilder
from oms_dashboard.demo.people import build_customers, build_sellers, build_staff
from oms_dashboard.demo.places import PlaceMaker
from oms_dashboard.demo.service import build_service
from oms_dashboard.models import (
    Address,
    CancellationRequest,
    Checkout,
    Customer,
    Dispute,
    Inventory,
    Order,
    OrderEvent,
    OrderLine,
    OrderMessage,
    Product,
    Refund,
    RefundLine,
    Return,
    ReturnLine,
    Review,
    Seller,
    Shipment,
    ShipmentScan,
    Ticket,
    TicketMessage,
    User,
)
from oms_dashboard.services.auth import hash_password

# In foreign-key order: a row's parents are written before it.
TABLES: tuple[tuple[str, type[SQLModel]], ...] = (
    ("sellers", Seller),
    ("users", User),
    ("customers", Customer),
    ("addresses", Address),
    ("products", Product),
    ("inventory", Inventory),
    ("checkouts", Checkout),
    ("orders", Order),
    ("order_lines", OrderLine),
    ("order_events", OrderEvent),
    ("shipments", Shipment),
    ("shipment_scans", ShipmentScan),
    # Customer service (demo/service.py), after the orders it is about.
    ("cancellation_requests", CancellationRequest),
    ("returns", Return),
    ("return_lines", ReturnLine),
    ("refunds", Refund),
    ("refund_lines", RefundLine),
    ("tickets", Ticket),
    ("ticket_messages", TicketMessage),
    ("disputes", Dispute),
    ("order_messages", OrderMessage),
    ("reviews", Review),
)
BATCH = 2000


def database_is_empty(session: Session) -> bool:
    """No accounts and no orders yet: safe to load the demo."""
    no_users = session.exec(select(User.id).limit(1)).first() is None
    return no_users and session.exec(select(Order.id).limit(1)).first() is None


def build_demo_rows(*, now: datetime, seed: int, password_hash: str) -> dict[str, list[dict]]:
    """Every demo row, per table, without touching a database."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC)")
    rng = random.Random(seed)
    ctx = DemoContext(
        now=now.astimezone(UTC),
        seed=seed,
        rng=rng,
        ids=DemoIds(seed),
        password_hash=password_hash,
    )
    build_staff(ctx)
    sellers = build_sellers(ctx)
    customers = build_customers(ctx, PlaceMaker(rng, seed))
    OrderBuilder(ctx, sellers, customers).build()
    build_service(ctx)
    return ctx.rows


def seed_demo(session: Session, *, now: datetime | None = None, seed: int = 2026) -> dict[str, int]:
    """Write the demo mall into ``session``'s transaction; returns rows per table.

    The same ``seed`` and ``now`` give the same data (names, addresses, order
    numbers, totals, timelines and ids). Every demo account signs in with
    ``DEMO_PASSWORD``; it is hashed once, argon2 being slow on purpose.
    """
    rows = build_demo_rows(
        now=now or datetime.now(UTC), seed=seed, password_hash=hash_password(DEMO_PASSWORD)
    )
    for name, model in TABLES:
        table_rows: list[dict[str, Any]] = rows[name]
        for start in range(0, len(table_rows), BATCH):
            session.execute(model.__table__.insert(), table_rows[start : start + BATCH])
    session.flush()
    return {name: len(rows[name]) for name, _ in TABLES}
