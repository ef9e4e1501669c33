"""The transactional outbox: work for the background, written with its cause.

A change and the messages it causes commit together; the worker delivers
them afterwards. Delivery is at-least-once, so handlers must be idempotent;
``dedupe_key`` keeps the same message from being written twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlmodel import Session, select

from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.ids import new_id
from oms_dashboard.models import OutboxMessage
from oms_dashboard.models.base import utcnow
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_SECONDS = (5, 30, 120, 600)


class MessageKind(StrEnum):
    """Every kind of outbox message the OMS writes; each process that delivers
    them is wired with a handler for every one (``bootstrap``)."""

    ORDER_CONFIRMATION = "customer.order_confirmation"
    PAYMENT_FAILED = "customer.payment_failed"
    PAYMENT_ACTION_REQUIRED = "customer.payment_action_required"
    STOCK_LOST = "customer.stock_lost"
    SHIPMENT_UPDATE = "customer.shipment_update"
    """Something a customer is told about a package (a ``ShipmentNotice``): payload
    ``shipment_id``, ``notice``, ``estimated_delivery`` and ``previous_estimate``
    (ISO dates or None); dedupe key ``shipment:{id}:{notice}``, for ``delayed``
    ``shipment:{id}:delayed:{new date}``."""
    ORDER_MESSAGE = "order.message"
    """The customer or the seller wrote on an order's thread: the other party is told
    (payload ``message_id``; dedupe key ``order-message:{id}``)."""
    REFUND_UPDATE = "customer.refund_update"
    """A refund was approved, paid or rejected: payload ``refund_id`` and ``notice``;
    dedupe key ``refund:{id}:{notice}``."""
    CANCELLATION_UPDATE = "customer.cancellation_update"
    """The order was cancelled, or its cancellation request answered: payload
    ``order_id``, ``notice`` (cancelled, request_rejected), ``reason``."""
    RETURN_UPDATE = "customer.return_update"
    """A step of a customer's return: payload ``return_id`` and ``step`` (a
    ``services.returns.ReturnStep``); dedupe key ``return:{id}:{step}``."""
    NEW_ORDER = "seller.new_order"
    SELLER_CANCELLATION = "seller.cancellation"
    """The seller's order was cancelled, or a cancellation request waits for them:
    payload ``order_id``, ``notice`` (cancelled, request), ``reason``."""
    SELLER_STANDING = "seller.standing"
    """An admin suspended the seller from new orders, or reinstated it: payload
    ``seller_id``, ``notice`` (suspended, reinstated), ``reason``, ``event`` (the
    audit row's id); dedupe key ``seller-standing:{audit id}``."""
    SELLER_ADDRESS_CHANGE = "seller.address_change"
    """The customer (or staff) changed an unshipped order's delivery address: the
    seller's bell and staff emails (payload ``order_id``, ``event_id``; dedupe key
    ``seller-address-change:{event id}``)."""
    STAFF_ALERT = "staff.alert"
    """An in-app alert to every active user of ``role`` (admin, support): payload
    ``role``, ``key``, ``kind``, ``title``, ``body``, ``order_id``."""
    LOW_STOCK = "seller.low_stock"
    TICKET_UPDATE = "ticket.update"
    """A party of a support ticket is told of it (in-app and email): payload
    ``ticket_id``, ``to`` (customer or seller), ``event`` (the status it moved to,
    or ``dispute_resolved``); dedupe key ``ticket:{id}:{event}:{to}:{cause id}``."""
    SANDBOX_CARRIER_WEBHOOK = "sandbox.carrier_webhook"
    PAYMENT_VERIFY = "payment.verify"
    REFUND_PAY = "payment.refund"
    """Pay an approved refund through the provider (payload ``refund_id`` and, once
    a person sent it again, ``round``; the provider's idempotency key is the refund id,
    then one per round): down, the outbox retries it."""

    @property
    def queue(self) -> str:
        """Payment work must not wait behind a burst of emails."""
        if self.value.startswith("payment."):
            return "default"
        return "carriers" if self.value.startswith("sandbox.") else "notifications"


Handler = Callable[[dict[str, Any]], None]
Handlers = Mapping[str, Handler]
Announce = Callable[[list[tuple[str, str]]], None]


def deliver_after_commit(announce: Announce | None) -> None:
    """Hand each commit's new messages to ``announce`` (which enqueues their delivery),
    so nothing waits for the next sweep; None stops it. Set by ``bootstrap``; without
    it the periodic sweep delivers everything."""
    _announcers[:] = [announce] if announce else []
    if not event.contains(Session, "after_commit", _announce_committed):
        event.listen(Session, "after_commit", _announce_committed)
        event.listen(Session, "after_rollback", _forget_rolled_back)


_announcers: list[Announce] = []


def _announce_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the transaction itself has not committed yet
    fresh = session.info.pop("outbox_new", None)
    if fresh:
        for announce in _announcers:
            try:
                announce(fresh)
            except Exception:  # noqa: BLE001 - the sweep delivers what this misses
                log.exception("could not enqueue outbox delivery; the sweep will")


def _forget_rolled_back(session: Session) -> None:
    """The transaction's messages are gone. A savepoint rolled back keeps the list: the
    transaction may still commit the messages queued before it (an id announced for a
    row that was undone is found by nobody, and its delivery does nothing)."""
    if not session.in_nested_transaction():
        session.info.pop("outbox_new", None)


def add_message(
    session: Session, *, kind: MessageKind | str, dedupe_key: str, payload: dict[str, Any]
) -> OutboxMessage | None:
    """Queue a message in the caller's transaction; None if that key was queued before."""
    kind = MessageKind(kind)
    if session.exec(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == dedupe_key)).first():
        return None
    message = OutboxMessage(id=new_id("obx"), kind=kind, dedupe_key=dedupe_key, payload=payload)
    session.add(message)
    session.info.setdefault("outbox_new", []).append((message.id, kind.value))
    return message


def dispatch_pending(
    *, handlers: Handlers, limit: int = 100, engine: sa.Engine | None = None
) -> dict[str, int]:
    """Deliver due messages (and ones whose worker died mid-delivery); counts by outcome."""
    outcome = {"sent": 0, "retry": 0, "failed": 0}
    with session_scope(engine) as session:
        due = session.exec(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.status.in_(("pending", "sending")),
                OutboxMessage.available_at <= utcnow(),
            )
            .order_by(OutboxMessage.available_at)
            .limit(limit)
        ).all()
    for message_id in due:
        result = deliver(message_id, handlers=handlers, engine=engine, due_only=True)
        if result:
            outcome[result] += 1
    return outcome


def deliver(
    message_id: str,
    *,
    handlers: Handlers,
    engine: sa.Engine | None = None,
    due_only: bool = False,
) -> str | None:
    """Deliver one message: claim it, run its handler, record the outcome.

    The handler runs outside any transaction (it may talk to an SMTP server
    for seconds). The claim is a lease: if this worker dies mid-delivery the
    sweep takes the message again once the lease (``OMS_OUTBOX_LEASE_SECONDS``)
    ends. Returns None when there is nothing to do (already delivered, or another
    worker holds it).
    """
    engine = engine or get_engine()
    claimed = _claim(engine, message_id, due_only=due_only)
    if claimed is None:
        return None
    kind, payload, attempts = claimed
    handler = handlers.get(kind)
    error = None
    try:
        if handler is None:
            raise LookupError(f"no handler for outbox messages of kind {kind!r}")
        handler(payload)
    except Exception as exc:  # noqa: BLE001 - any failure is recorded and retried
        log.warning("outbox %s (%s) failed: %s", message_id, kind, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]
    with session_scope(engine) as session:
        message = session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        ).one()
        if error is None:  # delivered: that is a fact, whoever holds the lease now
            message.status, message.sent_at, message.last_error = "sent", utcnow(), None
            return "sent"
        if message.status != "sending" or message.attempts != attempts:
            # Our lease ran out and another delivery took the message over (or already
            # sent it): its outcome, not this stale failure, is the one to keep.
            log.warning(
                "outbox %s: lease lost while failing; left to the newer delivery", message_id
            )
            return None
        message.last_error = error
        if handler is None or attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            return "failed"
        delay = BACKOFF_SECONDS[min(attempts - 1, len(BACKOFF_SECONDS) - 1)]
        message.status, message.available_at = "pending", utcnow() + timedelta(seconds=delay)
        return "retry"


def _claim(engine: sa.Engine, message_id: str, *, due_only: bool) -> tuple[str, dict, int] | None:
    now = utcnow()
    claimable = sa.or_(
        OutboxMessage.status == "pending",
        sa.and_(OutboxMessage.status == "sending", OutboxMessage.available_at <= now),
    )
    with session_scope(engine) as session:
        query = select(OutboxMessage).where(OutboxMessage.id == message_id, claimable)
        if due_only:
            query = query.where(OutboxMessage.available_at <= now)
        message = session.exec(query.with_for_update(skip_locked=True)).first()
        if message is None:
            return None
        message.status = "sending"
        message.attempts += 1
        message.available_at = now + timedelta(seconds=get_settings().outbox_lease_seconds)
        return message.kind, dict(message.payload or {}), message.attempts
