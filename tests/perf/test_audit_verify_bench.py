"""The audit viewer's chain check on a large log: the whole walk (what every page load
did before the checkpoint) against the walk from the checkpoint (what it does now).

Builds ``BENCH_AUDIT_ROWS`` (default 200,000) chained audit rows in the PostgreSQL
test database (COPY), checks the whole chain once (which sets the checkpoint), adds
``BENCH_AUDIT_NEW`` rows (default 500: a busy day's privileged actions between two
page loads) and times each kind of check a few times. Writes var/bench/audit_verify.json;
figures go to docs/PERFORMANCE.md.
"""

from __future__ import annotations

import io
import json
import os
import time
from datetime import timedelta

import pytest
from sqlmodel import Session

from oms_dashboard.domain.audit_chain import GENESIS, row_hash
from oms_dashboard.models.base import utcnow
from oms_dashboard.services.audit import check_chain, verify_chain
from tests.perf.bench_setup import write_result

pytestmark = pytest.mark.perf

ROWS = int(os.environ.get("BENCH_AUDIT_ROWS", 200_000))
NEW = int(os.environ.get("BENCH_AUDIT_NEW", 500))
TIMES = 3
COLUMNS = (
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_role",
    "action",
    "entity_type",
    "entity_id",
    "order_id",
    "before",
    "after",
    "prev_hash",
    "hash",
)


def _append(engine, first_seq: int, count: int, prev: str) -> str:
    """``count`` chained rows from ``first_seq`` on, COPYed in; the head moved on."""
    start = utcnow() - timedelta(days=30)
    buffer = io.StringIO()
    for seq in range(first_seq, first_seq + count):
        order = f"ord_bench{seq % 5000:05d}"
        row = {
            "id": f"aud_bench{seq:08d}",
            "seq": seq,
            "at": start + timedelta(seconds=seq),
            "actor_id": "usr_bench_admin",
            "actor_role": "admin",
            "action": "order.cancel" if seq % 3 else "refund.approve",
            "entity_type": "order",
            "entity_id": order,
            "order_id": order,
            "before": {"status": "processing"},
            "after": {"status": "cancelled", "reason": f"bench {seq}"},
            "prev_hash": prev,
        }
        row["hash"] = prev = row_hash(row)
        values = [
            json.dumps(row[c]) if c in ("before", "after") else str(row[c]) for c in COLUMNS[:-1]
        ]
        buffer.write("\t".join([*values, row["hash"]]) + "\n")
    buffer.seek(0)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cursor:
            with cursor.copy(f"COPY audit_log ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                copy.write(buffer.read())
            cursor.execute(
                "INSERT INTO audit_chain_head (id, seq, hash) VALUES (1, %s, %s) "
                "ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                (first_seq + count - 1, prev),
            )
        raw.commit()
    finally:
        raw.close()
    return prev


def _timed(work) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(TIMES):
        began = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - began)
    return best, result


def test_the_page_load_checks_from_the_checkpoint(engine, session):
    if engine.dialect.name != "postgresql":
        pytest.skip("the benchmark runs on PostgreSQL (set OMS_TEST_DATABASE_URL)")
    began = time.perf_counter()
    last = _append(engine, 1, ROWS, GENESIS)
    built = time.perf_counter() - began
    with engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE audit_log")

    def whole():
        with Session(engine) as s:
            return verify_chain(s)

    full_seconds, report = _timed(whole)
    assert report.intact and report.rows == ROWS

    with Session(engine) as s:  # the first check sets the checkpoint at the head
        assert check_chain(s, full=True).report.intact
        s.commit()
    _append(engine, ROWS + 1, NEW, last)

    def since_checkpoint(commit: bool):
        def work():
            with Session(engine) as s:
                check = check_chain(s)
                if commit:
                    s.commit()  # moves the checkpoint: the next load has nothing new
                return check

        return work

    new_seconds, check = _timed(since_checkpoint(commit=False))  # rolled back: NEW each time
    assert check.report.intact and check.report.rows == NEW and not check.full
    with Session(engine) as s:
        check_chain(s)
        s.commit()
    none_seconds, check = _timed(since_checkpoint(commit=True))
    assert check.report.intact and check.report.rows == 0

    def explicit_full():
        with Session(engine) as s:
            return check_chain(s, full=True)

    button_seconds, check = _timed(explicit_full)
    assert check.full and check.report.intact and check.report.rows == ROWS + NEW

    result = {
        "rows": ROWS,
        "new_rows": NEW,
        "build_seconds": round(built, 1),
        "page_load_before_whole_walk_ms": round(full_seconds * 1000, 1),
        f"page_load_after_{NEW}_new_rows_ms": round(new_seconds * 1000, 1),
        "page_load_after_no_new_rows_ms": round(none_seconds * 1000, 1),
        "check_the_whole_chain_ms": round(button_seconds * 1000, 1),
        "best_of": TIMES,
    }
    path = write_result("audit_verify", result)
    print(json.dumps(result, indent=2), f"\nwritten to {path}")
    assert new_seconds < full_seconds / 10
