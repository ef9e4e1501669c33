"""One lock order for everything that touches orders and stock (PostgreSQL).

Stock loss, payment failure (hold expiry), review cancellation and new checkouts
race on the same orders and skus, many times over: PostgreSQL detects no
deadlock, and the shelf ends exactly as the orders say (nothing oversold,
nothing held twice or lost).
"""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.errors import DomainError
from oms_dashboard.domain.stock import RESERVED
from oms_dashboard.models import Checkout, Inventory, Order, OrderLine
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, payments, review
from oms_dashboard.services.errors import ServiceError
from oms_dashboard.services.stock_loss import record_stock_loss
from oms_dashboard.services.unit_of_work import Collided
from tests.factories import make_actor, make_product, make_seller
from tests.integration.test_checkout import place, request

ROUNDS = 6
CHECKOUTS = 16


@pytest.fixture
def pg(engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("row locks and deadlocks are PostgreSQL's; SQLite serialises writers")
    return engine


def deadlocks(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(
            sa.text("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        ).scalar_one()


def run_together(jobs: list[Callable[[], None]]) -> list[BaseException]:
    """Start every job at the same moment; collect what each raised."""
    start, errors = threading.Barrier(len(jobs)), []

    def run(job):
        start.wait()
        try:
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def quietly(action: Callable[[], object]) -> None:
    """A rule may refuse (not held any more, too little on hand): that is fine here."""
    try:
        action()
    except (ServiceError, DomainError) as exc:
        if isinstance(exc, Collided):
            raise


def test_stock_loss_payment_failure_review_cancel_and_checkout_never_deadlock(pg, session):
    rng = random.Random(11)
    seller = make_seller(session)
    staff = make_actor(session, "seller", seller=seller)
    admin = make_actor(session, "admin")
    before = deadlocks(pg)
    for round_no in range(ROUNDS):
        lamp = make_product(session, seller, on_hand=CHECKOUTS + 4)
        shade = make_product(session, seller, on_hand=CHECKOUTS + 4)
        buyer = make_actor(session, "customer")  # the same basket again: duplicates, held
        placed = [
            place(pg, buyer, request((lamp.sku, 1), (shade.sku, 1)), key=f"r{round_no}-{n}")
            for n in range(CHECKOUTS)
        ]
        with Session(pg) as s:  # every hold has expired: the sweep fails them
            s.execute(sa.update(Checkout).values(hold_expires_at=utcnow() - timedelta(minutes=1)))
            s.commit()
        held = [p.body["orders"][0]["id"] for p in placed[1:]]
        rng.shuffle(held)
        newcomers = [make_actor(session, "customer") for _ in range(3)]
        jobs = race(pg, staff, admin, lamp.sku, shade.sku, held, newcomers)
        assert run_together(jobs) == []
        for sku in (lamp.sku, shade.sku):
            assert_shelf_matches_orders(pg, sku)
    assert deadlocks(pg) == before


def race(pg, staff, admin, lamp: str, shade: str, held: list[str], newcomers) -> list:
    """What runs at once: losses, the hold-expiry sweep, review decisions, new checkouts."""
    half = len(held) // 2

    def lose_stock():
        for _ in range(6):
            quietly(
                lambda: record_stock_loss(pg, actor=staff, sku=lamp, quantity=1, reason="dropped")
            )

    def expire_holds():
        payments.expire_unpaid_holds(pg)

    def cancel_held():
        for order_id in held[:half]:
            quietly(
                lambda order_id=order_id: review.cancel_held_order(
                    pg, actor=admin, order_id=order_id, reason="double click"
                )
            )

    def release_held():
        for order_id in held[half:]:
            quietly(
                lambda order_id=order_id: review.release_order(pg, actor=admin, order_id=order_id)
            )

    def check_out(who):
        return lambda: quietly(lambda: place(pg, who, request((shade, 1), (lamp, 1)), key="new"))

    return [lose_stock, expire_holds, cancel_held, release_held, *map(check_out, newcomers)]


def assert_shelf_matches_orders(engine, sku: str) -> None:
    with Session(engine) as s:
        stock = s.get(Inventory, sku)
        held = s.exec(
            select(sa.func.coalesce(sa.func.sum(OrderLine.quantity), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(OrderLine.sku == sku, Order.stock_status.in_(sorted(RESERVED)))
        ).one()
    assert 0 <= stock.reserved <= stock.on_hand, (sku, stock.reserved, stock.on_hand)
    assert stock.reserved == held, f"{sku}: {stock.reserved} reserved, orders hold {held}"


def test_a_lock_taken_out_of_order_fails_at_once(engine, session):
    seller = make_seller(session)
    product = make_product(session, seller)
    with Session(engine) as s:
        locks.lock_inventory(s, [product.sku])
        with pytest.raises(locks.LockOrderViolation, match="orders locked after inventory"):
            locks.lock_orders(s, ids=["ord_x"])
        s.rollback()
        locks.lock_orders(s, ids=["ord_x"])  # a new transaction starts with no locks
