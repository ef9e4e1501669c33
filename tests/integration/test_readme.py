"""The README's walk-through, run literally against the API served alone
(``uvicorn oms_dashboard.api:app``) and a real worker: token, checkout, sandbox
authorization, signed event, processing, and the confirmation email over SMTP."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

from aiosmtpd.controller import Controller

from oms_dashboard.settings import ROOT
from tests.integration.conftest import SmtpSink, free_port
from tests.integration.test_entry_points import serve_api, stop, wait_for


def walkthrough() -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## How orders come in", 1)[1]
    match = re.search(r"```sh\n(.*?)```", section, re.S)
    assert match, "the README lost its walk-through"
    return match.group(1)


def test_the_readme_walkthrough_runs_as_written(tmp_path, redis_url):
    sink = SmtpSink()
    smtp = Controller(sink, hostname="127.0.0.1", port=free_port())
    smtp.start()
    env = dict(
        os.environ,
        OMS_ENV="development",
        OMS_VAR_DIR=str(tmp_path),
        OMS_DATABASE_URL=f"sqlite:///{tmp_path / 'oms.db'}",
        OMS_REDIS_URL=redis_url,
        OMS_SMTP_URL=f"smtp://127.0.0.1:{smtp.port}",
        PYTHONUNBUFFERED="1",
    )
    env.pop("OMS_PAYMENT_WEBHOOK_SECRET", None)
    for command in ("migrate", "seed-demo"):
        subprocess.run(
            [sys.executable, "-m", "oms_dashboard", command],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            timeout=300,
        )
    api, base = serve_api(env)
    worker = subprocess.Popen(
        [sys.executable, "-m", "oms_dashboard", "worker"],
        cwd=ROOT,
        env=env,
        stdout=(tmp_path / "worker.log").open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{base}/api/v1/health", api)
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", walkthrough()],
            cwd=ROOT,
            env=dict(env, OMS=base),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == "processing", done.stdout
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(
            "is confirmed" in m["Subject"] for m in sink.messages
        ):
            time.sleep(0.2)
        subjects = [m["Subject"] for m in sink.messages]
        assert any("is confirmed" in s for s in subjects), (
            subjects,
            (tmp_path / "worker.log").read_text()[-3000:],
        )
        assert sum(s.startswith("New order") for s in subjects) >= 2  # one per seller
    finally:
        stop(worker)
        stop(api)
        smtp.stop()
