"""The admin's refund oversight: refunds that need a person's eye — waiting for
review, failed at the provider, overdue, or over the high-value threshold — filtered
and ordered in SQL. Deciding them is ``services.refunds``'."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from oms_dashboard.domain.refunds import ON_ITS_WAY, RefundStatus
from oms_dashboard.models import Order, Refund
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import refunds
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.policies import get_policy

LIMIT = 200


@dataclass(frozen=True)
class WatchedRefund:
    view: refunds.RefundView
    order_number: str
    high_value: bool


def watched_refunds(
    session: Session, *, actor: Actor, now: datetime | None = None, limit: int = LIMIT
) -> list[WatchedRefund]:
    """Unfinished refunds an admin should look at: pending review or failed, overdue,
    or high value (over ``OrderPolicy.high_value_refund_minor``). Overdue first, then
    by due time (none last), then oldest."""
    actor.require(Role.ADMIN)
    now = now or utcnow()
    high = get_policy(session).high_value_refund_minor
    open_ = Refund.status.in_([s.value for s in ON_ITS_WAY])
    overdue = sa.and_(Refund.due_at.is_not(None), Refund.due_at < now)
    query = (
        select(Refund, Order.number)
        .join(Order, Order.id == Refund.order_id)
        .where(
            open_,
            sa.or_(
                Refund.status.in_([RefundStatus.PENDING_REVIEW.value, RefundStatus.FAILED.value]),
                overdue,
                Refund.amount_minor > high,
            ),
        )
        .order_by(
            sa.case((overdue, 0), else_=1),
            Refund.due_at.is_(None),
            Refund.due_at,
            Refund.created_at,
            Refund.id,
        )
        .limit(limit)
    )
    return [
        WatchedRefund(refunds.view(session, refund), number, refund.amount_minor > high)
        for refund, number in session.exec(query).all()
    ]
