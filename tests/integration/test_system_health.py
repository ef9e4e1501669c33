"""The health page's facts from a real Redis and database: queued and failed jobs
(retried, then deleted, audited), workers, the outbox, periodic job runs, and a
Redis that does not answer reported down within the probe's timeout."""

from __future__ import annotations

import socket
import time
from datetime import timedelta

import pytest
from rq import Queue, SimpleWorker, Worker

from oms_dashboard.jobs import schedule
from oms_dashboard.models import CronRun, OutboxMessage
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import system_health
from oms_dashboard.services.cron_runs import cron_status, recorded_run
from oms_dashboard.services.errors import NotFound
from tests.factories import make_actor
from tests.integration.api_helpers import (  # noqa: F401
    api_fixture,
    audit_rows,
    count,
    world_fixture,
)

QUEUES = ("notifications", "carriers", "default")


def explode() -> None:
    raise RuntimeError("the carrier said no")


def _health(engine, actor, url, schedule_=(("sweep_outbox", 60),)):
    return system_health.system_health(
        actor=actor, engine=engine, redis_url=url, queue_names=QUEUES, schedule=schedule_
    )


@pytest.fixture
def admin(session):
    actor = make_actor(session, "admin")
    session.commit()
    return actor


def test_a_queued_job_and_no_worker(engine, admin, redis_url, redis_conn):
    Queue("default", connection=redis_conn).enqueue(time.sleep, 0)
    health = _health(engine, admin, redis_url)
    assert health.redis.state == "ok" and health.database.state == "ok"
    queues = {q.name: q for q in health.queues}
    assert (queues["default"].length, queues["default"].workers) == (1, 0)
    assert queues["notifications"].length == 0
    assert health.workers_state == "down"
    assert "no worker is running, so background work waits" in health.degraded


def test_a_registered_worker_is_listed_with_its_heartbeat(engine, admin, redis_url, redis_conn):
    worker = Worker([Queue(name, connection=redis_conn) for name in QUEUES], connection=redis_conn)
    worker.register_birth()
    worker.heartbeat()
    try:
        health = _health(engine, admin, redis_url)
    finally:
        worker.register_death()
    [listed] = health.workers
    assert listed.name == worker.name and set(listed.queues) == set(QUEUES)
    assert listed.last_heartbeat is not None
    assert health.workers_state == "ok" and health.degraded == []


def test_a_failed_job_is_retried_then_deleted_audited(engine, admin, redis_url, redis_conn):
    queue = Queue("carriers", connection=redis_conn)
    job = queue.enqueue(explode)
    SimpleWorker([queue], connection=redis_conn).work(burst=True)

    [failed] = _health(engine, admin, redis_url).failed_jobs
    assert (failed.id, failed.queue) == (job.id, "carriers")
    assert failed.function.endswith("explode")
    assert failed.error == "RuntimeError: the carrier said no"

    system_health.retry_failed_job(
        actor=admin, engine=engine, redis_url=redis_url, queue_name="carriers", job_id=job.id
    )
    health = _health(engine, admin, redis_url)
    assert health.failed_jobs == []
    assert {q.name: q.length for q in health.queues}["carriers"] == 1
    [retried] = audit_rows(engine, "job.retry")
    assert retried.entity_id == job.id and retried.before["error"].startswith("RuntimeError")

    SimpleWorker([queue], connection=redis_conn).work(burst=True)  # fails again
    assert [j.id for j in _health(engine, admin, redis_url).failed_jobs] == [job.id]
    system_health.delete_failed_job(
        actor=admin, engine=engine, redis_url=redis_url, queue_name="carriers", job_id=job.id
    )
    health = _health(engine, admin, redis_url)
    assert health.failed_jobs == [] and {q.name: q.failed for q in health.queues}["carriers"] == 0
    assert redis_conn.exists(f"rq:job:{job.id}") == 0
    assert len(audit_rows(engine, "job.delete")) == 1

    with pytest.raises(NotFound):
        system_health.delete_failed_job(
            actor=admin, engine=engine, redis_url=redis_url, queue_name="carriers", job_id=job.id
        )


@pytest.fixture
def silent_redis():
    """A server that accepts connections and never answers: the worst kind of down."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/0"
    server.close()


@pytest.mark.parametrize("kind", ["silent", "refusing"])
def test_redis_that_does_not_answer_is_down_within_the_timeout(engine, admin, silent_redis, kind):
    url = silent_redis if kind == "silent" else "redis://127.0.0.1:1/0"
    started = time.monotonic()
    health = _health(engine, admin, url)
    elapsed = time.monotonic() - started
    assert elapsed < 2.0
    assert health.redis.state == "down" and health.redis.error
    assert all(q.length is None for q in health.queues)
    assert health.workers_state == "down"
    assert "Redis is not answering, so background work waits" in health.degraded
    assert health.database.state == "ok" and health.outbox is not None  # the rest still served
    system_health._background.clear()
    started = time.monotonic()
    assert "Redis is not answering" in system_health.background_delay(url)
    assert time.monotonic() - started < 2.0


def test_outbox_backlog_and_its_oldest_message(engine, admin, session, redis_url):
    now = utcnow()
    for n, minutes in enumerate((2, 20)):
        session.add(
            OutboxMessage(
                id=f"out_{n}",
                kind="email",
                dedupe_key=f"k{n}",
                created_at=now - timedelta(minutes=minutes),
            )
        )
    session.add(OutboxMessage(id="out_x", kind="email", dedupe_key="kx", status="failed"))
    session.commit()
    outbox = _health(engine, admin, redis_url).outbox
    assert (outbox.pending, outbox.failed) == (2, 1)
    assert 19 * 60 < outbox.oldest_pending_seconds < 21 * 60
    assert outbox.state == "degraded"


def test_periodic_job_runs_are_recorded_and_checked_against_their_schedule(
    engine, session, wired_app
):
    assert recorded_run(engine, "flag_overdue_refunds", lambda: 3) == 3
    with pytest.raises(RuntimeError):
        recorded_run(engine, "sync_tracking", explode)
    assert schedule.run_recorded("purge_sessions") == 0  # as the worker runs what cron enqueued
    statuses = {
        s.job: s
        for s in cron_status(
            session,
            [
                ("flag_overdue_refunds", 300),
                ("sync_tracking", 10),
                ("purge_sessions", 3600),
                ("sweep_outbox", 60),
            ],
        )
    }
    assert statuses["flag_overdue_refunds"].outcome == "ok"
    assert not statuses["flag_overdue_refunds"].overdue
    assert statuses["sync_tracking"].outcome == "error"
    assert statuses["sync_tracking"].error == "RuntimeError: the carrier said no"
    assert statuses["purge_sessions"].outcome == "ok"
    assert statuses["sweep_outbox"].outcome is None and statuses["sweep_outbox"].overdue
    later = cron_status(session, [("flag_overdue_refunds", 300)], now=utcnow() + timedelta(hours=1))
    assert later[0].overdue
    assert count(engine, CronRun) == 3


def test_the_scheduler_registers_every_periodic_job_by_its_own_name(redis_conn):
    scheduler = schedule.build_scheduler(redis_conn)
    names = sorted(job.name for job in scheduler.get_jobs())
    assert names == sorted(name for name, _ in schedule.intervals())


def test_the_api_reports_the_same_facts_to_admins(monkeypatch, redis_url, redis_conn, world):
    from oms_dashboard.settings import get_settings

    monkeypatch.setenv("OMS_REDIS_URL", redis_url)
    get_settings.cache_clear()
    Queue("default", connection=redis_conn).enqueue(time.sleep, 0)
    try:
        response = world.api.get("/api/v1/system-health", headers=world.headers("admin"))
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["redis"]["state"] == "ok" and body["workers_state"] == "down"
    assert {q["name"]: q["length"] for q in body["queues"]}["default"] == 1
    assert {c["job"] for c in body["cron"]} == {name for name, _ in schedule.intervals()}
    assert body["degraded"] == ["no worker is running, so background work waits"]
