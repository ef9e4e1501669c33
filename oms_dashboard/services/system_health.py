"""How the platform is doing, for the admin's health page: every probe short and bounded.

Redis is asked once with a short timeout; when it does not answer, the queue,
worker and failed-job facts are reported unknown instead of waited for, so the
page answers within about two seconds whatever is down.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import redis
import sqlalchemy as sa
from rq import Queue, Worker
from rq.exceptions import NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from oms_dashboard.models import OutboxMessage, Refund, Return, Shipment, Ticket
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import carrier_status
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.audit import record_audit
from oms_dashboard.services.cron_runs import CronStatus, cron_status
from oms_dashboard.services.errors import Conflict, NotFound, ServiceError
from oms_dashboard.services.unit_of_work import run_in_transaction

PROBE_SECONDS = 0.5
"""The longest any one Redis answer is waited for."""
OK, DEGRADED, DOWN = "ok", "degraded", "down"
FAILED_SHOWN = 20
SLOW_SECONDS = 0.25
"""An answer slower than this marks the store degraded."""
OUTBOX_LATE_SECONDS = 300
"""A pending message older than this means the outbox is not being delivered."""


@dataclass(frozen=True)
class Probe:
    state: str
    latency_ms: float | None
    error: str | None = None


@dataclass(frozen=True)
class FailedJob:
    id: str
    queue: str
    function: str
    error: str
    ended_at: datetime | None


@dataclass(frozen=True)
class QueueFacts:
    name: str
    length: int | None
    """None when Redis does not answer."""
    failed: int | None
    workers: int


@dataclass(frozen=True)
class WorkerFacts:
    name: str
    state: str
    queues: tuple[str, ...]
    last_heartbeat: datetime | None
    current_job: str | None


@dataclass(frozen=True)
class OutboxFacts:
    pending: int
    oldest_pending_at: datetime | None
    oldest_pending_seconds: float | None
    failed: int
    state: str


@dataclass(frozen=True)
class CarrierFacts:
    carrier: str
    enabled: bool
    state: str
    detail: str
    queued_updates: int


@dataclass
class Health:
    checked_at: datetime
    database: Probe
    redis: Probe
    queues: list[QueueFacts] = field(default_factory=list)
    workers: list[WorkerFacts] = field(default_factory=list)
    failed_jobs: list[FailedJob] = field(default_factory=list)
    outbox: OutboxFacts | None = None
    carriers: list[CarrierFacts] = field(default_factory=list)
    cron: list[CronStatus] = field(default_factory=list)

    @property
    def workers_state(self) -> str:
        if self.redis.state == DOWN:
            return DOWN
        serving = {q for w in self.workers for q in w.queues}
        if not self.workers:
            return DOWN
        return OK if all(q.name in serving for q in self.queues) else DEGRADED

    @property
    def degraded(self) -> list[str]:
        """What people should know is not working, in their words."""
        out = []
        if self.database.state != OK:
            out.append("the database is not answering")
        if self.redis.state == DOWN:
            out.append("Redis is not answering, so background work waits")
        elif self.workers_state == DOWN:
            out.append("no worker is running, so background work waits")
        elif self.workers_state == DEGRADED:
            out.append("some queues have no worker")
        return out


def probe_redis(connection: redis.Redis) -> Probe:
    started = time.perf_counter()
    try:
        connection.ping()
    except (redis.RedisError, OSError) as exc:
        return Probe(DOWN, None, f"{type(exc).__name__}: {exc}"[:300])
    latency = (time.perf_counter() - started) * 1000
    return Probe(OK if latency < SLOW_SECONDS * 1000 else DEGRADED, round(latency, 1))


def probe_database(engine: Engine) -> Probe:
    started = time.perf_counter()
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                # A database that accepts and then stalls must not hold the page.
                connection.execute(sa.text("SET LOCAL statement_timeout = 1000"))
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return Probe(DOWN, None, str(getattr(exc, "orig", None) or exc).splitlines()[0][:300])
    latency = (time.perf_counter() - started) * 1000
    return Probe(OK if latency < SLOW_SECONDS * 1000 else DEGRADED, round(latency, 1))


def probe_connection(url: str) -> redis.Redis:
    """A client of its own with short timeouts: the health page never waits like a worker."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=PROBE_SECONDS,
        socket_timeout=PROBE_SECONDS,
        retry_on_timeout=False,
    )


def outbox_facts(session: Session, *, now: datetime) -> OutboxFacts:
    pending, oldest = session.exec(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_(("pending", "sending"))
        )
    ).one()
    failed = session.exec(select(func.count()).where(OutboxMessage.status == "failed")).one()
    age = (now - oldest).total_seconds() if oldest is not None else None
    state = OK
    if failed:
        state = DEGRADED
    if age is not None and age > OUTBOX_LATE_SECONDS:
        state = DEGRADED
    return OutboxFacts(pending, oldest, age, failed, state)


def carrier_facts(session: Session, *, actor: Actor, now: datetime) -> list[CarrierFacts]:
    facts = []
    for status in carrier_status.carrier_statuses(session, actor=actor, now=now):
        view = status.view
        if not view.enabled:
            state, detail = OK, "switched off"
        elif status.circuit_open_until is not None:
            state = DOWN
            detail = f"not called until {status.circuit_open_until:%H:%M} UTC: {view.last_error}"
        elif not view.usable:
            state, detail = DEGRADED, view.why_not or "not usable"
        elif view.consecutive_failures:
            state = DEGRADED
            detail = f"{view.consecutive_failures} failed calls in a row: {view.last_error}"
        else:
            state, detail = OK, "answering"
        facts.append(CarrierFacts(view.carrier, view.enabled, state, detail, status.queued_updates))
    return facts


def _redis_facts(health: Health, connection: redis.Redis, queue_names: Iterable[str]) -> None:
    try:
        workers = Worker.all(connection=connection)
        for worker in workers:
            job_id = worker.get_current_job_id()
            health.workers.append(
                WorkerFacts(
                    name=worker.name,
                    state=str(worker.get_state()),
                    queues=tuple(worker.queue_names()),
                    last_heartbeat=worker.last_heartbeat,
                    current_job=job_id,
                )
            )
        for name in queue_names:
            queue = Queue(name, connection=connection)
            registry = FailedJobRegistry(queue=queue)
            serving = sum(1 for w in health.workers if name in w.queues)
            health.queues.append(QueueFacts(name, queue.count, registry.count, serving))
            for job in Job.fetch_many(registry.get_job_ids(0, FAILED_SHOWN - 1), connection):
                if job is None:
                    continue
                health.failed_jobs.append(
                    FailedJob(
                        id=job.id,
                        queue=name,
                        function=job.func_name or "?",
                        error=_last_line(job.exc_info),
                        ended_at=job.ended_at,
                    )
                )
    except (redis.RedisError, OSError) as exc:
        health.redis = Probe(DOWN, None, f"{type(exc).__name__}: {exc}"[:300])
    health.failed_jobs.sort(key=lambda j: j.ended_at or health.checked_at, reverse=True)


def _last_line(exc_info: str | None) -> str:
    lines = [line for line in (exc_info or "").strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def system_health(
    *,
    actor: Actor,
    engine: Engine,
    redis_url: str,
    queue_names: Iterable[str],
    schedule: Iterable[tuple[str, int]],
) -> Health:
    """Everything the health page shows; never raises for a store that is down."""
    actor.require(Role.ADMIN)
    now = utcnow()
    connection = probe_connection(redis_url)
    health = Health(checked_at=now, database=probe_database(engine), redis=probe_redis(connection))
    if health.redis.state != DOWN:
        _redis_facts(health, connection, queue_names)
    else:
        health.queues = [QueueFacts(name, None, None, 0) for name in queue_names]
    connection.close()
    if health.database.state != DOWN:
        with Session(engine) as session:
            health.outbox = outbox_facts(session, now=now)
            health.carriers = carrier_facts(session, actor=actor, now=now)
            health.cron = cron_status(session, schedule, now=now)
    return health


class RedisUnavailable(ServiceError):
    status, type, title = 503, "redis-unavailable", "Redis unavailable"


def _failed_job(connection: redis.Redis, queue_name: str, job_id: str) -> FailedJobRegistry:
    registry = FailedJobRegistry(queue=Queue(queue_name, connection=connection))
    if job_id not in registry.get_job_ids():
        raise NotFound("no such failed job (it may have been retried or deleted already)")
    return registry


def retry_failed_job(
    *, actor: Actor, engine: Engine, redis_url: str, queue_name: str, job_id: str
) -> None:
    """Put a failed job back on its queue (audited): a worker runs it again."""
    _act_on_failed(actor, engine, redis_url, queue_name, job_id, "job.retry")


def delete_failed_job(
    *, actor: Actor, engine: Engine, redis_url: str, queue_name: str, job_id: str
) -> None:
    """Forget a failed job for good (audited)."""
    _act_on_failed(actor, engine, redis_url, queue_name, job_id, "job.delete")


def _act_on_failed(
    actor: Actor, engine: Engine, redis_url: str, queue_name: str, job_id: str, action: str
) -> None:
    actor.require(Role.ADMIN)
    connection = probe_connection(redis_url)
    try:
        registry = _failed_job(connection, queue_name, job_id)
        job = Job.fetch(job_id, connection=connection)
        before = {"queue": queue_name, "function": job.func_name, "error": _last_line(job.exc_info)}
        job_args = tuple(job.args or ())
        if action == "job.retry":
            registry.requeue(job_id)
        else:
            registry.remove(job, delete_job=True)
    except NoSuchJobError as exc:
        raise NotFound("no such failed job (it may have been retried or deleted already)") from exc
    except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
        raise RedisUnavailable(f"Redis did not answer ({exc}); nothing was changed") from exc
    except redis.RedisError as exc:
        raise Conflict(f"the job could not be changed: {exc}") from exc
    finally:
        connection.close()

    def audit(session: Session) -> None:
        record_audit(
            session,
            actor=actor,
            action=action,
            entity_type="job",
            entity_id=job_id,
            before=before,
            after={"queue": queue_name, "state": "queued" if action == "job.retry" else "deleted"},
            order_id=order_of_job(session, before["function"], job_args),
        )

    run_in_transaction(engine, audit)


_ORDER_OF = {"refund_id": Refund, "return_id": Return, "shipment_id": Shipment, "ticket_id": Ticket}


def order_of_job(session: Session, function: str | None, args: tuple) -> str | None:
    """The order a failed job was working for, so its retry shows in that order's
    audit trail: an outbox delivery's message names the order or a row of it."""
    if not (function or "").endswith("deliver_outbox") or not args:
        return None
    message = session.get(OutboxMessage, str(args[0]))
    payload = (message.payload or {}) if message else {}
    if isinstance(payload.get("order_id"), str):
        return payload["order_id"]
    for key, model in _ORDER_OF.items():
        if isinstance(payload.get(key), str):
            row = session.get(model, payload[key])
            if row is not None and row.order_id:
                return row.order_id
    return None


_background: dict[str, tuple[float, str | None]] = {}
BACKGROUND_SECONDS = 15.0
"""Every staff page asks: look at Redis and the workers at most this often per process."""


def background_delay(redis_url: str) -> str | None:
    """Why notifications and other background work are delayed right now, or None.

    For the banner staff see on every page: one ping and one worker lookup, each
    bounded, remembered for 15 s.
    """
    hit = _background.get(redis_url)
    if hit is not None and time.monotonic() - hit[0] < BACKGROUND_SECONDS:
        return hit[1]
    connection = probe_connection(redis_url)
    why: str | None = None
    try:
        connection.ping()
        if not Worker.all(connection=connection):
            why = "no background worker is running; emails, tracking updates and refunds wait"
    except (redis.RedisError, OSError):
        why = "Redis is not answering; emails, tracking updates and refunds wait"
    finally:
        connection.close()
    _background[redis_url] = (time.monotonic(), why)
    return why
