"""Refunds: asked for, decided by a rule or a person, paid through the payment provider.

Every rule is ``domain.refunds``'; this module holds the transactions. A request
locks its order row first (``services.locks``), so two requests on one order are
decided one after the other and can never refund more than was paid minus what
is refunded or on its way (409 ``refund-exceeds-paid``).

An approved refund is queued for payment (an outbox ``payment.refund``
message); ``services.refund_payments`` pays it through the provider.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, func, select

from oms_dashboard.domain import refunds as rules
from oms_dashboard.domain.money import MoneyError, format_minor, parse_amount, to_minor
from oms_dashboard.domain.refunds import (
    ON_ITS_WAY,
    REFUND,
    LineRequest,
    PaidLine,
    RefundCause,
    RefundStatus,
)
from oms_dashboard.domain.statuses import NOT_YET_SHIPPED
from oms_dashboard.ids import new_id
from oms_dashboard.models import Order, OrderLine, Refund, RefundLine, Seller
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.delivery_calendar import holiday_checker
from oms_dashboard.services.errors import Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.orders import scoped_orders
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.ship_by import ship_by_of
from oms_dashboard.services.timeline import OMS, By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

log = logging.getLogger(__name__)
MAX_PAGE = 100

C = RefundCause
_CUSTOMER_CAUSES = frozenset({C.DISCRETIONARY, C.NOT_SHIPPED_IN_TIME})
"""What a customer or a seller may name as the cause of a refund they ask for."""
_STAFF_CAUSES = _CUSTOMER_CAUSES | {C.SYSTEM_ERROR, C.DUPLICATE_CHARGE}
"""Support and admins may also say the system charged too much, or twice."""


@dataclass(frozen=True)
class RefundView:
    refund: Refund
    lines: list[RefundLine]
    overdue: bool


@dataclass(frozen=True)
class RefundPage:
    items: list[RefundView]
    next_cursor: str | None


# -- what the order has left ----------------------------------------------------------


def paid_minor(order: Order) -> int:
    """What the customer paid for this order (nothing until the payment is taken)."""
    return order.total_minor if order.paid_at is not None else 0


def refund_totals(session: Session, order_id: str) -> tuple[int, int]:
    """(refunded, on its way) for the order, in minor units."""
    rows = session.exec(
        select(Refund.status, func.sum(Refund.amount_minor))
        .where(Refund.order_id == order_id)
        .group_by(Refund.status)
    ).all()
    by_status = {status: int(total or 0) for status, total in rows}
    refunded = by_status.get(RefundStatus.PAID, 0)
    pending = sum(by_status.get(status, 0) for status in ON_ITS_WAY)
    return refunded, pending


def refundable_left(session: Session, order: Order) -> int:
    return rules.refundable_left(paid_minor(order), *refund_totals(session, order.id))


def _counting(order_id: str) -> sa.ColumnElement[bool]:
    """Refunds that take something from the order: every one but the rejected."""
    return sa.and_(Refund.order_id == order_id, Refund.status != RefundStatus.REJECTED)


def paid_lines(session: Session, order: Order) -> tuple[list[PaidLine], dict[str, OrderLine]]:
    lines = list(
        session.exec(
            select(OrderLine).where(OrderLine.order_id == order.id).order_by(OrderLine.id)
        ).all()
    )
    taken = dict(
        session.exec(
            select(RefundLine.order_line_id, func.sum(RefundLine.quantity))
            .join(Refund, Refund.id == RefundLine.refund_id)
            .where(_counting(order.id))
            .group_by(RefundLine.order_line_id)
        ).all()
    )
    paid = [
        PaidLine(line.sku, line.quantity, line.unit_price_minor, int(taken.get(line.id) or 0))
        for line in lines
    ]
    return paid, {line.sku: line for line in lines}


def shipping_left(session: Session, order: Order) -> int:
    taken = session.exec(
        select(func.coalesce(func.sum(Refund.shipping_minor), 0)).where(_counting(order.id))
    ).one()
    return max(order.shipping_minor - int(taken or 0), 0)


# -- asking ------------------------------------------------------------------------------


def request_refund(
    engine: Engine,
    *,
    actor: Actor,
    order_id: str,
    reason: str,
    lines: Sequence[LineRequest] | None = None,
    amount: str | None = None,
    include_shipping: bool = False,
    cause: str | None = None,
) -> RefundView:
    """A refund asked for by a person who sees the order (customer, owning seller,
    support, admin): approved by rule or left for review, with the rule that decided.
    ``amount`` is a decimal string in the order's currency."""
    if not reason.strip():
        raise ValidationFailed.one("reason", "say why the refund is asked for")
    return run_in_transaction(
        engine,
        lambda session: _request(
            session, actor, order_id, reason, lines, amount, include_shipping, cause
        ),
    )


def _request(session, actor, order_id, reason, lines, amount, include_shipping, cause):
    order = lock_visible_order(session, actor, order_id)
    amount_minor = None
    if amount is not None:
        try:
            amount_minor = to_minor(parse_amount(amount, order.currency), order.currency)
        except MoneyError as exc:
            raise ValidationFailed.one("amount", str(exc)) from None
    known, _ = paid_lines(session, order)
    errors = rules.request_errors(known, lines=lines, amount_minor=amount_minor)
    if errors:
        raise ValidationFailed(errors)
    refund = start_refund(
        session,
        order,
        cause=_cause(session, actor, order, cause),
        reason=reason,
        actor=actor,
        lines=lines,
        amount_minor=amount_minor,
        include_shipping=include_shipping,
    )
    return view(session, refund)


def _cause(session: Session, actor: Actor, order: Order, asked: str | None) -> RefundCause:
    allowed = _STAFF_CAUSES if actor.is_staff else _CUSTOMER_CAUSES
    if asked is not None:
        try:
            cause = RefundCause(asked)
        except ValueError:
            cause = None
        if cause not in allowed:
            names = ", ".join(sorted(c.value for c in allowed))
            raise ValidationFailed.one("cause", f"must be one of {names}")
        return cause
    late = _ship_by(session, order)
    if order.status in NOT_YET_SHIPPED and late is not None and utcnow() > late:
        return C.NOT_SHIPPED_IN_TIME
    return C.DISCRETIONARY


def start_refund(
    session: Session,
    order: Order,
    *,
    cause: RefundCause,
    reason: str,
    actor: Actor | None = None,
    lines: Sequence[LineRequest] | None = None,
    amount_minor: int | None = None,
    include_shipping: bool = False,
) -> Refund:
    """Create a refund in the caller's transaction; the caller holds the order's row
    lock (``locks.lock_orders``). Neither ``lines`` nor ``amount_minor``: a full refund
    of what is left. ``actor`` None: the system started it (a cancellation)."""
    now = utcnow()
    known, by_sku = paid_lines(session, order)
    amount = rules.refund_amount(
        known,
        left_minor=refundable_left(session, order),
        lines=lines,
        amount_minor=amount_minor,
        include_shipping=include_shipping,
        shipping_left_minor=shipping_left(session, order),
    )
    policy = get_policy(session)
    decision = rules.decide_refund(
        cause,
        amount_minor=amount.amount_minor,
        high_value_minor=policy.high_value_refund_minor,
        ship_by=_ship_by(session, order),
        shipped=order.status not in NOT_YET_SHIPPED,
        now=now,
    )
    refund = Refund(
        id=new_id("rfd"),
        order_id=order.id,
        seller_id=order.seller_id,
        status=decision.status,
        amount_minor=amount.amount_minor,
        shipping_minor=amount.shipping_minor,
        currency=order.currency,
        reason=reason.strip()[:1000],
        rule=decision.rule,
        rule_reason=decision.reason[:300],
        requested_by=actor.user_id if actor else None,
        requested_role=actor.role.value if actor else "system",
        created_at=now,
        due_at=rules.refund_due_at(
            cause,
            created_at=now,
            approved_at=now if decision.automatic else None,
            is_holiday=_holidays(session, order),
        ),
        decided_at=now if decision.automatic else None,
    )
    session.add(refund)
    session.flush()
    for line in amount.lines:
        bought = by_sku[line.sku]
        session.add(
            RefundLine(
                id=new_id("rfl"),
                refund_id=refund.id,
                order_line_id=bought.id,
                sku=line.sku,
                quantity=line.quantity,
                amount_minor=line.quantity * bought.unit_price_minor,
            )
        )
    record_event(
        session,
        order,
        "refund.requested",
        by=By.person(actor) if actor else OMS,
        note=f"refund of {money_words(refund)} {status_words(refund.status)}: {decision.reason}",
        data={"refund_id": refund.id, "rule": refund.rule, "status": refund.status},
    )
    if decision.automatic:
        _approved(session, refund)
    return refund


def start_full_refund_if_owed(
    session: Session, order: Order, *, cause: RefundCause, reason: str
) -> Refund | None:
    """A cancellation's refund of everything still owed; None when nothing is (unpaid,
    or already refunded). The caller holds the order's row lock."""
    if refundable_left(session, order) <= 0:
        return None
    return start_refund(session, order, cause=cause, reason=reason)


# -- a person decides ------------------------------------------------------------------


def approve_refund(engine: Engine, *, actor: Actor, refund_id: str, note: str = "") -> RefundView:
    return run_in_transaction(engine, lambda s: _decide(s, actor, refund_id, True, note))


def reject_refund(engine: Engine, *, actor: Actor, refund_id: str, note: str) -> RefundView:
    if not note.strip():
        raise ValidationFailed.one("reason", "say why the refund is rejected")
    return run_in_transaction(engine, lambda s: _decide(s, actor, refund_id, False, note))


def _decide(session: Session, actor: Actor, refund_id: str, approve: bool, note: str):
    actor.require(Role.SELLER, Role.SUPPORT, Role.ADMIN)
    found = session.get(Refund, refund_id)
    if found is None:
        raise NotFound(f"no refund {refund_id!r}")
    order = lock_visible_order(session, actor, found.order_id, missing=f"no refund {refund_id!r}")
    refund = reload_refund(session, refund_id)
    policy = get_policy(session)
    if not rules.can_decide(
        actor.role.value,
        refund.amount_minor,
        support_limit_minor=policy.support_refund_limit_minor,
    ):
        raise Forbidden(
            f"support decides refunds up to "
            f"{format_minor(policy.support_refund_limit_minor, refund.currency)} "
            f"{refund.currency}; this one is {money_words(refund)}: an admin decides",
            reason="support-refund-limit",
        )
    target = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
    REFUND.check(refund.status, target)
    before = snapshot(refund)
    now = utcnow()
    refund.status = target
    refund.decided_by, refund.decided_at = actor.user_id, now
    refund.decision_note = note.strip()[:1000] or None
    if approve:
        # Only refunds that are not cancellations wait for a person: 3 business days.
        refund.due_at = rules.refund_due_at(
            C.DISCRETIONARY,
            created_at=refund.created_at,
            approved_at=now,
            is_holiday=_holidays(session, order),
        )
    session.add(refund)
    verb = "approved" if approve else "rejected"
    record_event(
        session,
        order,
        f"refund.{verb}",
        by=By.person(actor),
        note=f"refund of {money_words(refund)} {verb}"
        + (f": {note.strip()}" if note.strip() else ""),
        data={"refund_id": refund.id},
    )
    record_audit(
        session,
        actor=actor,
        action=f"refund.{'approve' if approve else 'reject'}",
        entity_type="refund",
        entity_id=refund.id,
        before=before,
        after=snapshot(refund),
    )
    if approve:
        _approved(session, refund)
    else:
        tell_customer(session, refund, "rejected")
    return view(session, refund)


def _approved(session: Session, refund: Refund) -> None:
    """Approved (by rule or person): the customer is told, the provider is asked."""
    tell_customer(session, refund, "approved")
    add_message(
        session,
        kind=MessageKind.REFUND_PAY,
        dedupe_key=f"refund-pay:{refund.id}:{refund.attempts}",
        payload={"refund_id": refund.id},
    )


# -- reading ---------------------------------------------------------------------------


def list_refunds(
    session: Session, *, actor: Actor, order_id: str, limit: int = 50, cursor: str | None = None
) -> RefundPage:
    """The order's refunds, oldest first, for whoever sees the order (404 otherwise)."""
    if not 1 <= limit <= MAX_PAGE:
        raise ValidationFailed.one("limit", f"must be between 1 and {MAX_PAGE}")
    if session.exec(scoped_orders(actor).where(Order.id == order_id)).first() is None:
        raise NotFound(f"no order {order_id!r}")
    query = select(Refund).where(Refund.order_id == order_id)
    if cursor:
        query = query.where(Refund.id > _decode(cursor))
    rows = list(session.exec(query.order_by(Refund.id).limit(limit + 1)).all())
    more, rows = len(rows) > limit, rows[:limit]
    return RefundPage(
        items=[view(session, row) for row in rows],
        next_cursor=_encode(rows[-1].id) if more else None,
    )


def view(session: Session, refund: Refund) -> RefundView:
    lines = list(
        session.exec(
            select(RefundLine).where(RefundLine.refund_id == refund.id).order_by(RefundLine.id)
        ).all()
    )
    return RefundView(refund, lines, rules.refund_overdue(refund.status, refund.due_at, utcnow()))


def _encode(refund_id: str) -> str:
    return base64.urlsafe_b64encode(refund_id.encode()).decode().rstrip("=")


def _decode(cursor: str) -> str:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        refund_id = base64.b64decode(padded, altchars=b"-_", validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        refund_id = ""
    if not refund_id.startswith("rfd_"):
        raise ValidationFailed.one("cursor", "is not a cursor this list gave")
    return refund_id


# -- helpers ---------------------------------------------------------------------------


def lock_visible_order(
    session: Session, actor: Actor, order_id: str, *, missing: str | None = None
) -> Order:
    """The order's row, locked, if ``actor`` sees it; else 404 (existence does not leak)."""
    found = locks.lock_orders(session, ids=[order_id])
    if not found or session.exec(scoped_orders(actor).where(Order.id == order_id)).first() is None:
        raise NotFound(missing or f"no order {order_id!r}")
    return found[0]


def reload_refund(session: Session, refund_id: str) -> Refund:
    return session.exec(
        select(Refund).where(Refund.id == refund_id).execution_options(populate_existing=True)
    ).one()


def _ship_by(session: Session, order: Order) -> datetime | None:
    if order.paid_at is None:
        return None
    return ship_by_of(order, session.get(Seller, order.seller_id))


def _holidays(session: Session, order: Order):
    seller = session.get(Seller, order.seller_id)
    if seller is None:
        return rules.no_holidays
    return holiday_checker(seller.country, seller.region)


def tell_customer(session: Session, refund: Refund, notice: str) -> None:
    add_message(
        session,
        kind=MessageKind.REFUND_UPDATE,
        dedupe_key=f"refund:{refund.id}:{notice}",
        payload={"refund_id": refund.id, "notice": notice},
    )


def money_words(refund: Refund) -> str:
    return f"{format_minor(refund.amount_minor, refund.currency)} {refund.currency}"


def status_words(status: str) -> str:
    return {
        RefundStatus.PENDING_REVIEW: "waiting for review",
        RefundStatus.APPROVED: "approved",
        RefundStatus.PAID: "paid",
        RefundStatus.REJECTED: "rejected",
        RefundStatus.FAILED: "failed",
    }.get(RefundStatus(status), str(status))
