"""The all-orders page in Chromium over the search benchmark's database.

Times, for a signed-in admin, a navigation to /admin/orders until its first row
is visible, and an order-number search until its one result is; five times each, after one
warm-up. Needs the database ``tests.perf.million`` built (``BENCH_SEARCH_URL``,
default oms_bench_search) and Debian's Chromium. Writes var/bench/orders_page.json.
"""

from __future__ import annotations

import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest

from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
from oms_dashboard.settings import ROOT
from tests.integration.live_server import free_port
from tests.perf.bench_setup import write_result
from tests.perf.test_search_bench import _bench_url, _has_orders

pytestmark = pytest.mark.perf

CHROMIUM = "/usr/bin/chromium"
TIMES = 5


def _serve(url: str, var_dir: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {
        **os.environ,
        "OMS_ENV": "test",
        "OMS_VAR_DIR": var_dir,
        "OMS_DATABASE_URL": url,
        "OMS_SANDBOX_SPEED": "0",
        "PATH": f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{os.environ.get('PATH', '')}",
        "REFLEX_USE_SYSTEM_BUN": "1",
        "REFLEX_TELEMETRY_ENABLED": "false",
        "PYTHONUNBUFFERED": "1",
    }
    (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
    log = open(ROOT / "var" / "bench" / "orders_page_reflex.log", "w")  # noqa: SIM115
    reflex = str(Path(sys.executable).parent / "reflex")
    server = subprocess.Popen(
        [reflex, "run", "--env", "prod", "--frontend-port", str(port), "--backend-port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"reflex exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{base}/ping", timeout=2) as response:
                if response.status == 200:
                    return server, base
        except OSError:
            time.sleep(1)
    pytest.fail("reflex did not answer /ping")


def test_all_orders_page_first_rows():
    url = _bench_url()
    if not _has_orders(url):
        pytest.skip("build the database first: python -m tests.perf.million")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)

    with psycopg.connect(url) as conn:
        orders = conn.execute("SELECT count(*) FROM orders").fetchone()[0]
        word = conn.execute("SELECT number FROM orders LIMIT 1 OFFSET 999").fetchone()[0]
    with tempfile.TemporaryDirectory() as var_dir:
        server, base = _serve(url, var_dir)
        try:
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
                page = browser.new_context(base_url=base).new_page()
                page.set_default_timeout(60_000)
                page.goto("/login")
                expect(page.get_by_role("button", name="Sign in")).to_be_enabled()
                page.get_by_label("Email address").fill(DEMO_LOGINS["admin"])
                page.get_by_label("Password").fill(DEMO_PASSWORD)
                page.get_by_role("button", name="Sign in").click()
                expect(page.get_by_test_id("user-name")).not_to_be_empty()
                navigate, search = [], []
                for i in range(TIMES + 1):
                    page.goto("/admin")
                    expect(page.get_by_test_id("user-name")).not_to_be_empty()
                    began = time.perf_counter()
                    page.goto("/admin/orders")
                    expect(page.get_by_test_id("table-row").first).to_be_visible()
                    if i:
                        navigate.append(time.perf_counter() - began)
                    page.get_by_label("Search orders").fill(word)
                    began = time.perf_counter()
                    page.get_by_role("button", name="Search", exact=True).click()
                    expect(page.get_by_test_id("pager-summary")).to_contain_text(
                        "of 1 orders", timeout=60_000
                    )
                    if i:
                        search.append(time.perf_counter() - began)
                (ROOT / "var" / "bench").mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(ROOT / "var" / "bench" / "orders_page.png"))
                browser.close()
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
    report = {
        "orders": orders,
        "navigate_to_first_rows_s": [round(x, 2) for x in navigate],
        "navigate_median_s": round(statistics.median(navigate), 2),
        "number_search": word,
        "search_to_results_s": [round(x, 2) for x in search],
        "search_median_s": round(statistics.median(search), 2),
    }
    path = write_result("orders_page", report)
    print(f"\n{report} -> {path}")
