"""The real app in a real browser: a fresh database with the demo data, `reflex run
--env prod` on a free port, and Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
STARTUP_TIMEOUT = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tail(path: Path, lines: int = 60) -> str:
    if not path.exists():
        return "(no log)"
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a") as out:
        done = subprocess.run(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600
        )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(args)} failed ({done.returncode}):\n{_tail(log)}")


@pytest.fixture(scope="session")
def app_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Environment of the app under test: its own var dir and SQLite database."""
    var_dir = tmp_path_factory.mktemp("e2e-var")
    env = dict(os.environ)
    env.update(
        OMS_ENV="test",
        OMS_SANDBOX_SPEED="0",  # packages move only when a test says so
        OMS_VAR_DIR=str(var_dir),
        OMS_DATABASE_URL=f"sqlite:///{var_dir / 'oms.db'}",
        PATH=f"{ROOT / '.tools' / 'node_modules' / '.bin'}:{env.get('PATH', '')}",
        REFLEX_USE_SYSTEM_BUN="1",
        REFLEX_TELEMETRY_ENABLED="false",
        PYTHONUNBUFFERED="1",
    )
    return env


@pytest.fixture(scope="session")
def database_url(app_env: dict[str, str]) -> str:
    """Migrated and seeded through the CLI a user runs."""
    log = Path(app_env["OMS_VAR_DIR"]) / "setup.log"
    _run([sys.executable, "-m", "oms_dashboard", "migrate"], app_env, log)
    _run([sys.executable, "-m", "oms_dashboard", "seed-demo"], app_env, log)
    return app_env["OMS_DATABASE_URL"]


@pytest.fixture(scope="session")
def base_url(app_env: dict[str, str], database_url: str) -> Iterator[str]:
    port = _free_port()
    log = Path(app_env["OMS_VAR_DIR"]) / "reflex.log"
    reflex = str(Path(sys.executable).parent / "reflex")
    with log.open("w") as out:
        # A session of its own (setsid): Reflex forks workers, we stop the whole group.
        server = subprocess.Popen(
            [
                reflex,
                "run",
                "--env",
                "prod",
                "--frontend-port",
                str(port),
                "--backend-port",
                str(port),
            ],
            cwd=ROOT,
            env=app_env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"reflex exited with {server.returncode}:\n{_tail(log)}")
            try:
                with urllib.request.urlopen(f"{url}/ping", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"reflex did not answer /ping in {STARTUP_TIMEOUT}s:\n{_tail(log)}")
            time.sleep(1)
        yield url
    finally:
        _stop(server)


def _stop(server: subprocess.Popen) -> None:
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(
            f"{CHROMIUM} is missing: apt-get install -y chromium (never playwright install)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, base_url: str):
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    context = browser.new_context(base_url=base_url, viewport={"width": 1360, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(scope="session")
def screenshots() -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS
