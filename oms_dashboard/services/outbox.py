"""The transactional outbox: work for the background, written with its cause.

A change and the messages it causes commit together; the worker delivers
them afterwards. Delivery is at-least-once, so handlers must be idempotent;
``dedupe_key`` keeps the same message from being written twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.ids import new_id
from oms_dashboard.models import OutboxMessage
from oms_dashboard.models.base import utcnow

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (5, 30, 120, 600)

Handler = Callable[[dict[str, Any]], None]
HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that delivers messages of ``kind``."""

    def register(func: Handler) -> Handler:
        HANDLERS[kind] = func
        return func

    return register


def add_message(
    session: Session, *, kind: str, dedupe_key: str, payload: dict[str, Any]
) -> OutboxMessage | None:
    """Queue a message in the caller's transaction; None if that key was queued before."""
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first():
        return None
    message = OutboxMessage(id=new_id("obx"), kind=kind, dedupe_key=dedupe_key, payload=payload)
    session.add(message)
    return message


def dispatch_pending(*, limit: int = 100, engine: sa.Engine | None = None) -> dict[str, int]:
    """Deliver due messages, each in its own transaction; returns counts by outcome."""
    outcome = {"sent": 0, "retry": 0, "failed": 0}
    with session_scope(engine) as session:
        due = session.exec(
            select(OutboxMessage.id)
            .where(OutboxMessage.status == "pending", OutboxMessage.available_at <= utcnow())
            .order_by(OutboxMessage.available_at)
            .limit(limit)
        ).all()
    for message_id in due:
        result = deliver(message_id, engine=engine)
        if result:
            outcome[result] += 1
    return outcome


def deliver(message_id: str, *, engine: sa.Engine | None = None) -> str | None:
    """Deliver one message; safe when two workers race for it (the row is locked)."""
    with session_scope(engine or get_engine()) as session:
        query = select(OutboxMessage).where(
            OutboxMessage.id == message_id, OutboxMessage.status == "pending"
        )
        message = session.exec(query.with_for_update(skip_locked=True)).first()
        if message is None:
            return None
        handler = HANDLERS.get(message.kind)
        message.attempts += 1
        try:
            if handler is None:
                raise LookupError(f"no handler for outbox messages of kind {message.kind!r}")
            handler(message.payload or {})
        except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
            log.warning("outbox %s (%s) failed: %s", message.id, message.kind, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if handler is None or message.attempts >= MAX_ATTEMPTS:
                message.status = "failed"
                return "failed"
            delay = BACKOFF_SECONDS[min(message.attempts - 1, len(BACKOFF_SECONDS) - 1)]
            message.available_at = utcnow() + timedelta(seconds=delay)
            return "retry"
        message.status = "sent"
        message.sent_at = utcnow()
        message.last_error = None
        return "sent"
