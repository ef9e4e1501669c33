"""Every periodic job, with its interval: the configuration `rq cron` loads."""

from __future__ import annotations

from rq import cron

from oms_dashboard.jobs import tasks

PERIODIC = (
    # (function, queue, seconds between runs)
    (tasks.sweep_outbox, "notifications", 15),
    (tasks.expire_payment_holds, "default", 60),
    (tasks.purge_sessions, "default", 3600),
)

for func, queue_name, seconds in PERIODIC:
    cron.register(func, queue_name=queue_name, interval=seconds)
