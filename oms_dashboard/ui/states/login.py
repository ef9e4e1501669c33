"""Signing in: the password is checked by the auth service; only the token comes back."""

from __future__ import annotations

import asyncio
from typing import Any

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.services import auth
from oms_dashboard.services.actor import Role
from oms_dashboard.services.errors import AuthenticationFailed
from oms_dashboard.ui.states.auth import HOME, AuthState

NOTICES = {
    "expired": "Your session has expired. Sign in again to continue.",
    "signed-out": "You have signed out.",
}


def _open_session(email: str, password: str) -> tuple[str, str, Role]:
    """(token, name, role); argon2 is slow on purpose, so this runs off the event loop."""
    token, user = auth.sign_in(current().engine, email=email, password=password, channel="web")
    return token, user.name, Role(user.role)


def _safe_next(path: str) -> str:
    """Only a path on this site, and never back to the login page itself."""
    if path.startswith("/") and not path.startswith("//") and not path.startswith("/login"):
        return path
    return ""


class LoginState(AuthState):
    error: str = ""
    notice: str = ""

    @rx.event
    def load(self):
        """A person who is still signed in goes straight home."""
        params: Any = self.router.url.query_parameters
        self.notice = NOTICES.get(params.get("reason", ""), "")
        self.error = ""
        if not self.token:
            return None
        with session_scope() as session:
            try:
                actor = self._actor(session)
            except AuthenticationFailed:
                self.token = ""
                return None
        return rx.redirect(HOME[actor.role], replace=True)

    @rx.event
    async def sign_in(self, form_data: dict[str, Any]):
        email = str(form_data.get("email", "")).strip()
        password = str(form_data.get("password", ""))
        if not email or not password:
            self.error = "Enter your email address and your password."
            return None
        self.error, self.notice = "", ""
        try:
            token, name, role = await asyncio.to_thread(_open_session, email, password)
        except AuthenticationFailed:
            self.error = "That email and password don't match an account. Check both and try again."
            return rx.set_value("password", "")
        self.token = token
        self.user_name, self.user_role = name, role.value
        params: Any = self.router.url.query_parameters
        return rx.redirect(_safe_next(params.get("next", "")) or HOME[role], replace=True)
