"""Faults, with real processes: Redis stopped under a running API, worker and cron;
a worker SIGKILLed in the middle of an email delivery.

Every process here is one the test starts itself: its own redis-server on a free
port (never the shared local Redis), the API served alone by uvicorn, and
``python -m oms_dashboard worker`` / ``cron`` as a user starts them, each in a
process group of its own and stopped in ``finally``. The database is
PostgreSQL when ``OMS_TEST_DATABASE_URL`` is set (as in CI), else a SQLite file.
"""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import EmailMessage as Mime
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from rq import Queue

from oms_dashboard import models
from oms_dashboard.db import get_engine
from oms_dashboard.models.base import utcnow
from tests.conftest import PG_URL, drop_postgres_database, fresh_database_url
from tests.integration.conftest import free_port
from tests.integration.fault_harness import (
    Customer,
    Mailbox,
    Processes,
    RedisServer,
    Shop,
    email_keys,
    open_shop,
    outbox_row,
    outbox_rows,
    product_env,
)

SWEEP_SECONDS = 1
"""The cron's outbox sweep interval here (15 s by default)."""
DOWN_SECONDS = 10 * SWEEP_SECONDS
"""How long Redis stays down at least: every process that uses it notices, and a
request held up by it would take twice ``fault_harness.FAST``."""

# --- fixtures ------------------------------------------------------------------


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, str]]:
    sink = Mailbox()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield sink, f"smtp://127.0.0.1:{controller.port}"
    finally:
        sink.release()
        controller.stop()


@pytest.fixture
def database(tmp_path) -> Iterator[tuple[str, Any]]:
    backend = "postgresql" if PG_URL else "sqlite"
    url = fresh_database_url(backend, "faults", tmp_path)
    engine = get_engine(url)
    models.metadata.create_all(engine)
    try:
        yield url, engine
    finally:
        engine.dispose()
        if backend == "postgresql":
            drop_postgres_database(url)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path / "redis")
    try:
        yield server
    finally:
        if server.process is not None:
            server.thaw()
        server.kill()


@pytest.fixture
def processes(tmp_path) -> Iterator[Callable[[dict[str, str]], Processes]]:
    made: list[Processes] = []

    def make(env: dict[str, str]) -> Processes:
        made.append(Processes(env, tmp_path / "logs"))
        return made[-1]

    try:
        yield make
    finally:
        for group in made:
            group.stop_all()


# --- waiting and checking -------------------------------------------------------


def wait_for_delivery(engine, sink: Mailbox, *, emails: int, procs: Processes) -> None:
    """Until no outbox message waits and the SMTP server holds ``emails`` messages."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        rows = outbox_rows(engine)
        if all(r.status == "sent" for r in rows) and len(sink.received) >= emails:
            return
        time.sleep(0.1)
    raise AssertionError(
        f"not delivered: {[(r.kind, r.status, r.attempts, r.last_error) for r in rows]}, "
        f"{len(sink.received)} of {emails} emails\n{procs.logs_tail()}"
    )


def confirmations(sink: Mailbox, shop: Shop) -> list[Mime]:
    return [m for m in sink.to(shop.customer_email) if "is confirmed" in m["Subject"]]


def assert_told_once(sink: Mailbox, shop: Shop, engine, checkouts: int) -> None:
    """Each checkout's confirmation and each seller's new-order email, once each; every
    outbox message sent after one delivery; one email row per message sent."""
    rows = outbox_rows(engine)
    assert {(r.status, r.attempts) for r in rows} == {("sent", 1)}, [
        (r.kind, r.status, r.attempts, r.last_error) for r in rows
    ]
    assert len(confirmations(sink, shop)) == checkouts
    for address in shop.seller_staff:
        assert sum(m["Subject"].startswith("New order") for m in sink.to(address)) == checkouts
    copies = Counter(m["Message-ID"] for m in sink.received)
    assert set(copies.values()) == {1}, copies
    keys = email_keys(engine)
    assert len(keys) == len(set(keys)) == len(sink.received) == 3 * checkouts


# --- 12. Redis stopped ----------------------------------------------------------


def test_while_redis_is_killed_orders_go_on_and_every_message_is_sent_once_it_is_back(
    tmp_path, database, redis_server, mailbox, processes
):
    """Redis killed twice under a running API. Meanwhile checkouts and payment events
    answer as usual and fast, the API's pages serve, and nothing can be enqueued;
    once Redis is back (empty), a worker and the cron's sweep send every message
    written in the outage exactly once. Outage 1: the worker and the cron start
    after Redis is back. Outage 2: they run through it, and the worker is in the
    middle of a delivery when Redis dies."""
    url, engine = database
    sink, smtp_url = mailbox
    shop = open_shop(engine)
    redis_server.start()
    env = product_env(
        tmp_path, url, redis_server.url, smtp_url, OMS_OUTBOX_SWEEP_SECONDS=str(SWEEP_SECONDS)
    )
    procs = processes(env)
    customer = Customer(procs.api(), shop)
    background: dict[str, subprocess.Popen] = {}
    checkouts = 0
    for outage in (1, 2):
        if background:  # a checkout paid while Redis is up: its confirmation is held
            sink.hold(shop.customer_email, at="data")
            customer.pay(customer.check_out(quantity=10 + outage))
            checkouts += 1
            assert sink.entered.wait(30), procs.logs_tail()
        redis_server.kill()
        down_since = time.monotonic()

        assert customer.health()["wiring"]["enqueues_after_commit"] is True
        checkout = customer.check_out(quantity=outage)
        assert checkout["status"] == "pending_payment" and len(checkout["orders"]) == 2
        assert customer.pay(checkout)["outcome"] == "verified"
        checkouts += 1
        statuses = customer.order_statuses()
        assert {statuses[o["id"]] for o in checkout["orders"]} == {"processing"}
        mine = {checkout["checkout_id"], *(o["id"] for o in checkout["orders"])}
        waiting = [r for r in outbox_rows(engine) if set(r.payload.values()) & mine]
        assert sorted((r.kind, r.status) for r in waiting) == [
            ("customer.order_confirmation", "pending"),
            ("seller.new_order", "pending"),
            ("seller.new_order", "pending"),
        ]
        sink.release()  # the worker's delivery ends while Redis is down

        time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - down_since)))
        for name, process in background.items():
            assert process.poll() is None, f"the {name} died with Redis:\n{procs.log(name)}"
        redis_server.start()  # empty: whatever was queued before it died is gone
        if not background:
            background = {"worker": procs.worker(), "cron": procs.cron()}  # it sweeps at once
        wait_for_delivery(engine, sink, emails=3 * checkouts, procs=procs)
        assert_told_once(sink, shop, engine, checkouts=checkouts)
    assert "could not enqueue outbox delivery; the sweep will" in procs.log("api", tail=None)
    print(f"slowest request while Redis was down: {customer.slowest:.3f} s")


def test_a_frozen_redis_holds_up_no_request_and_every_message_is_sent_once_it_thaws(
    tmp_path, database, redis_server, mailbox, processes
):
    """Redis frozen (SIGSTOP) twice: it still accepts connections and never answers, like
    a server stuck on its disk or a paused VM. Checkouts and payment events still answer
    within FAST (the after-commit enqueue gives up on its own timeout), and once Redis
    thaws, the worker and the cron that lived through it send every message once."""
    url, engine = database
    sink, smtp_url = mailbox
    shop = open_shop(engine)
    redis_server.start()
    env = product_env(
        tmp_path, url, redis_server.url, smtp_url, OMS_OUTBOX_SWEEP_SECONDS=str(SWEEP_SECONDS)
    )
    procs = processes(env)
    customer = Customer(procs.api(), shop)
    background = {"worker": procs.worker(), "cron": procs.cron()}
    for freeze in (1, 2):
        redis_server.freeze()
        frozen_since = time.monotonic()
        checkout = customer.check_out(quantity=freeze)
        assert customer.pay(checkout)["outcome"] == "verified"
        statuses = customer.order_statuses()
        assert {statuses[o["id"]] for o in checkout["orders"]} == {"processing"}
        assert customer.health()["wiring"]["entry"] == "api"
        time.sleep(max(0.0, DOWN_SECONDS - (time.monotonic() - frozen_since)))
        redis_server.thaw()
        wait_for_delivery(engine, sink, emails=3 * freeze, procs=procs)
        assert_told_once(sink, shop, engine, checkouts=freeze)
        for name, process in background.items():
            assert process.poll() is None, f"the {name} died with Redis:\n{procs.log(name)}"
    assert "could not enqueue outbox delivery; the sweep will" in procs.log("api", tail=None)
    print(f"slowest request while Redis was frozen: {customer.slowest:.3f} s")


# --- 13. A worker killed in the middle of a delivery ------------------------------

LEASE_SECONDS = 3
"""OMS_OUTBOX_LEASE_SECONDS here (300 by default)."""


def sweep(redis_server: RedisServer, queue: str) -> dict[str, int]:
    """Enqueue the outbox sweep, as the cron does, and wait for a worker to run it."""
    job = Queue(queue, connection=redis_server.client()).enqueue(
        "oms_dashboard.jobs.tasks.sweep_outbox"
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = job.get_status(refresh=True)
        if status == "finished":
            return job.return_value()
        assert status != "failed", job.latest_result().exc_string
        time.sleep(0.05)
    raise AssertionError(f"no worker ran the sweep on {queue}")


@pytest.mark.parametrize(
    "held_at",
    [
        pytest.param("rcpt", id="before-the-server-has-the-message"),
        pytest.param("data", id="after-the-server-has-the-whole-message"),
    ],
)
def test_a_worker_killed_mid_delivery_leaves_the_email_to_the_sweep_once_its_lease_ends(
    tmp_path, database, redis_server, mailbox, processes, held_at
):
    """A worker is in the middle of the confirmation email, stuck at a slow SMTP server,
    when it is SIGKILLed; twice. The message stays `sending` with its lease: a sweep
    meanwhile leaves it alone (that worker might only be slow). Once the lease ends,
    the sweep run by a new worker delivers it, and the message is sent.

    What the customer receives depends on when the worker died, and the test asserts
    each exactly. Before the server had the message (stuck at RCPT): one email. After
    the server had the whole message (stuck in DATA, before its 250 reached the
    worker): two, since the server keeps what it received whole and SMTP offers no way
    to ask whether it did; both copies carry the same Message-ID, so a receiving system
    can drop the repeat, and the OMS records one email. Delivery is at-least-once."""
    url, engine = database
    sink, smtp_url = mailbox
    shop = open_shop(engine)
    redis_server.start()
    env = product_env(
        tmp_path, url, redis_server.url, smtp_url, OMS_OUTBOX_LEASE_SECONDS=str(LEASE_SECONDS)
    )
    procs = processes(env)
    # Deliveries go to the notifications queue; the sweeps during a lease are run
    # on "default" by a worker of their own, up before anything is killed.
    delivering = procs.start("worker-1", "-m", "oms_dashboard", "worker", "notifications")
    procs.start("sweeper", "-m", "oms_dashboard", "worker", "default")
    customer = Customer(procs.api(), shop)
    copies = {"rcpt": 1, "data": 2}[held_at]
    for kill in (1, 2):
        sink.hold(shop.customer_email, at=held_at)
        checkout = customer.check_out(quantity=kill)
        assert customer.pay(checkout)["outcome"] == "verified"
        assert sink.entered.wait(30), f"the confirmation never reached SMTP\n{procs.logs_tail()}"
        key = f"order-confirmation:{checkout['checkout_id']}"
        held = outbox_row(engine, key)
        assert (held.status, held.attempts) == ("sending", 1)
        assert held.available_at - utcnow() <= timedelta(seconds=LEASE_SECONDS)  # the setting

        procs.kill(delivering)
        sink.release()  # the server finishes its side with nobody listening
        delivering = procs.start(
            f"worker-{kill + 1}", "-m", "oms_dashboard", "worker", "notifications"
        )
        wait_for_emails(sink, shop.customer_email, (kill - 1) * copies + copies - 1)

        assert sweep(redis_server, "default") == {"sent": 0, "retry": 0, "failed": 0}
        left = outbox_row(engine, key)
        assert (left.status, left.attempts, left.available_at) == (
            "sending",
            1,
            held.available_at,
        )
        assert left.available_at > utcnow()  # the lease still runs

        time.sleep(max(0.0, (left.available_at - utcnow()).total_seconds()) + 0.1)
        assert sweep(redis_server, "notifications") == {"sent": 1, "retry": 0, "failed": 0}

        sent = outbox_row(engine, key)
        assert (sent.status, sent.attempts, sent.last_error) == ("sent", 2, None)
        assert email_keys(engine).count(f"email:{key}") == 1
        told = confirmations(sink, shop)
        assert len(told) == kill * copies
        this_one = [m for m in told if m["Message-ID"] == told[-1]["Message-ID"]]
        assert len(this_one) == copies  # a second copy is the same email, same Message-ID
        for address in shop.seller_staff:  # the sellers' emails went out before, once
            assert sum(m["Subject"].startswith("New order") for m in sink.to(address)) == kill
        assert {r.status for r in outbox_rows(engine)} == {"sent"}


def wait_for_emails(sink: Mailbox, address: str, count: int) -> None:
    """Until the SMTP server holds ``count`` messages to ``address`` (a held delivery
    finishes on the server's side after its release); then a moment more for any
    that should not come."""
    deadline = time.monotonic() + 10
    while len(sink.to(address)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    assert len(sink.to(address)) == count
