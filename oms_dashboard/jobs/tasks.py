"""Job functions. Each takes ids, opens its own transaction and is safe to run twice.

They run in a process wired by ``bootstrap`` (the worker): the engine, the
payment provider and the outbox handlers come from there.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from rq import Retry
from rq.job import Job
from sqlmodel import Session

from oms_dashboard.bootstrap import current
from oms_dashboard.carriers.sandbox import journey
from oms_dashboard.domain.payment import VerificationOutcome
from oms_dashboard.domain.tracking import CarrierName
from oms_dashboard.jobs.connection import get_queue
from oms_dashboard.services import (
    cancellation,
    kpi_rollups,
    outbox,
    refund_payments,
    tracking,
    tracking_sync,
)
from oms_dashboard.services.auth import purge_expired_sessions
from oms_dashboard.services.carrier_registry import open_adapter
from oms_dashboard.services.outbox import MessageKind
from oms_dashboard.services.payments import (
    expire_unpaid_holds,
    rounds_awaiting_verification,
    verify_again,
)
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)


class PaymentNotVerified(Exception):
    """Raised so RQ runs the verification again later (see Retry in the enqueue)."""


def purge_sessions() -> int:
    """Delete expired sign-in sessions."""
    removed = purge_expired_sessions(current().engine)
    log.info("purged %d expired sessions", removed)
    return removed


def sweep_outbox() -> dict[str, int]:
    """Deliver outbox messages that are due; a crash mid-way loses nothing."""
    wiring = current()
    return outbox.dispatch_pending(handlers=wiring.handlers, engine=wiring.engine)


def deliver_outbox(message_id: str) -> str | None:
    wiring = current()
    return outbox.deliver(message_id, handlers=wiring.handlers, engine=wiring.engine)


def sync_tracking() -> int:
    """Periodic: one tracking-sync job per carrier, so the workers ask the carriers in
    parallel (a job per carrier at most is waiting: its id is the carrier's)."""
    queue = get_queue("carriers")
    waiting = set(queue.job_ids)
    for carrier in CarrierName:
        job_id = f"tracking-sync-{carrier.value}"
        if job_id not in waiting:
            queue.enqueue(sync_carrier_tracking, carrier.value, job_id=job_id, result_ttl=60)
    return len(CarrierName)


def sync_carrier_tracking(carrier: str) -> dict[str, Any]:
    """Ask ``carrier`` about every one of its shipments due for a sync."""
    wiring = current()
    report = tracking_sync.sync_due(
        wiring.engine,
        carriers=[carrier],
        adapter_for=lambda name: open_adapter(
            wiring.engine, name, sandbox_transport=wiring.sandbox_transport
        ),
    )
    if report.waiting:
        log.warning("tracking sync: %s waiting: %s", carrier, report.waiting)
    return {"asked": report.asked, "applied": report.applied, "waiting": report.waiting}


def advance_sandbox_carriers() -> int:
    """The sandbox carriers move their packages along on their own (periodic)."""
    settings = get_settings()
    if not settings.sandboxes_enabled or settings.sandbox_speed <= 0:
        return 0
    with Session(current().engine) as session:
        recorded = journey.advance(session, speed=settings.sandbox_speed)
        session.commit()
    return recorded


def flag_stuck_shipments() -> int:
    """Flag shipments without a carrier scan for too long (periodic)."""
    return tracking.flag_stuck(current().engine)


def expire_payment_holds() -> int:
    return expire_unpaid_holds(current().engine)


def verify_payment(checkout_id: str, payment_round: int = 1) -> str:
    """One re-verification; the database counts attempts, RQ spaces them out."""
    wiring = current()
    outcome = verify_again(
        wiring.engine,
        checkout_id=checkout_id,
        payment_round=payment_round,
        provider=wiring.payment_provider,
    )
    if outcome == VerificationOutcome.RETRYING:
        raise PaymentNotVerified(f"checkout {checkout_id} not verified yet (round {payment_round})")
    return outcome.value


def schedule_payment_verification(payload: dict[str, Any]) -> None:
    """The handler of ``payment.verify``: the round's re-verifications, spaced by
    ``OMS_PAYMENT_RETRY_SECONDS`` (the first pause before the first one)."""
    checkout_id, payment_round = payload["checkout_id"], int(payload.get("round", 1))
    first, *later = get_settings().payment_retry_seconds
    queue = get_queue("default")
    job = dict(
        job_id=verification_job_id(checkout_id, payment_round),
        retry=Retry(max=len(later), interval=later) if later else None,
    )
    args = (verify_payment, checkout_id, payment_round)
    if first:
        queue.enqueue_in(timedelta(seconds=first), *args, **job)
    else:
        queue.enqueue(*args, **job)


def verification_job_id(checkout_id: str, payment_round: int) -> str:
    return f"verify-payment-{checkout_id}-r{payment_round}"


def rescue_payment_verifications() -> int:
    """Queue again the re-verifications Redis forgot (a restart without persistence
    loses RQ's scheduled and retrying jobs); a job still there is left alone."""
    queue = get_queue("default")
    rescued = 0
    for checkout_id, payment_round in rounds_awaiting_verification(current().engine):
        if Job.exists(verification_job_id(checkout_id, payment_round), connection=queue.connection):
            continue
        log.warning("re-queueing the lost verification of %s round %d", checkout_id, payment_round)
        schedule_payment_verification({"checkout_id": checkout_id, "round": payment_round})
        rescued += 1
    return rescued


def pay_refund(payload: dict[str, Any]) -> None:
    """The handler of ``payment.refund``: pay an approved refund through the provider.
    The provider down raises, and the outbox delivers the message again later."""
    wiring = current()
    refund_payments.pay_refund(
        wiring.engine,
        refund_id=payload["refund_id"],
        provider=wiring.payment_provider,
        pay_round=int(payload.get("round", 0)),
    )


def flag_overdue_refunds() -> int:
    """Periodic: admins are told (in-app) of each refund past its due time, once."""
    return refund_payments.flag_overdue(current().engine)


def verify_audit_chain() -> bool:
    """Periodic (nightly): the whole audit chain walked; admins alerted if broken."""
    from oms_dashboard.services.audit import nightly_check

    return nightly_check(current().engine)


def escalate_cancellation_requests() -> int:
    """Periodic: cancellation requests the seller left unanswered go to support."""
    return cancellation.escalate_overdue_requests(current().engine)


def roll_up_recent_kpis() -> int:
    """Periodic (minutes): the KPI rollups of the last weeks, of any day never rolled,
    and of the older days marked stale (``services.kpi_stale``)."""
    return kpi_rollups.roll_up_recent(current().engine)


def roll_up_all_kpis() -> int:
    """Periodic (nightly): every day's KPI rollups, the safety net for changes the
    marks cannot see (SQL written outside the ORM)."""
    return kpi_rollups.roll_up_all(current().engine)


HANDLERS = {
    MessageKind.PAYMENT_VERIFY: schedule_payment_verification,
    MessageKind.REFUND_PAY: pay_refund,
}


def enqueue_deliveries(messages: list[tuple[str, str]]) -> None:
    """After a commit: deliver each new outbox message now rather than at the next sweep."""
    for message_id, kind in messages:
        get_queue(MessageKind(kind).queue).enqueue(
            deliver_outbox, message_id, job_id=f"outbox-{message_id}"
        )
