"""Jobs run through a real Redis: the worker, the cron scheduler, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from rq import Queue, SimpleWorker

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
