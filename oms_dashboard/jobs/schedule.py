"""Every periodic job, with its interval: what ``python -m oms_dashboard cron`` schedules."""

from __future__ import annotations

import logging
from collections.abc import Callable

import redis
from rq.cron import CronScheduler

from oms_dashboard.bootstrap import current
from oms_dashboard.jobs import tasks
from oms_dashboard.jobs.connection import wait_for_redis
from oms_dashboard.services.cron_runs import recorded_run
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)


def periodic() -> tuple[tuple[Callable[[], object], str, int], ...]:
    """(function, queue, seconds between runs) of every periodic job."""
    return (
        (tasks.sweep_outbox, "notifications", get_settings().outbox_sweep_seconds),
        (tasks.expire_payment_holds, "default", 60),
        (tasks.rescue_payment_verifications, "default", 60),
        (tasks.sync_tracking, "carriers", 10),
        (tasks.flag_stuck_shipments, "carriers", 300),
        (tasks.advance_sandbox_carriers, "carriers", 10),
        (tasks.purge_sessions, "default", 3600),
        (tasks.flag_overdue_refunds, "default", 300),
        (tasks.escalate_cancellation_requests, "default", 300),
        (tasks.roll_up_recent_kpis, "default", 300),
        (tasks.roll_up_all_kpis, "default", 86400),
        (tasks.verify_audit_chain, "default", 86_400),
    )


JOB_TIMEOUTS = {"roll_up_recent_kpis": 1800, "roll_up_all_kpis": 3600}
"""Seconds a periodic job may run when RQ's default (180 s) is too short: rolling up
every day of a million orders takes minutes (docs/PERFORMANCE.md)."""


def intervals() -> tuple[tuple[str, int], ...]:
    """(job name, seconds between runs): what the health page checks the runs against."""
    return tuple((func.__name__, seconds) for func, _, seconds in periodic())


def run_recorded(job: str) -> object:
    """What the cron enqueues: the periodic job ``job``, its run written to ``cron_runs``."""
    [func] = [func for func, _, _ in periodic() if func.__name__ == job]
    return recorded_run(current().engine, job, func)


def build_scheduler(connection) -> CronScheduler:
    scheduler = CronScheduler(connection=connection)
    for func, queue_name, seconds in periodic():
        # One cron job per periodic job (RQ names them by function unless told).
        scheduler.register(
            run_recorded,
            queue_name=queue_name,
            args=(func.__name__,),
            interval=seconds,
            name=func.__name__,
            job_timeout=JOB_TIMEOUTS.get(func.__name__),
        )
    return scheduler


def run_scheduler(connection) -> None:
    """Run the periodic jobs until stopped, through Redis outages.

    RQ's scheduler stops at its first Redis error. This one must not: its outbox
    sweep is what delivers the messages written while Redis was down (their
    after-commit enqueue failed), and there is exactly one scheduler. So it waits
    for Redis and starts again, and a fresh start enqueues every job at once: the
    sweep runs as soon as Redis is back.
    """
    while True:
        try:
            build_scheduler(connection).start()  # returns once asked to stop
            return
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("the scheduler stopped: Redis failed (%s)", exc)
        if not wait_for_redis(connection):
            return
