"""Tracking at scale: 10,000 active shipments synced against the carrier sandbox over
real HTTP; a carrier down for a while, then back (nothing lost, backlog drained).

The sandbox is served by ``uvicorn oms_dashboard.api:app --workers 2`` (as a live
carrier would be, at its own URL). The sync runs as two RQ workers run the cron's
per-carrier jobs: two processes taking the four jobs one at a time as they come free,
each job calling ``services.tracking_sync.sync_due`` with the real adapters.
"""

from __future__ import annotations

import os
import time
from datetime import timedelta
from multiprocessing import get_context

import pytest
import sqlalchemy as sa
from sqlmodel import Session

from oms_dashboard.db import get_engine
from oms_dashboard.migrations import upgrade_to_head
from oms_dashboard.models import CarrierAccount, Order, Shipment, ShipmentScan
from oms_dashboard.models.base import utcnow
from oms_dashboard.services import tracking_sync
from tests.conftest import drop_postgres_database, fresh_postgres_database
from tests.perf.bench_setup import ServerProcess, write_result
from tests.perf.tracking_world import adapters_over_http, build_shipments

pytestmark = pytest.mark.perf
PG_URL = os.environ.get("OMS_TEST_DATABASE_URL")
SHIPMENTS = int(os.environ.get("OMS_BENCH_SHIPMENTS", "10000"))


JOBS = (("fedex",), ("ups",), ("dhl",), ("usps",))
"""The cron's per-carrier jobs, in the order it enqueues them."""
WORKERS = 2


def _worker(args):
    """One per-carrier sync job, in whichever worker process is free."""
    url, base, carriers = args
    engine = get_engine(url)
    adapter_for, requests = adapters_over_http(base)
    report = tracking_sync.sync_due(engine, adapter_for=adapter_for, carriers=carriers, workers=24)
    engine.dispose()
    return report, requests


def _moved(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        count = lambda q: conn.execute(q).scalar_one()  # noqa: E731
        return (
            count(
                sa.select(sa.func.count())
                .select_from(Shipment)
                .where(Shipment.status == "in_transit")
            ),
            count(
                sa.select(sa.func.count()).select_from(Order).where(Order.status == "in_transit")
            ),
            count(sa.select(sa.func.count()).select_from(ShipmentScan)),
        )


def test_sync_of_10000_shipments_and_a_carrier_down_then_back():
    if not PG_URL:
        pytest.fail("set OMS_TEST_DATABASE_URL to run the benchmark")
    url = fresh_postgres_database("oms_bench_tracking")
    upgrade_to_head(url)
    engine = get_engine(url)
    try:
        build_shipments(url, SHIPMENTS)
        env = {"OMS_DATABASE_URL": url, "OMS_ENV": "development"}
        with ServerProcess(env) as server:
            started = time.perf_counter()
            with get_context("spawn").Pool(WORKERS) as pool:
                jobs = [(url, server.url, carriers) for carriers in JOBS]
                runs = list(pool.imap_unordered(_worker, jobs, chunksize=1))
            wall = time.perf_counter() - started
            requests = {c: n for _, counted in runs for c, n in counted.items()}
            waiting = {c: why for report, _ in runs for c, why in report.waiting.items()}
            shipments_moved, orders_moved, scans = _moved(engine)

            # A carrier down: every FedEx request fails for a while, then it is back.
            backlog = build_shipments(url, 2000)
            fedex_backlog = [n for c, n, _ in backlog if c == "fedex"]
            down_for, _ = adapters_over_http("http://127.0.0.1:9")  # nothing listens
            down = {"fedex": down_for("fedex")}
            live, _ = adapters_over_http(server.url)
            mixed = lambda c: down[c] if c == "fedex" else live(c)  # noqa: E731
            outage = tracking_sync.sync_due(engine, adapter_for=mixed, workers=24)
            # Back: the breaker's pause runs out, then the next sync drains the backlog.
            with Session(engine) as session:
                reopens = session.get(CarrierAccount, "fedex").circuit_open_until
            back_at = time.perf_counter()
            time.sleep(max(0.0, (reopens - utcnow()).total_seconds()))
            after_lease = utcnow() + tracking_sync.SYNC_LEASE + timedelta(seconds=1)
            drain_started = time.perf_counter()
            drained = tracking_sync.sync_due(engine, adapter_for=live, now=after_lease, workers=24)
            drain = time.perf_counter() - drain_started
            breaker_wait = drain_started - back_at
            with engine.connect() as conn:
                left = conn.execute(
                    sa.select(sa.func.count())
                    .select_from(Shipment)
                    .where(
                        Shipment.tracking_number.in_(fedex_backlog),
                        Shipment.status != "in_transit",
                    )
                ).scalar_one()
    finally:
        engine.dispose()
        drop_postgres_database(url)

    result = {
        "shipments": SHIPMENTS,
        "wall_s": round(wall, 2),
        "shipments_per_s": round(SHIPMENTS / wall),
        "requests": requests,
        "requests_per_s": {c: round(n / wall) for c, n in requests.items()},
        "waiting": waiting,
        "shipments_moved": shipments_moved,
        "orders_moved": orders_moved,
        "scans_kept": scans,
        "waiting_during_outage": outage.waiting,
        "fedex_backlog": len(fedex_backlog),
        "breaker_pause_s": round(breaker_wait, 1),
        "drain_s": round(drain, 2),
        "fedex_left_after_drain": left,
        "drain_applied": drained.applied,
    }
    print(write_result("tracking_sync", result))
    print(result)
    assert not waiting
    assert shipments_moved == orders_moved == SHIPMENTS
    assert scans == 2 * SHIPMENTS
    assert "fedex" in outage.waiting and left == 0, "the FedEx backlog must drain, none lost"
    assert wall <= 60, "the goal is 10,000 shipments within 60 s"
