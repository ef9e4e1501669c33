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
(order cancel override and release, refunds and their retries, returns,
address changes, disputes, ticket assignment, cancellation requests, failed-job
retries and deletions, policies, carriers, catalog, stock loss and stock
counts, users, seller settings), and a seller's label bought or voided.
Checkout and payment do NOT, so the lock never sits on the checkout path;
stock counts (``inventory.set``) and restocks by sellers do. Every row about an
order carries its ``order_id`` (the admin's filter by order finds it): taken
from the entity, its before/after, or given by the caller when those are only
the changed fields (ticket, dispute, refund retry, job retry).

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
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel, select

from oms_dashboard.domain.audit_chain import (
    CONTENT_FIELDS,
    GENESIS,
    Break,
    ChainReport,
    canonical_at,
    changed_fields,
    json_safe,
    order_of,
    row_hash,
    walk,
)
from oms_dashboard.ids import new_id
from oms_dashboard.models import AuditChainHead, AuditCheckpoint, AuditEntry, Order, User
from oms_dashboard.models.base import utcnow
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
#
# The full check walks every row (``verify_chain``). A page load walks only the
# rows after the checkpoint (``check_chain``): the seq and hash of the last row
# found intact, moved on after every intact check. Why that is enough: each row
# after it is checked against its own hash and the one before, down to the
# checkpoint's hash, which an earlier check found by walking from genesis.
#
# Can the checkpoint itself be tampered with? Someone who can write the tables
# could move it forward (a page load then checks nothing) or, after rewriting and
# re-hashing every row from some point to the head (a self-consistent forgery),
# point it at the forged hash. Three defences: (1) the checkpoint carries an HMAC
# with the app's secret key, which the database does not hold: an edited one
# fails it, is not trusted, and the page falls back to the whole walk; (2) the
# incremental check re-hashes the checkpoint's own row, which must still hash to
# the checkpoint's hash; (3) the full check must meet the checkpoint's hash at its
# seq: a rewritten past that is consistent with itself still disagrees with it.

_COLUMNS = [AuditEntry.__table__.c[name] for name in (*CONTENT_FIELDS, "hash")]
INCREMENTAL_LIMIT = 20_000
"""At most this many rows walked by one page load; newer ones wait for the next."""


def _head(session: Session) -> AuditChainHead | None:
    return session.exec(select(AuditChainHead).where(AuditChainHead.id == 1)).first()


def _no_head(session: Session) -> ChainReport:
    first = session.exec(select(AuditEntry.id, AuditEntry.seq).order_by(AuditEntry.seq)).first()
    if first is None:
        return ChainReport(0, None)
    return ChainReport(
        0,
        Break("head mismatch", first[1], first[0], "audit rows exist but the chain head is gone"),
    )


def checkpoint_mac(seq: int, hash_: str, verified_at: datetime) -> str:
    from oms_dashboard.settings import get_settings

    message = f"oms-audit-checkpoint-v1|{seq}|{hash_}|{canonical_at(verified_at)}"
    key = get_settings().secret_key.encode()
    return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()


def trusted_checkpoint(session: Session) -> AuditCheckpoint | None:
    """The checkpoint, if there is one and its MAC holds (None otherwise)."""
    point = session.exec(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.id == 1)
        .execution_options(populate_existing=True)
    ).first()
    if point is None or not _mac_holds(point):
        return None
    return point


def _mac_holds(point: AuditCheckpoint) -> bool:
    return hmac.compare_digest(point.mac, checkpoint_mac(point.seq, point.hash, point.verified_at))


def verify_chain(session: Session, *, batch: int = 2000) -> ChainReport:
    """Walk every row in seq order against its hash, its predecessor and the head,
    and meet the checkpoint (if any) at its seq with its hash."""
    head = _head(session)
    if head is None:
        return _no_head(session)
    point = trusted_checkpoint(session)  # one that fails its MAC is no evidence either way
    seen: dict[str, str] = {}

    def rows():
        for row in _rows_between(session, 0, head.seq, batch):
            if point is not None and row["seq"] == point.seq:
                seen["hash"] = row["hash"]
            yield row

    report = walk(rows(), head.seq, head.hash)
    if not report.intact or point is None or point.seq == 0:
        return report
    if point.seq > head.seq or seen.get("hash") != point.hash:
        return ChainReport(
            report.rows,
            Break(
                "checkpoint mismatch",
                point.seq,
                None,
                f"the checkpoint of {fmt_time(point.verified_at)} says seq {point.seq} hashed to "
                f"{point.hash[:12]}…; the chain as it is now does not agree (rows rewritten "
                "since, or the checkpoint edited)",
            ),
        )
    return report


def fmt_time(at: datetime) -> str:
    return canonical_at(at)[:16].replace("T", " ") + " UTC"


@dataclass(frozen=True)
class ChainCheck:
    """What a check found: the report, whether it walked the whole chain, where it
    started (the checkpoint's seq, 0 from genesis), rows newer than it reached."""

    report: ChainReport
    full: bool
    from_seq: int
    left: int = 0
    untrusted_checkpoint: bool = False
    full_at: datetime | None = None


def check_chain(
    session: Session, *, full: bool = False, limit: int = INCREMENTAL_LIMIT, batch: int = 2000
) -> ChainCheck:
    """Check the chain, from the checkpoint unless ``full`` (or no checkpoint can
    be trusted), and move the checkpoint to the last row found intact. The caller
    commits."""
    head = _head(session)
    if head is None:
        return ChainCheck(_no_head(session), True, 0)
    stored = (
        session.exec(select(AuditCheckpoint.id).where(AuditCheckpoint.id == 1)).first() is not None
    )
    point = None if full else trusted_checkpoint(session)
    untrusted = not full and stored and point is None
    if point is None:
        report = verify_chain(session, batch=batch)
        if report.intact:
            full_at = utcnow()
            _move_checkpoint(session, head.seq, head.hash, full_at=full_at)
        else:
            full_at = None
        return ChainCheck(report, True, 0, untrusted_checkpoint=untrusted, full_at=full_at)
    if point.seq > head.seq:
        report = ChainReport(
            0,
            Break(
                "checkpoint mismatch",
                point.seq,
                None,
                f"the checkpoint says seq {point.seq} was checked but the chain head is at "
                f"seq {head.seq}: newer rows are gone",
            ),
        )
        return ChainCheck(report, False, point.seq, full_at=point.full_at)
    if point.seq > 0:
        broken = _anchor_break(session, point)
        if broken is not None:
            return ChainCheck(ChainReport(0, broken), False, point.seq, full_at=point.full_at)
    until = min(head.seq, point.seq + limit)
    report = walk(
        _rows_between(session, point.seq, until, batch),
        until,
        head.hash if until == head.seq else None,
        start_seq=point.seq,
        start_hash=point.hash,
    )
    if report.intact and until > point.seq:
        last = head.hash if until == head.seq else _hash_at(session, until)
        _move_checkpoint(session, until, last, full_at=point.full_at)
    return ChainCheck(report, False, point.seq, left=head.seq - until, full_at=point.full_at)


def nightly_check(engine: sa.Engine) -> bool:
    """Periodic: the whole chain walked (and the checkpoint re-validated); every
    active admin alerted in-app when it is broken, once per break. True if intact."""
    from oms_dashboard.services.staff_alerts import alert_staff
    from oms_dashboard.services.unit_of_work import run_in_transaction

    def work(session: Session) -> bool:
        report = check_chain(session, full=True).report
        if report.broken is not None:
            brk = report.broken
            alert_staff(
                session,
                role=Role.ADMIN,
                key=f"audit-chain-broken:{brk.kind}:{brk.seq}:{brk.row_id or ''}",
                kind="audit_chain_broken",
                title="The audit log's hash chain is broken",
                body=brk.describe().capitalize() + ". See /admin/audit.",
            )
        return report.intact

    return run_in_transaction(engine, work)


def _anchor_break(session: Session, point: AuditCheckpoint) -> Break | None:
    """The checkpoint's own row, re-hashed: it must still be there and hash to the
    checkpoint's hash (the rows after it chain onto that)."""
    anchor = (
        session.execute(sa.select(*_COLUMNS).where(AuditEntry.seq == point.seq)).mappings().first()
    )
    if anchor is None:
        return Break("row missing", point.seq, None, f"seq {point.seq} (the checkpoint) is gone")
    if row_hash(anchor) != anchor["hash"]:
        return Break(
            "content edited", point.seq, anchor["id"], "its content no longer matches its hash"
        )
    if anchor["hash"] != point.hash:
        return Break(
            "checkpoint mismatch",
            point.seq,
            anchor["id"],
            "the row at the checkpoint no longer hashes to the checkpoint's hash",
        )
    return None


def _hash_at(session: Session, seq: int) -> str:
    return session.exec(select(AuditEntry.hash).where(AuditEntry.seq == seq)).one() or ""


def _move_checkpoint(session: Session, seq: int, hash_: str, *, full_at: datetime | None) -> None:
    """Upsert the checkpoint forward (never back: a slower check that read an older
    head does not undo a newer one)."""
    now = utcnow()
    values = {
        "seq": seq,
        "hash": hash_,
        "verified_at": now,
        "full_at": full_at,
        "mac": checkpoint_mac(seq, hash_, now),
    }
    table = AuditCheckpoint.__table__
    moved = session.execute(
        sa.update(table).where(table.c.id == 1, table.c.seq <= seq).values(**values)
    )
    if moved.rowcount == 0:
        insert = (
            postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        )
        session.execute(insert(table).values(id=1, **values).on_conflict_do_nothing())


def _rows_between(session: Session, after: int, last_seq: int, batch: int):
    """Rows after seq ``after`` up to ``last_seq`` in seq order, read in keyset
    batches (the head was read first: rows committed since are past its seq and
    left for the next check)."""
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


__all__ = ["GENESIS", "record_audit", "snapshot", "verify_chain", "check_chain", "list_audit"]
