"""Jobs run through a real Redis: the worker, the cron scheduler, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from rq import Queue, SimpleWorker
from sqlmodel import select

from oms_dashboard import models
from oms_dashboard.bootstrap import bootstrap
from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.jobs import tasks
from oms_dashboard.models import EmailMessage, OutboxMessage, UserSession
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import outbox
from oms_dashboard.services.outbox import MessageKind
from tests.conftest import empty_all_tables
from tests.factories import make_user


@pytest.fixture
def app_db():
    """The database of a worker wired by ``bootstrap`` (OMS_DATABASE_URL)."""
    engine = get_engine()
    models.metadata.create_all(engine)
    bootstrap("test", engine=engine)
    yield engine
    empty_all_tables(engine)


def test_sweep_job_delivers_outbox_through_a_worker(app_db, redis_conn, mailbox):
    from tests.factories import make_actor, make_product, make_seller

    with session_scope(app_db) as session:
        seller = make_seller(session, low_stock_threshold=5)
        make_actor(session, "seller", seller=seller)
        product = make_product(session, seller, on_hand=3)
        outbox.add_message(
            session,
            kind=MessageKind.LOW_STOCK,
            dedupe_key="j1",
            payload={
                "seller_id": seller.id,
                "sku": product.sku,
                "available": 3,
                "threshold": 5,
            },
        )
    queue = Queue("notifications", connection=redis_conn)
    job = queue.enqueue(tasks.sweep_outbox, job_id="outbox-sweep")
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    job.refresh()
    assert job.get_status() == "finished"
    assert job.return_value() == {"sent": 1, "retry": 0, "failed": 0}
    with session_scope(app_db) as session:
        assert session.get(OutboxMessage, _only_id(session)).status == "sent"
        assert session.exec(select(EmailMessage)).one().subject.startswith("Low stock")


def test_purge_sessions_removes_only_expired_ones(app_db):
    from datetime import timedelta

    with session_scope(app_db) as session:
        user = make_user(session, "admin")
        now = utcnow()
        session.add(
            UserSession(token_hash="a" * 64, user_id=user.id, expires_at=now - timedelta(minutes=1))
        )
        session.add(
            UserSession(token_hash="b" * 64, user_id=user.id, expires_at=now + timedelta(hours=1))
        )
    assert tasks.purge_sessions() == 1
    assert tasks.purge_sessions() == 0


def test_cron_command_enqueues_the_periodic_jobs(redis_url, redis_conn):
    env = dict(os.environ, OMS_REDIS_URL=redis_url)
    cron = subprocess.Popen(
        [sys.executable, "-m", "oms_dashboard", "cron"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        queue = Queue("notifications", connection=redis_conn)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and queue.count == 0:
            time.sleep(0.2)
        # Each periodic job runs through run_recorded, which writes its run to cron_runs.
        jobs = {(job.func_name, tuple(job.args)) for job in queue.get_jobs()}
        assert ("oms_dashboard.jobs.schedule.run_recorded", ("sweep_outbox",)) in jobs
    finally:
        cron.terminate()
        cron.wait(timeout=10)


def _only_id(session):
    from sqlmodel import select

    return session.exec(select(OutboxMessage.id)).one()


def test_payment_verification_is_retried_by_the_worker_then_fails(app_db, redis_conn, monkeypatch):
    """RQ's Retry runs the verification again; the third failed retry ends in payment_failed."""
    from oms_dashboard.models import Checkout, Order
    from oms_dashboard.services.checkout import CheckoutLine, CheckoutRequest, place_checkout
    from oms_dashboard.settings import get_settings
    from tests.factories import make_actor, make_product, make_seller
    from tests.integration.test_checkout import ADDRESS

    with session_scope(app_db) as session:
        product = make_product(session, make_seller(session), on_hand=10)
        customer = make_actor(session, "customer")
    checkout_id = place_checkout(
        app_db,
        actor=customer,
        idempotency_key="retry-me",
        request=CheckoutRequest([CheckoutLine(product.sku, 2)], dict(ADDRESS)),
    ).body["checkout_id"]
    monkeypatch.setattr(get_settings(), "payment_retry_seconds", [0, 0, 0])
    monkeypatch.setattr("oms_dashboard.jobs.connection.get_redis", lambda url=None: redis_conn)
    # The in-process sandbox knows no payment for this checkout: "unknown", every time.
    tasks.schedule_payment_verification({"checkout_id": checkout_id, "round": 1})
    queue = Queue("default", connection=redis_conn)
    SimpleWorker([queue], connection=redis_conn).work(burst=True)
    with session_scope(app_db) as session:
        checkout = session.get(Checkout, checkout_id)
        assert (checkout.payment_status, checkout.payment_attempts) == ("failed", 3)
        orders = session.exec(select(Order).where(Order.checkout_id == checkout_id)).all()
        assert {o.status for o in orders} == {"payment_failed"}


def test_a_verification_redis_forgot_is_queued_again_and_the_round_ends(
    app_db, redis_conn, monkeypatch
):
    """RQ keeps scheduled and retrying jobs only in Redis: after Redis loses them, the
    periodic rescue queues the round's verification again, once, and it runs to its end."""
    from oms_dashboard.models import Checkout
    from oms_dashboard.services.checkout import CheckoutLine, CheckoutRequest, place_checkout
    from oms_dashboard.settings import get_settings
    from tests.factories import make_actor, make_product, make_seller
    from tests.fakes import FakeProvider, post_event
    from tests.integration.test_checkout import ADDRESS

    with session_scope(app_db) as session:
        product = make_product(session, make_seller(session), on_hand=10)
        customer = make_actor(session, "customer")
    placed = place_checkout(
        app_db,
        actor=customer,
        idempotency_key="forgotten",
        request=CheckoutRequest([CheckoutLine(product.sku, 1)], dict(ADDRESS)),
    ).body
    monkeypatch.setattr("oms_dashboard.jobs.connection.get_redis", lambda url=None: redis_conn)
    declined = FakeProvider("declined", placed["total"], placed["currency"])
    bootstrap("test", engine=app_db, payment_provider=declined)
    post_event(app_db, placed, declined, type="payment.failed")
    with session_scope(app_db) as session:
        (message_id,) = session.exec(
            select(OutboxMessage.id).where(OutboxMessage.kind == "payment.verify")
        ).all()
    assert tasks.deliver_outbox(message_id) == "sent"  # verification scheduled in 10 s
    assert tasks.rescue_payment_verifications() == 0  # its job is there: nothing to do
    redis_conn.flushdb()  # Redis restarted without persistence
    monkeypatch.setattr(get_settings(), "payment_retry_seconds", [0, 0, 0])
    assert tasks.rescue_payment_verifications() == 1
    assert tasks.rescue_payment_verifications() == 0  # queued once, however often it runs
    SimpleWorker([Queue("default", connection=redis_conn)], connection=redis_conn).work(burst=True)
    with session_scope(app_db) as session:
        checkout = session.get(Checkout, placed["checkout_id"])
        assert (checkout.payment_status, checkout.payment_attempts) == ("failed", 3)
    assert tasks.rescue_payment_verifications() == 0  # the round is over
