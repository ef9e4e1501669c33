"""The audit log is append-only and tamper-evident: every row hash-chained to the
one before, and ``verify_chain`` names the first row that no longer fits."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.audit_chain import GENESIS, row_hash
from oms_dashboard.models import AuditChainHead, AuditEntry
from oms_dashboard.services import policies
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import content, record_audit, verify_chain
from oms_dashboard.services.unit_of_work import run_in_transaction
from tests.integration.audit_helpers import tamper

ADMIN = Actor(user_id="usr_admin", role=Role.ADMIN, name="Ada Admin")


def _audit_one(engine, n: int, *, entity: str = "ord_1") -> str:
    def work(session):
        return record_audit(
            session,
            actor=ADMIN,
            action="order.cancel",
            entity_type="order",
            entity_id=entity,
            before={"status": "paid", "n": n, "same": 1},
            after={"status": "cancelled", "n": n + 1, "same": 1},
        ).id

    return run_in_transaction(engine, work)


def _rows(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all())


def _verify(engine):
    with Session(engine) as session:
        return verify_chain(session)


def test_rows_chain_in_commit_order_and_keep_only_what_changed(engine, session):
    ids = [_audit_one(engine, n) for n in range(5)]
    rows = _rows(engine)
    assert [r.id for r in rows] == ids and [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == GENESIS
    assert all(r.prev_hash == p.hash for p, r in zip(rows, rows[1:], strict=False))
    assert rows[0].before == {"status": "paid", "n": 0}
    assert rows[0].after == {"status": "cancelled", "n": 1}
    assert rows[0].order_id == "ord_1"
    head = session.get(AuditChainHead, 1)
    assert (head.seq, head.hash) == (5, rows[-1].hash)
    report = _verify(engine)
    assert report.intact and report.describe() == "audit chain intact: 5 rows"


def test_a_policy_change_is_audited_as_the_fields_it_changed(engine, session):
    policies.update_policy(engine, actor=ADMIN, changes={"cancellation_window_minutes": 30})
    (row,) = _rows(engine)
    assert row.before == {"cancellation_window_minutes": 60}
    assert row.after == {"cancellation_window_minutes": 30}
    assert _verify(engine).intact


def test_a_rolled_back_transaction_leaves_no_row_and_no_gap(engine, session):
    _audit_one(engine, 0)

    def fails(session):
        record_audit(session, actor=ADMIN, action="x", entity_type="order", entity_id="o")
        raise RuntimeError("changed my mind")

    with pytest.raises(RuntimeError):
        run_in_transaction(engine, fails)
    _audit_one(engine, 1)
    assert [r.seq for r in _rows(engine)] == [1, 2]
    assert _verify(engine).intact


def test_the_database_refuses_to_update_audit_rows(engine, session):
    _audit_one(engine, 0)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_log SET action = 'nothing'"))


def test_postgresql_refuses_to_delete_audit_rows(engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite refuses UPDATE only (tests empty its tables with DELETE)")
    _audit_one(engine, 0)
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_log"))


def test_an_edited_after_is_found_at_exactly_that_row(engine, session):
    for n in range(6):
        _audit_one(engine, n)
    victim = _rows(engine)[3]
    tamper(
        engine,
        "UPDATE audit_log SET after = :after WHERE id = :id",
        after='{"status": "paid", "n": 4}',
        id=victim.id,
    )
    report = _verify(engine)
    assert not report.intact
    assert (report.broken.kind, report.broken.row_id, report.broken.seq) == (
        "content edited",
        victim.id,
        4,
    )
    assert f"row {victim.id} (seq 4)" in report.describe()
    assert report.rows == 3


def test_an_edit_with_a_recomputed_hash_breaks_the_next_row(engine, session):
    for n in range(4):
        _audit_one(engine, n)
    rows = _rows(engine)
    forged = content(rows[1]) | {"after": {"status": "paid", "n": 2}}
    tamper(
        engine,
        "UPDATE audit_log SET after = :after, hash = :h WHERE id = :id",
        after='{"status": "paid", "n": 2}',
        h=row_hash(forged),
        id=rows[1].id,
    )
    report = _verify(engine)
    assert (report.broken.kind, report.broken.row_id, report.broken.seq) == (
        "prev_hash mismatch",
        rows[2].id,
        3,
    )


def test_a_deleted_row_is_found(engine, session):
    for n in range(5):
        _audit_one(engine, n)
    rows = _rows(engine)
    tamper(engine, "DELETE FROM audit_log WHERE id = :id", id=rows[2].id)
    report = _verify(engine)
    assert (report.broken.kind, report.broken.seq) == ("row missing", 3)
    assert rows[3].id in report.describe()


def test_the_newest_row_deleted_is_found_against_the_head(engine, session):
    for n in range(3):
        _audit_one(engine, n)
    rows = _rows(engine)
    tamper(engine, "DELETE FROM audit_log WHERE id = :id", id=rows[-1].id)
    report = _verify(engine)
    assert (report.broken.kind, report.broken.seq) == ("row missing", 3)


def test_concurrent_writers_leave_an_intact_chain(engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    threads, per_thread = 8, 50
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def writer(t: int) -> None:
        start.wait()
        try:
            for n in range(per_thread):
                _audit_one(engine, n, entity=f"ord_{t}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    workers = [threading.Thread(target=writer, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert failures == []
    rows = _rows(engine)
    assert [r.seq for r in rows] == list(range(1, threads * per_thread + 1))
    report = _verify(engine)
    assert report.intact and report.rows == threads * per_thread
