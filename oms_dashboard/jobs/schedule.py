"""Every periodic job, with its interval: what ``python -m oms_dashboard cron`` schedules."""

from __future__ import annotations

from collections.abc import Callable

from rq.cron import CronScheduler

from oms_dashboard.jobs import tasks
from oms_dashboard.settings import get_settings


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
