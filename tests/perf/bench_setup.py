"""What the benchmarks share: the world built fast (bulk rows, tokens minted without the
login route), the servers started as production starts them, a load generator cheap
enough to share two cores with the server, and the servers' own CPU accounting."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import signal
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.db import get_engine
from oms_dashboard.ids import new_id
from oms_dashboard.models import Customer, Inventory, Product, Seller, User, UserSession
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.auth import hash_password
from oms_dashboard.settings import ROOT
from tests.integration.live_server import free_port

ADDRESS = {
    "name": "Bench Customer",
    "line1": "350 5th Ave",
    "city": "New York",
    "region": "NY",
    "postal_code": "10118",
    "country": "US",
}


def build_world(
    url: str, *, customers: int, hot_stock: int, cold_products: int, tag: str = ""
) -> dict:
    """One seller, a hot product with little stock, plenty of others, many customers.
    A ``tag`` makes the skus and emails unique, for a database that keeps its data."""
    engine = get_engine(url)
    now = utcnow()
    with Session(engine) as session:
        seller = Seller(
            id=new_id("sel"),
            name="Bench Outfitters",
            country="US",
            region="TX",
            city="Austin",
            postal_code="78701",
        )
        session.add(seller)
        session.flush()
        skus = [f"{tag}HOT-1"] + [f"{tag}COLD-{i}" for i in range(cold_products)]
        for sku in skus:
            session.add(
                Product(
                    id=new_id("prd"),
                    sku=sku,
                    seller_id=seller.id,
                    title=f"Item {sku}",
                    price_minor=2599,
                    currency="USD",
                    weight_grams=400,
                    length_mm=200,
                    width_mm=150,
                    height_mm=80,
                    origin_country="US",
                    hs_code="630790",
                )
            )
        session.flush()
        for sku in skus:
            stock = hot_stock if sku == skus[0] else 1_000_000
            session.add(Inventory(sku=sku, seller_id=seller.id, on_hand=stock, reserved=0))
        password_hash = hash_password("bench-password")
        users, profiles, logins, tokens, customer_ids = [], [], [], [], []
        for i in range(customers):
            user_id, email = new_id("usr"), f"bench{tag.lower()}{i}@example.com"
            customer_ids.append(new_id("cus"))
            users.append(
                dict(
                    id=user_id,
                    email=email,
                    email_lookup=email,
                    name=f"Bench {i}",
                    role="customer",
                    password_hash=password_hash,
                    is_active=True,
                    created_at=now,
                )
            )
            profiles.append(
                dict(
                    id=customer_ids[-1],
                    user_id=user_id,
                    name=f"Bench {i}",
                    email=email,
                    created_at=now,
                )
            )
            token = secrets.token_urlsafe(32)
            tokens.append((token, email))
            logins.append(
                dict(
                    token_hash=hashlib.sha256(token.encode()).hexdigest(),
                    user_id=user_id,
                    created_at=now,
                    expires_at=now + timedelta(hours=2),
                    channel="api",
                )
            )
        session.execute(sa.insert(User), users)
        session.execute(sa.insert(Customer), profiles)
        session.execute(sa.insert(UserSession), logins)
        session.commit()
    return {"skus": skus, "tokens": tokens, "customer_ids": customer_ids}


class ServerProcess:
    """``oms_dashboard.api:app`` served by a separate process, like production: uvicorn,
    or Granian (``server="granian"``, as the README says to serve the API alone; it
    spreads keep-alive connections over its workers, where uvicorn's shared socket
    gave one worker most of them: docs/PERFORMANCE.md)."""

    startup_timeout = 60.0

    def __init__(self, env: dict[str, str], *, workers: int = 2, server: str = "uvicorn") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "OMS_PAYMENT_PROVIDER_URL": f"{self.url}/sandbox/payments"}
        listen = ["--host", "127.0.0.1", "--port", str(self.port), "--workers", str(workers)]
        listen += ["--log-level", "warning", "--backlog", "4096"]
        if server == "granian":
            self.argv = [sys.executable, "-m", "granian", "--interface", "asgi", "--loop"]
            self.argv += ["uvloop", *listen, "oms_dashboard.api:app"]
        else:
            self.argv = [sys.executable, "-m", "uvicorn", "oms_dashboard.api:app", *listen]

    def __enter__(self) -> ServerProcess:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, start_new_session=True)
        try:
            wait_for(f"{self.url}/api/v1/health", self.startup_timeout, self.process)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def pids(self) -> list[int]:
        """The server's processes: the one started and every process it forked."""
        return process_tree(self.process.pid)


class ReflexBackend(ServerProcess):
    """The app's backend as ``reflex run --env prod`` serves it (the pages' state and
    the mounted API on one port), without building the frontend: ``--backend-only``
    runs the same Granian server on the same app. Reflex 0.10.1 starts
    ``GRANIAN_WORKERS`` workers, else 1 without ``REFLEX_REDIS_URL`` and
    ``2 * cores + 1`` (at most 8) with it (``reflex.utils.processes.get_num_workers``)."""

    startup_timeout = 300.0

    def __init__(
        self, env: dict[str, str], *, workers: int = 1, shared_state_url: str | None = None
    ) -> None:
        super().__init__(env)
        self.env |= {
            "GRANIAN_WORKERS": str(workers),
            "REFLEX_TELEMETRY_ENABLED": "false",
            "REFLEX_USE_SYSTEM_BUN": "1",
            "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{os.environ['PATH']}",
        }
        if shared_state_url:  # more than one worker share the pages' state there
            self.env["REFLEX_REDIS_URL"] = shared_state_url
        else:
            self.env.pop("REFLEX_REDIS_URL", None)
        self.argv = [
            sys.executable,
            "-m",
            "reflex",
            "run",
            "--env",
            "prod",
            "--backend-only",
            "--backend-host",
            "127.0.0.1",
            "--backend-port",
            str(self.port),
        ]


def wait_for(url: str, timeout: float = 60, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode}")
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer in {timeout} s")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def write_result(name: str, data: dict) -> Path:
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path


# --- The servers' own CPU accounting -------------------------------------------------

_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    """/proc/<pid>/stat after the command name: field 3 (state) comes first."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()


def process_tree(root: int) -> list[int]:
    """``root`` and all its descendants alive now."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                children[int(_stat_fields(int(entry.name))[1])].append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    tree, todo = [], [root]
    while todo:
        pid = todo.pop()
        tree.append(pid)
        todo.extend(children.get(pid, []))
    return sorted(tree)


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU each process has used so far (all its threads), in seconds."""
    used = {}
    for pid in pids:
        try:
            fields = _stat_fields(pid)
        except OSError:
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
    return used


def machine_cpu_seconds() -> float:
    """CPU time every core of the machine has spent busy so far (/proc/stat: all but idle
    and iowait), in seconds."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(fields[:8]) - fields[3] - fields[4]) / _CLOCK_TICKS


def postgres_cpu_seconds(url: str) -> float:
    """CPU time PostgreSQL has used so far: each live process (the postmaster, a
    backend's parent, and all it forked) and every backend that has ended (the
    postmaster waits for each, so theirs is in its children's time), in seconds."""
    with get_engine(url).connect() as conn:
        backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
    postmaster = int(_stat_fields(backend)[1])
    fields = _stat_fields(postmaster)
    ended = (int(fields[13]) + int(fields[14])) / _CLOCK_TICKS
    return ended + sum(cpu_seconds(process_tree(postmaster)).values())


# --- A load generator that leaves the cores to the server ----------------------------


def post_json(host: str, path: str, body: dict, headers: dict[str, str]) -> bytes:
    """One HTTP/1.1 POST with a JSON body, as bytes, closing the connection after."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {host}",
        "Content-Type: application/json",
        f"Content-Length: {len(payload)}",
        "Connection: close",
        *(f"{name}: {value}" for name, value in headers.items()),
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + payload


@dataclass(frozen=True)
class Answer:
    status: int
    """0: the connection failed or closed before a whole answer."""
    seconds: float
    """From sending the request to the answer's last byte."""
    body: bytes = b""


@dataclass(frozen=True)
class Burst:
    answers: list[Answer]
    seconds: float
    """From the first request sent to the last answer's last byte."""
    connect_seconds: float
    client_cpu_seconds: float
    """This process's CPU for the whole burst, connecting included."""


class _Exchange(asyncio.Protocol):
    """One request on a connection of its own: sent when told, the answer read by its
    Content-Length (or to the close), then the connection closed."""

    def __init__(self, request: bytes, answered: asyncio.Future) -> None:
        self.request, self.answered = request, answered
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.sent_at = 0.0
        self.status = 0
        self.body_at = -1
        self.length = -1

    def connection_made(self, transport) -> None:
        self.transport = transport

    def send(self) -> None:
        self.sent_at = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if self.body_at < 0:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            lines = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
            self.status, self.body_at = int(lines[0].split(" ", 2)[1]), end + 4
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    self.length = int(value)
        if 0 <= self.length <= len(self.buffer) - self.body_at:
            self._answer(self.status)

    def connection_lost(self, exc: Exception | None) -> None:
        # Without a Content-Length the answer ends with the connection.
        self._answer(self.status if self.body_at >= 0 and self.length < 0 else 0)

    def _answer(self, status: int) -> None:
        if not self.answered.done():
            body = bytes(self.buffer[self.body_at :]) if self.body_at >= 0 else b""
            self.answered.set_result(Answer(status, time.perf_counter() - self.sent_at, body))
        if self.transport is not None:
            self.transport.close()


async def _burst(host: str, port: int, requests: list[bytes], timeout: float) -> Burst:
    loop = asyncio.get_running_loop()
    cpu_before, began = time.process_time(), time.perf_counter()
    exchanges = [_Exchange(request, loop.create_future()) for request in requests]

    async def connect(exchange: _Exchange) -> None:
        try:
            await loop.create_connection(lambda: exchange, host, port)
        except OSError:
            exchange.answered.set_result(Answer(0, 0.0))

    await asyncio.gather(*(connect(exchange) for exchange in exchanges))
    first_sent = time.perf_counter()
    for exchange in exchanges:
        if exchange.transport is not None:
            exchange.send()
    answers = await asyncio.wait_for(
        asyncio.gather(*(exchange.answered for exchange in exchanges)), timeout
    )
    done = time.perf_counter()
    return Burst(
        answers=list(answers),
        seconds=done - first_sent,
        connect_seconds=first_sent - began,
        client_cpu_seconds=time.process_time() - cpu_before,
    )


class KeepAliveClient:
    """One keep-alive HTTP/1.1 connection, one request at a time, on asyncio streams:
    a client of many for a load generator, ~10 times cheaper than httpx's per request
    (httpx used ~6 ms of CPU per request on the cores the server needs, measured)."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        address = httpx.URL(url)
        self.host, self.port = address.host, address.port
        self.head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self, method: str, target: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> tuple[int, bytes]:
        """(status, body) of one exchange; reconnects if the server closed the connection."""
        if self.writer is None or self.writer.is_closing():
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        extra = "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
        self.writer.write(
            f"{method} {target} HTTP/1.1\r\nHost: {self.host}\r\n{self.head}{extra}"
            f"Content-Length: {len(body)}\r\n\r\n".encode("latin-1")
            + body
        )
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status, length, close = int(head[0].split(" ", 2)[1]), 0, False
        for line in head[1:]:
            name, _, value = line.partition(":")
            name = name.strip().lower()
            if name == "content-length":
                length = int(value)
            elif name == "connection" and value.strip().lower() == "close":
                close = True
        answer = await self.reader.readexactly(length)
        if close:
            await self.close()
        return status, answer

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.writer = None


def raw_burst(url: str, requests: list[bytes], *, timeout: float = 600) -> Burst:
    """Open a connection per request, then send every request at once and read every
    answer. Plain asyncio sockets on uvloop: no HTTP client's per-request CPU on the
    cores the server needs (httpx's was ~1.3 ms per request, measured)."""
    import resource

    import uvloop

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, len(requests) + 256))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    address = httpx.URL(url)
    return uvloop.run(_burst(address.host, address.port, requests, timeout))
