"""The "delivery updates on this device" offer: web push for the signed-in customer.

The browser side is ``assets/push.js`` (``window.omsPush``): it asks for
permission and subscribes, then hands the subscription to an event handler
here, which saves it through the service. The pages hold no API token, so the
subscription comes back over Reflex's own connection, checked like any event.
"""

from __future__ import annotations

import logging
from typing import Any

import reflex as rx

from oms_dashboard.bootstrap import current
from oms_dashboard.db import session_scope
from oms_dashboard.services import push_subscriptions
from oms_dashboard.services.actor import Role
from oms_dashboard.services.errors import AuthenticationFailed, ServiceError
from oms_dashboard.ui.states.auth import AuthState

log = logging.getLogger(__name__)

CHECKING, AVAILABLE, SUBSCRIBED = "checking", "available", "subscribed"
BROWSER_STATES = frozenset({AVAILABLE, SUBSCRIBED, "unsupported", "denied"})


class PushOfferState(AuthState):
    push: str = CHECKING
    """What this browser can do: checking, available (offer it), subscribed,
    unsupported (no Push API) or denied (the person blocked notifications)."""

    @rx.event
    def show_status(self, result: Any):
        """``omsPush.status()``: a browser already subscribed is saved again quietly,
        so a subscription the server dropped (or never got) comes back."""
        state, subscription = _read(result)
        if (
            state == SUBSCRIBED
            and subscription is not None
            and self._save(subscription, customers_only=True) is not None
        ):
            state = AVAILABLE  # not on file: offer it again
        self.push = state

    @rx.event
    def keep(self, result: Any):
        """``omsPush.subscribe()``: save what the browser subscribed, and say so."""
        state, subscription = _read(result)
        if state != SUBSCRIBED or subscription is None:
            self.push = state if state in BROWSER_STATES else AVAILABLE
            if state == "denied":
                return rx.toast.info(
                    "Notifications are blocked for this site; allow them in the browser's "
                    "site settings to get delivery updates here."
                )
            message = result.get("message") if isinstance(result, dict) else ""
            return rx.toast.error(f"Could not turn on notifications: {message or 'try again'}")
        problem = self._save(subscription)
        if problem is not None:
            self.push = AVAILABLE
            return rx.toast.error(f"Could not turn on notifications: {problem}")
        self.push = SUBSCRIBED
        return rx.toast.success("Delivery updates are on for this device.")

    def _save(self, subscription: dict[str, Any], *, customers_only: bool = False) -> str | None:
        """None once saved, else why not (in words for the person).

        ``customers_only``: a quiet re-save never hands a customer's browser to the
        seller or agent who signs in on it later; only asking again does.
        """
        try:
            with session_scope() as session:
                actor = self._actor(session)
        except AuthenticationFailed:
            return "sign in again first"
        if customers_only and actor.role is not Role.CUSTOMER:
            return None
        keys = subscription.get("keys") or {}
        try:
            push_subscriptions.save_subscription(
                current().engine,
                actor=actor,
                endpoint=str(subscription.get("endpoint") or ""),
                p256dh=str(keys.get("p256dh") or ""),
                auth=str(keys.get("auth") or ""),
            )
        except ServiceError as exc:
            log.warning("push subscription refused: %s", exc.detail)
            return exc.detail
        return None


def _read(result: Any) -> tuple[str, dict[str, Any] | None]:
    if not isinstance(result, dict):
        return "unsupported", None
    subscription = result.get("subscription")
    return str(result.get("state") or ""), subscription if isinstance(subscription, dict) else None
