"""The worker process: RQ's SimpleWorker on the queues, kept serving through Redis outages."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import redis
from rq.worker import SimpleWorker

from oms_dashboard.jobs.connection import get_queue, wait_for_redis

log = logging.getLogger(__name__)


class Worker(SimpleWorker):
    """Runs jobs in its own process instead of forking one per job, so database
    connections and compiled templates are reused (a fork per job cost ~0.7 s of
    start-up per email). A crash mid-job loses nothing: the outbox lease hands
    the message to the next sweep."""

    asked_to_stop = False

    def request_stop(self, signum, frame) -> None:
        self.asked_to_stop = True
        super().request_stop(signum, frame)


def run_worker(queue_names: Sequence[str], connection: redis.Redis) -> None:
    """Serve ``queue_names`` until asked to stop (SIGTERM, Ctrl-C), through Redis outages.

    RQ's worker waits for Redis while it waits for a job, but quits when Redis
    fails anywhere else: while it records a job it has just run, in its
    bookkeeping, on a timeout, or when it starts. A worker that quits stops every
    delivery, the sweep's included; so this one waits for Redis and starts a
    fresh worker (the outbox makes whatever the old one was doing safe to redo).
    """
    while True:
        worker = None
        try:
            worker = Worker([get_queue(name) for name in queue_names], connection=connection)
            worker.work(with_scheduler=True)
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            log.warning("the worker stopped: Redis failed (%s)", exc)
        if worker is not None and worker.asked_to_stop:
            return
        if not wait_for_redis(connection):
            return
