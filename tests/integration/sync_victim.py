"""A tracking sync that is killed midway: run as a process by test_tracking, it syncs
every due shipment against the in-process sandbox, slowly, until the test kills it."""

from __future__ import annotations

import sys
import time

import httpx

from oms_dashboard.api.factory import create_sandbox_app
from oms_dashboard.db import get_engine
from oms_dashboard.inprocess import InProcessTransport
from oms_dashboard.services import tracking_sync
from oms_dashboard.services.carrier_registry import open_adapter


class Slow(httpx.BaseTransport):
    def __init__(self, inner):
        self.inner = inner

    def handle_request(self, request):
        time.sleep(0.05)
        return self.inner.handle_request(request)


if __name__ == "__main__":
    engine = get_engine(sys.argv[1])
    served = Slow(InProcessTransport(create_sandbox_app(engine)))
    print("syncing", flush=True)
    tracking_sync.sync_due(
        engine,
        adapter_for=lambda c: open_adapter(engine, c, sandbox_transport=served),
        workers=1,
    )
