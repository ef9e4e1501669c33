"""The role guard every page state mixes in: who may load this page, checked per event."""

from __future__ import annotations

from typing import ClassVar

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import AuthenticationFailed

LOADING, OK, FORBIDDEN, NOT_FOUND = "loading", "ok", "forbidden", "not_found"


class GuardedState(rx.State, mixin=True):
    """Mix in before ``AuthState``: ``class X(GuardedState, AuthState)``."""

    access: str = LOADING
    roles: ClassVar[frozenset[Role]] = frozenset(Role)

    def _clear_view(self) -> None:
        """Forget the page's view data (called when access is refused)."""

    def _guard(self, session: Session) -> Actor | EventSpec | None:
        """The actor if they may be here; a redirect to /login if not signed in;
        ``None`` (and the forbidden page) for a signed-in person of another role."""
        try:
            actor = self._actor(session)  # type: ignore[attr-defined]
        except AuthenticationFailed:
            self._clear_view()
            self.access = LOADING
            return self._to_login()  # type: ignore[attr-defined]
        if actor.role not in self.roles:
            self._clear_view()
            self.access = FORBIDDEN
            return None
        return actor
