"""The outbox delivers each message once, retries failures, and gives up visibly."""

from __future__ import annotations

import pytest

from oms_dashboard.models import OutboxMessage
from oms_dashboard.services import outbox


@pytest.fixture
def delivered():
    seen: list[dict] = []
    outbox.HANDLERS["test.record"] = seen.append

    def broken(payload):
        raise ConnectionError("smtp down")

    outbox.HANDLERS["test.broken"] = broken
    yield seen
    outbox.HANDLERS.pop("test.record")
    outbox.HANDLERS.pop("test.broken")


def test_same_dedupe_key_is_queued_once(session, delivered):
    first = outbox.add_message(session, kind="test.record", dedupe_key="k1", payload={"n": 1})
    again = outbox.add_message(session, kind="test.record", dedupe_key="k1", payload={"n": 2})
    session.commit()
    assert first is not None and again is None


def test_pending_messages_are_delivered_once(session, engine, delivered):
    outbox.add_message(session, kind="test.record", dedupe_key="k1", payload={"n": 1})
    session.commit()
    assert outbox.dispatch_pending(engine=engine) == {"sent": 1, "retry": 0, "failed": 0}
    assert outbox.dispatch_pending(engine=engine) == {"sent": 0, "retry": 0, "failed": 0}
    assert delivered == [{"n": 1}]


def test_failures_are_retried_later_then_marked_failed(session, engine, delivered):
    message = outbox.add_message(session, kind="test.broken", dedupe_key="b1", payload={})
    session.commit()
    assert outbox.dispatch_pending(engine=engine)["retry"] == 1
    # Not due again until its backoff has passed.
    assert outbox.dispatch_pending(engine=engine)["retry"] == 0
    for _ in range(outbox.MAX_ATTEMPTS - 1):
        outbox.deliver(message.id, engine=engine)
    session.rollback()  # a fresh transaction sees what other sessions committed
    session.expire_all()
    row = session.get(OutboxMessage, message.id)
    assert row.status == "failed"
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert "smtp down" in row.last_error


def test_a_kind_without_handler_fails_at_once_with_the_reason(session, engine):
    message = outbox.add_message(session, kind="nobody.handles", dedupe_key="x", payload={})
    session.commit()
    assert outbox.dispatch_pending(engine=engine)["failed"] == 1
    session.rollback()  # a fresh transaction sees what other sessions committed
    session.expire_all()
    assert "no handler" in session.get(OutboxMessage, message.id).last_error
