"""Order search over a large database: 16 clients search while checkouts are placed.

Uses the database ``tests.perf.million`` built (``BENCH_SEARCH_URL``, default
oms_bench_search on the test server); when it has no orders, builds
``BENCH_SEARCH_ORDERS`` (default 1,000,000) first. Each client runs every search
shape in turn through ``GET /api/v1/orders`` on a real server (Granian, 2 workers;
``BENCH_SERVER=uvicorn`` for uvicorn) while other clients keep placing checkouts, each
client on a keep-alive connection of its own (``KeepAliveClient``: a load generator
cheap enough not to take the server's cores). Reports p50/p95/p99 per shape and the
server's CPU per request, and writes var/bench/search.json; figures go to
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import secrets
import time
from datetime import timedelta
from urllib.parse import urlencode

import psycopg
import pytest
import sqlalchemy as sa

from oms_dashboard.ids import new_id
from oms_dashboard.models.base import utcnow
from tests.conftest import PG_URL
from tests.perf.bench_setup import (
    ADDRESS,
    KeepAliveClient,
    ServerProcess,
    build_world,
    cpu_seconds,
    machine_cpu_seconds,
    percentile,
    postgres_cpu_seconds,
    write_result,
)

pytestmark = pytest.mark.perf

CLIENTS = 16
ROUNDS = int(os.environ.get("BENCH_SEARCH_ROUNDS", 6))
BUYERS = 4
SERVER = os.environ.get("BENCH_SERVER", "granian")
"""What serves the API: granian (as the README says) or uvicorn, 2 workers."""


def _bench_url() -> str:
    if os.environ.get("BENCH_SEARCH_URL"):
        return os.environ["BENCH_SEARCH_URL"]
    if not PG_URL:
        pytest.fail("set OMS_TEST_DATABASE_URL to a PostgreSQL database to run the benchmark")
    return str(sa.make_url(PG_URL).set(database="oms_bench_search"))


def _has_orders(url: str) -> bool:
    try:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT count(*) FROM orders").fetchone()[0] > 1000
    except psycopg.Error:
        return False


def _admin_token(url: str) -> str:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with psycopg.connect(url) as conn:
        user_id = new_id("usr")
        conn.execute(
            "INSERT INTO users (id, email, email_lookup, name, role, password_hash, is_active,"
            " created_at) VALUES (%s, %s, %s, 'Bench Admin', 'admin', 'x', true, %s)",
            (user_id, f"{user_id}@bench.example", f"{user_id}@bench.example", now),
        )
        conn.execute(
            "INSERT INTO user_sessions (token_hash, user_id, created_at, expires_at, channel)"
            " VALUES (%s, %s, %s, %s, 'api')",
            (hashlib.sha256(token.encode()).hexdigest(), user_id, now, now + timedelta(hours=2)),
        )
    return token


def _shapes(url: str) -> dict[str, dict]:
    """One request per search shape, with terms taken from the data."""
    with psycopg.connect(url) as conn:
        (order_id, number, email, name, seller_id) = conn.execute(
            "SELECT id, number, customer_email, ship_name, seller_id FROM orders"
            " ORDER BY placed_at LIMIT 1 OFFSET 12345"
        ).fetchone()
        sku, title = conn.execute(
            "SELECT sku, title FROM order_lines ORDER BY id LIMIT 1 OFFSET 777"
        ).fetchone()
        tracking = conn.execute(
            "SELECT tracking_number FROM shipments ORDER BY id LIMIT 1 OFFSET 4321"
        ).fetchone()[0]
    word = max(title.split(), key=len)
    return {
        "list_newest": {},
        "id_exact": {"q": order_id, "search_in": "id"},
        "number_exact": {"q": number},
        "email_part": {"q": email.split("@")[0][-8:], "search_in": "email"},
        "name_part": {"q": name.split()[-1], "search_in": "name"},
        "sku_part": {"q": sku[-6:], "search_in": "sku"},
        "title_word": {"q": word, "search_in": "title"},
        "tracking_part": {"q": tracking[-9:], "search_in": "tracking"},
        "any_field": {"q": tracking[-9:]},
        "filters_combined": {"status": "delivered", "carrier": "ups", "country": "CA"},
        "seller_flagged": {"seller_id": seller_id, "flagged": "true"},
        "date_range_status": {
            "status": "processing,shipped",
            "placed_from": (utcnow() - timedelta(days=3)).isoformat(),
        },
    }


async def _run(base: str, token: str, shapes: dict, buyers: list[tuple[str, str]], sku: str):
    timings: dict[str, list[float]] = {name: [] for name in shapes}
    statuses: dict[int, int] = {}
    stop = asyncio.Event()
    checkouts = {"ok": 0, "other": 0}
    json_type = {"Content-Type": "application/json"}

    async def searcher(n: int) -> None:
        client = KeepAliveClient(base, {"Authorization": f"Bearer {token}"})
        names = list(shapes)
        for r in range(ROUNDS):
            for k in range(len(names)):
                name = names[(n + k + r) % len(names)]
                target = "/api/v1/orders?" + urlencode({**shapes[name], "limit": 50})
                began = time.perf_counter()
                status, _ = await client.request("GET", target)
                timings[name].append(time.perf_counter() - began)
                statuses[status] = statuses.get(status, 0) + 1
        await client.close()

    async def buyer(token: str, n: int) -> None:
        client = KeepAliveClient(base, {"Authorization": f"Bearer {token}"})
        body = json.dumps({"lines": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS})
        i = 0
        while not stop.is_set():
            status, _ = await client.request(
                "POST",
                "/api/v1/checkouts",
                body.encode(),
                json_type | {"Idempotency-Key": f"s{n}-{i}"},
            )
            checkouts["ok" if status in (200, 201, 202) else "other"] += 1
            i += 1
        await client.close()

    buying = [asyncio.create_task(buyer(t, n)) for n, (t, _) in enumerate(buyers)]
    began, cpu_before = time.perf_counter(), time.process_time()
    await asyncio.gather(*(searcher(n) for n in range(CLIENTS)))
    elapsed, client_cpu = time.perf_counter() - began, time.process_time() - cpu_before
    stop.set()
    await asyncio.gather(*buying)
    return timings, statuses, checkouts, elapsed, client_cpu


def test_search_shapes_under_load():
    url = _bench_url()
    load_report = None
    if not _has_orders(url):
        from tests.perf.million import load

        load_report = load(url, int(os.environ.get("BENCH_SEARCH_ORDERS", 1_000_000)))
    with psycopg.connect(url) as conn:
        orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
    tag = secrets.token_hex(3).upper() + "-"  # the database keeps earlier runs' worlds
    world = build_world(url, customers=BUYERS, hot_stock=1_000_000, cold_products=1, tag=tag)
    token = _admin_token(url)
    shapes = _shapes(url)
    env = {
        "OMS_DATABASE_URL": url,
        "OMS_ENV": "development",
        "OMS_REDIS_URL": os.environ.get("OMS_TEST_REDIS_URL", "redis://127.0.0.1:6379/7"),
    }
    load_before = os.getloadavg()
    with ServerProcess(env, server=SERVER) as server:
        pids = server.pids()
        cpu_before, pg_before = cpu_seconds(pids), postgres_cpu_seconds(url)
        machine_before = machine_cpu_seconds()
        timings, statuses, checkouts, elapsed, client_cpu = asyncio.run(
            _run(server.url, token, shapes, world["tokens"], world["skus"][0])
        )
        cpu_after, pg_after = cpu_seconds(pids), postgres_cpu_seconds(url)
        machine_after = machine_cpu_seconds()
    requests = sum(len(v) for v in timings.values()) + sum(checkouts.values())
    server_cpu = sum(
        cpu_after[p] - cpu_before[p] for p in pids if p in cpu_before and p in cpu_after
    )
    report = {
        "orders": orders,
        "clients": CLIENTS,
        "server": f"{SERVER}, 2 workers",
        "requests": sum(len(v) for v in timings.values()),
        "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 2),
        "postgres_cpu_ms_per_request": round((pg_after - pg_before) * 1000 / requests, 2),
        "machine_cpu_ms_per_request": round((machine_after - machine_before) * 1000 / requests, 2),
        "client_cpu_ms_per_request": round(client_cpu * 1000 / requests, 2),
        "load_before": load_before,
        "elapsed_s": round(elapsed, 1),
        "statuses": statuses,
        "checkouts_during": checkouts,
        "load": load_report,
        "shapes": {
            name: {
                "params": shapes[name],
                "n": len(values),
                "p50_ms": round(percentile(values, 50) * 1000, 1),
                "p95_ms": round(percentile(values, 95) * 1000, 1),
                "p99_ms": round(percentile(values, 99) * 1000, 1),
            }
            for name, values in timings.items()
        },
    }
    path = write_result("search", report)
    print(f"\n{orders:,} orders, {report['requests']} searches in {elapsed:.1f} s -> {path}")
    print(
        f"{SERVER}: server CPU {report['server_cpu_ms_per_request']} ms per request"
        f" (searches and checkouts), PostgreSQL {report['postgres_cpu_ms_per_request']} ms,"
        f" machine {report['machine_cpu_ms_per_request']} ms,"
        f" load generator {report['client_cpu_ms_per_request']} ms"
    )
    for name, row in report["shapes"].items():
        p50, p95, p99 = row["p50_ms"], row["p95_ms"], row["p99_ms"]
        print(f"{name:20} p50 {p50:7.1f}  p95 {p95:7.1f}  p99 {p99:7.1f}")
    print("checkouts placed meanwhile:", checkouts)
    assert set(statuses) == {200}, statuses
    assert checkouts["ok"] > 0
