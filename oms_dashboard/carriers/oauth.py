"""A carrier's OAuth bearer token, kept until shortly before it expires.

Sync jobs share one adapter across threads: one fetch at a time, and a token the
carrier refused (401) is forgotten only if no other thread has replaced it yet.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class TokenCache:
    def __init__(
        self,
        fetch: Callable[[], tuple[str, float]],
        *,
        margin_seconds: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``fetch`` asks the carrier for a token: (token, lifetime in seconds)."""
        self._fetch, self._margin, self._clock = fetch, margin_seconds, clock
        self._token: str | None = None
        self._good_until = 0.0
        self._lock = threading.Lock()

    def get(self) -> str:
        with self._lock:
            if self._token is None or self._clock() >= self._good_until:
                started = self._clock()
                token, lifetime = self._fetch()
                self._token, self._good_until = token, started + max(lifetime - self._margin, 0.0)
            return self._token

    def forget(self, token: str) -> None:
        with self._lock:
            if self._token == token:
                self._token = None
