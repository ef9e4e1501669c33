"""The sandbox carriers' webhooks: each scan a sandbox package gets is posted, in its
carrier's own webhook JSON and signed with the carrier's webhook secret, to the OMS's
``POST /api/v1/carriers/{carrier}/events`` -- the way a real carrier tells the OMS,
so the real parsers and the real endpoint run.

The post is an outbox message (written with the scan), delivered by the worker over
HTTP to the app inside the process (``InProcessTransport``), retried by the outbox
while the endpoint fails.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

import httpx
from sqlalchemy import Engine

from oms_dashboard.carriers import sandbox
from oms_dashboard.payments.signing import sign

_clients: dict[int, httpx.Client] = {}


def webhook_body(package: sandbox.SandboxPackage) -> dict[str, Any]:
    """The package's latest news as its carrier's webhook payload."""
    module = import_module(f"oms_dashboard.carriers.sandbox.{package.carrier}")
    return module.webhook_body(package)


def _client() -> httpx.Client:
    from oms_dashboard.api.factory import create_app
    from oms_dashboard.bootstrap import SANDBOX_BASE, current
    from oms_dashboard.inprocess import InProcessTransport

    wiring = current()
    if id(wiring) not in _clients:
        _clients[id(wiring)] = httpx.Client(
            transport=InProcessTransport(create_app(wiring)), base_url=SANDBOX_BASE, timeout=10
        )
    return _clients[id(wiring)]


def post_webhook(payload: dict[str, Any], *, engine: Engine | None = None) -> None:
    """Outbox handler: post the package's news; a failed post raises, so it is retried."""
    from oms_dashboard.db import session_scope
    from oms_dashboard.services.carrier_events import webhook_secret

    carrier, number = payload["carrier"], payload["tracking_number"]
    with session_scope(engine) as session:
        package = sandbox.packages(session, carrier, [number]).get(number)
        secret = webhook_secret(session, carrier)
    if package is None or secret is None:
        return  # voided since, or the carrier left its sandbox: nothing to tell
    body = httpx.Request("POST", "/", json=webhook_body(package)).content
    answer = _client().post(
        f"/api/v1/carriers/{carrier}/events",
        content=body,
        headers={"Content-Type": "application/json", "X-OMS-Signature": sign(body, secret)},
    )
    answer.raise_for_status()
