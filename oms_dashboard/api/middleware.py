"""Request ids, and the last line of defence against unexpected errors."""

from __future__ import annotations

import json
import logging
import re
import uuid

import anyio.to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oms_dashboard.api.problems import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from oms_dashboard.settings import get_settings

log = logging.getLogger("oms_dashboard.api")
REQUEST_ID_HEADER = "x-request-id"
# A caller's own request id is kept only if it is short and harmless in a log line.
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class RequestContextMiddleware:
    """Gives every request an id (echoed in ``X-Request-ID``), and turns an
    unexpected exception into a logged 500 problem without the stack trace."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        _size_thread_pool()
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _request_id(scope)
        scope.setdefault("state", {})["request_id"] = request_id
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            log.exception(
                "unexpected error request_id=%s %s %s",
                request_id,
                scope.get("method"),
                scope.get("path"),
            )
            if started:
                raise
            await _send_internal_error(send_with_id, request_id)


def _size_thread_pool() -> None:
    """Sync routes run in anyio's worker threads: as many as the pool keeps connections
    (``db.make_engine``), so under a burst each thread keeps one and the overflow is
    left for the odd request that needs a second. With twice as many threads, the
    overflow connections were opened and closed all through a burst (~70 new
    PostgreSQL sessions per 1,000 checkouts, each a backend to start) and more
    transactions queued on the hot rows: 195–235 checkouts answered per second
    against 255–330 (docs/PERFORMANCE.md). More threads only wait, and a thousand of
    them cost every request CPU (8.7 ms per checkout with 1,000 threads, 5.7 ms with
    16). A burst queues on the event loop instead, cheaply. No request holds a
    connection while it waits for a thread: services own their transaction inside
    their thread, and a route's session commits on the event loop (``deps.get_session``)."""
    limiter = anyio.to_thread.current_default_thread_limiter()
    wanted = get_settings().db_pool_size
    if limiter.total_tokens != wanted:
        limiter.total_tokens = wanted


def _request_id(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == REQUEST_ID_HEADER.encode():
            candidate = value.decode("latin-1")
            if _SAFE_ID.match(candidate):
                return candidate
    return uuid.uuid4().hex


async def _send_internal_error(send: Send, request_id: str) -> None:
    body = json.dumps(
        {
            "type": PROBLEM_BASE + "internal-error",
            "title": "Internal Server Error",
            "status": 500,
            "detail": f"something went wrong on our side; quote request id {request_id}",
            "request_id": request_id,
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 500,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
