"""The outbox delivers each message once, retries failures, and gives up visibly."""

from __future__ import annotations

import pytest

from oms_dashboard.models import OutboxMessage
from oms_dashboard.services import outbox
from oms_dashboard.services.outbox import MessageKind

RECORD, BROKEN = MessageKind.LOW_STOCK, MessageKind.STOCK_LOST


@pytest.fixture
def delivered():
    """Handlers of two kinds: one records what it gets, one always fails."""
    seen: list[dict] = []

    def broken(payload):
        raise ConnectionError("smtp down")

    return seen, {RECORD: seen.append, BROKEN: broken}


def test_same_dedupe_key_is_queued_once(session):
    first = outbox.add_message(session, kind=RECORD, dedupe_key="k1", payload={"n": 1})
    again = outbox.add_message(session, kind=RECORD, dedupe_key="k1", payload={"n": 2})
    session.commit()
    assert first is not None and again is None


def test_an_unknown_kind_is_refused_when_written(session):
    with pytest.raises(ValueError):
        outbox.add_message(session, kind="nobody.handles", dedupe_key="x", payload={})


def test_pending_messages_are_delivered_once(session, engine, delivered):
    seen, handlers = delivered
    outbox.add_message(session, kind=RECORD, dedupe_key="k1", payload={"n": 1})
    session.commit()
    assert outbox.dispatch_pending(handlers=handlers, engine=engine) == {
        "sent": 1,
        "retry": 0,
        "failed": 0,
    }
    assert outbox.dispatch_pending(handlers=handlers, engine=engine)["sent"] == 0
    assert seen == [{"n": 1}]


def test_failures_are_retried_later_then_marked_failed(session, engine, delivered):
    _, handlers = delivered
    message = outbox.add_message(session, kind=BROKEN, dedupe_key="b1", payload={})
    session.commit()
    assert outbox.dispatch_pending(handlers=handlers, engine=engine)["retry"] == 1
    # Not due again until its backoff has passed.
    assert outbox.dispatch_pending(handlers=handlers, engine=engine)["retry"] == 0
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        outbox.deliver(message.id, handlers=handlers, engine=engine)
    session.rollback()  # a fresh transaction sees what other sessions committed
    session.expire_all()
    row = session.get(OutboxMessage, message.id)
    assert row.status == "failed"
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert "smtp down" in row.last_error


def test_a_process_wired_without_a_kind_fails_that_message_at_once(session, engine):
    message = outbox.add_message(session, kind=RECORD, dedupe_key="x", payload={})
    session.commit()
    assert outbox.dispatch_pending(handlers={}, engine=engine)["failed"] == 1
    session.rollback()
    session.expire_all()
    assert "no handler" in session.get(OutboxMessage, message.id).last_error


def test_a_delivery_that_outlived_its_lease_does_not_undo_the_newer_one(session, engine):
    """Worker A's lease runs out mid-delivery; the sweep hands the message to B, which
    sends it. A then fails: its stale failure must not put the sent message back."""
    from datetime import timedelta

    import sqlalchemy as sa

    from oms_dashboard.models.base import utcnow

    message = outbox.add_message(session, kind=RECORD, dedupe_key="slow", payload={})
    session.commit()
    sent_by_b = []

    def a_then_b(payload):
        # While A is still "sending", its lease expires and B delivers the message.
        with engine.begin() as conn:
            conn.execute(
                sa.update(OutboxMessage.__table__)
                .where(OutboxMessage.id == message.id)
                .values(available_at=utcnow() - timedelta(seconds=1))
            )
        assert outbox.deliver(message.id, handlers={RECORD: sent_by_b.append}, engine=engine)
        raise ConnectionError("A's SMTP connection dropped")

    assert outbox.deliver(message.id, handlers={RECORD: a_then_b}, engine=engine) is None
    session.rollback()
    session.expire_all()
    row = session.get(OutboxMessage, message.id)
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, None)
    assert sent_by_b == [{}]


@pytest.fixture
def announced():
    """What the after-commit hook hands over, in this test only."""
    calls: list[list[str]] = []
    before = list(outbox._announcers)
    outbox.deliver_after_commit(lambda fresh: calls.append([mid for mid, _ in fresh]))
    yield calls
    outbox._announcers[:] = before


def test_messages_are_announced_once_when_the_transaction_commits_not_a_savepoint(
    session, announced
):
    first = outbox.add_message(session, kind=RECORD, dedupe_key="outer", payload={})
    with session.begin_nested():  # a savepoint released is not a commit
        inner = outbox.add_message(session, kind=RECORD, dedupe_key="inner", payload={})
    assert announced == []
    try:
        with session.begin_nested():  # nor is one rolled back the end of the transaction
            outbox.add_message(session, kind=RECORD, dedupe_key="undone", payload={})
            session.flush()
            raise RuntimeError("undo the savepoint")
    except RuntimeError:
        pass
    assert announced == []
    session.commit()
    assert announced[0][:2] == [first.id, inner.id]
    assert len(announced) == 1
    session.commit()  # nothing new: nothing announced again
    assert len(announced) == 1


def test_a_rolled_back_transaction_announces_nothing(session, announced):
    outbox.add_message(session, kind=RECORD, dedupe_key="gone", payload={})
    session.flush()
    session.rollback()
    outbox.add_message(session, kind=RECORD, dedupe_key="kept", payload={})
    session.commit()
    assert len(announced) == 1 and len(announced[0]) == 1
