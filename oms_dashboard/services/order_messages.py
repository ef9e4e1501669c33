"""The thread on an order: the customer and the owning seller write, support and
admins read. A message tells the other party through the outbox; listing the
thread marks the other party's messages read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from oms_dashboard.domain import order_messages as rules
from oms_dashboard.ids import new_id
from oms_dashboard.models import OrderMessage, User
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor
from oms_dashboard.services.errors import Forbidden, ValidationFailed
from oms_dashboard.services.orders import MAX_PAGE, get_order
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.unit_of_work import transactional


@dataclass(frozen=True)
class MessagePage:
    items: list[OrderMessage]
    authors: dict[str, str]
    """User id to the name shown beside the message."""
    next_cursor: str | None


@transactional
def post_message(session: Session, *, actor: Actor, order_id: str, body: str) -> OrderMessage:
    """Add the actor's message to the order's thread and tell the other party."""
    if not rules.may_write(actor.role):
        raise Forbidden("only the customer and the seller write here; support answers on tickets")
    order = get_order(session, actor=actor, order_id=order_id)
    text, errors = rules.clean_body(body)
    if errors:
        raise ValidationFailed(errors)
    message = OrderMessage(
        id=new_id("omsg"),
        order_id=order.id,
        seller_id=order.seller_id,
        author_id=actor.user_id or "",
        author_role=actor.role.value,
        body=text,
    )
    session.add(message)
    add_message(
        session,
        kind=MessageKind.ORDER_MESSAGE,
        dedupe_key=f"order-message:{message.id}",
        payload={"message_id": message.id},
    )
    session.flush()
    return message


@transactional
def list_messages(
    session: Session, *, actor: Actor, order_id: str, limit: int = 50, cursor: str | None = None
) -> MessagePage:
    """Oldest first (ids are time-ordered, so the last id is the cursor). The other
    party's messages on the page become read."""
    if not rules.may_read(actor.role):
        raise Forbidden("you may not read this order's messages")
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.one("limit", f"must be between 1 and {MAX_PAGE}")
    order = get_order(session, actor=actor, order_id=order_id)
    query = select(OrderMessage).where(OrderMessage.order_id == order.id)
    if cursor:
        query = query.where(OrderMessage.id > cursor)
    rows = list(session.exec(query.order_by(OrderMessage.id).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    now = utcnow()
    for message in rows:
        if message.read_at is None and rules.marks_read(actor.role, message.author_role):
            message.read_at = now
            session.add(message)
    ids = {m.author_id for m in rows if m.author_id}
    names = {u.id: u.name for u in session.exec(select(User).where(User.id.in_(ids)))}
    return MessagePage(rows, names, rows[-1].id if more else None)
