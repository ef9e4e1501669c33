"""Paying approved refunds through the payment provider, and flagging overdue ones.

An approved refund is paid by an outbox message (``payment.refund``): the worker
calls the provider with the refund id as idempotency key, outside any
transaction. The provider down: ``ProviderUnavailable`` propagates, the message
fails and the outbox delivers it again later, so nothing is lost and nothing is
paid twice. The provider refusing: the refund is ``failed`` with the provider's
words, and admins are told. A cron job tells admins of each overdue refund once.

A failed refund is sent again by a person (``retry_refund``): a new round, with its
own outbox message and provider idempotency key (``domain.refunds.provider_key``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from oms_dashboard.domain import refunds as rules
from oms_dashboard.domain.money import format_minor
from oms_dashboard.domain.refunds import ON_ITS_WAY, REFUND, RefundStatus
from oms_dashboard.domain.tickets import TicketKind
from oms_dashboard.models import Order, Refund
from oms_dashboard.models.base import utcnow
from oms_dashboard.payments.provider import PaymentProvider, ProviderRefused, ProviderUnavailable
from oms_dashboard.services import locks
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit, snapshot
from oms_dashboard.services.errors import Forbidden, NotFound
from oms_dashboard.services.outbox import MessageKind, add_message
from oms_dashboard.services.policies import get_policy
from oms_dashboard.services.refunds import (
    RefundView,
    lock_visible_order,
    money_words,
    reload_refund,
    status_words,
    tell_customer,
    view,
)
from oms_dashboard.services.staff_alerts import alert_staff
from oms_dashboard.services.tickets import open_system_ticket
from oms_dashboard.services.timeline import PAYMENT_PROVIDER, By, record_event
from oms_dashboard.services.unit_of_work import run_in_transaction


def pay_refund(
    engine: Engine, *, refund_id: str, provider: PaymentProvider, pay_round: int = 0
) -> str:
    """The ``payment.refund`` handler: pay an approved refund through the provider.

    Raises ``ProviderUnavailable`` when the provider does not answer, so the outbox
    delivers the message again later; the round's idempotency key (the refund id,
    then one per retry) makes the provider pay it once however often it is asked.
    A message of an earlier round (``pay_round``) does nothing.
    """
    with Session(engine) as session:
        refund = session.get(Refund, refund_id)
        order = session.get(Order, refund.order_id) if refund else None
        if refund is None or order is None or refund.status != RefundStatus.APPROVED:
            return "skipped"  # paid, failed or gone meanwhile: nothing to do
        if refund.pay_round != pay_round:
            return "skipped"  # sent again since: that round's message pays it
        checkout_id, currency = order.checkout_id, refund.currency
        amount = format_minor(refund.amount_minor, currency)
    key = rules.provider_key(refund_id, pay_round)
    try:
        paid = provider.refund(checkout_id, amount, currency, idempotency_key=key)
    except ProviderUnavailable as exc:
        error = str(exc)
        run_in_transaction(engine, lambda s: _note_attempt(s, refund_id, error))
        raise
    except ProviderRefused as exc:
        refused = exc.reason
        return run_in_transaction(
            engine, lambda s: _conclude(s, refund_id, pay_round, None, refused)
        )
    if paid.status != "succeeded":
        why = f"the provider reports the refund {paid.status}"
        return run_in_transaction(engine, lambda s: _conclude(s, refund_id, pay_round, None, why))
    return run_in_transaction(engine, lambda s: _conclude(s, refund_id, pay_round, paid.id, None))


def _note_attempt(session: Session, refund_id: str, error: str) -> None:
    refund = session.get(Refund, refund_id)
    if refund is not None:
        refund.attempts += 1
        refund.last_error = error[:500]
        session.add(refund)


def _conclude(
    session: Session,
    refund_id: str,
    pay_round: int,
    provider_id: str | None,
    error: str | None,
):
    found = session.get(Refund, refund_id)
    if found is None:
        return "skipped"
    order = locks.lock_orders(session, ids=[found.order_id])[0]
    refund = reload_refund(session, refund_id)
    if refund.status != RefundStatus.APPROVED or refund.pay_round != pay_round:
        return "skipped"
    refund.attempts += 1
    if provider_id is not None:
        refund.status = REFUND.check(refund.status, RefundStatus.PAID)
        refund.provider_refund_id, refund.paid_at, refund.last_error = provider_id, utcnow(), None
        record_event(
            session,
            order,
            "refund.paid",
            by=PAYMENT_PROVIDER,
            note=f"refund of {money_words(refund)} paid (provider reference {provider_id})",
            data={"refund_id": refund.id, "provider_refund_id": provider_id},
        )
        tell_customer(session, refund, "paid")
    else:
        refund.status = REFUND.check(refund.status, RefundStatus.FAILED)
        refund.last_error = (error or "refused")[:500]
        record_event(
            session,
            order,
            "refund.failed",
            by=PAYMENT_PROVIDER,
            note=f"the payment provider refused the refund of {money_words(refund)}: {error}",
            data={"refund_id": refund.id},
        )
        alert_staff(
            session,
            role=Role.ADMIN,
            key=f"refund-failed:{refund.id}:{refund.pay_round}",
            kind="refund_failed",
            title=f"Refund failed on order {order.number}",
            body=f"The payment provider refused {money_words(refund)}: {error}",
            order_id=order.id,
        )
    session.add(refund)
    return refund.status


# -- sent again -------------------------------------------------------------------------


def retry_refund(engine: Engine, *, actor: Actor, refund_id: str) -> RefundView:
    """Admins (support up to the policy's refund limit) send a failed refund to the
    provider again: approved once more, a new round (audited, on the timeline)."""
    return run_in_transaction(engine, lambda session: _retry(session, actor, refund_id))


def _retry(session: Session, actor: Actor, refund_id: str) -> RefundView:
    actor.require(Role.SUPPORT, Role.ADMIN)
    found = session.get(Refund, refund_id)
    if found is None:
        raise NotFound(f"no refund {refund_id!r}")
    order = lock_visible_order(session, actor, found.order_id, missing=f"no refund {refund_id!r}")
    refund = reload_refund(session, refund_id)
    limit = get_policy(session).support_refund_limit_minor
    if not rules.can_decide(actor.role.value, refund.amount_minor, support_limit_minor=limit):
        raise Forbidden(
            f"support sends refunds again up to {format_minor(limit, refund.currency)} "
            f"{refund.currency}; this one is {money_words(refund)}: an admin does",
            reason="support-refund-limit",
        )
    before = snapshot(refund)
    refund.status = rules.check_retry(refund.status)
    refund.pay_round += 1
    session.add(refund)
    record_event(
        session,
        order,
        "refund.retried",
        by=By.person(actor),
        note=f"refund of {money_words(refund)} sent to the payment provider again "
        f"(it had failed: {refund.last_error or 'refused'})",
        data={"refund_id": refund.id, "round": refund.pay_round},
    )
    record_audit(
        session,
        actor=actor,
        action="refund.retry",
        entity_type="refund",
        entity_id=refund.id,
        before={"status": before["status"], "pay_round": before["pay_round"]},
        after={"status": refund.status, "pay_round": refund.pay_round},
        order_id=refund.order_id,
    )
    # The round is the message's identity: ``attempts`` also counts the provider
    # being down, so it is no key for "this time round".
    add_message(
        session,
        kind=MessageKind.REFUND_PAY,
        dedupe_key=f"refund-pay:{refund.id}:retry-{refund.pay_round}",
        payload={"refund_id": refund.id, "round": refund.pay_round},
    )
    return view(session, refund)


# -- overdue ---------------------------------------------------------------------------


def flag_overdue(engine: Engine, *, now: datetime | None = None) -> int:
    """Tell admins (in-app) of each refund past its due time and open a support case,
    once per refund."""
    return run_in_transaction(engine, lambda session: _flag_overdue(session, now or utcnow()))


def _flag_overdue(session: Session, now: datetime) -> int:
    rows = session.exec(
        select(Refund, Order.number)
        .join(Order, Order.id == Refund.order_id)
        .where(
            Refund.status.in_([s.value for s in ON_ITS_WAY]),
            Refund.due_at.is_not(None),
            Refund.due_at < now,
        )
        .order_by(Refund.due_at, Refund.id)
    ).all()
    flagged = 0
    for refund, number in rows:
        if not rules.refund_overdue(refund.status, refund.due_at, now):
            continue
        open_system_ticket(
            session,
            kind=TicketKind.REFUND_OVERDUE,
            dedupe_key=f"refund-overdue:{refund.id}",
            subject=f"Refund overdue: order {number}",
            body=(
                f"{money_words(refund)} ({status_words(refund.status)}) was due "
                f"{refund.due_at:%Y-%m-%d %H:%M} UTC."
            ),
            order=session.get(Order, refund.order_id),
        )
        flagged += alert_staff(
            session,
            role=Role.ADMIN,
            key=f"refund-overdue:{refund.id}",
            kind="refund_overdue",
            title=f"Refund overdue on order {number}",
            body=(
                f"{money_words(refund)} ({status_words(refund.status)}) was due "
                f"{refund.due_at:%Y-%m-%d %H:%M} UTC."
            ),
            order_id=refund.order_id,
        )
    return flagged
