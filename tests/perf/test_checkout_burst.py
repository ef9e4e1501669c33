"""A burst of 1,000 concurrent checkouts against a real server on PostgreSQL.

Half of them want one hot product that has less stock than they demand.
Measures latency and throughput, proves zero oversell, and compares with the
same SQL transaction driven straight through psycopg (the database ceiling).
Run with `make bench`; the figures go to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
import psycopg
import pytest
import sqlalchemy as sa

from oms_dashboard.migrations import upgrade_to_head
from tests.conftest import PG_URL, drop_postgres_database, fresh_postgres_database
from tests.perf.bench_setup import ADDRESS, ServerProcess, build_world, percentile, write_result

pytestmark = pytest.mark.perf

REQUESTS = int(os.environ.get("BENCH_CHECKOUTS", 1000))
HOT_STOCK = REQUESTS // 5  # 200 units for 500 buyers


@pytest.fixture(scope="module")
def bench_db():
    if not PG_URL:
        pytest.fail("set OMS_TEST_DATABASE_URL to a PostgreSQL database to run the benchmark")
    url = fresh_postgres_database("oms_bench")
    upgrade_to_head(url)
    yield url
    sa.create_engine(url).dispose()
    drop_postgres_database(url)


async def _burst(url: str, jobs: list[tuple[str, str, str]]) -> list[tuple[int, float, str]]:
    """Every request at once; returns (status, seconds, sku) per request."""
    limits = httpx.Limits(max_connections=len(jobs), max_keepalive_connections=0)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        start = asyncio.Event()

        async def one(token: str, sku: str, key: str) -> tuple[int, float, str]:
            await start.wait()
            body = {"lines": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS}
            headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
            began = time.perf_counter()
            response = await client.post("/api/v1/checkouts", json=body, headers=headers)
            return response.status_code, time.perf_counter() - began, sku

        tasks = [asyncio.create_task(one(*job)) for job in jobs]
        await asyncio.sleep(0.5)
        start.set()
        return await asyncio.gather(*tasks)


def test_burst_of_concurrent_checkouts(bench_db):
    world = build_world(bench_db, customers=REQUESTS, hot_stock=HOT_STOCK, cold_products=50)
    cold = world["skus"][1:]
    jobs = [
        (token, "HOT-1" if i % 2 == 0 else cold[i % len(cold)], f"burst-{i}")
        for i, (token, _email) in enumerate(world["tokens"])
    ]
    env = {
        "OMS_DATABASE_URL": bench_db,
        "OMS_ENV": "development",
        "OMS_REDIS_URL": "redis://127.0.0.1:6379/7",
    }
    with ServerProcess(env) as server:
        began = time.perf_counter()
        results = asyncio.run(_burst(server.url, jobs))
        elapsed = time.perf_counter() - began

        # The same key replayed 10x concurrently: exactly one checkout.
        token = world["tokens"][-1][0]
        replay = [(token, cold[0], "replayed-key")] * 10
        replay_results = asyncio.run(_burst(server.url, replay))

    statuses = [status for status, _, _ in results]
    latencies = [seconds for _, seconds, _ in results]
    hot_sold = sum(1 for status, _, sku in results if sku == "HOT-1" and status == 201)
    engine = sa.create_engine(bench_db.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        reserved, on_hand = conn.execute(
            sa.text("SELECT reserved, on_hand FROM inventory WHERE sku = 'HOT-1'")
        ).one()
        replay_checkouts = conn.execute(
            sa.text("SELECT count(*) FROM checkouts WHERE idempotency_key = 'replayed-key'")
        ).scalar()
        negative = conn.execute(
            sa.text("SELECT count(*) FROM inventory WHERE reserved > on_hand")
        ).scalar()
    engine.dispose()

    ceiling = _database_ceiling(bench_db, transactions=REQUESTS)
    result = {
        "requests": REQUESTS,
        "status_counts": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "hot_stock": HOT_STOCK,
        "hot_sold": hot_sold,
        "hot_reserved": reserved,
        "seconds": round(elapsed, 2),
        "checkouts_per_second": round(statuses.count(201) / elapsed, 1),
        "requests_per_second": round(REQUESTS / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000),
        "p95_ms": round(percentile(latencies, 95) * 1000),
        "p99_ms": round(percentile(latencies, 99) * 1000),
        "replay_statuses": sorted(s for s, _, _ in replay_results),
        "replay_checkouts": replay_checkouts,
        "db_ceiling": ceiling,
        "ratio_to_ceiling": round((REQUESTS / elapsed) / ceiling["transactions_per_second"], 2),
    }
    print(write_result("checkout_burst", result))
    print(result)

    assert set(statuses) <= {201, 409}, result["status_counts"]
    assert hot_sold == HOT_STOCK == reserved <= on_hand
    assert negative == 0
    assert replay_checkouts == 1 and set(result["replay_statuses"]) == {201}


def _database_ceiling(url: str, *, transactions: int, concurrency: int = 60) -> dict:
    """The checkout's SQL, straight through psycopg: what the database alone can do."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        seller_id, customer_id = conn.execute(
            "SELECT s.id, c.id FROM sellers s, customers c LIMIT 1"
        ).fetchone()
        conn.execute(
            "UPDATE inventory SET on_hand = on_hand + %s WHERE sku = 'HOT-1'", (transactions,)
        )
        conn.commit()
    counter = iter(range(transactions))
    lock = threading.Lock()

    def worker() -> int:
        done = 0
        with psycopg.connect(conninfo) as conn:
            while True:
                with lock:
                    i = next(counter, None)
                if i is None:
                    return done
                sku = "HOT-1" if i % 2 == 0 else f"COLD-{i % 50}"
                _raw_checkout(conn, seller_id, customer_id, sku, i)
                done += 1

    began = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        total = sum(pool.map(lambda _: worker(), range(concurrency)))
    elapsed = time.perf_counter() - began
    return {
        "transactions": total,
        "concurrency": concurrency,
        "seconds": round(elapsed, 2),
        "transactions_per_second": round(total / elapsed, 1),
    }


def _raw_checkout(
    conn: psycopg.Connection, seller_id: str, customer_id: str, sku: str, i: int
) -> None:
    """Insert checkout, reserve, insert order, line and event, store the answer: one commit."""
    checkout_id, order_id = f"chk_raw{i}", f"ord_raw{i}"
    with conn.transaction():
        conn.execute(
            "SELECT id FROM checkouts WHERE customer_id = %s AND idempotency_key = %s",
            (customer_id, f"raw-{i}"),
        )
        conn.execute(
            "INSERT INTO checkouts (id, customer_id, idempotency_key, request_hash, status,"
            " currency, total_minor, service_level, payment_status, payment_attempts, created_at,"
            " hold_expires_at, ship_name, ship_line1, ship_city, ship_region, ship_postal_code,"
            " ship_country) VALUES (%s, %s, %s, 'h', 'pending_payment', 'USD', 3198,"
            " 'standard', 'pending', 0, now(), now() + interval '30 minutes', 'n', 'l', 'c',"
            " 'NY', '10118', 'US')",
            (checkout_id, customer_id, f"raw-{i}"),
        )
        conn.execute(
            "UPDATE inventory SET reserved = reserved + 1"
            " WHERE sku = %s AND on_hand - reserved >= 1",
            (sku,),
        )
        conn.execute(
            "INSERT INTO orders (id, number, checkout_id, seller_id, customer_id, customer_email,"
            " status, currency, subtotal_minor, shipping_minor, total_minor, service_level,"
            " stock_status, placed_at, updated_at, ship_name, ship_line1, ship_city, ship_region,"
            " ship_postal_code, ship_country) VALUES (%s, %s, %s, %s, %s, 'e', 'pending_payment',"
            " 'USD', 2599, 599, 3198, 'standard', 'held', now(), now(), 'n', 'l', 'c', 'NY',"
            " '10118', 'US')",
            (order_id, f"RAW-{i}-{uuid.uuid4().hex[:6]}", checkout_id, seller_id, customer_id),
        )
        conn.execute(
            "INSERT INTO order_lines (id, order_id, seller_id, sku, title, quantity,"
            " unit_price_minor, line_total_minor) VALUES (%s, %s, %s, %s, 't', 1, 2599, 2599)",
            (f"oln_raw{i}", order_id, seller_id, sku),
        )
        conn.execute(
            "INSERT INTO order_events (id, order_id, seller_id, type, at, actor_type, actor_label,"
            " to_status)"
            " VALUES (%s, %s, %s, 'order.placed', now(), 'user', 'c', 'pending_payment')",
            (f"evt_raw{i}", order_id, seller_id),
        )
        conn.execute("UPDATE checkouts SET response = '{}' WHERE id = %s", (checkout_id,))
