"""Every periodic job, with its interval: what ``python -m oms_dashboard cron`` schedules."""

from __future__ import annotations

from rq.cron import CronScheduler

from oms_dashboard.jobs import tasks

PERIODIC = (
    # (function, queue, seconds between runs)
    (tasks.sweep_outbox, "notifications", 15),
    (tasks.expire_payment_holds, "default", 60),
    (tasks.purge_sessions, "default", 3600),
)


def build_scheduler(connection) -> CronScheduler:
    scheduler = CronScheduler(connection=connection)
    for func, queue_name, seconds in PERIODIC:
        scheduler.register(func, queue_name=queue_name, interval=seconds)
    return scheduler
