"""Every periodic job, with its interval: what ``python -m oms_dashboard cron`` schedules."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import redis
from rq.cron import CronScheduler
from rq.exceptions import StopRequested

from oms_dashboard.jobs import tasks
from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)
RECONNECT_SECONDS = (1, 2, 4, 8, 15)
"""Pauses between attempts to reach Redis again, the last one repeated."""


def periodic() -> tuple[tuple[Callable[[], object], str, int], ...]:
    """(function, queue, seconds between runs) of every periodic job."""
    return (
        (tasks.sweep_outbox, "notifications", get_settings().outbox_sweep_seconds),
        (tasks.expire_payment_holds, "default", 60),
        (tasks.purge_sessions, "default", 3600),
    )


def build_scheduler(connection) -> CronScheduler:
    scheduler = CronScheduler(connection=connection)
    for func, queue_name, seconds in periodic():
        scheduler.register(func, queue_name=queue_name, interval=seconds)
    return scheduler


def run_scheduler(connection) -> None:
    """Run the periodic jobs until stopped, through Redis outages.

    RQ's scheduler stops at the first Redis error. It must not: its outbox sweep
    is what delivers the messages written while Redis was down (their after-commit
    enqueue failed), and there is exactly one scheduler. So it waits for Redis, as
    an RQ worker does, and starts again; a fresh start enqueues every job at once,
    so the sweep runs as soon as Redis is back.
    """
    failures = 0
    while True:
        started = time.monotonic()
        try:
            build_scheduler(connection).start()  # returns when asked to stop
            return
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            if time.monotonic() - started > RECONNECT_SECONDS[-1]:
                failures = 0  # it ran for a while: a new outage, not the same one
            pause = RECONNECT_SECONDS[min(failures, len(RECONNECT_SECONDS) - 1)]
            failures += 1
            log.warning("Redis unreachable (%s); the scheduler starts again in %d s", exc, pause)
        try:
            time.sleep(pause)
        except (KeyboardInterrupt, StopRequested):
            return
