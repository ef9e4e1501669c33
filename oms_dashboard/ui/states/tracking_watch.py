"""Keep an open order page up to date with carrier news, without a reload.

While the shipment panel is mounted, a background task asks every few seconds
whether anything a carrier can change moved (``services.tracking_views.tracking_mark``,
two small reads); only then, or once a minute so "3 minutes ago" stays true, does
the page state rebuild, and only the fields that differ are sent to the browser.
It ends when the panel unmounts (the reader left the page), when the tab's socket
has gone, or when the reader may no longer see the order.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

import reflex as rx
from reflex.utils import prerequisites

from oms_dashboard.db import session_scope
from oms_dashboard.services import auth
from oms_dashboard.services.errors import AuthenticationFailed, NotFound
from oms_dashboard.services.tracking_views import TrackingMark, tracking_mark

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
"""News reaches the page within two polls of landing in the database (10 s)."""
REFRESH_SECONDS = 60.0
"""Even without news, relative times ("4 minutes ago") are brought up to date."""
GONE_POLLS = 3
"""A socket missing this many polls in a row is a closed tab, not a reconnect."""


def client_connected(token: str) -> bool:
    """Whether the browser tab behind ``token`` still has its socket open."""
    namespace = prerequisites.get_and_validate_app().app.event_namespace
    return namespace is None or token in namespace.token_to_sid


def read_mark(session_token: str, order_id: str) -> TrackingMark | None:
    """The order's tracking mark as the signed-in reader may see it; None if they
    may not (signed out, or no such order for them)."""
    with session_scope() as session:
        try:
            actor = auth.actor_for_token(session, session_token)
            return tracking_mark(session, actor=actor, order_id=order_id)
        except (AuthenticationFailed, NotFound):
            return None


class TrackingWatch(rx.State, mixin=True):
    """Mixed into the order page's state, which provides ``_refresh_tracking``."""

    _watch_id: int = 0
    _watched_mark: Any = None
    _watched_at: float = 0.0

    def _watched_order_id(self) -> str:
        raise NotImplementedError

    def _refresh_tracking(self) -> None:
        """Rebuild the page's view from the services, assigning only what changed."""
        raise NotImplementedError

    @rx.event
    def stop_watching(self):
        self._watch_id += 1

    @rx.event(background=True)
    async def watch_tracking(self):
        async with self:
            self._watch_id += 1
            mine = self._watch_id
            client = self.router.session.client_token
        missing = 0
        while True:
            await asyncio.sleep(POLL_SECONDS)
            missing = 0 if client_connected(client) else missing + 1
            if missing >= GONE_POLLS:
                return
            async with self:
                if self._watch_id != mine:
                    return
                session_token, order_id = self.token, self._watched_order_id()  # type: ignore[attr-defined]
            if not order_id:
                continue  # the page is still loading, or showing "not found"
            try:
                mark = await asyncio.to_thread(read_mark, session_token, order_id)
            except Exception:  # a database hiccup: try again at the next poll
                log.exception("tracking watch: reading order %s failed", order_id)
                continue
            if mark is None:
                return
            async with self:
                if self._watch_id != mine or order_id != self._watched_order_id():
                    continue
                stale = time.monotonic() - self._watched_at >= REFRESH_SECONDS
                if mark != self._watched_mark or stale:
                    self._refresh_tracking()
                    self._watched_mark, self._watched_at = mark, time.monotonic()
