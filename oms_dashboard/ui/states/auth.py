"""Who is signed in: the session token in a cookie, checked on the server every time.

The browser keeps only the token. Every page's on_load and every event handler
resolves the actor afresh from it (``actor_for_token``); ``user_name`` and
``user_role`` are copies for the header to display, never used to decide access.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import reflex as rx
from reflex.event import EventSpec
from sqlmodel import Session

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.services import auth
from oms_dashboard.services.actor import Actor, Role
from oms_dashboard.services.errors import AuthenticationFailed
from oms_dashboard.settings import get_settings

SESSION_COOKIE = "oms_session"

# Where each role searches orders (the header's search box goes there).
ORDER_LIST: dict[str, str] = {
    Role.CUSTOMER: "/orders",
    Role.SELLER: "/seller/orders",
    Role.SUPPORT: "/support/orders",
    Role.ADMIN: "/admin/orders",
}

HOME: dict[str, str] = {
    Role.CUSTOMER: "/orders",
    Role.SELLER: "/seller/orders",
    Role.SUPPORT: "/support/orders",
    Role.ADMIN: "/admin",
}


def login_url(reason: str = "", next_path: str = "") -> str:
    params = []
    if reason:
        params.append(f"reason={quote(reason)}")
    if next_path.startswith("/") and not next_path.startswith("//"):
        params.append(f"next={quote(next_path)}")
    return "/login" + ("?" + "&".join(params) if params else "")


class AuthState(rx.State):
    token: str = rx.Cookie(
        "",
        name=SESSION_COOKIE,
        max_age=get_settings().session_hours * 3600,
        same_site="strict",
    )
    # For display in the header only; access is decided from the token.
    user_name: str = ""
    user_role: str = ""

    @rx.var
    def home_href(self) -> str:
        return HOME.get(self.user_role, "/login")

    def _actor(self, session: Session) -> Actor:
        """The actor behind the cookie, or ``AuthenticationFailed``."""
        actor = auth.actor_for_token(session, self.token)
        self.user_name, self.user_role = actor.name, actor.role.value
        return actor

    def _to_login(self) -> EventSpec:
        """Forget the dead token; back to where this page was after signing in again."""
        reason = "expired" if self.token else ""
        self.token = ""
        self.user_name = self.user_role = ""
        return rx.redirect(login_url(reason, self.router.url.path), replace=True)

    @rx.event
    def go_home(self):
        """``/``: the signed-in person's home, or the login page."""
        with session_scope() as session:
            try:
                actor = self._actor(session)
            except AuthenticationFailed:
                return self._to_login()
        return rx.redirect(HOME[actor.role], replace=True)

    @rx.event
    def search_orders(self, form_data: dict[str, Any]):
        """The header's search box: the role's own order list, filtered."""
        with session_scope() as session:
            try:
                actor = self._actor(session)
            except AuthenticationFailed:
                return self._to_login()
        q = str(form_data.get("q", "")).strip()[:200]
        return rx.redirect(ORDER_LIST[actor.role] + (f"?q={quote(q)}" if q else ""))

    @rx.event
    async def sign_out(self):
        auth.sign_out(current().engine, token=self.token)
        self.token = ""
        self.user_name = self.user_role = ""
        await self._forget_pages()
        # Emptying ``token`` empties the cookie. (rx.remove_cookie would re-run the
        # current page's on_load before the redirect lands.)
        return rx.redirect("/login?reason=signed-out")

    async def _forget_pages(self) -> None:
        """Drop every page's view data so the next person in this tab sees none of it."""
        for substate in self.get_substates():
            state = await self.get_state(substate)
            state.reset()
