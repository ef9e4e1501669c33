"""Read side: the bell in the header and the admin's Outbox page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, func, select

from oms_dashboard.models import EmailMessage, Notification
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import NotFound, ValidationFailed
from oms_dashboard.services.unit_of_work import transactional

MAX_LIMIT = 200


def _audience(actor: Actor) -> sa.ColumnElement[bool]:
    """The notifications an actor sees: their own, plus their seller's if they are staff of one."""
    mine = Notification.user_id == actor.user_id if actor.user_id else sa.false()
    if actor.role is Role.SELLER and actor.seller_id:
        return sa.or_(mine, Notification.seller_id == actor.seller_id)
    return mine


def _check_limit(limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed.one("limit", f"must be between 1 and {MAX_LIMIT}")


def list_notifications(
    session: Session, *, actor: Actor, limit: int = 20, unread_only: bool = False
) -> list[Notification]:
    """The actor's latest notifications, newest first."""
    _check_limit(limit)
    query = select(Notification).where(_audience(actor))
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list(session.exec(query))


def unread_count(session: Session, *, actor: Actor) -> int:
    query = select(func.count()).where(_audience(actor), Notification.read_at.is_(None))
    return session.exec(query.select_from(Notification)).one()


@transactional
def mark_read(
    session: Session, *, actor: Actor, notification_ids: Sequence[str] | None = None
) -> int:
    """Mark the actor's unread notifications read (the given ids, or all); returns how many.

    Ids the actor may not see are ignored rather than reported, so the answer
    never tells whether someone else's notification exists. A seller's
    notifications are shared: one staff member reading one reads it for all.
    """
    update = (
        sa.update(Notification)
        .where(_audience(actor), Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    if notification_ids is not None:
        if not notification_ids:
            return 0
        update = update.where(Notification.id.in_(list(notification_ids)))
    return session.execute(update.execution_options(synchronize_session=False)).rowcount


@dataclass(frozen=True)
class EmailPage:
    items: list[EmailMessage]
    next_cursor: str | None
    """Pass back as ``cursor`` for the next (older) page; None on the last page."""


def list_emails(
    session: Session,
    *,
    actor: Actor,
    limit: int = 50,
    cursor: str | None = None,
    kind: str | None = None,
) -> EmailPage:
    """Every email the OMS sent (SMTP or mailbox), newest first, keyset-paged by id."""
    actor.require(Role.ADMIN)
    _check_limit(limit)
    query = select(EmailMessage)
    if cursor:
        query = query.where(EmailMessage.id < cursor)
    if kind:
        query = query.where(EmailMessage.kind == kind)
    rows = list(session.exec(query.order_by(EmailMessage.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    items = rows[:limit]
    return EmailPage(items=items, next_cursor=items[-1].id if more else None)


def get_email(session: Session, *, actor: Actor, email_id: str) -> EmailMessage:
    """One email with its bodies, for the admin's Outbox page."""
    actor.require(Role.ADMIN)
    email = session.get(EmailMessage, email_id)
    if email is None:
        raise NotFound(f"email {email_id} does not exist")
    return email
