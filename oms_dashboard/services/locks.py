"""Row locks: taken here and nowhere else, always in one order.

checkouts by id, then orders by id, then inventory rows by sku, then a support
ticket (after its order, so a dispute's refund can lock the order first), then
the KPI stale-day marks by day (written by ``services.kpi_stale`` as the
transaction commits), then, last of all, the audit chain head (taken by
``services.audit`` as the transaction commits, so it is held only for the final
flush and commit). Two
transactions that both take locks in this order can wait for each other but
never deadlock. A transaction that asks for a lock out of order (an order
after it has touched inventory) is a bug and fails at once, loudly, on every
backend: SQLite ignores ``FOR UPDATE`` but the check still runs.

Stock changes are conditional UPDATEs (``services.stock``); they lock the
inventory rows they touch, so they call ``touching_inventory`` first.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import IntEnum

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from oms_dashboard.models import AuditChainHead, Checkout, Inventory, Order, Ticket


class Level(IntEnum):
    CHECKOUTS = 1
    ORDERS = 2
    INVENTORY = 3
    TICKETS = 4
    KPI_STALE_DAYS = 5
    AUDIT_CHAIN = 6


class LockOrderViolation(RuntimeError):
    """Code asked for a lock after one that must come later: fix the code."""


def lock_checkout(session: Session, checkout_id: str) -> Checkout | None:
    _enter(session, Level.CHECKOUTS)
    return session.exec(
        select(Checkout)
        .where(Checkout.id == checkout_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def lock_orders(
    session: Session, *, ids: Iterable[str] = (), checkout_id: str | None = None
) -> list[Order]:
    """The orders with these ids (or of this checkout), locked in id order."""
    _enter(session, Level.ORDERS)
    query = select(Order)
    query = (
        query.where(Order.checkout_id == checkout_id)
        if checkout_id is not None
        else query.where(Order.id.in_(sorted(set(ids))))
    )
    return list(
        session.exec(
            query.order_by(Order.id).with_for_update().execution_options(populate_existing=True)
        ).all()
    )


def lock_inventory(session: Session, skus: Iterable[str]) -> dict[str, Inventory]:
    """Inventory rows by sku, locked in sku order."""
    _enter(session, Level.INVENTORY)
    rows = session.exec(
        select(Inventory)
        .where(Inventory.sku.in_(sorted(set(skus))))
        .order_by(Inventory.sku)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    return {row.sku: row for row in rows}


def lock_ticket(session: Session, ticket_id: str) -> Ticket | None:
    _enter(session, Level.TICKETS)
    return session.exec(
        select(Ticket)
        .where(Ticket.id == ticket_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()


def lock_audit_chain(session: Session) -> AuditChainHead:
    """The audit chain head (created at seq 0 if the table is empty), locked: the
    last lock a transaction takes, right before its audit rows are inserted."""
    _enter(session, Level.AUDIT_CHAIN)
    query = (
        select(AuditChainHead)
        .where(AuditChainHead.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    head = session.exec(query).first()
    if head is None:
        from oms_dashboard.domain.audit_chain import GENESIS

        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        session.execute(
            insert(AuditChainHead).values(id=1, seq=0, hash=GENESIS).on_conflict_do_nothing()
        )
        head = session.exec(query).one()
    return head


def touching_inventory(session: Session) -> None:
    """About to UPDATE inventory rows (which locks them): no order lock may follow."""
    _enter(session, Level.INVENTORY)


def touching_kpi_stale_days(session: Session) -> None:
    """About to upsert KPI stale-day marks (one statement, days in order), which locks
    them until the commit: only the audit chain head may follow."""
    _enter(session, Level.KPI_STALE_DAYS)


def _enter(session: Session, level: Level) -> None:
    transaction = session.get_transaction() or session.begin()
    owner, held = session.info.get("lock_level", (None, 0))
    if owner is not transaction:
        held = 0  # a new transaction starts with no locks
    if level < held:
        raise LockOrderViolation(
            f"{level.name.lower()} locked after {Level(held).name.lower()}: take locks in "
            "the order checkouts, orders, inventory, tickets, kpi stale days, audit chain"
        )
    session.info["lock_level"] = (transaction, max(held, level))
