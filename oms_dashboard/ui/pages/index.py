"""/: straight to the signed-in person's home page, or to the login page."""

from __future__ import annotations

import reflex as rx

from oms_dashboard.ui.states.auth import AuthState

ROUTE = "/"
TITLE = "OMS Dashboard"
ON_LOAD = AuthState.go_home


def page() -> rx.Component:
    # role="status": aria-label is not allowed on a plain <div> (axe aria-prohibited-attr).
    return rx.center(rx.spinner(size="3"), min_height="100vh", role="status", aria_label="Loading")
