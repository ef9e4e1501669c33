"""One notice, told the two ways the OMS tells people: the bell in the app and an email.

A seller is told on its bell once (every staff member sees it) and by an email to each
active staff member; a person (a customer, an agent) on their own bell when they have
an account, then by email. Each is committed as soon as it is sent, so a retry of the
outbox message resends neither (``dedupe_key``: ``inapp:<key>``, ``email:<key>``, and
``email:<key>:<user id>`` for each of a seller's staff).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from oms_dashboard.notifications import content
from oms_dashboard.notifications.email import send_email
from oms_dashboard.notifications.inapp import notify


@dataclass(frozen=True)
class Notice:
    key: str
    """What makes the notice once-only, e.g. ``new-order:<order id>``."""
    kind: str
    """The bell's kind (``Notification.kind``)."""
    title: str
    body: str
    """The bell's short text."""
    template: str
    subject: str
    context: dict[str, Any]
    """The email template's context; ``recipient_name`` is added per recipient."""
    order_id: str | None = None


def tell_seller(session: Session, seller_id: str, notice: Notice) -> None:
    """The seller's bell, then an email to each of its active staff."""
    _bell(session, notice, seller_id=seller_id)
    for user in content.seller_staff(session, seller_id):
        _email(session, notice, f"email:{notice.key}:{user.id}", user.email, user.name)


def tell_person(
    session: Session,
    notice: Notice,
    *,
    user_id: str | None,
    email: str,
    name: str | None = None,
) -> None:
    """One person: their bell when they have an account (``user_id``), then the email
    to ``email``; ``name`` goes in the email as ``recipient_name`` when given."""
    if user_id:
        _bell(session, notice, user_id=user_id)
    _email(session, notice, f"email:{notice.key}", email, name)


def _bell(session: Session, notice: Notice, **whose: str) -> None:
    notify(
        session,
        dedupe_key=f"inapp:{notice.key}",
        kind=notice.kind,
        title=notice.title,
        body=notice.body,
        order_id=notice.order_id,
        **whose,
    )
    session.commit()


def _email(session: Session, notice: Notice, key: str, to: str, name: str | None) -> None:
    send_email(
        session,
        dedupe_key=key,
        template=notice.template,
        to=to,
        subject=notice.subject,
        context=notice.context if name is None else {**notice.context, "recipient_name": name},
        order_id=notice.order_id,
    )
    session.commit()
