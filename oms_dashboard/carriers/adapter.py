"""What every HTTP carrier adapter shares: its httpx client's lifetime, and the retries
with backoff every call gets.

A carrier call that fails in passing (no connection, a timeout, 429 or a 5xx) is tried
again after a short pause, growing each time, before the adapter reports it
(``CarrierError(transient=True)``, which the circuit breaker counts). A request that
creates or cancels something — a label — is tried again only when it never reached
the carrier (the connection was not made): a label request that timed out may have
bought a label, and buying it twice costs the seller twice.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from typing import Self

import httpx

RETRY_PAUSES: tuple[float, ...] = (0.2, 0.8)
"""Seconds to wait before the second and the third try (each with up to 25 % jitter)."""
MAX_RETRY_AFTER = 5.0
"""A carrier's Retry-After is honoured up to this many seconds; longer waits are the
breaker's and the next sync's business, not a request's."""
PASSING_STATUSES = frozenset({429, 502, 503, 504})

NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


class Retrying(httpx.BaseTransport):
    """An httpx transport that tries again what is safe to try again.

    ``writes``: path fragments of the carrier's calls that create or cancel something;
    a request to one of them (other than a GET) is repeated only if it was never sent.
    """

    def __init__(
        self,
        inner: httpx.BaseTransport | None,
        *,
        writes: Sequence[str],
        pauses: Sequence[float] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._inner = inner or httpx.HTTPTransport()
        self._writes = tuple(writes)
        self._pauses = tuple(RETRY_PAUSES if pauses is None else pauses)
        self._sleep = sleep

    def repeatable(self, request: httpx.Request) -> bool:
        return request.method == "GET" or not any(w in request.url.path for w in self._writes)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        for pause in self._pauses:
            try:
                response = self._inner.handle_request(request)
            except NEVER_SENT:
                pass
            except httpx.TransportError:
                if not self.repeatable(request):
                    raise
            else:
                if response.status_code not in PASSING_STATUSES or not self.repeatable(request):
                    return response
                pause = max(pause, retry_after(response))
                response.close()
            self._sleep(pause * random.uniform(1.0, 1.25))
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


def retry_after(response: httpx.Response) -> float:
    """The carrier's Retry-After in seconds (delta or HTTP date), capped; 0 without one."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            seconds = parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return 0.0
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


class HttpAdapter:
    name: str
    _http: httpx.Client

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
