"""A burst of 1,000 concurrent checkouts against a real server on PostgreSQL.

Half of them want one hot product that has less stock than they demand.
Measures latency, throughput and the server's CPU per request (its processes' own
accounting), counts the SQL statements of one checkout (an engine event, in-process,
through the same app), proves zero oversell, and compares with the same statements
driven straight through psycopg at 8, 16, 32 and 64 connections (the database
ceiling, taken at its best). Run with `make bench`; the figures go to
docs/PERFORMANCE.md.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import sqlalchemy as sa

from oms_dashboard.migrations import upgrade_to_head
from tests.conftest import PG_URL, drop_postgres_database, fresh_postgres_database
from tests.perf.bench_setup import (
    ADDRESS,
    ServerProcess,
    build_world,
    cpu_seconds,
    percentile,
    raw_post_burst,
    server_pids,
    write_result,
)

pytestmark = pytest.mark.perf

REQUESTS = int(os.environ.get("BENCH_CHECKOUTS", 1000))
HOT_STOCK = REQUESTS // 5  # 200 units for 500 buyers
CEILING_CONNECTIONS = (8, 16, 32, 64)


@pytest.fixture(scope="module")
def bench_db():
    if not PG_URL:
        pytest.fail("set OMS_TEST_DATABASE_URL to a PostgreSQL database to run the benchmark")
    url = fresh_postgres_database("oms_bench")
    upgrade_to_head(url)
    yield url
    sa.create_engine(url).dispose()
    drop_postgres_database(url)


def _checkout_request(token: str, sku: str, key: str) -> tuple[str, dict, dict[str, str]]:
    body = {"lines": [{"sku": sku, "quantity": 1}], "shipping_address": ADDRESS}
    return "/api/v1/checkouts", body, {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


def _burst(server: ServerProcess, jobs: list[tuple[str, str, str]]) -> list[tuple[int, float]]:
    """Every request at once; returns (status, seconds) per request."""
    requests = [_checkout_request(*job) for job in jobs]
    return asyncio.run(raw_post_burst("127.0.0.1", server.port, requests))


def _statements_per_checkout(url: str, world: dict) -> dict[str, int]:
    """SQL statements one request runs, token lookup included, counted on the app's
    engine: a checkout that is placed, and one refused for stock."""
    from fastapi.testclient import TestClient

    from oms_dashboard.api import create_app
    from oms_dashboard.bootstrap import bootstrap
    from oms_dashboard.db import get_engine

    engine = get_engine(url)
    counted: list[str] = []
    listener = lambda *args: counted.append(args[2])  # noqa: E731
    tokens = iter(world["tokens"][-40:-11])
    with TestClient(create_app(bootstrap("api", engine=engine))) as client:

        def count(sku: str) -> tuple[int, int]:
            path, body, headers = _checkout_request(next(tokens)[0], sku, uuid.uuid4().hex)
            counted.clear()
            sa.event.listen(engine, "before_cursor_execute", listener)
            try:
                status = client.post(path, json=body, headers=headers).status_code
            finally:
                sa.event.remove(engine, "before_cursor_execute", listener)
            return status, len(counted)

        count(world["skus"][1])  # warm-up
        placed, placed_n = count(world["skus"][2])
        refused, refused_n = count("HOT-1")
    assert (placed, refused) == (201, 409)
    return {"placed": placed_n, "refused_for_stock": refused_n}


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
    load_before = os.getloadavg()[0]
    with ServerProcess(env) as server:
        pids = server_pids(server.process)
        cpu_before, client_before = cpu_seconds(pids), time.process_time()
        began = time.perf_counter()
        results = _burst(server, jobs)
        elapsed = time.perf_counter() - began
        server_cpu = cpu_seconds(pids) - cpu_before
        client_cpu = time.process_time() - client_before

        # The same key replayed 10x concurrently: exactly one checkout.
        token = world["tokens"][-1][0]
        replay_results = _burst(server, [(token, cold[0], "replayed-key")] * 10)

    statuses = [status for status, _ in results]
    latencies = [seconds for _, seconds in results]
    hot_sold = sum(1 for (status, _), job in zip(results, jobs, strict=True)
                   if job[1] == "HOT-1" and status == 201)  # fmt: skip
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

    statements = _statements_per_checkout(bench_db, world)
    ceilings = {n: _database_ceiling(bench_db, transactions=REQUESTS, concurrency=n)
                for n in CEILING_CONNECTIONS}  # fmt: skip
    best = max(ceilings.values(), key=lambda c: c["transactions_per_second"])
    placed = statuses.count(201)
    result = {
        "requests": REQUESTS,
        "load_average_before": round(load_before, 2),
        "status_counts": {str(s): statuses.count(s) for s in sorted(set(statuses))},
        "hot_stock": HOT_STOCK,
        "hot_sold": hot_sold,
        "hot_reserved": reserved,
        "seconds": round(elapsed, 2),
        "checkouts_per_second": round(placed / elapsed, 1),
        "requests_per_second": round(REQUESTS / elapsed, 1),
        "p50_ms": round(percentile(latencies, 50) * 1000),
        "p95_ms": round(percentile(latencies, 95) * 1000),
        "p99_ms": round(percentile(latencies, 99) * 1000),
        "server_cpu_ms_per_request": round(server_cpu / REQUESTS * 1000, 2),
        "server_cpu_ms_per_checkout_placed": round(server_cpu / max(placed, 1) * 1000, 2),
        "client_cpu_ms_per_request": round(client_cpu / REQUESTS * 1000, 2),
        "statements": statements,
        "replay_statuses": sorted(s for s, _ in replay_results),
        "replay_checkouts": replay_checkouts,
        "db_ceiling": {str(n): c for n, c in ceilings.items()},
        "db_ceiling_best": best,
        "ratio_to_ceiling": round((REQUESTS / elapsed) / best["transactions_per_second"], 3),
        "checkouts_ratio_to_ceiling": round(
            (placed / elapsed) / best["transactions_per_second"], 3
        ),
    }
    print(write_result("checkout_burst", result))
    print(result)

    assert set(statuses) <= {201, 409}, result["status_counts"]
    assert hot_sold == HOT_STOCK == reserved <= on_hand
    assert negative == 0
    assert replay_checkouts == 1 and set(result["replay_statuses"]) == {201}
    assert statements["placed"] <= 8, statements


def _database_ceiling(url: str, *, transactions: int, concurrency: int) -> dict:
    """The checkout's statements, straight through psycopg: what the database alone
    can do with ``concurrency`` connections. Each run writes rows of its own."""
    conninfo = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(conninfo) as conn:
        seller_id, customer_id = conn.execute(
            "SELECT s.id, c.id FROM sellers s, customers c LIMIT 1"
        ).fetchone()
        token_hash = conn.execute("SELECT token_hash FROM user_sessions LIMIT 1").fetchone()[0]
        conn.execute(
            "UPDATE inventory SET on_hand = on_hand + %s WHERE sku = 'HOT-1'", (transactions,)
        )
        conn.commit()
    run = uuid.uuid4().hex[:6]
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
                _raw_checkout(conn, token_hash, seller_id, customer_id, sku, f"{run}{i}")
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
    conn: psycopg.Connection, token_hash: str, seller_id: str, customer_id: str, sku: str, i: str
) -> None:
    """The service's eight statements (services/checkout.py, checkout_sql.py, auth,
    stock.reserve): token, cart, duplicate check, claim, order, line, event, hold."""
    checkout_id, order_id = f"chk_raw{i}", f"ord_raw{i}"
    conn.execute(
        "SELECT s.expires_at, u.id, u.role, c.id FROM user_sessions s JOIN users u"
        " ON u.id = s.user_id LEFT JOIN customers c ON c.user_id = u.id WHERE s.token_hash = %s",
        (token_hash,),
    )
    conn.commit()
    with conn.transaction():
        conn.execute(
            "SELECT p.*, s.*, i.on_hand - i.reserved,"
            " (SELECT payment_hold_minutes FROM order_policies WHERE id = 1),"
            " (SELECT duplicate_window_minutes FROM order_policies WHERE id = 1)"
            " FROM products p JOIN sellers s ON s.id = p.seller_id"
            " LEFT JOIN inventory i ON i.sku = p.sku WHERE p.sku = ANY(%s)",
            ([sku],),
        )
        conn.execute(
            "SELECT id FROM checkouts WHERE customer_id = %s AND lines_hash = %s"
            " AND created_at >= now() - interval '10 minutes' ORDER BY created_at DESC LIMIT 1",
            (customer_id, f"h{i}"),
        )
        conn.execute(
            "INSERT INTO checkouts (id, customer_id, idempotency_key, request_hash, lines_hash,"
            " status, currency, total_minor, service_level, payment_status, payment_attempts,"
            " created_at, hold_expires_at, ship_name, ship_line1, ship_city, ship_region,"
            " ship_postal_code, ship_country, response) VALUES (%s, %s, %s, 'h', %s,"
            " 'pending_payment', 'USD', 3198, 'standard', 'pending', 0, now(),"
            " now() + interval '30 minutes', 'n', 'l', 'c', 'NY', '10118', 'US', '{}')"
            " ON CONFLICT DO NOTHING RETURNING id",
            (checkout_id, customer_id, f"raw-{i}", f"h{i}"),
        )
        conn.execute(
            "INSERT INTO orders (id, number, checkout_id, seller_id, customer_id, customer_email,"
            " status, currency, subtotal_minor, shipping_minor, total_minor, service_level,"
            " stock_status, placed_at, updated_at, ship_name, ship_line1, ship_city, ship_region,"
            " ship_postal_code, ship_country) VALUES (%s, %s, %s, %s, %s, 'e', 'pending_payment',"
            " 'USD', 2599, 599, 3198, 'standard', 'held', now(), now(), 'n', 'l', 'c', 'NY',"
            " '10118', 'US')",
            (order_id, f"RAW-{i}", checkout_id, seller_id, customer_id),
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
        conn.execute(
            "UPDATE inventory SET reserved = reserved + 1"
            " WHERE sku = %s AND on_hand - reserved >= 1"
            " RETURNING sku, seller_id, on_hand - reserved, low_stock_alerted",
            (sku,),
        )
