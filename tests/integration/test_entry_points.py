"""Every entry point wires itself: started as a user starts it, each one has a
handler for every outbox message kind; production has no sandboxes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from oms_dashboard.services.outbox import MessageKind
from oms_dashboard.settings import ROOT
from tests.integration.live_server import free_port

EVERY_KIND = sorted(kind.value for kind in MessageKind)


@pytest.fixture
def env(tmp_path, redis_url):
    return dict(
        os.environ,
        OMS_ENV="development",
        OMS_VAR_DIR=str(tmp_path),
        OMS_DATABASE_URL=f"sqlite:///{tmp_path / 'oms.db'}",
        OMS_REDIS_URL=redis_url,
        PYTHONUNBUFFERED="1",
    )


def wired_line(process: subprocess.Popen, timeout: float = 60) -> dict:
    """The ``wired {...}`` line a worker or cron prints once it is wired."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        if line.startswith("wired "):
            return json.loads(line.removeprefix("wired "))
    raise AssertionError(f"no wiring announced; output:\n{''.join(seen)[-3000:]}")


def start(argv: list[str], env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        argv, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    )


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.mark.parametrize("command", ["worker", "cron"])
def test_worker_and_cron_are_wired_for_every_kind(env, command):
    process = start([sys.executable, "-m", "oms_dashboard", command], env)
    try:
        wiring = wired_line(process)
    finally:
        stop(process)
    assert wiring["entry"] == command
    assert wiring["outbox_kinds"] == EVERY_KIND
    assert wiring["enqueues_after_commit"] is True


def test_the_command_line_is_wired_for_every_kind(env):
    done = subprocess.run(
        [sys.executable, "-m", "oms_dashboard", "wiring"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    wiring = json.loads(done.stdout.strip().removeprefix("wired "))
    assert (wiring["entry"], wiring["outbox_kinds"]) == ("cli", EVERY_KIND)


def serve_api(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = start(
        [sys.executable, "-m", "uvicorn", "oms_dashboard.api:app", "--port", str(port)], env
    )
    return process, f"http://127.0.0.1:{port}"


def wait_for(url: str, process: subprocess.Popen, timeout: float = 60) -> httpx.Response:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited:\n{process.stdout.read()[-3000:]}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.HTTPError:
            time.sleep(0.2)
    raise AssertionError(f"{url} did not answer")


def test_the_api_alone_is_wired_and_reaches_its_own_sandbox(env):
    migrate = [sys.executable, "-m", "oms_dashboard", "migrate"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    process, base = serve_api(env)
    try:
        health = wait_for(f"{base}/api/v1/health", process).json()
        recorded = httpx.post(
            f"{base}/sandbox/payments/authorizations",
            json={"checkout_id": "chk_x", "amount": "1.00", "currency": "USD"},
        )
    finally:
        stop(process)
    assert health["wiring"]["entry"] == "api"
    assert health["wiring"]["outbox_kinds"] == EVERY_KIND
    assert health["wiring"]["payment_provider"] == "sandbox in this process"
    assert recorded.status_code == 200 and recorded.json()["status"] == "authorized"


def production(env: dict[str, str], **more: str) -> dict[str, str]:
    return dict(
        env,
        OMS_ENV="production",
        OMS_SECRET_KEY="k" * 48,
        OMS_PAYMENT_WEBHOOK_SECRET="whsec-production",
        OMS_VAPID_PRIVATE_KEY="3DT3ZiK0V7GzBGB-LiSSv7Kdy25nrPbt2LNhVmIo6vE",
        **more,
    )


def test_production_refuses_to_start_without_a_payment_provider(env):
    env = production(env)
    env.pop("OMS_PAYMENT_PROVIDER_URL", None)
    process, _ = serve_api(env)
    try:
        process.wait(timeout=60)
    finally:
        stop(process)
    assert process.returncode != 0
    assert "OMS_PAYMENT_PROVIDER_URL must be set" in process.stdout.read()


def test_production_has_no_sandbox(env):
    env = production(env, OMS_PAYMENT_PROVIDER_URL="https://payments.example/v1")
    process, base = serve_api(env)
    try:
        health = wait_for(f"{base}/api/v1/health", process).json()
        authorize = httpx.post(
            f"{base}/sandbox/payments/authorizations",
            json={"checkout_id": "chk_x", "amount": "1.00", "currency": "USD"},
        )
        read = httpx.get(f"{base}/sandbox/payments/authorizations/chk_x")
    finally:
        stop(process)
    assert health["wiring"]["payment_provider"] == "configured"
    assert authorize.status_code == read.status_code == 404
    assert authorize.headers["content-type"] == "application/problem+json"
