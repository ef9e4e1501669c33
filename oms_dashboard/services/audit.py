"""Audit rows for privileged actions: written in the caller's transaction,
append-only, hash-chained, read by admins.

Writing. ``record_audit`` builds the row (``before``/``after`` reduced to the
fields that changed) and keeps it with the session; it is chained and inserted
when that transaction commits (a ``before_commit`` hook): the chain head, a
single row (``AuditChainHead``) holding the newest seq and hash, is locked
``FOR UPDATE`` through ``services.locks.lock_audit_chain`` (the LAST level of
the lock order), each pending row gets ``seq = head.seq + 1``, ``prev_hash =
head.hash`` and its hash (``domain.audit_chain``), and the head moves on.

Why a head row and not ``pg_advisory_xact_lock``: both serialize writers for
exactly as long (until commit), but the head row works the same on SQLite and
PostgreSQL, sits in the one lock order every service already follows, and
records where the chain ends, so ``audit verify`` also finds the newest rows
deleted (an advisory lock would have to read ``max(seq)`` and cannot tell a
truncated tail from a short chain). Taking it at commit, after every other
lock and after all the service's work, keeps it held only for the final flush
and the commit itself: two writers at once queue there for milliseconds and
never chain onto the same predecessor, and no lock is ever asked after it.

Who writes audit rows (``grep record_audit``): admin and support actions
(order cancel override and release, refunds, returns, disputes, tickets,
cancellation requests, policies, carriers, catalog, stock loss and stock
counts, users, seller settings). Checkout and payment do NOT, so the lock
never sits on the checkout path; stock counts (``inventory.set``) and
restocks by sellers do.

Append-only: nothing here updates or deletes a row, and the database refuses
it (a trigger on PostgreSQL for UPDATE and DELETE, on SQLite for UPDATE).
Retention / legal holds (not built): deleting old rows would need to keep the
chain checkable, e.g. archive the oldest rows with the hash of the last one
removed written as the new genesis (a "checkpoint" row in the head), and only
rows not under a legal hold; never by editing rows in place.

A savepoint rolled back inside a transaction does not take back rows recorded
inside it (no service audits inside a savepoint today).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, select

from oms_dashboard.domain.audit_chain import (
    CONTENT_FIELDS,
    GENESIS,
    Break,
    ChainReport,
    changed_fields,
    json_safe,
    order_of,
    row_hash,
    walk,
)
from oms_dashboard.ids import new_id
from oms_dashboard.models import AuditChainHead, AuditEntry, Order, User
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import ValidationFailed

_SECRET_FIELDS = {"password_hash"}
_PENDING = "audit_pending"
MAX_PAGE = 100


def snapshot(row: SQLModel | None) -> dict[str, Any] | None:
    """A JSON-safe copy of a row for before/after, without secrets."""
    if row is None:
        return None
    data = row.model_dump(mode="json")
    return {k: v for k, v in data.items() if k not in _SECRET_FIELDS}


def record_audit(
    session: Session,
    *,
    actor: Actor,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    order_id: str | None = None,
) -> AuditEntry:
    """Record a privileged action; give full snapshots or just the fields touched,
    only what changed is kept. Inserted (and chained) when the transaction commits."""
    full_before, full_after = json_safe(before), json_safe(after)
    changed_before, changed_after = changed_fields(full_before, full_after)
    entry = AuditEntry(
        id=new_id("aud"),
        actor_id=actor.user_id,
        actor_role=actor.role.value,
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        order_id=order_id or order_of(entity_type, entity_id, full_before, full_after),
        before=changed_before,
        after=changed_after,
    )
    transaction = session.get_transaction() or session.begin()
    owner, pending = session.info.get(_PENDING, (None, []))
    if owner is not transaction:
        pending = []  # rows of a transaction rolled back are gone with it
    pending.append(entry)
    session.info[_PENDING] = (transaction, pending)
    return entry


def content(entry: AuditEntry) -> dict[str, Any]:
    return {name: getattr(entry, name) for name in CONTENT_FIELDS}


@event.listens_for(OrmSession, "before_commit")
def _chain_pending_rows(session: OrmSession) -> None:
    owner, pending = session.info.get(_PENDING, (None, []))
    if not pending or owner is not session.get_transaction():
        return
    from oms_dashboard.services.locks import lock_audit_chain

    del session.info[_PENDING]
    head = lock_audit_chain(session)  # type: ignore[arg-type]
    for entry in pending:
        entry.seq, entry.prev_hash = head.seq + 1, head.hash
        entry.hash = row_hash(content(entry))
        head.seq, head.hash = entry.seq, entry.hash
        session.add(entry)
    session.add(head)


@event.listens_for(OrmSession, "after_rollback")
def _forget_pending_rows(session: OrmSession) -> None:
    session.info.pop(_PENDING, None)


# -- checking the chain -------------------------------------------------------

_COLUMNS = [AuditEntry.__table__.c[name] for name in (*CONTENT_FIELDS, "hash")]


def verify_chain(session: Session, *, batch: int = 2000) -> ChainReport:
    """Walk every row in seq order against its hash, its predecessor and the head."""
    head = session.exec(select(AuditChainHead).where(AuditChainHead.id == 1)).first()
    if head is None:
        first = session.exec(select(AuditEntry.id, AuditEntry.seq).order_by(AuditEntry.seq)).first()
        if first is None:
            return ChainReport(0, None)
        return ChainReport(
            0,
            Break(
                "head mismatch", first[1], first[0], "audit rows exist but the chain head is gone"
            ),
        )
    return walk(_rows_up_to(session, head.seq, batch), head.seq, head.hash)


def _rows_up_to(session: Session, last_seq: int, batch: int):
    """Rows in seq order, read in keyset batches (the head was read first: rows
    committed since are past its seq and left for the next check)."""
    after = 0
    while True:
        rows = (
            session.execute(
                sa.select(*_COLUMNS)
                .where(AuditEntry.seq > after, AuditEntry.seq <= last_seq)
                .order_by(AuditEntry.seq)
                .limit(batch)
            )
            .mappings()
            .all()
        )
        yield from rows
        if len(rows) < batch:
            return
        after = rows[-1]["seq"]


# -- reading the log ----------------------------------------------------------


@dataclass(frozen=True)
class AuditFilter:
    actor_id: str | None = None
    action: str | None = None
    order_id: str | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None


@dataclass(frozen=True)
class AuditRow:
    entry: AuditEntry
    actor_name: str | None
    actor_email: str | None
    order_number: str | None


@dataclass(frozen=True)
class AuditPage:
    items: list[AuditRow]
    next_cursor: str | None


def list_audit(
    session: Session,
    *,
    actor: Actor,
    filters: AuditFilter = AuditFilter(),
    limit: int = 50,
    cursor: str | None = None,
) -> AuditPage:
    """Newest first (by chain order), admins only; keyset-paged by seq."""
    actor.require(Role.ADMIN)
    limit = max(1, min(limit, MAX_PAGE))
    query = select(AuditEntry)
    if filters.actor_id:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.action:
        query = query.where(AuditEntry.action == filters.action)
    if filters.order_id:
        query = query.where(AuditEntry.order_id == filters.order_id)
    if filters.at_from:
        query = query.where(AuditEntry.at >= filters.at_from)
    if filters.at_to:
        query = query.where(AuditEntry.at < filters.at_to)
    if cursor:
        query = query.where(AuditEntry.seq < decode_cursor(cursor))
    entries = list(session.exec(query.order_by(AuditEntry.seq.desc()).limit(limit + 1)).all())
    more = len(entries) > limit
    entries = entries[:limit]
    users = _users(session, {e.actor_id for e in entries if e.actor_id})
    numbers = _order_numbers(session, {e.order_id for e in entries if e.order_id})
    items = [
        AuditRow(
            entry=e,
            actor_name=users.get(e.actor_id, (None, None))[0],
            actor_email=users.get(e.actor_id, (None, None))[1],
            order_number=numbers.get(e.order_id) if e.order_id else None,
        )
        for e in entries
    ]
    return AuditPage(items, encode_cursor(entries[-1].seq) if more and entries else None)


def audit_actions(session: Session, *, actor: Actor) -> list[str]:
    """The actions that occur in the log, for a filter."""
    actor.require(Role.ADMIN)
    return list(session.exec(select(AuditEntry.action).distinct().order_by(AuditEntry.action)))


def audit_actors(session: Session, *, actor: Actor) -> list[tuple[str, str]]:
    """The people who appear in the log, as (user id, "name (role)"), for a filter."""
    actor.require(Role.ADMIN)
    rows = session.exec(
        select(AuditEntry.actor_id, AuditEntry.actor_role)
        .where(AuditEntry.actor_id.is_not(None))
        .distinct()
    ).all()
    users = _users(session, {i for i, _ in rows})
    labels = {i: f"{users.get(i, (i, ''))[0]} ({role})" for i, role in rows}
    return sorted(labels.items(), key=lambda item: item[1].lower())


def resolve_order(session: Session, value: str) -> str | None:
    """An order's id from its id or its number (what an admin types in a filter)."""
    value = value.strip()
    if not value:
        return None
    found = session.exec(
        select(Order.id).where(sa.or_(Order.id == value, Order.number == value))
    ).first()
    return found or value


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        kind, seq = base64.urlsafe_b64decode(padded).decode().split(":", 1)
        if kind != "seq" or not seq.isdigit():
            raise ValueError
        return int(seq)
    except (ValueError, UnicodeDecodeError):
        raise ValidationFailed.one("cursor", "is not a cursor this API handed out") from None


def _users(session: Session, ids: set[str]) -> dict[str, tuple[str, str]]:
    if not ids:
        return {}
    rows = session.exec(select(User.id, User.name, User.email).where(User.id.in_(ids))).all()
    return {i: (name, email) for i, name, email in rows}


def _order_numbers(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    rows = session.exec(select(Order.id, Order.number).where(Order.id.in_(ids))).all()
    return dict(rows)


__all__ = ["GENESIS", "record_audit", "snapshot", "verify_chain", "list_audit"]
