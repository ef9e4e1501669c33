"""In-app notifications: the bell in the header, for one user or a seller's staff."""

from __future__ import annotations

from sqlmodel import Session, select

from oms_dashboard.ids import new_id
from oms_dashboard.models import Notification
from oms_dashboard.notifications.format import one_line


def notify(
    session: Session,
    *,
    dedupe_key: str,
    kind: str,
    title: str,
    body: str,
    user_id: str | None = None,
    seller_id: str | None = None,
    order_id: str | None = None,
) -> Notification | None:
    """Add a notification unless ``dedupe_key`` exists; None when it does.

    Give ``user_id`` for one person, or ``seller_id`` for every staff member of
    that seller.
    """
    if (user_id is None) == (seller_id is None):
        raise ValueError("a notification is for a user or for a seller: give exactly one")
    exists = session.exec(
        select(Notification.id).where(Notification.dedupe_key == dedupe_key)
    ).first()
    if exists:
        return None
    notification = Notification(
        id=new_id("ntf"),
        dedupe_key=dedupe_key,
        user_id=user_id,
        seller_id=seller_id,
        kind=kind,
        title=one_line(title, 200),
        body=body[:2000],
        order_id=order_id,
    )
    session.add(notification)
    session.flush()
    return notification
