"""Builds the benchmark's world fast: bulk rows, tokens minted without the login route."""

from __future__ import annotations

import hashlib
import os
import secrets
import signal
import subprocess
import sys
import time
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
        users, profiles, logins, tokens = [], [], [], []
        for i in range(customers):
            user_id, email = new_id("usr"), f"bench{tag.lower()}{i}@example.com"
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
                    id=new_id("cus"),
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
    return {"skus": skus, "tokens": tokens}


class ServerProcess:
    """``uvicorn oms_dashboard.api:app`` as a separate process, like production."""

    def __init__(self, env: dict[str, str], *, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "OMS_PAYMENT_PROVIDER_URL": f"{self.url}/sandbox/payments"}
        self.argv = [
            sys.executable,
            "-m",
            "uvicorn",
            "oms_dashboard.api:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--backlog",
            "4096",
        ]

    def __enter__(self) -> ServerProcess:
        self.process = subprocess.Popen(self.argv, cwd=ROOT, env=self.env, start_new_session=True)
        wait_for(f"{self.url}/api/v1/health")
        return self

    def __exit__(self, *exc) -> None:
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


def server_pids(process: subprocess.Popen) -> list[int]:
    """The server process and its workers (uvicorn's children)."""
    children = subprocess.run(
        ["pgrep", "-P", str(process.pid)], capture_output=True, text=True, check=False
    ).stdout.split()
    return [process.pid, *map(int, children)]


def cpu_seconds(pids: list[int]) -> float:
    """user + system CPU the processes have used so far, from their own accounting."""
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def raw_post_burst(
    host: str, port: int, requests: list[tuple[str, dict, dict[str, str]]]
) -> list[tuple[int, float]]:
    """POST every (path, json body, headers) at once over its own connection; returns
    (status, seconds) each. Plain sockets with the bytes built beforehand: httpx's
    client cost ~1.3 ms of CPU per request, on the same two cores as the server."""
    import asyncio
    import json

    payloads = []
    for path, body, headers in requests:
        data = json.dumps(body).encode()
        head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        payloads.append(
            f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(data)}\r\n{head}Connection: close\r\n\r\n".encode()
            + data
        )
    connections = [await asyncio.open_connection(host, port) for _ in payloads]

    async def one(connection, payload: bytes) -> tuple[int, float]:
        reader, writer = connection
        began = time.perf_counter()
        writer.write(payload)
        answer = await reader.read()
        writer.close()
        return (int(answer.split(b" ", 2)[1]) if answer else 0), time.perf_counter() - began

    return await asyncio.gather(*(one(c, p) for c, p in zip(connections, payloads, strict=True)))


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
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
    import json

    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, default=str))
    return path
