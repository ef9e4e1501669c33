"""Checking the audit chain from a checkpoint: a page load walks only the rows after
it, the whole walk still finds a row edited before it, and a checkpoint that was
edited (or a past rewritten consistently behind it) is not believed. The nightly
job walks everything and alerts admins, once per break."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.audit_chain import row_hash
from oms_dashboard.models import AuditCheckpoint, AuditEntry, OutboxMessage
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import (
    check_chain,
    content,
    nightly_check,
    record_audit,
    verify_chain,
)
from oms_dashboard.services.outbox import MessageKind
from oms_dashboard.services.unit_of_work import run_in_transaction
from tests.integration.audit_helpers import tamper

ADMIN = Actor(user_id="usr_admin", role=Role.ADMIN, name="Ada Admin")


def _audit(engine, n: int) -> None:
    def work(session):
        record_audit(
            session,
            actor=ADMIN,
            action="order.cancel",
            entity_type="order",
            entity_id="ord_1",
            before={"n": n},
            after={"n": n + 1},
        )

    run_in_transaction(engine, work)


def _check(engine, **kwargs):
    with Session(engine) as session:
        check = check_chain(session, **kwargs)
        session.commit()
    return check


def _point(engine) -> AuditCheckpoint | None:
    with Session(engine) as session:
        return session.get(AuditCheckpoint, 1)


def _rows(engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEntry).order_by(AuditEntry.seq)).all())


def _edit_checkpoint(engine, **values) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(AuditCheckpoint.__table__).values(**values))


def test_a_page_load_walks_only_the_rows_after_the_checkpoint(engine, session):
    for n in range(5):
        _audit(engine, n)
    first = _check(engine)
    assert first.full and first.report.intact and first.report.rows == 5  # no checkpoint yet
    point = _point(engine)
    assert (point.seq, point.hash) == (5, _rows(engine)[-1].hash) and point.full_at is not None
    for n in range(5, 8):
        _audit(engine, n)
    second = _check(engine)
    assert not second.full and second.from_seq == 5
    assert second.report.intact and second.report.rows == 3
    assert _point(engine).seq == 8
    third = _check(engine)
    assert third.report.intact and third.report.rows == 0 and third.from_seq == 8


def test_a_capped_walk_leaves_the_newest_rows_for_the_next_check(engine, session):
    for n in range(6):
        _audit(engine, n)
    _check(engine, full=True)
    for n in range(6, 16):
        _audit(engine, n)
    capped = _check(engine, limit=4)
    assert capped.report.intact and capped.report.rows == 4 and capped.left == 6
    assert _point(engine).seq == 10
    rest = _check(engine, limit=100)
    assert rest.report.rows == 6 and rest.left == 0 and _point(engine).seq == 16


def test_a_row_edited_before_the_checkpoint_is_found_by_the_whole_walk(engine, session):
    for n in range(6):
        _audit(engine, n)
    _check(engine)
    victim = _rows(engine)[2]
    tamper(engine, "UPDATE audit_log SET after = '{}' WHERE id = :id", id=victim.id)
    assert _check(engine).report.intact  # the page load does not look back that far
    whole = _check(engine, full=True)
    assert whole.full and not whole.report.intact
    assert (whole.report.broken.kind, whole.report.broken.row_id) == ("content edited", victim.id)
    assert _point(engine).seq == 6  # a broken walk moves nothing


def test_a_row_edited_after_the_checkpoint_is_found_by_the_page_load(engine, session):
    for n in range(3):
        _audit(engine, n)
    _check(engine)
    for n in range(3, 6):
        _audit(engine, n)
    victim = _rows(engine)[4]
    tamper(engine, "UPDATE audit_log SET after = '{}' WHERE id = :id", id=victim.id)
    check = _check(engine)
    assert not check.full and (check.report.broken.kind, check.report.broken.row_id) == (
        "content edited",
        victim.id,
    )
    assert _point(engine).seq == 3


def test_the_checkpoints_own_row_edited_is_found_by_the_page_load(engine, session):
    for n in range(4):
        _audit(engine, n)
    _check(engine)
    last = _rows(engine)[-1]
    tamper(engine, "UPDATE audit_log SET after = '{}' WHERE id = :id", id=last.id)
    check = _check(engine)
    assert (check.report.broken.kind, check.report.broken.row_id) == ("content edited", last.id)
    forged = content(last) | {"after": {}}
    tamper(engine, "UPDATE audit_log SET hash = :h WHERE id = :id", h=row_hash(forged), id=last.id)
    check = _check(engine)  # its hash recomputed too: it no longer meets the checkpoint
    assert (check.report.broken.kind, check.report.broken.row_id) == (
        "checkpoint mismatch",
        last.id,
    )


def test_an_edited_checkpoint_is_not_believed_and_the_whole_chain_is_walked(engine, session):
    for n in range(4):
        _audit(engine, n)
    _check(engine)
    for n in range(4, 8):
        _audit(engine, n)
    rows = _rows(engine)
    tamper(engine, "UPDATE audit_log SET after = '{}' WHERE id = :id", id=rows[5].id)
    # An intruder moves the checkpoint past the edit so the page load would skip it.
    _edit_checkpoint(engine, seq=8, hash=rows[-1].hash)
    check = _check(engine)
    assert check.full and check.untrusted_checkpoint
    assert (check.report.broken.kind, check.report.broken.row_id) == ("content edited", rows[5].id)


def test_a_consistently_rewritten_past_disagrees_with_the_checkpoint(engine, session):
    """Rows 2..4 rewritten and re-hashed, the head moved too: a chain consistent with
    itself, which only the checkpoint (seq 4 and its old hash) can tell apart."""
    for n in range(4):
        _audit(engine, n)
    _check(engine)
    rows = _rows(engine)
    prev = rows[0].hash
    for row in rows[1:]:
        forged = content(row) | {"after": {"n": 99}, "prev_hash": prev}
        new_hash = row_hash(forged)
        tamper(
            engine,
            "UPDATE audit_log SET after = :after, prev_hash = :p, hash = :h WHERE id = :id",
            after='{"n": 99}',
            p=prev,
            h=new_hash,
            id=row.id,
        )
        prev = new_hash
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_chain_head SET hash = :h"), {"h": prev})
    with Session(engine) as s:
        report = verify_chain(s)
    assert report.broken is not None and report.broken.kind == "checkpoint mismatch"
    assert report.broken.seq == 4
    assert _check(engine).report.broken.kind == "checkpoint mismatch"


def test_a_checkpoint_past_the_head_means_the_newest_rows_are_gone(engine, session):
    for n in range(3):
        _audit(engine, n)
    _check(engine)
    rows = _rows(engine)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE audit_chain_head SET seq = 2, hash = :h"), {"h": rows[1].hash})
    tamper(engine, "DELETE FROM audit_log WHERE id = :id", id=rows[2].id)
    check = _check(engine)
    assert check.report.broken.kind == "checkpoint mismatch" and "newer rows are gone" in (
        check.report.broken.detail
    )


def test_the_nightly_job_walks_everything_and_alerts_admins_once(engine, session):
    for n in range(5):
        _audit(engine, n)
    assert nightly_check(engine) is True
    assert _point(engine).seq == 5
    victim = _rows(engine)[1]
    tamper(engine, "UPDATE audit_log SET after = '{}' WHERE id = :id", id=victim.id)
    assert nightly_check(engine) is False
    assert nightly_check(engine) is False
    with Session(engine) as s:
        alerts = s.exec(
            select(OutboxMessage).where(OutboxMessage.kind == MessageKind.STAFF_ALERT.value)
        ).all()
    [alert] = alerts
    assert alert.payload["role"] == "admin" and alert.payload["kind"] == "audit_chain_broken"
    assert victim.id in alert.payload["body"] and alert.payload["order_id"] is None
