"""Sellers' standing: the measures of ``domain.standing`` computed in SQL over the
policy's window, and the admin's suspension and reinstatement of a seller.

Every measure is one grouped query for any number of sellers, so the admin's page
of every seller costs five queries, not five per seller. What each one counts is
written in ``domain.standing``.

A suspension stops new orders only: checkout refuses the seller's products
(``services.checkout``, 409 ``seller-suspended``); orders already placed go on as
before. It is an admin's decision with a reason and an explicit confirmation,
audited (with the standing it was taken on), and the seller is told in-app and by
email (``MessageKind.SELLER_STANDING``). Reinstating is the same, the other way.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased
from sqlmodel import Session, select

from oms_dashboard.domain import standing as rules
from oms_dashboard.domain.standing import SellerMetrics, StandingDecision, Thresholds
from oms_dashboard.domain.statuses import OrderStatus
from oms_dashboard.models import Order, OrderEvent, OrderMessage, Seller, Ticket
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.errors import Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.sql_time import epoch_seconds
from oms_dashboard.services.unit_of_work import transactional

HOUR = 3600.0


@dataclass(frozen=True)
class SellerStanding:
    seller: Seller
    metrics: SellerMetrics
    decision: StandingDecision
    since: datetime
    until: datetime

    @property
    def suspended(self) -> bool:
        return self.seller.suspended_at is not None


# -- who may look ------------------------------------------------------------------------


def visible_seller(session: Session, actor: Actor, seller_id: str) -> Seller:
    """Admins see every seller; a seller's staff their own (another's: 403, as the
    seller routes answer); everyone else 403. An unknown id is 404 for admins."""
    if actor.role is Role.SELLER:
        if actor.seller_id != seller_id:
            raise Forbidden("you may only see your own seller's standing and statements")
    elif actor.role is not Role.ADMIN:
        raise Forbidden("only admins and the seller's own staff see this")
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"no seller {seller_id!r}")
    return seller


# -- the measures --------------------------------------------------------------------------


def seller_standing(
    session: Session, *, actor: Actor, seller_id: str, now: datetime | None = None
) -> SellerStanding:
    seller = visible_seller(session, actor, seller_id)
    return standings(session, [seller], now=now)[0]


def all_standings(
    session: Session, *, actor: Actor, now: datetime | None = None
) -> list[SellerStanding]:
    """Every seller's standing, the worst first (the admin's list)."""
    actor.require(Role.ADMIN)
    sellers = list(session.exec(select(Seller).order_by(Seller.name, Seller.id)))
    found = standings(session, sellers, now=now)
    severity = {rules.Standing.SUSPEND: 0, rules.Standing.WARNING: 1, rules.Standing.GOOD: 2}
    return sorted(
        found, key=lambda s: (not s.suspended, severity[s.decision.standing], s.seller.name)
    )


def standings(
    session: Session, sellers: list[Seller], *, now: datetime | None = None
) -> list[SellerStanding]:
    if not sellers:
        return []
    now = now or utcnow()
    thresholds = Thresholds.from_policy(get_policy(session))
    since = now - timedelta(days=thresholds.window_days)
    measured = measure(session, [s.id for s in sellers], since=since, now=now)
    out = []
    for seller in sellers:
        metrics = measured.get(seller.id) or SellerMetrics(window_days=thresholds.window_days)
        metrics = SellerMetrics(**{**metrics.__dict__, "window_days": thresholds.window_days})
        decision = rules.decide_standing(metrics, thresholds)
        out.append(SellerStanding(seller, metrics, decision, since, now))
    return out


def measure(
    session: Session, seller_ids: list[str], *, since: datetime, now: datetime
) -> dict[str, SellerMetrics]:
    """Each seller's counts and averages over [since, now]."""
    now_s = now.timestamp()
    # The deadline stored when the order was paid (services.ship_by): business days.
    ship_by = epoch_seconds(Order.ship_by)
    shipped_s = epoch_seconds(Order.shipped_at)
    # Not shipped by the deadline: still open past it, or cancelled only after it.
    gave_up_at = sa.func.coalesce(epoch_seconds(Order.cancelled_at), now_s)
    unshipped_late = sa.and_(
        Order.shipped_at.is_(None), Order.review_reason.is_(None), ship_by < gave_up_at
    )
    late = sa.or_(sa.and_(Order.shipped_at.is_not(None), shipped_s > ship_by), unshipped_late)
    due = sa.or_(Order.shipped_at.is_not(None), unshipped_late)
    stock_lost = (
        sa.exists()
        .where(OrderEvent.order_id == Order.id, OrderEvent.type == "stock.lost")
        .correlate(Order)
    )
    cancelled_late = sa.and_(
        Order.shipped_at.is_(None), epoch_seconds(Order.cancelled_at) > ship_by
    )
    seller_cancelled = sa.and_(
        Order.status == OrderStatus.CANCELLED, sa.or_(stock_lost, cancelled_late)
    )

    def count_if(condition) -> sa.ColumnElement[int]:
        return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)

    in_window = (
        Order.seller_id.in_(seller_ids),
        Order.placed_at >= since,
        Order.placed_at <= now,
        Order.paid_at.is_not(None),
    )
    rows = session.exec(
        select(
            Order.seller_id,
            sa.func.count(Order.id),
            count_if(due),
            count_if(late),
            count_if(seller_cancelled),
            count_if(Order.shipped_at.is_not(None)),
            sa.func.avg(
                sa.case((Order.shipped_at.is_not(None), shipped_s - epoch_seconds(Order.paid_at)))
            ),
        )
        .where(*in_window)
        .group_by(Order.seller_id)
    ).all()
    tickets = dict(
        session.exec(
            select(Order.seller_id, sa.func.count(Ticket.id))
            .join(Ticket, Ticket.order_id == Order.id)
            .where(*in_window, Ticket.source != "seller")
            .group_by(Order.seller_id)
        ).all()
    )
    replies = _response_times(session, seller_ids, since=since, now=now)
    found: dict[str, SellerMetrics] = {}
    for seller_id, orders, due_n, late_n, cancelled, shipped, ship_secs in rows:
        found[seller_id] = SellerMetrics(
            window_days=0,
            orders=int(orders),
            due_orders=int(due_n),
            late_shipments=int(late_n),
            seller_cancellations=int(cancelled),
            tickets=int(tickets.get(seller_id, 0)),
            shipped=int(shipped),
            avg_hours_to_ship=None if ship_secs is None else float(ship_secs) / HOUR,
        )
    for seller_id, (messages, reply_secs) in replies.items():
        base = found.get(seller_id) or SellerMetrics(window_days=0)
        found[seller_id] = SellerMetrics(
            **{
                **base.__dict__,
                "customer_messages": messages,
                "avg_response_hours": None if reply_secs is None else reply_secs / HOUR,
            }
        )
    return found


def _response_times(
    session: Session, seller_ids: list[str], *, since: datetime, now: datetime
) -> dict[str, tuple[int, float | None]]:
    """Per seller: customer messages written in the window, and the average seconds
    until the seller's next message on the same order (unanswered: until now)."""
    reply = aliased(OrderMessage)
    answered_at = (
        select(sa.func.min(epoch_seconds(reply.created_at)))
        .where(
            reply.order_id == OrderMessage.order_id,
            reply.author_role == Role.SELLER.value,
            reply.created_at > OrderMessage.created_at,
        )
        .correlate(OrderMessage)
        .scalar_subquery()
    )
    waited = sa.func.coalesce(answered_at, now.timestamp()) - epoch_seconds(OrderMessage.created_at)
    rows = session.exec(
        select(OrderMessage.seller_id, sa.func.count(OrderMessage.id), sa.func.avg(waited))
        .where(
            OrderMessage.seller_id.in_(seller_ids),
            OrderMessage.author_role == Role.CUSTOMER.value,
            OrderMessage.created_at >= since,
            OrderMessage.created_at <= now,
        )
        .group_by(OrderMessage.seller_id)
    ).all()
    return {
        seller_id: (int(n), None if secs is None else float(secs)) for seller_id, n, secs in rows
    }


# -- suspension ------------------------------------------------------------------------------


@transactional
def suspend_seller(
    session: Session, *, actor: Actor, seller_id: str, reason: str, confirm: object
) -> Seller:
    """Suspend the seller from new orders (admins; a reason and ``confirm=True``)."""
    return _change(session, actor, seller_id, reason, confirm, suspend=True)


@transactional
def reinstate_seller(
    session: Session, *, actor: Actor, seller_id: str, reason: str, confirm: object
) -> Seller:
    """Lift a suspension (admins; a reason and ``confirm=True``)."""
    return _change(session, actor, seller_id, reason, confirm, suspend=False)


def _change(
    session: Session, actor: Actor, seller_id: str, reason: str, confirm: object, *, suspend: bool
) -> Seller:
    actor.require(Role.ADMIN)
    seller = session.get(Seller, seller_id)
    if seller is None:
        raise NotFound(f"no seller {seller_id!r}")
    errors = rules.suspension_errors(reason=reason, confirm=confirm)
    if errors:
        raise ValidationFailed(errors)
    reason = reason.strip()
    now = utcnow()
    table = Seller.__table__
    # One conditional UPDATE: of two admins pressing at once, exactly one changes it.
    if suspend:
        changed = session.execute(
            sa.update(table)
            .where(table.c.id == seller_id, table.c.suspended_at.is_(None))
            .values(suspended_at=now, suspended_by=actor.user_id, suspension_reason=reason)
        ).rowcount
        rules.check_can_suspend(suspended=changed == 0)
    else:
        changed = session.execute(
            sa.update(table)
            .where(table.c.id == seller_id, table.c.suspended_at.is_not(None))
            .values(suspended_at=None, suspended_by=None, suspension_reason=None)
        ).rowcount
        rules.check_can_reinstate(suspended=changed == 1)
    before = {
        "suspended_at": seller.suspended_at.isoformat() if seller.suspended_at else None,
        "suspended_by": seller.suspended_by,
        "suspension_reason": seller.suspension_reason,
    }
    session.refresh(seller)
    current = standings(session, [seller], now=now)[0].decision
    notice = "suspended" if suspend else "reinstated"
    entry = record_audit(
        session,
        actor=actor,
        action=f"seller.{'suspend' if suspend else 'reinstate'}",
        entity_type="seller",
        entity_id=seller.id,
        before=before,
        after={
            "suspended_at": seller.suspended_at.isoformat() if seller.suspended_at else None,
            "suspended_by": seller.suspended_by,
            "suspension_reason": seller.suspension_reason,
            "reason": reason,
            "standing": current.standing.value,
            "rule": current.rule,
        },
    )
    add_message(
        session,
        kind=MessageKind.SELLER_STANDING,
        # The audit row is this change and no other: a second suspension is a new key.
        dedupe_key=f"seller-standing:{entry.id}",
        payload={"seller_id": seller.id, "notice": notice, "reason": reason, "event": entry.id},
    )
    return seller
