"""Job functions. Each takes ids, opens its own transaction and is safe to run twice."""

from __future__ import annotations

import logging

from rq import Retry

from oms_dashboard import notifications  # noqa: F401 - registers the outbox handlers
from oms_dashboard.db import session_scope
from oms_dashboard.jobs.connection import get_queue
from oms_dashboard.payments.provider import get_provider
from oms_dashboard.services import outbox
from oms_dashboard.services.auth import purge_expired_sessions
from oms_dashboard.services.payments import RETRIES, expire_unpaid_holds, retry_verification
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)


class PaymentNotVerified(Exception):
    """Raised so RQ retries the verification later (see Retry in the enqueue)."""


def purge_sessions() -> int:
    """Delete expired sign-in sessions."""
    with session_scope() as session:
        removed = purge_expired_sessions(session)
    log.info("purged %d expired sessions", removed)
    return removed


def sweep_outbox() -> dict[str, int]:
    """Deliver outbox messages that are due; a crash mid-way loses nothing."""
    return outbox.dispatch_pending()


def deliver_outbox(message_id: str) -> str | None:
    return outbox.deliver(message_id)


def expire_payment_holds() -> int:
    with session_scope() as session:
        return expire_unpaid_holds(session)


def verify_payment(checkout_id: str) -> str:
    """One verification attempt; the database counts attempts, RQ spaces them out."""
    with session_scope() as session:
        result = retry_verification(session, checkout_id=checkout_id, provider=get_provider())
    if result == "retrying":
        raise PaymentNotVerified(f"checkout {checkout_id} not verified yet")
    return result


@outbox.handles("payment.verify")
def _schedule_payment_verification(payload: dict) -> None:
    checkout_id = payload["checkout_id"]
    get_queue("default").enqueue(
        verify_payment,
        checkout_id,
        job_id=f"verify-payment-{checkout_id}",
        retry=Retry(max=RETRIES, interval=get_settings().payment_retry_seconds),
    )


def enqueue_deliveries(messages: list[tuple[str, str]]) -> None:
    """After a commit: deliver each new outbox message now rather than at the next sweep."""
    for message_id, kind in messages:
        queue = "default" if kind.startswith("payment.") else "notifications"
        get_queue(queue).enqueue(deliver_outbox, message_id, job_id=f"outbox-{message_id}")


def install_commit_hook() -> None:
    """Deliver outbox messages right after the commit that wrote them.

    Not in tests (OMS_ENV=test): they deliver explicitly, with no Redis implied.
    """
    if get_settings().env != "test":
        outbox.on_commit_deliver(enqueue_deliveries)


install_commit_hook()  # the worker commits too (payments verified by a retry job)
