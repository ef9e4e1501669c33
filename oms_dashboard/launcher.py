"""`make run`: everything a laptop needs, started together and stopped together.

Migrates the database, loads the demo data into an empty one, starts an
embedded Redis unless OMS_REDIS_URL is set, one RQ worker, the RQ cron
scheduler and the Reflex app (pages and API on one port). Ctrl-C stops all.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from oms_dashboard.settings import ROOT, get_settings

STARTUP_TIMEOUT = 600


def child_env(redis_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env["OMS_REDIS_URL"] = redis_url
    env["PATH"] = f"{ROOT / '.tools' / 'node_modules' / '.bin'}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("REFLEX_USE_SYSTEM_BUN", "1")
    env.setdefault("REFLEX_TELEMETRY_ENABLED", "false")
    return env


def run_everything(*, port: int) -> int:
    from oms_dashboard.db import session_scope
    from oms_dashboard.demo import DEMO_LOGINS, DEMO_PASSWORD
    from oms_dashboard.demo.seed import database_is_empty, seed_demo
    from oms_dashboard.jobs.connection import start_embedded_redis
    from oms_dashboard.migrations import upgrade_to_head

    settings = get_settings()
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    print(f"database: {settings.database_url}")
    upgrade_to_head()
    with session_scope() as session:
        if database_is_empty(session):
            print("loading demo data ...")
            seed_demo(session)

    children: list[tuple[str, subprocess.Popen]] = []
    if settings.redis_url:
        redis_url = settings.redis_url
    else:
        socket_path = settings.embedded_redis_socket
        children.append(("redis", start_embedded_redis(socket_path)))
        redis_url = f"unix://{socket_path}"
    env = child_env(redis_url)
    logs = settings.var_dir / "logs"
    logs.mkdir(exist_ok=True)
    python = sys.executable
    for name, argv in (
        ("worker", [python, "-m", "oms_dashboard", "worker"]),
        ("cron", [python, "-m", "oms_dashboard", "cron"]),
    ):
        children.append((name, _start(argv, env, logs / f"{name}.log")))
    if os.environ.get("OMS_SIMULATE", "1") != "0":
        simulate = [python, "-m", "oms_dashboard", "simulate", "--url", f"http://127.0.0.1:{port}"]
        children.append(("simulate", _start(simulate, env, logs / "simulate.log")))
    reflex = [python, "-m", "reflex", "run", "--env", "prod"]
    reflex += ["--frontend-port", str(port), "--backend-port", str(port)]
    children.append(("app", _start(reflex, env, None)))

    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    try:
        if _wait_until_up(port, children, lambda: stopping):
            print(f"\nOMS Dashboard is running at http://localhost:{port}")
            print(f"Demo logins (password {DEMO_PASSWORD}):")
            for role, email in DEMO_LOGINS.items():
                print(f"  {role:<9} {email}")
            print(f"Worker, cron and simulator logs: {logs}. Press Ctrl-C to stop.\n")
        while not stopping:
            for name, process in children:
                if process.poll() is not None:
                    print(
                        f"{name} exited with code {process.returncode}; stopping", file=sys.stderr
                    )
                    return 1
            time.sleep(0.5)
        return 0
    finally:
        _stop_all(children)


def _start(argv: list[str], env: dict[str, str], log: Path | None) -> subprocess.Popen:
    output = open(log, "ab") if log else None  # noqa: SIM115 - lives as long as the child
    return subprocess.Popen(
        argv,
        cwd=ROOT,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT if log else None,
        start_new_session=True,
    )


def _wait_until_up(port: int, children, stopping) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline and not stopping():
        if any(process.poll() is not None for _, process in children):
            return False
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/ping", timeout=2):
                return True
        except OSError:
            time.sleep(1)
    return False


def _stop_all(children: list[tuple[str, subprocess.Popen]]) -> None:
    """Stop each child's whole process group (Reflex forks), newest first."""
    for _, process in reversed(children):
        _signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for _, process in reversed(children):
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
