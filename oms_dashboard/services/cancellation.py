"""Cancelling an order: at once, as a request the seller answers, or refused.

The rules are ``domain.cancellation``'s; this module holds the transactions.
Inside the window (and before shipping) the customer cancels at once: stock
released, the payment refunded (``services.refunds``, rule
``cancelled-within-window``), customer and seller told. After the window a
``CancellationRequest`` waits for the seller (due in the policy's
``cancellation_request_hours``); unanswered by then a cron job escalates it to
support (``escalate_overdue_requests``). An admin overrides before delivery,
audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain.cancellation import (
    CANCELLATION_REQUEST,
    OPEN_REQUEST,
    CancellationDecision,
    CancellationFacts,
    CancellationOutcome,
    CancellationRule,
    Requester,
    RequestStatus,
    answer_errors,
    decide,
    request_due_at,
)
from oms_dashboard.domain.product_kinds import LineFacts, digital_delivered, renews
from oms_dashboard.domain.refunds import RefundCause
from oms_dashboard.domain.statuses import OrderStatus, check_transition
from oms_dashboard.domain.stock import RESERVED, STOCK_HOLD, StockStatus
from oms_dashboard.domain.tickets import TicketKind
from oms_dashboard.ids import new_id
from oms_dashboard.models import CancellationRequest, Order, OrderLine, Refund
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import locks, refunds, stock
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import Forbidden, NotFound, ValidationFailed
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.staff_alerts import alert_staff
from oms_dashboard.services.tickets import open_system_ticket
from oms_dashboard.services.timeline import OMS, By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction

_REFUND_CAUSE = {
    CancellationRule.WITHIN_WINDOW: RefundCause.CANCELLED_IN_WINDOW,
    CancellationRule.ADMIN_OVERRIDE: RefundCause.ADMIN_CANCELLATION,
}


@dataclass(frozen=True)
class CancelOutcome:
    order: Order
    decision: CancellationDecision
    request: CancellationRequest | None = None
    refund: Refund | None = None

    @property
    def cancelled(self) -> bool:
        return self.decision.outcome is CancellationOutcome.CANCEL_NOW


@dataclass(frozen=True)
class AnswerOutcome:
    order: Order
    request: CancellationRequest
    refund: Refund | None = None


# -- asking to cancel ------------------------------------------------------------------


def cancel_order(engine: Engine, *, actor: Actor, order_id: str, reason: str) -> CancelOutcome:
    """``POST /orders/{id}/cancel``: cancelled now, a request for the seller, or
    ``CancellationRefused`` (409 ``not-cancellable``, ``reason`` the rule)."""
    if not reason.strip():
        raise ValidationFailed.one("reason", "say why the order is cancelled")
    return run_in_transaction(engine, lambda s: _cancel(s, actor, order_id, reason.strip()))


def _cancel(session: Session, actor: Actor, order_id: str, reason: str) -> CancelOutcome:
    order = refunds.lock_visible_order(session, actor, order_id)
    policy = get_policy(session)
    now = utcnow()
    decision = cancellation_decision(session, actor, order, now=now).check(order.status)
    if decision.outcome is CancellationOutcome.REQUEST:
        request = CancellationRequest(
            id=new_id("cxr"),
            order_id=order.id,
            seller_id=order.seller_id,
            status=RequestStatus.PENDING,
            reason=reason[:1000],
            requested_by=actor.user_id or "system",
            requested_at=now,
            due_at=request_due_at(now, policy.cancellation_request_hours),
        )
        session.add(request)
        record_event(
            session,
            order,
            "cancellation.requested",
            by=By.person(actor),
            note=f"cancellation requested: {reason}",
            data={"cancellation_request_id": request.id, "due_at": request.due_at.isoformat()},
        )
        _tell_seller(session, order, "request", reason, key=request.id)
        return CancelOutcome(order, decision, request=request)
    if decision.outcome is CancellationOutcome.STOP_RENEWALS:
        return _stop_renewals(session, actor, order, decision, reason, now)
    if decision.outcome is not CancellationOutcome.CANCEL_NOW:
        raise NotImplementedError(f"cancellation outcome {decision.outcome} is not built")
    before = snapshot(order)
    refund = cancel_now(
        session,
        order,
        by=By.person(actor),
        reason=reason,
        note=decision.reason,
        cause=_REFUND_CAUSE.get(decision.rule) if decision.refund else None,
        # The status table reads an unpaid order's cancel as one inside the window.
        within_window=decision.rule in (CancellationRule.WITHIN_WINDOW, CancellationRule.UNPAID),
        admin_override=decision.audited,
    )
    # A request still open is answered by the cancellation itself.
    request = open_request(session, order.id)
    if request is not None:
        _close_request(session, request, actor, RequestStatus.APPROVED, decision.reason)
    if decision.audited:
        record_audit(
            session,
            actor=actor,
            action="order.cancel",
            entity_type="order",
            entity_id=order.id,
            before=before,
            after={**(snapshot(order) or {}), "reason": reason, "rule": decision.rule.value},
        )
    return CancelOutcome(order, decision, refund=refund)


def cancel_now(
    session: Session,
    order: Order,
    *,
    by: By,
    reason: str,
    note: str,
    cause: RefundCause | None,
    within_window: bool = False,
    seller_approved: bool = False,
    admin_override: bool = False,
) -> Refund | None:
    """Cancel the (locked) order in the caller's transaction: stock released, the
    refund of what was paid started when ``cause`` is given, both parties told."""
    check_transition(
        order.status,
        OrderStatus.CANCELLED,
        within_window=within_window,
        seller_approved=seller_approved,
        admin_override=admin_override,
    )
    previous = order.status
    if order.stock_status in RESERVED:
        stock.release(session, _quantities(session, order))
        order.stock_status = STOCK_HOLD.check(order.stock_status, StockStatus.RELEASED)
    order.status = OrderStatus.CANCELLED
    order.cancelled_at = order.updated_at = utcnow()
    session.add(order)
    record_event(
        session,
        order,
        "order.cancelled",
        by=by,
        move=(previous, OrderStatus.CANCELLED),
        note=f"{note} Reason given: {reason}"[:1000],
    )
    return after_cancelled(session, order, cause=cause, reason=reason)


def after_cancelled(
    session: Session, order: Order, *, cause: RefundCause | None, reason: str
) -> Refund | None:
    """What follows any cancellation (this module's, the review queue's): the refund
    of what is still owed when ``cause`` is given, the customer and the seller told."""
    refund = None
    if cause is not None:
        refund = refunds.start_full_refund_if_owed(
            session, order, cause=cause, reason=f"order cancelled: {reason}"
        )
    add_message(
        session,
        kind=MessageKind.CANCELLATION_UPDATE,
        dedupe_key=f"cancellation:{order.id}:cancelled",
        payload={
            "order_id": order.id,
            "notice": "cancelled",
            "reason": reason,
            "refund_id": refund.id if refund else None,
        },
    )
    _tell_seller(session, order, "cancelled", reason, key="cancelled")
    return refund


# -- the seller answers ----------------------------------------------------------------


def approve_request(
    engine: Engine, *, actor: Actor, order_id: str, reason: str = ""
) -> AnswerOutcome:
    return run_in_transaction(engine, lambda s: _answer(s, actor, order_id, True, reason))


def reject_request(engine: Engine, *, actor: Actor, order_id: str, reason: str) -> AnswerOutcome:
    return run_in_transaction(engine, lambda s: _answer(s, actor, order_id, False, reason))


def _answer(session: Session, actor: Actor, order_id: str, approve: bool, reason: str):
    actor.require(Role.SELLER, Role.ADMIN, Role.SUPPORT)
    errors = answer_errors(approve=approve, reason=reason)
    if errors:
        raise ValidationFailed(errors)
    reason = reason.strip()
    order = refunds.lock_visible_order(session, actor, order_id)
    request = open_request(session, order.id)
    if request is None:
        raise NotFound("this order has no open cancellation request")
    if actor.role is Role.SUPPORT and request.status != RequestStatus.ESCALATED:
        raise Forbidden("support answers a cancellation request once it is escalated")
    target = RequestStatus.APPROVED if approve else RequestStatus.REJECTED
    CANCELLATION_REQUEST.check(request.status, target)
    before = snapshot(request)
    refund = None
    if approve:
        refund = cancel_now(
            session,
            order,
            by=By.person(actor),
            reason=request.reason,
            note="Cancellation request approved.",
            cause=RefundCause.CANCELLATION_APPROVED if order.paid_at else None,
            seller_approved=True,
        )
    _close_request(session, request, actor, target, reason)
    if not approve:
        record_event(
            session,
            order,
            "cancellation.rejected",
            by=By.person(actor),
            note=f"cancellation request rejected: {reason}",
            data={"cancellation_request_id": request.id},
        )
        add_message(
            session,
            kind=MessageKind.CANCELLATION_UPDATE,
            dedupe_key=f"cancellation:{order.id}:rejected:{request.id}",
            payload={
                "order_id": order.id,
                "notice": "request_rejected",
                "reason": reason,
                "request_id": request.id,
            },
        )
    record_audit(
        session,
        actor=actor,
        action=f"cancellation_request.{'approve' if approve else 'reject'}",
        entity_type="cancellation_request",
        entity_id=request.id,
        before=before,
        after=snapshot(request),
    )
    return AnswerOutcome(order, request, refund)


def _close_request(
    session: Session, request: CancellationRequest, actor: Actor, target: RequestStatus, note: str
) -> None:
    request.status = CANCELLATION_REQUEST.check(request.status, target)
    request.decided_by, request.decided_at = actor.user_id, utcnow()
    request.decision_note = note[:1000] or None
    session.add(request)


# -- unanswered requests -----------------------------------------------------------------


def escalate_overdue_requests(engine: Engine) -> int:
    """Cron: pending requests past their due time escalate to support (in-app)."""
    return run_in_transaction(engine, _escalate)


def _escalate(session: Session) -> int:
    now = utcnow()
    due = session.exec(
        select(CancellationRequest.order_id).where(
            CancellationRequest.status == RequestStatus.PENDING,
            CancellationRequest.due_at <= now,
        )
    ).all()
    if not due:
        return 0
    escalated = 0
    for order in locks.lock_orders(session, ids=due):
        request = open_request(session, order.id)
        if request is None or request.status != RequestStatus.PENDING or request.due_at > now:
            continue  # answered meanwhile
        request.status = CANCELLATION_REQUEST.check(request.status, RequestStatus.ESCALATED)
        session.add(request)
        record_event(
            session,
            order,
            "cancellation.escalated",
            by=OMS,
            note="the seller did not answer the cancellation request in time: support decides",
            data={"cancellation_request_id": request.id},
        )
        alert_staff(
            session,
            role=Role.SUPPORT,
            key=f"cancellation-escalated:{request.id}",
            kind="cancellation_escalated",
            title=f"Cancellation request unanswered on order {order.number}",
            body=f"The seller did not answer by {request.due_at:%Y-%m-%d %H:%M} UTC. "
            f"The customer wrote: {request.reason}",
            order_id=order.id,
        )
        open_system_ticket(
            session,
            kind=TicketKind.CANCELLATION_UNANSWERED,
            dedupe_key=f"cancellation-request:{request.id}",
            subject=f"Cancellation request unanswered: order {order.number}",
            body=f"The seller did not answer by {request.due_at:%Y-%m-%d %H:%M} UTC; "
            f"support approves or rejects it. The customer wrote: {request.reason}",
            order=order,
        )
        escalated += 1
    return escalated


def _stop_renewals(
    session: Session,
    actor: Actor,
    order: Order,
    decision: CancellationDecision,
    reason: str,
    now: datetime,
) -> CancelOutcome:
    """A subscription's order: no renewal follows it; the order itself is neither
    cancelled nor refunded (asking again is refused by the rules)."""
    order.renewal_cancelled_at = now
    session.add(order)
    record_event(
        session,
        order,
        "subscription.renewals_cancelled",
        by=By.person(actor),
        note=f"future renewals cancelled: {reason}",
    )
    return CancelOutcome(order, decision)


# -- helpers ---------------------------------------------------------------------------


def cancellation_decision(
    session: Session, actor: Actor, order: Order, *, now: datetime | None = None
) -> CancellationDecision:
    """What would happen if ``actor`` asked to cancel ``order`` now (the order page and
    ``allowed_actions`` ask before, ``cancel_order`` when it is asked)."""
    lines = line_facts(session, order.id)
    facts = CancellationFacts(
        status=order.status,
        placed_at=order.placed_at,
        now=now or utcnow(),
        window_minutes=get_policy(session).cancellation_window_minutes,
        digital_delivered=digital_delivered(lines),
        subscription=renews(lines),
        renewals_cancelled=order.renewal_cancelled_at is not None,
        request_pending=open_request(session, order.id) is not None,
    )
    return decide(facts, requester=Requester(actor.role.value))


def line_facts(session: Session, order_id: str) -> list[LineFacts]:
    """Each line's kind and download, as the cancellation rules read them."""
    return [
        LineFacts(kind, downloaded_at)
        for kind, downloaded_at in session.exec(
            select(OrderLine.kind, OrderLine.downloaded_at).where(OrderLine.order_id == order_id)
        ).all()
    ]


def open_request(session: Session, order_id: str) -> CancellationRequest | None:
    return session.exec(
        select(CancellationRequest)
        .where(
            CancellationRequest.order_id == order_id,
            CancellationRequest.status.in_([s.value for s in OPEN_REQUEST]),
        )
        .execution_options(populate_existing=True)
    ).first()


def _quantities(session: Session, order: Order) -> dict[str, int]:
    rows = session.exec(
        select(OrderLine.sku, OrderLine.quantity).where(OrderLine.order_id == order.id)
    ).all()
    totals: dict[str, int] = {}
    for sku, quantity in rows:
        totals[sku] = totals.get(sku, 0) + quantity
    return totals


def _tell_seller(session: Session, order: Order, notice: str, reason: str, *, key: str) -> None:
    add_message(
        session,
        kind=MessageKind.SELLER_CANCELLATION,
        dedupe_key=f"seller-cancellation:{order.id}:{key}",
        payload={"order_id": order.id, "notice": notice, "reason": reason},
    )
