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
from oms_dashboard.db import get_engine, session_scope
from oms_dashboard.jobs import tasks
from oms_dashboard.models import OutboxMessage, UserSession
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import outbox
from tests.conftest import empty_all_tables
from tests.factories import make_user


@pytest.fixture
def app_db():
    """The database the job functions use by default (OMS_DATABASE_URL)."""
    engine = get_engine()
    models.metadata.create_all(engine)
    yield engine
    empty_all_tables(engine)


def test_sweep_job_delivers_outbox_through_a_worker(app_db, redis_conn):
    seen = []
    outbox.HANDLERS["test.jobs"] = seen.append
    try:
        with session_scope(app_db) as session:
            outbox.add_message(session, kind="test.jobs", dedupe_key="j1", payload={"ok": True})
        queue = Queue("notifications", connection=redis_conn)
        job = queue.enqueue(tasks.sweep_outbox, job_id="outbox-sweep")
        SimpleWorker([queue], connection=redis_conn).work(burst=True)
        job.refresh()
        assert job.get_status() == "finished"
        assert job.return_value() == {"sent": 1, "retry": 0, "failed": 0}
        assert seen == [{"ok": True}]
        with session_scope(app_db) as session:
            assert session.get(OutboxMessage, _only_id(session)).status == "sent"
    finally:
        outbox.HANDLERS.pop("test.jobs")


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
        names = {job.func_name for job in queue.get_jobs()}
        assert "oms_dashboard.jobs.tasks.sweep_outbox" in names
    finally:
        cron.terminate()
        cron.wait(timeout=10)


def _only_id(session):
    from sqlmodel import select

    return session.exec(select(OutboxMessage.id)).one()


def test_payment_verification_is_retried_by_the_worker_then_fails(app_db, redis_conn, monkeypatch):
    """RQ's Retry runs the verification again; the third failed retry ends in payment_failed."""
    from oms_dashboard.models import Checkout, Order
    from oms_dashboard.payments.sandbox import SandboxProvider
    from oms_dashboard.services.checkout import CheckoutLine, CheckoutRequest, place_checkout
    from oms_dashboard.settings import get_settings
    from tests.factories import make_actor, make_product, make_seller
    from tests.integration.live_server import LiveServer
    from tests.integration.test_checkout import ADDRESS

    with session_scope(app_db) as session:
        product = make_product(session, make_seller(session), on_hand=10)
        customer = make_actor(session, "customer")
    with session_scope(app_db) as session:
        checkout_id = place_checkout(
            session,
            actor=customer,
            idempotency_key="retry-me",
            request=CheckoutRequest([CheckoutLine(product.sku, 2)], dict(ADDRESS)),
        ).body["checkout_id"]
    monkeypatch.setattr(get_settings(), "payment_retry_seconds", [0, 0, 0])
    monkeypatch.setattr("oms_dashboard.jobs.connection.get_redis", lambda url=None: redis_conn)
    with LiveServer(app_db) as server:
        provider = SandboxProvider(f"{server.url}/sandbox/payments")  # knows no payment: unknown
        monkeypatch.setattr(tasks, "get_provider", lambda: provider)
        tasks._schedule_payment_verification({"checkout_id": checkout_id})
        queue = Queue("default", connection=redis_conn)
        SimpleWorker([queue], connection=redis_conn).work(burst=True)
    with session_scope(app_db) as session:
        checkout = session.get(Checkout, checkout_id)
        assert (checkout.payment_status, checkout.payment_attempts) == ("failed", 3)
        orders = session.exec(select(Order).where(Order.checkout_id == checkout_id)).all()
        assert {o.status for o in orders} == {"payment_failed"}
