"""An httpx transport that answers requests with an ASGI app in this very process.

The built-in sandboxes (payments now, carriers later) are reached through it:
the client code is the one that talks to a real provider over the network,
request and response included, but nothing depends on which host or port the
app happens to be served on, or on it being served at all (the worker).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx

T = TypeVar("T")


class InProcessTransport(httpx.BaseTransport):
    def __init__(self, app: Any) -> None:
        self.app = app
        self._asgi = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def call() -> tuple[int, httpx.Headers, bytes]:
            response = await self._asgi.handle_async_request(request)
            body = await response.aread()
            return response.status_code, response.headers, body

        status, headers, body = _run(call())
        return httpx.Response(status, headers=headers, content=body, request=request)


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run to completion from sync code, even from a thread whose event loop is running
    (a Reflex event handler): then on a short-lived thread of its own."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = asyncio.run(coroutine)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=target, name="inprocess-http")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
